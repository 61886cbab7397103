"""Identity policies of assumed-role sessions for every service amishare's functions call besides EC2
and KMS: STS, SSM, Step Functions, IAM, Organizations, EventBridge (IAM UserGuide
"reference_policies_evaluation-logic"; resources and condition keys from the Service Authorization
Reference). Account-root callers (12-digit keys) and LocalStack's internal calls are not restricted."""

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import CONSUMER, OWNER, REGION, client, role_session, wait_for

OUTSIDER = "444444444444"  # in no organization of organizations.json


def _denied(call):
    with pytest.raises(ClientError) as error:
        call()
    response = error.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _allow(*statements):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **s} for s in statements]}


def _session_arn(role_arn):
    return role_arn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/test"


def test_ssm_parameter_actions_need_the_parameter_arn_in_an_identity_policy():
    """Service Authorization Reference "list_awssystemsmanager": GetParameter / PutParameter /
    DeleteParameter act on arn:aws:ssm:<region>:<account>:parameter/<name without leading slash>; a
    denied role session gets AccessDeniedException (400) "User: <session> is not authorized to perform:
    ssm:GetParameter on resource: <arn> because no identity-based policy allows the ssm:GetParameter
    action"."""
    prefix = f"/amishare-test/{uuid.uuid4().hex[:8]}"
    client("ssm", OWNER).put_parameter(Name=f"{prefix}/allowed/x", Value="1", Type="String")
    client("ssm", OWNER).put_parameter(Name=f"{prefix}/other/x", Value="2", Type="String")
    role_arn, creds = role_session(OWNER, _allow(
        {"Action": ["ssm:GetParameter", "ssm:PutParameter"],
         "Resource": f"arn:aws:ssm:{REGION}:{OWNER}:parameter{prefix}/allowed/*"}))
    ssm = client("ssm", OWNER, **creds)
    assert ssm.get_parameter(Name=f"{prefix}/allowed/x")["Parameter"]["Value"] == "1"
    ssm.put_parameter(Name=f"{prefix}/allowed/y", Value="3", Type="String")
    other = f"arn:aws:ssm:{REGION}:{OWNER}:parameter{prefix}/other/x"
    assert _denied(lambda: ssm.get_parameter(Name=f"{prefix}/other/x")) == (
        "AccessDeniedException",
        f"User: {_session_arn(role_arn)} is not authorized to perform: ssm:GetParameter on resource: {other} "
        "because no identity-based policy allows the ssm:GetParameter action", 400)
    assert _denied(lambda: ssm.delete_parameter(Name=f"{prefix}/allowed/x"))[0] == "AccessDeniedException"
    # the account root is not restricted
    assert client("ssm", OWNER).get_parameter(Name=f"{prefix}/other/x")["Parameter"]["Value"] == "2"


def _state_machine(name, definition):
    iam = client("iam", OWNER)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "states.amazonaws.com"}}]}
    role = iam.create_role(RoleName=f"sm-{uuid.uuid4().hex[:10]}", AssumeRolePolicyDocument=json.dumps(trust))
    return client("stepfunctions", OWNER).create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=role["Role"]["Arn"])["stateMachineArn"]


PASS = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}


def test_start_execution_needs_the_state_machine_arn_in_an_identity_policy():
    """Service Authorization Reference "list_awsstepfunctions": StartExecution on the stateMachine ARN,
    DescribeExecution on the execution ARN; AccessDeniedException (400) otherwise."""
    allowed = _state_machine(f"allowed-{uuid.uuid4().hex[:8]}", PASS)
    other = _state_machine(f"other-{uuid.uuid4().hex[:8]}", PASS)
    _, creds = role_session(OWNER, _allow(
        {"Action": "states:StartExecution", "Resource": allowed},
        {"Action": "states:DescribeExecution", "Resource": allowed.replace(":stateMachine:", ":execution:") + ":*"}))
    sfn = client("stepfunctions", OWNER, **creds)
    execution = sfn.start_execution(stateMachineArn=allowed)["executionArn"]
    assert sfn.describe_execution(executionArn=execution)["stateMachineArn"] == allowed
    code, message, status = _denied(lambda: sfn.start_execution(stateMachineArn=other))
    assert (code, status) == ("AccessDeniedException", 400)
    assert f"states:StartExecution on resource: {other} because no identity-based policy allows" in message
    other_execution = client("stepfunctions", OWNER).start_execution(stateMachineArn=other)["executionArn"]
    assert _denied(lambda: sfn.describe_execution(executionArn=other_execution))[0] == "AccessDeniedException"


