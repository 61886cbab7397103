"""EventBridge PutEvents: which entries a caller may put on a bus, checked per entry before LocalStack
processes it (a failed entry gets ErrorCode / ErrorMessage instead of an EventId and counts in
FailedEntryCount, as EventBridge API PutEvents reports it).

- A custom event's Source must not begin with "aws.": only AWS services emit such events
  (NotAuthorizedForSourceException; EventBridge UserGuide "eb-events-structure").
  The emulator's stand-in for "an AWS service emits this": the request header
  `X-Amishare-Emulate-Aws-Service: true`, which tests use to play the services that emit tag-change,
  Organizations and Control Tower events. LocalStack's own calls (internal requests: this extension's
  "EC2 AMI State Change" events from ec2_copy.py, and EventBridge delivering an event to a rule target
  that is another bus, which keeps the event's source) are AWS emitting and pass as they are.
- A role session's identity policies must allow events:PutEvents on the bus ARN, with the condition
  keys events:source, events:detail-type and events:eventBusInvocation (Service Authorization Reference
  "list_amazoneventbridge"; EventBridge UserGuide "eb-use-identity-based"). Denied outright: the whole
  request fails with AccessDeniedException (check_identity, from enforcement.py); allowed for another
  source or detail type only: that entry fails with NotAuthorizedForSourceException /
  NotAuthorizedForDetailTypeException. An event EventBridge delivers for a rule with a role (RoleArn)
  is checked against that role's policies too (EventBridge UserGuide "eb-cross-account").
- An entry for another account's bus needs that bus's resource policy (PutPermission,
  AWS::Events::EventBusPolicy) to allow the caller: the sending account or role, with aws:PrincipalOrgID,
  aws:PrincipalAccount, events:source, events:detail-type, and for a rule's delivery aws:SourceArn /
  aws:SourceAccount (EventBridge UserGuide "eb-event-bus-perms", "eb-use-conditions"). Otherwise the
  entry fails with AccessDeniedException (PutEventsResultEntry), or NotAuthorizedForSourceException /
  NotAuthorizedForDetailTypeException when the policy allows the caller other sources or detail types;
  a rule's delivery that fails so is dropped, as EventBridge drops it.
- AWS::Events::EventBusPolicy with a Statement adds that statement to the bus policy (its StatementId
  replacing one of the same Sid), as CloudFormation does; LocalStack's resource provider replaced the
  whole policy, so only the last of several statements remained.
"""

from __future__ import annotations

import json
import logging
import threading

from localstack.aws.api import RequestContext
from localstack.services.events.provider import EventsProvider
from localstack.services.events.resource_providers.aws_events_eventbuspolicy import EventsEventBusPolicyProvider
from localstack.services.events.utils import extract_event_bus_name, extract_region_and_account_id
from localstack.utils.patch import Patch, Patches

from . import errors, policy
from .identity import Caller, caller_of, identity_allows, why_denied

LOG = logging.getLogger(__name__)

EMULATE_AWS_SERVICE_HEADER = "X-Amishare-Emulate-Aws-Service"


def emulates_aws_service(context: RequestContext) -> bool:
    """The request stands for an AWS service emitting events: an internal LocalStack call, or a caller
    sending X-Amishare-Emulate-Aws-Service: true."""
    if context.is_internal_call:
        return True
    return (context.request.headers.get(EMULATE_AWS_SERVICE_HEADER) or "").strip().lower() == "true"


def bus_arn(context: RequestContext, entry: dict) -> str:
    """The ARN of the bus an entry goes to: EventBusName as name or ARN, default the caller's default bus."""
    name_or_arn = entry.get("EventBusName") or "default"
    region, account = extract_region_and_account_id(name_or_arn, context)
    return f"arn:aws:events:{region}:{account}:event-bus/{extract_event_bus_name(name_or_arn)}"


def is_rule_delivery(context: RequestContext) -> bool:
    """EventBridge delivering a matched event to a rule target that is a bus: LocalStack's
    EventsTargetSender calls PutEvents as the events service principal with the rule as source ARN."""
    params = context.internal_request_params or {}
    return params.get("service_principal") == "events" and ":rule/" in (params.get("source_arn") or "")


def entry_context(context: RequestContext, entry: dict) -> dict:
    """Condition keys of one entry (lower-cased)."""
    keys = {"events:source": entry.get("Source") or "", "events:detail-type": entry.get("DetailType") or "",
            "events:eventbusinvocation": "true" if is_rule_delivery(context) else "false"}
    if is_rule_delivery(context):
        rule = context.internal_request_params["source_arn"]
        keys.update({"aws:sourcearn": rule, "aws:sourceaccount": rule.split(":")[4]})
    return keys


_NARROWING = (("events:source", errors.SourceNotAuthorized), ("events:detail-type", errors.DetailTypeNotAuthorized))


def narrowed(decide) -> errors.EntryError | None:
    """For a denied entry: the refusal of its source or detail type when the policies would allow the
    entry if that key did not matter, else None. decide(keys_to_ignore) -> policy.Decision."""
    for key, refusal in _NARROWING:
        if decide([key]).allowed:
            return refusal()
    return None


def _identity_decision(caller: Caller, arn: str, keys: dict, ignore=()):
    documents = policy.without_condition_keys(caller.identity_policies(), ignore) if ignore else None
    return identity_allows(caller, "events:PutEvents", arn, keys, documents=documents)


