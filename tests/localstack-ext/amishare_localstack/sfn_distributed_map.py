"""Step Functions Distributed Map: ResultWriter files, tolerated failure thresholds, ItemBatcher and
DescribeMapRun counts as AWS documents them.

LocalStack 2026.3.0 runs a Distributed Map's children inline, as jobs whose events go to a throw-away
EventManager (the parent's history stays small; kept here). Around that it
* wrote a manifest.json listing no result files, and no result files (ResultWriter);
* parsed ToleratedFailureCount / ToleratedFailurePercentage (and the ...Path forms) but never
  enforced them: a failed child was counted and its output became null, the Map Run succeeded;
* refused ItemBatcher at CreateStateMachine (absent from its ASL grammar), and an integer
  ToleratedFailurePercentage (its grammar wants a decimal point);
* counted resultsWritten without a ResultWriter, and executionCounts.failed / running only for some
  ends of a child.

Here (Step Functions DeveloperGuide "input-output-resultwriter", "maprun-fail-threshold",
"input-output-itembatcher", "state-map-distributed"; API DescribeMapRun):
* the parser gets each Map state's ItemBatcher taken out of the definition (kept on the parsed Map
  state; the stored definition, which DescribeStateMachine returns, is untouched);
* the Map Run applies ItemSelector to each item ($$.Map.Item of that item), then groups the selected
  items into batches {"BatchInput": <BatchInput over the state input>, "Items": [...]} of at most
  MaxItemsPerBatch items and MaxInputBytesPerBatch bytes (default 256 KiB);
* every child execution gets a record (ExecutionArn, Input, Output, Status, Error, Cause, dates...)
  and the counters of DescribeMapRun; when failed or timed-out items exceed the threshold no further
  child starts (those items stay PENDING), and once the running ones end the Map Run fails with
  States.ExceedToleratedFailureThreshold, which the Map state's Retry / Catch see;
* ResultWriter writes <Prefix>/<map run id>/manifest.json and SUCCEEDED_0.json / FAILED_0.json /
  PENDING_0.json (only those with records), also for a Map Run that failed;
* without ResultWriter the Map state's result lists, in item order, each succeeded child's output and
  each failed child's record ("input-output-resultwriter": a failed child's result is returned
  unchanged, as with Transformation NONE).
Only ItemProcessor with Mode DISTRIBUTED is changed; the legacy Iterator keeps LocalStack's behaviour.
"""

from __future__ import annotations

import copy
import datetime
import json
import threading
import uuid
from typing import Any

from localstack.aws.api.stepfunctions import HistoryEventType, MapRunFailedEventDetails
from localstack.services.stepfunctions.asl.component.common.error_name.failure_event import (
    FailureEvent, FailureEventException)
from localstack.services.stepfunctions.asl.component.common.error_name.states_error_name import StatesErrorName
from localstack.services.stepfunctions.asl.component.common.error_name.states_error_name_type import (
    StatesErrorNameType)
from localstack.services.stepfunctions.asl.component.common.timeouts.timeout import EvalTimeoutError
from localstack.services.stepfunctions.asl.component.state.state_execution.state_map.iteration.distributed_iteration_component import (
    DistributedIterationComponent)
from localstack.services.stepfunctions.asl.component.state.state_execution.state_map.iteration.itemprocessor.distributed_item_processor import (
    DistributedItemProcessor)
from localstack.services.stepfunctions.asl.component.state.state_execution.state_map.iteration.itemprocessor.distributed_item_processor_worker import (
    DistributedItemProcessorWorker)
from localstack.services.stepfunctions.asl.component.state.state_execution.state_map.iteration.job import JobPool
from localstack.services.stepfunctions.asl.component.state.state_execution.state_map.max_concurrency import (
    DEFAULT_MAX_CONCURRENCY_VALUE)
from localstack.services.stepfunctions.asl.component.state.state_execution.state_map.result_writer.resource_eval.resource_eval_s3 import (
    ResourceEvalS3)
from localstack.services.stepfunctions.asl.component.state.state_execution.state_map.state_map import StateMap
from localstack.services.stepfunctions.asl.component.state.state_execution.state_map.tolerated_failure import (
    ToleratedFailureCountDecl, ToleratedFailurePercentageDecl)
from localstack.services.stepfunctions.asl.component.state.state_execution.state_parallel.state_parallel import (
    StateParallel)
