"""A gateway request handler that authorizes EC2 and KMS requests before LocalStack serves them.

- EC2, for assumed-role sessions: the role's identity policies must allow ec2:<Action>; otherwise
  UnauthorizedOperation (403) as EC2 answers (EC2 API "errors-overview" UnauthorizedOperation;
  IAM UserGuide "reference_policies_evaluation-logic").
- KMS, for every external caller: the key policy and, where the key policy delegates to IAM or the
  key belongs to another account, the caller's identity policy (kms_access.authorize); otherwise
  AccessDeniedException (KMS DeveloperGuide "key-policy-modifying-external-accounts",
  "cross-account-console" / "determining-access").

Internal calls (LocalStack services talking to each other, and this extension) are not checked.
"""

from __future__ import annotations

import base64
import logging

from localstack.aws.api import CommonServiceException, RequestContext
from localstack.aws.chain import HandlerChain
from localstack.http import Response

from . import kms_access
from .ec2_images import current_caller
from .identity import Caller, caller_of, identity_allows

LOG = logging.getLogger(__name__)

_KMS_KEY_FIELDS = ("KeyId", "TargetKeyId", "SourceKeyId", "DestinationKeyId")


def handle(chain: HandlerChain, context: RequestContext, response: Response):
    service = context.service.service_name if context.service else None
    if service not in ("ec2", "kms") or context.operation is None:
        return
    if context.is_internal_call:
        if service == "ec2":
            current_caller.set(None)
        return
    caller = caller_of(context)
    if service == "ec2":
        current_caller.set(caller)
        _check_ec2(caller, context)
    else:
        _check_kms(caller, context)


def _check_ec2(caller: Caller, context: RequestContext):
    if caller.is_root:
        return
    action = f"ec2:{context.operation.name}"
    request = context.service_request or {}
    resource = _ec2_resource(context, request)
    decision = identity_allows(caller, action, resource, {"ec2:region": context.region})
    if not decision.allowed:
        why = "with an explicit deny in an identity-based policy" if decision.decision == "explicitDeny" \
            else f"because no identity-based policy allows the {action} action"
        raise CommonServiceException(
            "UnauthorizedOperation",
            f"You are not authorized to perform this operation. User: {caller.arn} is not authorized to "
            f"perform: {action} on resource: {resource} {why}",
            status_code=403, sender_fault=True)


def _ec2_resource(context: RequestContext, request: dict) -> str:
    # Resource ARNs of the image operations amishare uses (Service Authorization Reference
    # "list_amazonec2" resource types image/snapshot); others are evaluated against "*".
    for field in ("ImageId", "SourceImageId"):
        if request.get(field):
            return f"arn:aws:ec2:{request.get('SourceRegion') or context.region}::image/{request[field]}"
    if request.get("SnapshotId"):
        return f"arn:aws:ec2:{context.region}::snapshot/{request['SnapshotId']}"
    return "*"


def _check_kms(caller: Caller, context: RequestContext):
    operation = context.operation.name
    action = f"kms:{operation}"
    request = context.service_request or {}
    refs = [request[f] for f in _KMS_KEY_FIELDS if request.get(f)]
    if not refs and operation == "Decrypt" and request.get("CiphertextBlob"):
        refs = _key_from_ciphertext(request["CiphertextBlob"])
    if not refs:
        # CreateKey, ListKeys, ... (and a Decrypt whose key cannot be read): identity side only
        decision = identity_allows(caller, action, "*")
        if not decision.allowed:
            raise _kms_denied(caller, action, "*", f"no identity-based policy allows the {action} action")
        return
    extra = {}
    if operation == "CreateGrant":
        # a direct call is not an AWS service creating a grant for a resource
        extra["kms:grantisforawsresource"] = "false"
    for ref in refs:
        try:
            key = kms_access.find_key(ref, context.account_id, context.region)
        except kms_access.KeyNotFound:
            continue  # the provider answers NotFoundException itself
        ok, reason = kms_access.authorize(caller, key, action, extra)
        if not ok:
            raise _kms_denied(caller, action, key.metadata["Arn"], reason)


def _key_from_ciphertext(blob) -> list[str]:
    from localstack.services.kms.models import deserialize_ciphertext_blob

    try:
        raw = blob if isinstance(blob, bytes) else base64.b64decode(blob)
        return [deserialize_ciphertext_blob(raw).key_id]
    except Exception:  # noqa: BLE001 - not a LocalStack ciphertext: let the provider answer
        return []


def _kms_denied(caller: Caller, action: str, resource: str, reason: str) -> CommonServiceException:
    return CommonServiceException(
        "AccessDeniedException",
        f"User: {caller.arn} is not authorized to perform: {action} on resource: {resource} because {reason}",
        status_code=400, sender_fault=True)
