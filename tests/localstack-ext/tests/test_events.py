"""EventBridge PutEvents perimeter: who may put which events on which bus (EventBridge API PutEvents,
PutEventsResultEntry; EventBridge UserGuide "eb-events-structure", "eb-event-bus-perms")."""

import json
import time
import uuid

from conftest import CONSUMER, OTHER_REGION, OWNER, REGION, THIRD, client, wait_for

OUTSIDER = "444444444444"  # in no organization of organizations.json

EMULATE_AWS = "X-Amishare-Emulate-Aws-Service"


def events_client(account, emulate_aws_service=False, region=REGION, **credentials):
    events = client("events", account, region, **credentials)
    if emulate_aws_service:
        def add_header(request, **_):
            request.headers[EMULATE_AWS] = "true"
        events.meta.events.register("before-sign.events.PutEvents", add_header)
    return events


def captured(account, pattern, bus="default"):
    """A rule on a bus of account sending events that match pattern to a new log group; returns a
    function marker -> the event whose detail.marker is marker, or None."""
    logs, events = client("logs", account), client("events", account)
    group = f"/amishare/events-{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)
    rule = f"capture-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventPattern=json.dumps(pattern), EventBusName=bus)
    events.put_targets(Rule=rule, EventBusName=bus,
                       Targets=[{"Id": "logs", "Arn": f"arn:aws:logs:{REGION}:{account}:log-group:{group}"}])

    def event_for(marker):
        for e in logs.filter_log_events(logGroupName=group).get("events", []):
            body = json.loads(e["message"])
            if body.get("detail", {}).get("marker") == marker:
                return body
        return None

    return event_for


def entry(source, marker, bus="default", detail_type="amishare test"):
    return {"Source": source, "DetailType": detail_type, "Detail": json.dumps({"marker": marker}),
            "EventBusName": bus}


def test_aws_sources_are_refused_per_entry_for_custom_events():
    """EventBridge UserGuide "eb-events-structure": custom events cannot use a source beginning with
    "aws."; PutEvents answers that entry with NotAuthorizedForSourceException (PutEventsResultEntry) and
    the others succeed; the refused event reaches no rule."""
    source = f"aws.tag{uuid.uuid4().hex[:6]}"
    seen = captured(OWNER, {"source": [source, "amishare.test"]})
    refused, accepted = uuid.uuid4().hex, uuid.uuid4().hex
    response = events_client(OWNER).put_events(Entries=[entry(source, refused), entry("amishare.test", accepted)])
    assert response["FailedEntryCount"] == 1
    assert response["Entries"][0] == {"ErrorCode": "NotAuthorizedForSourceException",
                                      "ErrorMessage": "Not authorized for the source."}
    assert response["Entries"][1]["EventId"]
    wait_for(lambda: seen(accepted), message="the accepted event")
    assert seen(refused) is None


def test_emulate_aws_service_header_lets_tests_play_the_aws_service():
    """The emulator's stand-in for an AWS service emitting its own events (tag changes, Organizations
    and Control Tower account events): PutEvents with X-Amishare-Emulate-Aws-Service: true."""
    seen = captured(OWNER, {"source": ["aws.tag"], "detail-type": ["Tag Change on Resource"]})
    marker = uuid.uuid4().hex
    response = events_client(OWNER, emulate_aws_service=True).put_events(
        Entries=[entry("aws.tag", marker, detail_type="Tag Change on Resource")])
    assert response["FailedEntryCount"] == 0
    event = wait_for(lambda: seen(marker), message="the emulated aws.tag event")
    assert (event["source"], event["account"]) == ("aws.tag", OWNER)


def test_rule_delivery_to_another_accounts_bus_keeps_the_aws_source():
    """EventBridge UserGuide "eb-cross-account": a rule whose target is another account's bus delivers
    the event as it is, source "aws.*" included; that delivery is EventBridge's, not a custom event."""
    owner_bus = f"arn:aws:events:{REGION}:{OWNER}:event-bus/default"
    client("events", OWNER).put_permission(EventBusName="default", Action="events:PutEvents", Principal=CONSUMER,
                                           StatementId=f"consumer-{uuid.uuid4().hex[:8]}")
    seen = captured(OWNER, {"source": ["aws.ec2"], "detail-type": ["amishare forwarded"]})
    consumer = client("events", CONSUMER)
    rule = f"forward-{uuid.uuid4().hex[:8]}"
    consumer.put_rule(Name=rule, EventPattern=json.dumps({"source": ["aws.ec2"], "detail-type": ["amishare forwarded"]}))
    consumer.put_targets(Rule=rule, Targets=[{"Id": "owner", "Arn": owner_bus}])
    marker = uuid.uuid4().hex
    response = events_client(CONSUMER, emulate_aws_service=True).put_events(
        Entries=[entry("aws.ec2", marker, detail_type="amishare forwarded")])
    assert response["FailedEntryCount"] == 0
    event = wait_for(lambda: seen(marker), message="the forwarded event on the owner's bus")
    assert event["source"] == "aws.ec2"