from localstack.services.stepfunctions.asl.eval.event.event_detail import EventDetails
from localstack.services.stepfunctions.asl.eval.program_state import ProgramError, ProgramStopped, ProgramTimedOut
from localstack.services.stepfunctions.asl.eval.states import ItemData, MapData
from localstack.services.stepfunctions.asl.parse.asl_parser import AmazonStateLanguageParser
from localstack.services.stepfunctions.asl.utils.json_path import extract_json
from localstack.utils.patch import Patch, Patches, create_patch_proxy

from .errors import EXCEED_TOLERATED_FAILURE_THRESHOLD

# "input-output-itembatcher": a batch is at most 256 KiB
MAX_INPUT_BYTES_PER_BATCH = 256 * 1024
# "input-output-resultwriter": what a failed child's record says may happen to it
REDRIVE_STATUS = {"SUCCEEDED": ("NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven")}
FAILED_FILE_STATUSES = ("FAILED", "TIMED_OUT", "ABORTED")


# ---- the parser: ItemBatcher kept aside -------------------------------------------------------------

def _strip(scope: dict, path: tuple, batchers: dict) -> bool:
    """Takes ItemBatcher out of every Map state under scope (a dict with "States"); True if anything
    changed. An integer ToleratedFailurePercentage becomes a float, which LocalStack's grammar takes.
    ExecutionType EXPRESS of a Distributed Map's children is parsed as STANDARD: LocalStack's grammar
    takes only STANDARD there, whereas Step Functions runs Express children under a Standard parent
    (DeveloperGuide "state-map-distributed", ProcessorConfig); here children run alike either way."""
    changed = False
    states = scope.get("States") if isinstance(scope, dict) else None
    if not isinstance(states, dict):
        return False
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        if state.get("Type") == "Map":
            if "ItemBatcher" in state:
                batchers[path + (name,)] = state.pop("ItemBatcher")
                changed = True
            config = (state.get("ItemProcessor") or {}).get("ProcessorConfig") or {}
            if config.get("ExecutionType") == "EXPRESS":
                config["ExecutionType"] = "STANDARD"
                changed = True
            percentage = state.get("ToleratedFailurePercentage")
            if isinstance(percentage, int) and not isinstance(percentage, bool):
                state["ToleratedFailurePercentage"] = float(percentage)
                changed = True
            changed |= _strip(state.get("ItemProcessor") or state.get("Iterator") or {}, path + (name,), batchers)
        elif state.get("Type") == "Parallel":
            for i, branch in enumerate(state.get("Branches") or []):
                changed |= _strip(branch, path + (name, i), batchers)
    return changed


def _attach(states: dict, path: tuple, batchers: dict, parse) -> None:
    for name, state in states.items():
        if isinstance(state, StateMap):
            if path + (name,) in batchers:
                state.amishare_batcher = Batcher(batchers[path + (name,)], state.is_jsonpath_query_language(), parse)
            _attach(state.iteration_component._states.states, path + (name,), batchers, parse)
        elif isinstance(state, StateParallel):
            for i, program in enumerate(state.branches.programs):
                _attach(program.states.states, path + (name, i), batchers, parse)


def _parse(parse, definition: str):
    try:
        document = json.loads(definition)
    except (TypeError, ValueError):
        return parse(definition)
    batchers: dict = {}
    if not _strip(document, (), batchers):
        return parse(definition)
    program, tree = parse(json.dumps(document))
    _attach(program.states.states, (), batchers, parse)
    return program, tree


