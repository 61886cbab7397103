"""Step Functions Distributed Map (sfn_distributed_map.py): ResultWriter files, tolerated failure
thresholds, ItemBatcher, DescribeMapRun counts, and children that call Lambda or wait for a task token.

Items come from a JSON array in S3 (ItemReader s3:getObject, InputType JSON), as amishare's workflow
reads them. The Lambda tests use the Java probe function of test_lambda_executor.py (javac at test time).

    tests/localstack-ext/run-tests.sh -k distributed_map
"""

from __future__ import annotations

import json
import uuid

import pytest
from conftest import wait_for
from test_lambda_executor import client, create_function, lam, probe_zip, role_arn  # noqa: F401 (fixtures)

FAIL_ERROR, FAIL_CAUSE = "ItemFailed", "the item asked to fail"


@pytest.fixture
def bucket():
    s3 = client("s3")
    name = f"dmap-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    yield name
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        for obj in page.get("Contents", []):
            s3.delete_object(Bucket=name, Key=obj["Key"])
    s3.delete_bucket(Bucket=name)


@pytest.fixture
def machines():
    sfn, arns = client("stepfunctions"), []
    yield arns
    for arn in arns:
        sfn.delete_state_machine(stateMachineArn=arn)


def put_items(bucket: str, items: list, key="items/items.json") -> str:
    client("s3").put_object(Bucket=bucket, Key=key, Body=json.dumps(items).encode())
    return key


def s3_json(bucket: str, key: str):
    return json.loads(client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())


def pass_or_fail_processor() -> dict:
    """Children that fail with FAIL_ERROR / FAIL_CAUSE when their input says "fail": true."""
    return {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Check", "States": {
                "Check": {"Type": "Choice", "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "Boom"}],
                          "Default": "Done"},
                "Boom": {"Type": "Fail", "Error": FAIL_ERROR, "Cause": FAIL_CAUSE},
                "Done": {"Type": "Pass", "Parameters": {"done.$": "$.id", "run.$": "$.run"}, "End": True}}}


def distributed_map(bucket: str, key: str, processor: dict, result_prefix: str | None = "results", **fields) -> dict:
    state = {"Type": "Map", "ItemProcessor": processor,
             "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
                            "Parameters": {"Bucket": bucket, "Key": key}},
             "ItemSelector": {"id.$": "$$.Map.Item.Value.id", "fail.$": "$$.Map.Item.Value.fail", "run.$": "$.run"},
             "End": True, **fields}
    if result_prefix is not None:
        state["ResultWriter"] = {"Resource": "arn:aws:states:::s3:putObject",
                                 "Parameters": {"Bucket": bucket, "Prefix": result_prefix}}
    return state


def create_machine(machines: list, role: str, states: dict, start_at="Fan") -> str:
    arn = client("stepfunctions").create_state_machine(
        name=f"dmap-{uuid.uuid4().hex[:8]}", roleArn=role,
        definition=json.dumps({"StartAt": start_at, "States": states}))["stateMachineArn"]
    machines.append(arn)
    return arn


def run(machine: str, payload: dict, timeout=90.0) -> dict:
    sfn = client("stepfunctions")
    arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(payload))["executionArn"]
    return wait_for(lambda: (d := sfn.describe_execution(executionArn=arn))["status"] != "RUNNING" and d,
                    timeout=timeout, message="the execution to end")


def map_run_of(execution_arn: str) -> dict:
    sfn = client("stepfunctions")
    runs = sfn.list_map_runs(executionArn=execution_arn)["mapRuns"]
    assert len(runs) == 1, runs
    return sfn.describe_map_run(mapRunArn=runs[0]["mapRunArn"])


def items_with_failures(count: int, failing: set[int]) -> list[dict]:
    return [{"id": f"item-{i}", "fail": i in failing} for i in range(count)]


# ---------------------------------------------------------------------------------------------
# ResultWriter
# ---------------------------------------------------------------------------------------------


