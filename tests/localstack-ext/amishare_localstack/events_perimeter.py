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
"""

from __future__ import annotations

import logging

from localstack.aws.api import RequestContext
from localstack.services.events.provider import EventsProvider
from localstack.utils.patch import Patch, Patches

from . import errors

LOG = logging.getLogger(__name__)

EMULATE_AWS_SERVICE_HEADER = "X-Amishare-Emulate-Aws-Service"


def emulates_aws_service(context: RequestContext) -> bool:
    """The request stands for an AWS service emitting events: an internal LocalStack call, or a caller
    sending X-Amishare-Emulate-Aws-Service: true."""
    if context.is_internal_call:
        return True
    return (context.request.headers.get(EMULATE_AWS_SERVICE_HEADER) or "").strip().lower() == "true"


def _refusal(context: RequestContext, entry: dict) -> errors.EntryError | None:
    source = entry.get("Source") or ""
    if source.startswith("aws.") and not emulates_aws_service(context):
        return errors.SourceNotAuthorized()
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