def _task_token(state_machine):
    """Starts an execution that waits for a task token (an EventBridge PutEvents task) and returns the
    execution and the token, read from the execution history."""
    sfn = client("stepfunctions", OWNER)
    execution = sfn.start_execution(stateMachineArn=state_machine)["executionArn"]

    def token():
        for event in sfn.get_execution_history(executionArn=execution)["events"]:
            details = event.get("taskScheduledEventDetails")
            if details:
                return json.loads(details["parameters"])["Entries"][0]["Detail"]["token"]
        return None

    return execution, wait_for(token, message="the task token")


WAIT_FOR_TOKEN = {"StartAt": "Wait", "States": {"Wait": {
    "Type": "Task", "Resource": "arn:aws:states:::events:putEvents.waitForTaskToken", "End": True,
    "Parameters": {"Entries": [{"Source": "amishare.test", "DetailType": "token",
                                "Detail": {"token.$": "$$.Task.Token"}}]}}}}


def test_send_task_success_is_authorized_against_the_tokens_state_machine():
    """SendTaskSuccess / SendTaskFailure: the Service Authorization Reference lists no resource type,
    but AWS authorizes them against the state machine the token belongs to (aws-cdk pull request 8486;
    NOAA-OWP/hydrovis issue 837), which CDK's grantTaskResponse and amishare's functions grant."""
    state_machine = _state_machine(f"tokens-{uuid.uuid4().hex[:8]}", WAIT_FOR_TOKEN)
    _, allowed = role_session(OWNER, _allow({"Action": ["states:SendTaskSuccess", "states:SendTaskFailure"],
                                             "Resource": state_machine}))
    _, elsewhere = role_session(OWNER, _allow({"Action": "states:SendTaskSuccess",
                                               "Resource": f"arn:aws:states:{REGION}:{OWNER}:stateMachine:other"}))
    execution, token = _task_token(state_machine)
    code, message, _ = _denied(lambda: client("stepfunctions", OWNER, **elsewhere).send_task_success(
        taskToken=token, output="{}"))
    assert code == "AccessDeniedException"
    assert f"states:SendTaskSuccess on resource: {state_machine} because" in message
    client("stepfunctions", OWNER, **allowed).send_task_success(taskToken=token, output='{"ok": true}')
    sfn = client("stepfunctions", OWNER)
    assert wait_for(lambda: sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED",
                    message="the execution to succeed")


def test_simulate_principal_policy_needs_the_policy_source_arn_in_an_identity_policy():
    """Service Authorization Reference "list_awsidentityandaccessmanagementiam": SimulatePrincipalPolicy
    on the simulated role; IAM answers AccessDenied (403)."""
    role_arn, creds = role_session(OWNER, _allow({"Action": "sts:GetCallerIdentity", "Resource": "*"}))
    other_arn, _ = role_session(OWNER, _allow({"Action": "sts:GetCallerIdentity", "Resource": "*"}))
    client("iam", OWNER).put_role_policy(RoleName=role_arn.split("/")[-1], PolicyName="simulate",
                                         PolicyDocument=json.dumps(_allow({"Action": "iam:SimulatePrincipalPolicy",
                                                                           "Resource": role_arn})))
    iam = client("iam", OWNER, **creds)
    result = iam.simulate_principal_policy(PolicySourceArn=role_arn, ActionNames=["iam:SimulatePrincipalPolicy"],
                                           ResourceArns=[role_arn])
    assert result["EvaluationResults"][0]["EvalDecision"] == "allowed"
    assert _denied(lambda: iam.simulate_principal_policy(PolicySourceArn=other_arn, ActionNames=["ec2:RunInstances"])) == (
        "AccessDenied",
        f"User: {_session_arn(role_arn)} is not authorized to perform: iam:SimulatePrincipalPolicy on resource: "
        f"{other_arn} because no identity-based policy allows the iam:SimulatePrincipalPolicy action", 403)