def test_result_writer_writes_manifest_and_result_files_of_succeeded_and_failed_children(bucket, machines, role_arn):
    """Step Functions DeveloperGuide "input-output-resultwriter": under <Prefix>/<map run id>/ a
    manifest.json lists the result files by status; SUCCEEDED_0.json / FAILED_0.json hold one record per
    child execution (Input and Output as JSON strings, Error and Cause of failed ones); the Map state's
    output is the Map Run ARN and the manifest's location."""
    key = put_items(bucket, items_with_failures(5, {1, 3}))
    machine = create_machine(machines, role_arn, {"Fan": distributed_map(
        bucket, key, pass_or_fail_processor(), ToleratedFailurePercentage=100)})

    described = run(machine, {"run": "r-1"})

    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    map_run = map_run_of(described["executionArn"])
    run_id = map_run["mapRunArn"].split(":")[-1]
    manifest_key = f"results/{run_id}/manifest.json"
    assert output == {"MapRunArn": map_run["mapRunArn"],
                      "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}
    manifest = s3_json(bucket, manifest_key)
    assert manifest["DestinationBucket"] == bucket and manifest["MapRunArn"] == map_run["mapRunArn"]
    files = manifest["ResultFiles"]
    assert [f["Key"] for f in files["SUCCEEDED"]] == [f"results/{run_id}/SUCCEEDED_0.json"]
    assert [f["Key"] for f in files["FAILED"]] == [f"results/{run_id}/FAILED_0.json"]
    assert files["PENDING"] == []
    for entry in files["SUCCEEDED"] + files["FAILED"]:
        head = client("s3").head_object(Bucket=bucket, Key=entry["Key"])
        assert entry["Size"] == head["ContentLength"]

    succeeded = s3_json(bucket, f"results/{run_id}/SUCCEEDED_0.json")
    assert sorted(json.loads(r["Input"])["id"] for r in succeeded) == ["item-0", "item-2", "item-4"]
    for record in succeeded:
        assert record["Status"] == "SUCCEEDED"
        assert json.loads(record["Output"]) == {"done": json.loads(record["Input"])["id"], "run": "r-1"}
        assert record["ExecutionArn"].endswith(":" + record["Name"]) and ":execution:" in record["ExecutionArn"]
        assert record["StateMachineArn"].startswith(machine + "/")
        assert record["InputDetails"] == {"Included": True} and record["OutputDetails"] == {"Included": True}
        assert record["RedriveCount"] == 0 and record["RedriveStatus"] == "NOT_REDRIVABLE"
        assert record["StartDate"] <= record["StopDate"]
        assert "Error" not in record
    failed = s3_json(bucket, f"results/{run_id}/FAILED_0.json")
    assert sorted(json.loads(r["Input"])["id"] for r in failed) == ["item-1", "item-3"]
    for record in failed:
        assert (record["Status"], record["Error"], record["Cause"]) == ("FAILED", FAIL_ERROR, FAIL_CAUSE)
        assert "Output" not in record
    assert len({r["ExecutionArn"] for r in succeeded + failed}) == 5
    # the children's states have histories of their own, not in the parent's
    history = client("stepfunctions").get_execution_history(executionArn=described["executionArn"])["events"]
    types = {e["type"] for e in history}
    assert {"MapRunStarted", "MapRunSucceeded"} <= types
    assert not types & {"ChoiceStateEntered", "PassStateEntered", "FailStateEntered"}, types


def test_describe_map_run_counts_items_and_child_executions(bucket, machines, role_arn):
    """Step Functions API DescribeMapRun (MapRunItemCounts, MapRunExecutionCounts): total, succeeded,
    failed and resultsWritten (the children whose results ResultWriter wrote) of a finished Map Run."""
    key = put_items(bucket, items_with_failures(6, {0}))
    machine = create_machine(machines, role_arn, {"Fan": distributed_map(
        bucket, key, pass_or_fail_processor(), ToleratedFailureCount=1)})

    described = run(machine, {"run": "r-2"})

    assert described["status"] == "SUCCEEDED", described
    map_run = map_run_of(described["executionArn"])
    assert map_run["status"] == "SUCCEEDED"
    for counts in (map_run["itemCounts"], map_run["executionCounts"]):
        assert (counts["total"], counts["succeeded"], counts["failed"], counts["running"], counts["pending"],
                counts["resultsWritten"]) == (6, 5, 1, 0, 0, 6), counts
    assert map_run["toleratedFailureCount"] == 1


def test_map_without_result_writer_returns_outputs_and_writes_nothing(bucket, machines, role_arn):
    """Without ResultWriter the Map state returns its children's results in item order: a succeeded
    child's output, a failed child's execution record unchanged ("input-output-resultwriter",
    Transformation COMPACT); DescribeMapRun counts no written results (DescribeMapRun resultsWritten)."""
    key = put_items(bucket, items_with_failures(3, {1}))
    machine = create_machine(machines, role_arn, {"Fan": distributed_map(
        bucket, key, pass_or_fail_processor(), result_prefix=None, ToleratedFailureCount=1)})

    described = run(machine, {"run": "r-3"})

    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert [output[0], output[2]] == [{"done": "item-0", "run": "r-3"}, {"done": "item-2", "run": "r-3"}]
    assert (output[1]["Status"], output[1]["Error"], output[1]["Cause"]) == ("FAILED", FAIL_ERROR, FAIL_CAUSE)
    assert json.loads(output[1]["Input"]) == {"id": "item-1", "fail": True, "run": "r-3"}
    assert client("s3").list_objects_v2(Bucket=bucket, Prefix="results/")["KeyCount"] == 0
    counts = map_run_of(described["executionArn"])["itemCounts"]
    assert (counts["total"], counts["succeeded"], counts["failed"], counts["resultsWritten"]) == (3, 2, 1, 0)


# ---------------------------------------------------------------------------------------------
# tolerated failure threshold
# ---------------------------------------------------------------------------------------------


def test_one_failed_child_fails_the_map_run_by_default_and_the_error_is_catchable(bucket, machines, role_arn):
    """Step Functions DeveloperGuide "maprun-fail-threshold": the tolerated failure percentage defaults
    to zero, so one failed child fails the Map Run with States.ExceedToleratedFailureThreshold, which a
    Catch on the Map state handles; ResultWriter still writes the results of the failed Map Run."""
    key = put_items(bucket, items_with_failures(4, {2}))
    fan = distributed_map(bucket, key, pass_or_fail_processor(), MaxConcurrency=1,
                          Catch=[{"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "Next": "Caught"}])
    machine = create_machine(machines, role_arn, {"Fan": fan, "Caught": {"Type": "Pass", "End": True}})

    described = run(machine, {"run": "r-4"})

    assert described["status"] == "SUCCEEDED", described
    caught = json.loads(described["output"])
    assert caught["Error"] == "States.ExceedToleratedFailureThreshold", caught
    assert caught["Cause"] == "The specified tolerated failure threshold was exceeded"
    map_run = map_run_of(described["executionArn"])
    assert map_run["status"] == "FAILED"
    counts = map_run["itemCounts"]
    # one at a time: the failure of item 2 stops the Map Run before item 3 starts
    assert (counts["total"], counts["succeeded"], counts["failed"], counts["pending"]) == (4, 2, 1, 1), counts
    run_id = map_run["mapRunArn"].split(":")[-1]
    manifest = s3_json(bucket, f"results/{run_id}/manifest.json")
    assert [len(s3_json(bucket, f["Key"])) for f in manifest["ResultFiles"]["SUCCEEDED"]] == [2]
    assert [len(s3_json(bucket, f["Key"])) for f in manifest["ResultFiles"]["FAILED"]] == [1]
    pending = [r for f in manifest["ResultFiles"]["PENDING"] for r in s3_json(bucket, f["Key"])]
    assert [json.loads(r["Input"])["id"] for r in pending] == ["item-3"]


def test_uncaught_threshold_failure_fails_the_execution(bucket, machines, role_arn):
    """"maprun-fail-threshold": without a Catch the execution fails with the Map Run's error."""
    key = put_items(bucket, items_with_failures(3, {0}))
    machine = create_machine(machines, role_arn, {"Fan": distributed_map(bucket, key, pass_or_fail_processor())})

    described = run(machine, {"run": "r-5"})

    assert described["status"] == "FAILED", described
    assert described["error"] == "States.ExceedToleratedFailureThreshold"


@pytest.mark.parametrize("fields, failing, status", [
    ({"ToleratedFailureCount": 1}, {0}, "SUCCEEDED"),
    ({"ToleratedFailureCount": 1}, {0, 1}, "FAILED"),
    ({"ToleratedFailurePercentage": 50}, {0, 1}, "SUCCEEDED"),
    ({"ToleratedFailurePercentage": 50}, {0, 1, 2}, "FAILED"),
    ({"ToleratedFailurePercentage": 100}, {0, 1, 2, 3}, "SUCCEEDED"),
    ({"ToleratedFailurePercentage": 100, "ToleratedFailureCount": 1}, {0, 1}, "FAILED"),
    ({"ToleratedFailureCountPath": "$.tolerated"}, {0, 1}, "SUCCEEDED"),
    ({"ToleratedFailurePercentagePath": "$.tolerated"}, {0, 1}, "FAILED"),
], ids=["count-1-one-failure", "count-1-two-failures", "pct-50-half", "pct-50-over", "pct-100-all",
        "both-either-exceeded", "count-path-2", "pct-path-2"])
def test_tolerated_failure_count_and_percentage(bucket, machines, role_arn, fields, failing, status):
    """"maprun-fail-threshold": the Map Run fails when the failed items exceed ToleratedFailureCount or
    ToleratedFailurePercentage of all items (either one when both are given); the ...Path forms read the
    value from the state input; 100 percent tolerates every failure."""
    key = put_items(bucket, items_with_failures(4, failing))
    machine = create_machine(machines, role_arn, {"Fan": distributed_map(
        bucket, key, pass_or_fail_processor(), **fields)})

    described = run(machine, {"run": "r-6", "tolerated": 2})

    assert described["status"] == status, described
    assert map_run_of(described["executionArn"])["status"] == status


# ---------------------------------------------------------------------------------------------
# ItemBatcher
# ---------------------------------------------------------------------------------------------


def echo_processor() -> dict:
    return {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}


def test_item_batcher_is_accepted_and_the_definition_is_kept_as_given(bucket, machines, role_arn):
    """Step Functions DeveloperGuide "input-output-itembatcher": ItemBatcher is a field of the
    Distributed Map state; DescribeStateMachine returns the definition as it was created."""
    key = put_items(bucket, items_with_failures(2, set()))
    fan = distributed_map(bucket, key, echo_processor(), ItemBatcher={"MaxItemsPerBatch": 2})
    machine = create_machine(machines, role_arn, {"Fan": fan})

    definition = json.loads(client("stepfunctions").describe_state_machine(stateMachineArn=machine)["definition"])

    assert definition["States"]["Fan"]["ItemBatcher"] == {"MaxItemsPerBatch": 2}


def test_express_children_under_a_standard_parent_run_and_the_definition_is_kept(bucket, machines, role_arn):
    """Step Functions DeveloperGuide "state-map-distributed": ProcessorConfig.ExecutionType EXPRESS runs
    the children as Express workflows under a Standard parent; CreateStateMachine accepts it."""
    key = put_items(bucket, items_with_failures(3, set()))
    processor = echo_processor()
    processor["ProcessorConfig"]["ExecutionType"] = "EXPRESS"
    machine = create_machine(machines, role_arn, {"Fan": distributed_map(bucket, key, processor)})

    execution = run(machine, {"run": "express"})
    definition = json.loads(client("stepfunctions").describe_state_machine(stateMachineArn=machine)["definition"])

    assert execution["status"] == "SUCCEEDED"
    assert definition["States"]["Fan"]["ItemProcessor"]["ProcessorConfig"]["ExecutionType"] == "EXPRESS"
    assert map_run_of(execution["executionArn"])["executionCounts"]["succeeded"] == 3


def test_item_batcher_passes_batches_of_selected_items_with_batch_input(bucket, machines, role_arn):
    """"input-output-itembatcher": each child gets {"BatchInput": ..., "Items": [...]}, at most
    MaxItemsPerBatch items, each item as ItemSelector made it ($$.Map.Item.Value of that item); BatchInput
    is evaluated against the state input. DescribeMapRun counts items and child executions apart."""
    key = put_items(bucket, items_with_failures(5, set()))
    fan = distributed_map(bucket, key, echo_processor(), result_prefix=None,
                          ItemBatcher={"MaxItemsPerBatchPath": "$.batch",
                                       "BatchInput": {"run.$": "$.run", "fixed": "x"}})
    machine = create_machine(machines, role_arn, {"Fan": fan})

    described = run(machine, {"run": "r-7", "batch": 2})

    assert described["status"] == "SUCCEEDED", described
    selected = [{"id": f"item-{i}", "fail": False, "run": "r-7"} for i in range(5)]
    assert json.loads(described["output"]) == [
        {"BatchInput": {"run": "r-7", "fixed": "x"}, "Items": selected[0:2]},
        {"BatchInput": {"run": "r-7", "fixed": "x"}, "Items": selected[2:4]},
        {"BatchInput": {"run": "r-7", "fixed": "x"}, "Items": selected[4:5]}]
    map_run = map_run_of(described["executionArn"])
    assert (map_run["itemCounts"]["total"], map_run["itemCounts"]["succeeded"]) == (5, 5)
    assert (map_run["executionCounts"]["total"], map_run["executionCounts"]["succeeded"]) == (3, 3)


def test_item_batcher_max_input_bytes_per_batch_limits_the_batch_size(bucket, machines, role_arn):
    """"input-output-itembatcher": MaxInputBytesPerBatch caps a batch's size in bytes; with
    MaxItemsPerBatch as well, batches get fewer items to stay under it."""
    items = [{"id": f"item-{i}", "fail": False, "pad": "p" * 100} for i in range(6)]
    key = put_items(bucket, items)
    fan = distributed_map(bucket, key, echo_processor(), result_prefix=None,
                          ItemSelector={"id.$": "$$.Map.Item.Value.id", "pad.$": "$$.Map.Item.Value.pad"},
                          ItemBatcher={"MaxItemsPerBatch": 5, "MaxInputBytesPerBatch": 300})
    machine = create_machine(machines, role_arn, {"Fan": fan})

    described = run(machine, {"run": "r-8"})

    assert described["status"] == "SUCCEEDED", described
    batches = json.loads(described["output"])
    assert [len(b["Items"]) for b in batches] == [2, 2, 2]
    assert all(len(json.dumps(b).encode()) <= 300 for b in batches)


def test_failed_batch_counts_all_its_items_as_failed(bucket, machines, role_arn):
    """"maprun-fail-threshold": the percentage is of failed items over all items; a failed batch fails
    each of its items (DescribeMapRun itemCounts vs executionCounts)."""
    key = put_items(bucket, items_with_failures(4, set()))
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                 "StartAt": "Check", "States": {
                     "Check": {"Type": "Choice", "Choices": [
                         {"Variable": "$.Items[0].id", "StringEquals": "item-0", "Next": "Boom"}], "Default": "Done"},
                     "Boom": {"Type": "Fail", "Error": FAIL_ERROR, "Cause": FAIL_CAUSE},
                     "Done": {"Type": "Pass", "End": True}}}
    fan = distributed_map(bucket, key, processor, ItemBatcher={"MaxItemsPerBatch": 2}, ToleratedFailurePercentage=50)
    machine = create_machine(machines, role_arn, {"Fan": fan})

    described = run(machine, {"run": "r-9"})

    assert described["status"] == "SUCCEEDED", described
    map_run = map_run_of(described["executionArn"])
    assert (map_run["itemCounts"]["failed"], map_run["itemCounts"]["succeeded"]) == (2, 2)
    assert (map_run["executionCounts"]["failed"], map_run["executionCounts"]["succeeded"]) == (1, 1)


# ---------------------------------------------------------------------------------------------
# children that call Lambda and wait for a task token
# ---------------------------------------------------------------------------------------------


def test_wait_for_task_token_in_a_child_is_resumed_by_send_task_success(bucket, machines, role_arn):
    """Step Functions DeveloperGuide "connect-to-resource" (Wait for a Callback with Task Token) inside
    Distributed Map children: each child parks on its token until SendTaskSuccess, whose output becomes
    the task's result."""
    key = put_items(bucket, items_with_failures(3, set()))
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                 "StartAt": "Park", "States": {"Park": {
                     "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:putObject.waitForTaskToken",
                     # the token in the key: the test reads it back from the listing
                     "Parameters": {"Bucket": bucket, "Body": "parked",
                                    "Key.$": "States.Format('tokens/{}/{}', $.id, $$.Task.Token)"},
                     "TimeoutSeconds": 120, "End": True}}}
    machine = create_machine(machines, role_arn, {"Fan": distributed_map(
        bucket, key, processor, result_prefix=None, MaxConcurrency=10)})
    sfn, s3 = client("stepfunctions"), client("s3")
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"run": "r-10"}))["executionArn"]

    tokens = wait_for(lambda: len(keys := [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="tokens/")
                                           .get("Contents", [])]) == 3 and keys, message="three parked children")
    for token_key in tokens:
        _, item, token = token_key.split("/", 2)
        sfn.send_task_success(taskToken=token, output=json.dumps({"resumed": item}))
    described = wait_for(lambda: (d := sfn.describe_execution(executionArn=execution))["status"] != "RUNNING" and d,
                         timeout=60, message="the execution to end")

    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == [{"resumed": f"item-{i}"} for i in range(3)]


