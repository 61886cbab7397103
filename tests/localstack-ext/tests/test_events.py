"""EventBridge PutEvents perimeter: who may put which events on which bus (EventBridge API PutEvents,
PutEventsResultEntry; EventBridge UserGuide "eb-events-structure", "eb-event-bus-perms")."""

import json
import uuid

from conftest import CONSUMER, OWNER, REGION, client, wait_for

EMULATE_AWS = "X-Amishare-Emulate-Aws-Service"


def events_client(account, emulate_aws_service=False, **credentials):
    events = client("events", account, **credentials)
    if emulate_aws_service:
        def add_header(request, **_):
            request.headers[EMULATE_AWS] = "true"
        events.meta.events.register("before-sign.events.PutEvents", add_header)
    return events


def captured(account, pattern):
    """A rule on the default bus of account sending events that match pattern to a new log group;
    returns a function marker -> the event whose detail.marker is marker, or None."""
    logs, events = client("logs", account), client("events", account)
    group = f"/amishare/events-{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)
    rule = f"capture-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=rule, Targets=[{"Id": "logs", "Arn": f"arn:aws:logs:{REGION}:{account}:log-group:{group}"}])

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