def test_organizations_actions_need_an_identity_policy_for_role_sessions():
    """Service Authorization Reference "list_awsorganizations": DescribeAccount on the account ARN,
    ListParents on the child's, ListChildren on the parent's; a role of the management account without
    them gets AccessDeniedException with IAM's message, before Organizations checks the account."""
    accounts = f"arn:aws:organizations::{OWNER}:account/o-amishare01/*"
    _, creds = role_session(OWNER, _allow({"Action": ["organizations:DescribeAccount", "organizations:ListParents"],
                                           "Resource": accounts}))
    organizations = client("organizations", OWNER, **creds)
    assert organizations.describe_account(AccountId=CONSUMER)["Account"]["Id"] == CONSUMER
    assert organizations.list_parents(ChildId=CONSUMER)["Parents"][0]["Id"] == "ou-ab12-targets1"
    code, message, status = _denied(lambda: organizations.list_children(ParentId="r-ab12", ChildType="ACCOUNT"))
    assert (code, status) == ("AccessDeniedException", 400)
    assert ("organizations:ListChildren on resource: arn:aws:organizations::111111111111:root/o-amishare01/r-ab12 "
            "because no identity-based policy allows the organizations:ListChildren action") in message


def test_put_events_needs_the_bus_in_an_identity_policy_and_honours_events_source():
    """Service Authorization Reference "list_amazoneventbridge": PutEvents on the event-bus ARN with
    events:source; denied outright the request fails with AccessDeniedException, allowed only for
    another source the entry fails with NotAuthorizedForSourceException (PutEventsResultEntry)."""
    bus = f"arn:aws:events:{REGION}:{OWNER}:event-bus/default"
    _, scoped = role_session(OWNER, _allow({"Action": "events:PutEvents", "Resource": bus,
                                            "Condition": {"StringEquals": {"events:source": "amishare.allowed"}}}))
    events = client("events", OWNER, **scoped)
    response = events.put_events(Entries=[
        {"Source": "amishare.allowed", "DetailType": "t", "Detail": "{}"},
        {"Source": "amishare.other", "DetailType": "t", "Detail": "{}"}])
    assert response["FailedEntryCount"] == 1 and response["Entries"][0]["EventId"]
    assert response["Entries"][1]["ErrorCode"] == "NotAuthorizedForSourceException"

    _, nothing = role_session(OWNER, _allow({"Action": "ssm:GetParameter", "Resource": "*"}))
    code, message, status = _denied(lambda: client("events", OWNER, **nothing).put_events(
        Entries=[{"Source": "amishare.allowed", "DetailType": "t", "Detail": "{}"}]))
    assert (code, status) == ("AccessDeniedException", 400)
    assert message.endswith(f"events:PutEvents on resource: {bus} because no identity-based policy allows the "
                            "events:PutEvents action")


def test_assume_role_identity_policy_sees_the_roles_account_and_organization():
    """IAM UserGuide "reference_policies_condition-keys": aws:ResourceAccount / aws:ResourceOrgID /
    aws:ResourceOrgPaths are the role's account and its organization, so an identity policy can keep
    sts:AssumeRole inside the organization."""
    role_arn, creds = role_session(OWNER, _allow({"Action": "sts:AssumeRole", "Resource": "*",
                                           "Condition": {"StringEquals": {"aws:ResourceOrgID": "o-amishare01"}}}))
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"}}]}
    inside, outside = (client("iam", account).create_role(
        RoleName=f"trusts-owner-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        for account in (CONSUMER, OUTSIDER))
    sts = client("sts", OWNER, **creds)
    assert sts.assume_role(RoleArn=inside, RoleSessionName="inside")["Credentials"]["AccessKeyId"]
    assert _denied(lambda: sts.assume_role(RoleArn=outside, RoleSessionName="inside"))[:2] == (
        "AccessDenied", f"User: {_session_arn(role_arn)} is not authorized to perform: sts:AssumeRole on resource: "
                        f"{outside}")


def test_internal_calls_of_localstack_services_are_not_restricted():
    """A Step Functions execution calling SSM through an AWS SDK integration is the service acting with
    the state machine's role (an internal call here); the caller's identity policies do not apply."""
    name = f"/amishare-test/{uuid.uuid4().hex[:8]}/from-sfn"
    state_machine = _state_machine(f"sdk-{uuid.uuid4().hex[:8]}", {"StartAt": "Put", "States": {"Put": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ssm:putParameter", "End": True,
        "Parameters": {"Name": name, "Value": "v", "Type": "String"}}}})
    _, creds = role_session(OWNER, _allow({"Action": "states:StartExecution", "Resource": state_machine}))
    execution = client("stepfunctions", OWNER, **creds).start_execution(stateMachineArn=state_machine)["executionArn"]
    sfn = client("stepfunctions", OWNER)
    assert wait_for(lambda: sfn.describe_execution(executionArn=execution)["status"] != "RUNNING"
                    and sfn.describe_execution(executionArn=execution)["status"], message="the execution") == "SUCCEEDED"
    assert client("ssm", OWNER).get_parameter(Name=name)["Parameter"]["Value"] == "v"