def check_identity(context: RequestContext):
    """Before the provider (enforcement.py): a role session whose identity policies allow none of the
    entries' buses for any source fails the whole request, as IAM does."""
    caller = caller_of(context)
    if caller.is_root:
        return
    for entry in context.service_request.get("Entries") or []:
        arn, keys = bus_arn(context, entry), entry_context(context, entry)
        decision = _identity_decision(caller, arn, keys)
        if decision.allowed or decision.decision != policy.EXPLICIT_DENY and \
                narrowed(lambda ignore: _identity_decision(caller, arn, keys, ignore)):
            continue
        raise errors.ActionNotAuthorized(principal_arn=caller.arn, action="events:PutEvents", resource=arn,
                                         why=why_denied(decision, "events:PutEvents"))


def _bus_policy(provider: EventsProvider, arn: str) -> list:
    """The bus's resource policy as IAM policy documents (none for a bus without one). PutPermission's
    Condition {"Type", "Key", "Value"} is read as {Type: {Key: Value}}, as EventBridge stores it."""
    _, _, _, region, account, resource = arn.split(":", 5)
    bus = provider.get_store(region, account).event_buses.get(resource.split("/", 1)[1])
    if bus is None or not bus.policy:
        return []
    document = dict(policy.load(json.loads(json.dumps(bus.policy))))
    statements = []
    for statement in policy.statements([document]):
        condition = statement.get("Condition")
        if isinstance(condition, dict) and {"Type", "Key", "Value"} <= set(condition):
            statement = {**statement, "Condition": {condition["Type"]: {condition["Key"]: condition["Value"]}}}
        elif not condition:
            statement = {k: v for k, v in statement.items() if k != "Condition"}
        statements.append(statement)
    return [{"Version": document.get("Version", "2012-10-17"), "Statement": statements}]


def _bus_policy_refusal(provider: EventsProvider, caller: Caller, arn: str, keys: dict) -> errors.EntryError | None:
    if policy.account_of(arn) == caller.account:
        return None  # the bus's own account: identity policies only
    documents = _bus_policy(provider, arn)
    ctx = {**caller.global_context(), **keys}

    def decide(ignore=()):
        trimmed = policy.without_condition_keys(documents, ignore) if ignore else documents
        return policy.evaluate(trimmed, policy.Request("events:PutEvents", arn, caller.arn, ctx), resource_policy=True)

    decision = decide()
    if decision.allowed:
        return None
    if decision.decision == policy.EXPLICIT_DENY:
        return errors.EntryAccessDenied(principal_arn=caller.arn, resource=arn,
                                        why="with an explicit deny in a resource-based policy")
    return narrowed(decide) or errors.EntryAccessDenied(
        principal_arn=caller.arn, resource=arn, why="because no resource-based policy allows the events:PutEvents action")


def _refusal(provider: EventsProvider, context: RequestContext, entry: dict) -> errors.EntryError | None:
    source = entry.get("Source") or ""
    if source.startswith("aws.") and not emulates_aws_service(context):
        return errors.SourceNotAuthorized()
    if context.is_internal_call and not is_rule_delivery(context):
        return None  # LocalStack and this extension emitting, as AWS services
    caller = caller_of(context)
    arn, keys = bus_arn(context, entry), entry_context(context, entry)
    decision = _identity_decision(caller, arn, keys)
    if not decision.allowed:
        refusal = None if decision.decision == policy.EXPLICIT_DENY else \
            narrowed(lambda ignore: _identity_decision(caller, arn, keys, ignore))
        if refusal is None:
            # only a rule delivery gets here denied outright (check_identity refused the request otherwise)
            refusal = errors.EntryAccessDenied(principal_arn=caller.arn, resource=arn,
                                               why=why_denied(decision, "events:PutEvents"))
        return refusal
    return _bus_policy_refusal(provider, caller, arn, keys)


def _process_entry(original, self, entry, processed_entries, failed_entry_count, context, *args, **kwargs):
    refusal = _refusal(self, context, entry)
    if refusal is not None:
        processed_entries.append(refusal.entry())
        failed_entry_count["count"] += 1
        LOG.info("amishare: PutEvents entry refused: %s %s (source %s)", refusal.code, refusal.message, entry.get("Source"))
        return None
    return original(self, entry, processed_entries, failed_entry_count, context, *args, **kwargs)


_policy_lock = threading.Lock()


def _policy_statements(events, bus: str) -> list:
    current = events.describe_event_bus(Name=bus).get("Policy")
    return list(json.loads(current).get("Statement") or []) if current else []


def _create_event_bus_policy(original, self, request):
    """AWS::Events::EventBusPolicy with a Statement: the statements of the bus policy stay, the new one
    is added (CloudFormation UserGuide "aws-resource-events-eventbuspolicy": each resource is one
    statement, identified by StatementId)."""
    model = request.desired_state
    if not model.get("Statement"):
        return original(self, request)
    events = request.aws_client_factory.events
    bus = model.get("EventBusName") or "default"
    with _policy_lock:
        kept = [s for s in _policy_statements(events, bus) if s.get("Sid") != model.get("StatementId")]
        result = original(self, request)  # puts a policy of this one statement
        merged = kept + _policy_statements(events, bus)
        events.put_permission(EventBusName=bus, Policy=json.dumps({"Version": "2012-10-17", "Statement": merged}))
    return result


def patches() -> Patches:
    return Patches([
        Patch.function(EventsProvider._process_entry, _process_entry),
        Patch.function(EventsEventBusPolicyProvider.create, _create_event_bus_policy),
    ])