@pytest.fixture(scope="module")
def probe_function(lam, role_arn, probe_zip):
    name = create_function(lam, role_arn, probe_zip, "amishare.probe.Probe::handleRequest")
    yield lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    lam.delete_function(FunctionName=name)


def test_lambda_per_batch_with_max_concurrency_ten(bucket, machines, role_arn, probe_function):
    """"input-output-itembatcher" with a Lambda function per batch ("connect-lambda"): the function gets
    {"BatchInput": ..., "Items": [...]} as its event; up to ten children run at once (MaxConcurrency), so
    several execution environments serve them."""
    function_arn = probe_function
    key = put_items(bucket, items_with_failures(20, set()))
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                 "StartAt": "Invoke", "States": {"Invoke": {
                     "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                     "Parameters": {"FunctionName": function_arn, "Payload.$": "$"},
                     "OutputPath": "$.Payload", "End": True}}}
    fan = distributed_map(bucket, key, processor, MaxConcurrency=10,
                          ItemSelector={"id.$": "$$.Map.Item.Value.id"},
                          ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"run.$": "$.run"}})
    machine = create_machine(machines, role_arn, {"Fan": fan})

    described = run(machine, {"run": "r-11"}, timeout=240)

    assert described["status"] == "SUCCEEDED", described
    map_run = map_run_of(described["executionArn"])
    assert map_run["maxConcurrency"] == 10
    assert (map_run["executionCounts"]["succeeded"], map_run["itemCounts"]["succeeded"]) == (10, 20)
    run_id = map_run["mapRunArn"].split(":")[-1]
    records = [r for f in s3_json(bucket, f"results/{run_id}/manifest.json")["ResultFiles"]["SUCCEEDED"]
               for r in s3_json(bucket, f["Key"])]
    outputs = [json.loads(r["Output"]) for r in records]
    events = sorted((o["input"] for o in outputs), key=lambda e: e["Items"][0]["id"])
    assert len(events) == 10
    # children ran side by side: more than one execution environment (JVM) answered
    assert len({o["pid"] for o in outputs}) > 1
    assert all(e["BatchInput"] == {"run": "r-11"} and len(e["Items"]) == 2 for e in events)
    assert sorted(i["id"] for e in events for i in e["Items"]) == sorted(f"item-{i}" for i in range(20))


