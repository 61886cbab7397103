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
"""

from __future__ import annotations

import logging

from localstack.aws.api import RequestContext
from localstack.services.events.provider import EventsProvider
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


def _refusal(context: RequestContext, entry: dict) -> errors.EntryError | None:
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
    return None


def _process_entry(original, self, entry, processed_entries, failed_entry_count, context, *args, **kwargs):
    refusal = _refusal(context, entry)
    if refusal is not None:
        processed_entries.append(refusal.entry())
        failed_entry_count["count"] += 1
        LOG.info("amishare: PutEvents entry refused: %s (%s)", refusal.code, entry.get("Source"))
        return None
    return original(self, entry, processed_entries, failed_entry_count, context, *args, **kwargs)


def patches() -> Patches:
    return Patches([Patch.function(EventsProvider._process_entry, _process_entry)])