def new_bus(account):
    name = f"amishare-{uuid.uuid4().hex[:8]}"
    return name, client("events", account).create_event_bus(Name=name)["EventBusArn"]


def _put(account, bus_arn, source="amishare.test", detail_type="amishare test", **credentials):
    response = client("events", account, **credentials).put_events(
        Entries=[entry(source, uuid.uuid4().hex, bus=bus_arn, detail_type=detail_type)])
    return response["Entries"][0]


def test_cross_account_put_events_needs_the_bus_policy():
    """EventBridge UserGuide "eb-event-bus-perms": another account may put events on a bus only when the
    bus's resource-based policy allows it (PutPermission); otherwise the entry fails with
    AccessDeniedException (PutEventsResultEntry)."""
    name, arn = new_bus(OWNER)
    assert _put(CONSUMER, arn) == {
        "ErrorCode": "AccessDeniedException",
        "ErrorMessage": f"User: arn:aws:iam::{CONSUMER}:root is not authorized to perform: events:PutEvents on "
                        f"resource: {arn} because no resource-based policy allows the events:PutEvents action"}
    assert "EventId" in _put(OWNER, arn)  # the bus's own account needs no bus policy
    client("events", OWNER).put_permission(EventBusName=name, Action="events:PutEvents", Principal=CONSUMER,
                                           StatementId="consumer")
    assert "EventId" in _put(CONSUMER, arn)
    assert _put(THIRD, arn)["ErrorCode"] == "AccessDeniedException"


def test_bus_policy_conditions_principal_org_id_and_principal_account():
    """EventBridge UserGuide "eb-event-bus-perms" (PutPermission Condition aws:PrincipalOrgID: the
    whole organization) and "eb-use-conditions" (aws:PrincipalAccount)."""
    name, arn = new_bus(OWNER)
    client("events", OWNER).put_permission(
        EventBusName=name, Action="events:PutEvents", Principal="*", StatementId="organization",
        Condition={"Type": "StringEquals", "Key": "aws:PrincipalOrgID", "Value": "o-amishare01"})
    assert "EventId" in _put(CONSUMER, arn)
    assert _put(OUTSIDER, arn)["ErrorCode"] == "AccessDeniedException"

    name, arn = new_bus(OWNER)
    client("events", OWNER).put_permission(EventBusName=name, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "third", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": arn,
            "Condition": {"StringEquals": {"aws:PrincipalAccount": THIRD}}}]}))
    assert "EventId" in _put(THIRD, arn)
    assert _put(CONSUMER, arn)["ErrorCode"] == "AccessDeniedException"


def test_bus_policy_events_source_and_detail_type_conditions_refuse_per_entry():
    """EventBridge UserGuide "eb-use-conditions": events:source and events:detail-type in the bus
    policy; an entry the policy allows only for other values fails with NotAuthorizedForSourceException
    / NotAuthorizedForDetailTypeException (PutEventsResultEntry)."""
    name, arn = new_bus(OWNER)
    client("events", OWNER).put_permission(EventBusName=name, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "consumer-sources", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{CONSUMER}:root"},
            "Action": "events:PutEvents", "Resource": arn,
            "Condition": {"StringEquals": {"events:source": "amishare.consumer",
                                           "events:detail-type": "amishare test"}}}]}))
    assert "EventId" in _put(CONSUMER, arn, source="amishare.consumer")
    assert _put(CONSUMER, arn, source="amishare.other")["ErrorCode"] == "NotAuthorizedForSourceException"
    assert _put(CONSUMER, arn, source="amishare.consumer", detail_type="other") == {
        "ErrorCode": "NotAuthorizedForDetailTypeException", "ErrorMessage": "Not authorized for the detail type."}
    assert _put(THIRD, arn, source="amishare.consumer")["ErrorCode"] == "AccessDeniedException"