def test_failed_lambda_child_records_the_functions_error_type(bucket, machines, role_arn, probe_function):
    """"input-output-resultwriter": a failed child's record carries its failure's Error and Cause; for a
    Lambda task that fails, the function's errorType ("connect-lambda", handling Lambda errors)."""
    key = put_items(bucket, [{"action": "echo"}, {"action": "fail"}])
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                 "StartAt": "Invoke", "States": {"Invoke": {
                     "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                     "Parameters": {"FunctionName": probe_function, "Payload.$": "$"}, "End": True}}}
    fan = distributed_map(bucket, key, processor, ItemSelector={"action.$": "$$.Map.Item.Value.action"},
                          ToleratedFailurePercentage=100)
    machine = create_machine(machines, role_arn, {"Fan": fan})

    described = run(machine, {"run": "r-12"}, timeout=120)

    assert described["status"] == "SUCCEEDED", described
    run_id = map_run_of(described["executionArn"])["mapRunArn"].split(":")[-1]
    files = s3_json(bucket, f"results/{run_id}/manifest.json")["ResultFiles"]
    failed = [r for f in files["FAILED"] for r in s3_json(bucket, f["Key"])]
    assert len(failed) == 1 and json.loads(failed[0]["Input"]) == {"action": "fail"}
    assert failed[0]["Error"] == "amishare.probe.ProbeException"
    assert "probe failed on purpose" in failed[0]["Cause"]
    assert [json.loads(r["Input"]) for f in files["SUCCEEDED"] for r in s3_json(bucket, f["Key"])] == [
        {"action": "echo"}]