class Batcher:
    """One Map state's ItemBatcher: MaxItemsPerBatch[Path], MaxInputBytesPerBatch[Path], BatchInput."""

    def __init__(self, config: dict, jsonpath: bool, parse):
        self.config = config if isinstance(config, dict) else {}
        self.batch_input = None
        if "BatchInput" in self.config:
            # BatchInput is a payload template (JSONPath) or a JSONata value: LocalStack evaluates it as a
            # Pass state's Parameters / Output over the Map state's input
            if jsonpath:
                state = {"Type": "Pass", "Parameters": self.config["BatchInput"], "End": True}
                program, _ = parse(json.dumps({"StartAt": "BatchInput", "States": {"BatchInput": state}}))
                self.batch_input = program.states.states["BatchInput"].parameters
            else:
                state = {"Type": "Pass", "Output": self.config["BatchInput"], "End": True}
                program, _ = parse(json.dumps({"QueryLanguage": "JSONata", "StartAt": "BatchInput",
                                               "States": {"BatchInput": state}}))
                self.batch_input = program.states.states["BatchInput"].output

    def _limit(self, name: str, map_input) -> int | None:
        if name in self.config:
            return int(self.config[name])
        if name + "Path" in self.config:
            return int(extract_json(self.config[name + "Path"], map_input))
        return None

    def batches(self, env, selected: list, map_input) -> list[dict]:
        batch_input = None
        if self.batch_input is not None:
            batch_input = _evaluate(env, self.batch_input, map_input, None)
        max_items = self._limit("MaxItemsPerBatch", map_input)
        max_bytes = min(self._limit("MaxInputBytesPerBatch", map_input) or MAX_INPUT_BYTES_PER_BATCH,
                        MAX_INPUT_BYTES_PER_BATCH)

        def batch(items):
            return {"BatchInput": batch_input, "Items": items} if self.batch_input is not None else {"Items": items}

        empty_size = len(json.dumps(batch([])).encode())
        batches, current, size = [], [], empty_size
        for item in selected:
            item_size = len(json.dumps(item).encode())
            grown = size + item_size + (2 if current else 0)  # ", " between items
            if current and ((max_items and len(current) >= max_items) or grown > max_bytes):
                batches.append(batch(current))
                current, grown = [], empty_size + item_size
            current.append(item)
            size = grown
        if current:
            batches.append(batch(current))
        return batches


def _evaluate(env, component, map_input, item: tuple[int, Any] | None):
    """component (ItemSelector, Parameters, BatchInput) over the Map state's input, in a frame of env
    whose $$.Map.Item is item."""
    frame = env.open_inner_frame()
    try:
        if item is not None:
            frame.states.context_object.context_object_data["Map"] = MapData(
                Item=ItemData(Index=item[0], Value=item[1]))
        frame.states.reset(input_value=copy.deepcopy(map_input))
        frame.stack.append(frame.states.get_input())
        component.eval(frame)
        return frame.stack.pop()
    finally:
        env.delete_frame(frame)


# ---- the Map Run --------------------------------------------------------------------------------------

def _now() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


def _iso(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":"))


class MapRunJobPool(JobPool):
    """A JobPool that can stop handing out jobs (the threshold was exceeded): it ends once the jobs
    already started have ended; the others stay open (PENDING)."""

    def __init__(self, job_program, job_inputs):
        super().__init__(job_program=job_program, job_inputs=job_inputs)
        self.halted = False
        self._started = 0

    def halt(self) -> None:
        with self._mutex:
            self.halted = True
            self._notify_on_termination()

    def next_job(self):
        with self._mutex:
            if self.halted or self._worker_exception is not None or not self._open_jobs:
                return None
            self._started += 1
            return self._open_jobs.pop()

    def _is_terminated(self) -> bool:
        return super()._is_terminated() or (self.halted and len(self._closed_jobs) == self._started)

    def open_jobs(self) -> list:
        with self._mutex:
            return list(reversed(self._open_jobs))