def _forward(account, target_bus_arn, role_arn=None):
    """A rule on account's default bus sending "amishare forwarded" events to target_bus_arn."""
    events = client("events", account)
    rule = f"forward-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["amishare.forwarded"]}))
    target = {"Id": "bus", "Arn": target_bus_arn, **({"RoleArn": role_arn} if role_arn else {})}
    events.put_targets(Rule=rule, Targets=[target])


def _forwarded(account):
    marker = uuid.uuid4().hex
    response = client("events", account).put_events(Entries=[entry("amishare.forwarded", marker)])
    assert response["FailedEntryCount"] == 0
    return marker


def test_rule_delivery_to_another_accounts_bus_needs_its_bus_policy():
    """EventBridge UserGuide "eb-cross-account": the receiving bus's policy must allow the sending
    account; without it EventBridge does not deliver the rule's event."""
    name, arn = new_bus(OWNER)
    seen = captured(OWNER, {"source": ["amishare.forwarded"]}, bus=name)
    _forward(CONSUMER, arn)
    refused = _forwarded(CONSUMER)
    time.sleep(2)  # the rule is processed asynchronously; the event would have arrived by now
    client("events", OWNER).put_permission(EventBusName=name, Action="events:PutEvents", Principal=CONSUMER,
                                           StatementId="consumer")
    accepted = _forwarded(CONSUMER)
    wait_for(lambda: seen(accepted), message="the forwarded event")
    assert seen(refused) is None


def test_rule_delivery_with_a_role_needs_the_roles_identity_policy_and_the_bus_policy():
    """EventBridge UserGuide "eb-cross-account": with a role on the target, EventBridge puts the event
    as that role, which needs events:PutEvents on the bus, which in turn must allow the account."""
    name, arn = new_bus(OWNER)
    client("events", OWNER).put_permission(EventBusName=name, Action="events:PutEvents", Principal=CONSUMER,
                                           StatementId="consumer")
    seen = captured(OWNER, {"source": ["amishare.forwarded"]}, bus=name)
    iam = client("iam", CONSUMER)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "events.amazonaws.com"}}]}
    roles = {}
    for kind, actions in (("granted", ["events:PutEvents"]), ("ungranted", ["events:DescribeRule"])):
        role = iam.create_role(RoleName=f"forward-{kind}-{uuid.uuid4().hex[:8]}",
                               AssumeRolePolicyDocument=json.dumps(trust))["Role"]
        iam.put_role_policy(RoleName=role["RoleName"], PolicyName="forward", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": arn}]}))
        roles[kind] = role["Arn"]
    _forward(CONSUMER, arn, role_arn=roles["ungranted"])
    refused = _forwarded(CONSUMER)
    time.sleep(2)
    _forward(CONSUMER, arn, role_arn=roles["granted"])  # both rules stay; this one delivers
    accepted = _forwarded(CONSUMER)
    event = wait_for(lambda: seen(accepted), message="the event delivered as the granted role")
    assert event["source"] == "amishare.forwarded"
    assert seen(refused) is None


def test_event_bus_policy_resources_add_statements_to_the_bus_policy():
    """CloudFormation UserGuide "aws-resource-events-eventbuspolicy": each AWS::Events::EventBusPolicy
    is one statement of the bus policy (StatementId); several of them on one bus all apply."""
    name, arn = new_bus(OWNER)
    resources = {f"From{account}": {"Type": "AWS::Events::EventBusPolicy", "Properties": {
        "EventBusName": name, "StatementId": f"amishare-consumer-{account}",
        "Statement": {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                      "Action": "events:PutEvents", "Resource": arn}}} for account in (CONSUMER, THIRD)}
    cloudformation = client("cloudformation", OWNER)
    stack = f"amishare-bus-policy-{uuid.uuid4().hex[:8]}"
    cloudformation.create_stack(StackName=stack, TemplateBody=json.dumps({"Resources": resources}))
    wait_for(lambda: cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE",
             timeout=60, message="the stack")
    policy = json.loads(client("events", OWNER).describe_event_bus(Name=name)["Policy"])
    assert sorted(s["Sid"] for s in policy["Statement"]) == [f"amishare-consumer-{CONSUMER}", f"amishare-consumer-{THIRD}"]
    assert "EventId" in _put(CONSUMER, arn) and "EventId" in _put(THIRD, arn)
    assert _put(OUTSIDER, arn)["ErrorCode"] == "AccessDeniedException"


def _forwarding_role(account, bus_arns):
    """A role in account that EventBridge may assume, allowed events:PutEvents on bus_arns only."""
    iam = client("iam", account)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "events.amazonaws.com"}}]}
    role = iam.create_role(RoleName=f"forward-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName=role["Role"]["RoleName"], PolicyName="forward", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "events:PutEvents",
                                                "Resource": bus_arns}]}))
    return role["Role"]["Arn"]