class MapRun:
    """What the extension keeps of one Map Run: each child's record, the items each job carries, the
    threshold, and the DescribeMapRun counters of LocalStack's MapRunRecord it updates."""

    def __init__(self, record, state: StateMap, sizes: list[int]):
        self.record = record
        self.sizes = sizes
        self.total_items = sum(sizes)
        self.failed_items = 0
        self.records: dict[int, dict] = {}
        self.pending: list[dict] = []
        self.lock = threading.Lock()
        count_given, percentage_given = getattr(state, "amishare_tolerance_given", (False, False))
        # neither given: both default to zero, so one failed item fails the Map Run
        self.count_given = count_given or not percentage_given
        self.percentage_given = percentage_given
        for counter, number in ((record.item_counter, self.total_items), (record.execution_counter, len(sizes))):
            counter.total.count(number)
            counter.pending.count(number)

    def exceeded(self) -> bool:
        failed = self.failed_items
        if self.count_given and failed > self.record.tolerated_failure_count:
            return True
        return bool(self.percentage_given and self.total_items
                    and failed * 100.0 > self.record.tolerated_failure_percentage * self.total_items)

    def started(self, job) -> datetime.datetime:
        n = self.sizes[job.job_index]
        for counter, number in ((self.record.item_counter, n), (self.record.execution_counter, 1)):
            counter.pending.offset(-number)
            counter.running.count(number)
        return _now()

    def ended(self, job, started: datetime.datetime, status: str, child_input, output, error, cause) -> dict:
        n = self.sizes[job.job_index]
        name = str(uuid.uuid4())
        record = {
            "ExecutionArn": self.record.map_state_machine_arn.replace(":stateMachine:", ":execution:", 1) + ":" + name,
            "Input": _json(child_input), "InputDetails": {"Included": True}, "Name": name}
        if status == "SUCCEEDED":
            record.update(Output=_json(output), OutputDetails={"Included": True})
        redrive_status, reason = REDRIVE_STATUS.get(status, ("REDRIVABLE_BY_MAP_RUN", None))
        record.update(RedriveCount=0, RedriveStatus=redrive_status)
        if reason:
            record["RedriveStatusReason"] = reason
        record.update(StartDate=_iso(started), StateMachineArn=self.record.map_state_machine_arn, Status=status,
                      StopDate=_iso(_now()))
        if error is not None:
            record["Error"] = error
        if cause is not None:
            record["Cause"] = cause
        counter_name = {"SUCCEEDED": "succeeded", "TIMED_OUT": "timed_out", "ABORTED": "aborted"}.get(status, "failed")
        with self.lock:
            self.records[job.job_index] = record
            if status in ("FAILED", "TIMED_OUT"):
                self.failed_items += n
            for counter, number in ((self.record.item_counter, n), (self.record.execution_counter, 1)):
                counter.running.offset(-number)
                getattr(counter, counter_name).count(number)
        return record

    def keep_pending(self, jobs: list) -> None:
        self.pending = [{"Input": _json(job.job_input), "InputDetails": {"Included": True}, "Status": "PENDING"}
                        for job in jobs]

    def files(self) -> dict[str, list[dict]]:
        ordered = [self.records[i] for i in sorted(self.records)]
        return {"SUCCEEDED": [r for r in ordered if r["Status"] == "SUCCEEDED"],
                "FAILED": [r for r in ordered if r["Status"] in FAILED_FILE_STATUSES],
                "PENDING": self.pending}

    def results_written(self) -> None:
        with self.lock:
            indexes = list(self.records)
        for counter, number in ((self.record.item_counter, sum(self.sizes[i] for i in indexes)),
                                (self.record.execution_counter, len(indexes))):
            counter.results_written.count(number)


def _map_run(original, self, env, eval_input):
    state = getattr(self, "amishare_state", None)
    env.amishare_map_run = None
    if state is None or not isinstance(self, DistributedItemProcessor):
        return original(self, env, eval_input)
    items = env.stack.pop()
    # what the workers' ItemSelector evaluates against (InlineItemProcessorWorker._eval_input)
    map_input = env.stack[-1] if env.stack else env.states.get_input()
    batcher = getattr(state, "amishare_batcher", None)
    if batcher is not None:
        selector = eval_input.item_selector or eval_input.parameters
        selected = [_evaluate(env, selector, map_input, (i, item)) if selector else item
                    for i, item in enumerate(items)]
        jobs = batcher.batches(env, selected, map_input)
        sizes = [len(job["Items"]) for job in jobs]
        eval_input = copy.copy(eval_input)  # the items are selected already
        eval_input.item_selector = None
        eval_input.parameters = None
    else:
        jobs, sizes = items, [1] * len(items)
    record = eval_input.map_run_record
    run = MapRun(record, state, sizes)
    record.amishare_run = run

    pool = MapRunJobPool(job_program=self._get_iteration_program(), job_inputs=jobs)
    workers = len(jobs) if record.max_concurrency == DEFAULT_MAX_CONCURRENCY_VALUE else min(
        record.max_concurrency, len(jobs))
    for _ in range(workers):
        self._launch_worker(env=env, eval_input=eval_input, job_pool=pool)
    pool.await_jobs()
    worker_exception = pool.get_worker_exception()
    if worker_exception is not None:
        raise worker_exception
    run.keep_pending(pool.open_jobs())
    outputs = [closed.job_output for closed in pool.get_closed_jobs()]
    env.amishare_map_run = run

    if run.exceeded():
        if state.result_writer:
            # "input-output-resultwriter": the results of a failed Map Run are written too
            env.stack.append(outputs)
            state.result_writer.eval(env)
            env.stack.pop()
        error, cause = EXCEED_TOLERATED_FAILURE_THRESHOLD
        raise FailureEventException(failure_event=FailureEvent(
            env=env, error_name=StatesErrorName(typ=StatesErrorNameType.StatesExceedToleratedFailureThreshold),
            event_type=HistoryEventType.MapRunFailed,
            event_details=EventDetails(mapRunFailedEventDetails=MapRunFailedEventDetails(error=error, cause=cause))))
    env.stack.append(outputs)


def _eval_job(original, self, env, job):
    run = getattr(self._map_run_record, "amishare_run", None)
    if run is None:
        return original(self, env, job)
    started = run.started(job)
    status, output, error, cause = "FAILED", None, None, None
    child_input = job.job_input
    try:
        env.states.context_object.context_object_data["Map"] = MapData(
            Item=ItemData(Index=job.job_index, Value=job.job_input))
        env.states.reset(job.job_input)
        env.stack.append(env.states.get_input())
        self._eval_input(env_frame=env)
        child_input = env.states.get_input()
        job.job_program.eval(env)
        end = env.program_state()
        if isinstance(end, ProgramError):
            error, cause = (end.error or {}).get("error"), (end.error or {}).get("cause")
        elif isinstance(end, ProgramTimedOut):
            status, error = "TIMED_OUT", StatesErrorNameType.StatesTimeout.to_name()
        elif isinstance(end, ProgramStopped):
            status = "ABORTED"
        else:
            status, output = "SUCCEEDED", env.states.get_input()
    except EvalTimeoutError:
        status, error = "TIMED_OUT", StatesErrorNameType.StatesTimeout.to_name()
    except FailureEventException as failure:
        error, cause = failure.extract_error_cause_pair() or (None, None)
    except Exception as failure:  # noqa: BLE001 - a child's own failure, recorded as AWS records it
        error, cause = StatesErrorNameType.StatesRuntime.to_name(), str(failure)
    finally:
        record = run.ended(job, started, status, child_input, output, error, cause)
        job.job_output = output if status == "SUCCEEDED" else record
        if status != "SUCCEEDED" and run.exceeded():
            self._job_pool.halt()


# ---- ResultWriter -------------------------------------------------------------------------------------

def _handle_put_object(original, env, resource_runtime_part, state_credentials):
    run = getattr(env, "amishare_map_run", None)
    if run is None:
        return original(env, resource_runtime_part, state_credentials)
    parameters = env.stack.pop()
    env.stack.pop()  # the children's outputs: the files are built from the records
    s3 = ResourceEvalS3._get_s3_client(resource_runtime_part=resource_runtime_part,
                                       state_credentials=state_credentials)
    bucket, prefix = parameters["Bucket"], parameters.get("Prefix") or ""
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    folder = f"{prefix}{run.record.map_run_arn.split(':')[-1]}/"
    result_files: dict[str, list] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    for status, records in run.files().items():
        if not records:
            continue
        body = json.dumps(records).encode()
        key = f"{folder}{status}_0.json"
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        result_files[status].append({"Key": key, "Size": len(body)})
    manifest_key = f"{folder}manifest.json"
    manifest = {"DestinationBucket": bucket, "MapRunArn": run.record.map_run_arn, "ResultFiles": result_files}
    s3.put_object(Bucket=bucket, Key=manifest_key, Body=json.dumps(manifest).encode())
    run.results_written()
    env.stack.append({"MapRunArn": run.record.map_run_arn,
                      "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}})


# ---- the Map state ------------------------------------------------------------------------------------

def _from_state_props(original, self, state_props):
    original(self, state_props)
    # the Map Run needs its state's ResultWriter, batcher and which thresholds the definition gave
    self.iteration_component.amishare_state = self
    self.amishare_tolerance_given = (state_props.get(ToleratedFailureCountDecl) is not None,
                                     state_props.get(ToleratedFailurePercentageDecl) is not None)


def _static(target, fn) -> Patch:
    """A patch of a staticmethod: the proxy must stay static, or instances would bind it."""
    patch = Patch.function(target, fn)
    return Patch(patch.obj, patch.name, staticmethod(create_patch_proxy(target, fn)))


def patches() -> Patches:
    return Patches([
        _static(AmazonStateLanguageParser.parse, _parse),
        Patch.function(StateMap.from_state_props, _from_state_props),
        Patch.function(DistributedIterationComponent._map_run, _map_run),
        Patch.function(DistributedItemProcessorWorker._eval_job, _eval_job),
        _static(ResourceEvalS3._handle_put_object, _handle_put_object),
    ])