def _forward_from(account, region, pattern, target_bus_arn, role_arn):
    """A rule on the default bus of account in region sending events that match pattern to target_bus_arn
    as role_arn."""
    events = client("events", account, region)
    rule = f"forward-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=rule, Targets=[{"Id": "bus", "Arn": target_bus_arn, "RoleArn": role_arn}])


def test_rule_delivery_to_a_bus_of_another_account_in_another_region_keeps_its_origin():
    """EventBridge UserGuide "eb-cross-region" and "eb-cross-account": a rule in account B, region
    eu-west-1, whose target is a bus of account A in us-east-1 delivers as its role, which needs
    events:PutEvents on that bus's ARN (the bus of the same name in the rule's own region does not
    count), and the bus policy must allow B. The event keeps the account and region it came from."""
    name, arn = new_bus(OWNER)
    client("events", OWNER).put_permission(EventBusName=name, Action="events:PutEvents", Principal=CONSUMER,
                                           StatementId="consumer")
    seen = captured(OWNER, {"source": ["amishare.forwarded"]}, bus=name)
    pattern = {"source": ["amishare.forwarded"]}
    same_name_here = f"arn:aws:events:{OTHER_REGION}:{OWNER}:event-bus/{name}"
    _forward_from(CONSUMER, OTHER_REGION, pattern, arn, _forwarding_role(CONSUMER, [same_name_here]))
    consumer = client("events", CONSUMER, OTHER_REGION)

    def put():
        marker = uuid.uuid4().hex
        assert consumer.put_events(Entries=[entry("amishare.forwarded", marker)])["FailedEntryCount"] == 0
        return marker

    refused = put()
    time.sleep(2)  # the rule is processed asynchronously; the event would have arrived by now
    _forward_from(CONSUMER, OTHER_REGION, pattern, arn, _forwarding_role(CONSUMER, [arn]))
    accepted = put()
    event = wait_for(lambda: seen(accepted), message="the event forwarded from eu-west-1")
    assert (event["account"], event["region"], event["source"]) == (CONSUMER, OTHER_REGION, "amishare.forwarded")
    assert seen(refused) is None


def test_ami_state_change_reaches_the_owners_bus_from_another_region_under_the_bus_policy_conditions():
    """amishare's forwarding across regions: EC2's "EC2 AMI State Change" (source aws.ec2) in account B,
    eu-west-1, forwarded by B's rule as B's role to A's bus in us-east-1, whose policy admits only aws.ec2
    AMI state changes from the organization (aws:PrincipalOrgID, events:source, events:detail-type:
    EventBridge UserGuide "eb-use-conditions"); another detail type from the same rule does not get in."""
    name, arn = new_bus(OWNER)
    client("events", OWNER).put_permission(EventBusName=name, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "organization", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents",
            "Resource": arn, "Condition": {"StringEquals": {
                "aws:PrincipalOrgID": "o-amishare01", "events:source": ["aws.ec2"],
                "events:detail-type": ["EC2 AMI State Change"]}}}]}))
    seen = captured(OWNER, {"source": ["aws.ec2"]}, bus=name)
    _forward_from(CONSUMER, OTHER_REGION, {"source": ["aws.ec2"]}, arn, _forwarding_role(CONSUMER, [arn]))
    ec2_events = events_client(CONSUMER, emulate_aws_service=True, region=OTHER_REGION)
    other, state_change = uuid.uuid4().hex, uuid.uuid4().hex
    response = ec2_events.put_events(Entries=[entry("aws.ec2", other, detail_type="EC2 Instance State-change"),
                                              entry("aws.ec2", state_change, detail_type="EC2 AMI State Change")])
    assert response["FailedEntryCount"] == 0
    event = wait_for(lambda: seen(state_change), message="the AMI state change forwarded from eu-west-1")
    assert (event["account"], event["region"], event["detail-type"]) == (CONSUMER, OTHER_REGION,
                                                                        "EC2 AMI State Change")
    time.sleep(2)  # both entries were matched by the same rule at once; the refused one would be here too
    assert seen(other) is None
