"""A gateway request handler that authorizes requests before LocalStack serves them.

- EC2, for assumed-role sessions: the role's identity policies must allow ec2:<Action>; otherwise
  UnauthorizedOperation (403) as EC2 answers (EC2 API "errors-overview" UnauthorizedOperation;
  IAM UserGuide "reference_policies_evaluation-logic"). CopyImage needs ec2:CopyImage on the source
  image and on the new one, and ec2:CreateTags for its TagSpecifications (copy_image_authorizations).
- KMS, for every external caller: the key policy and, where the key policy delegates to IAM or the
  key belongs to another account, the caller's identity policy (kms_access.authorize); otherwise
  AccessDeniedException (KMS DeveloperGuide "key-policy-modifying-external-accounts",
  "cross-account-console" / "determining-access").
- SSM, Step Functions, IAM, Organizations, DynamoDB, for assumed-role sessions: the role's identity
  policies must allow the action on the resource service_resources.py names; otherwise the service's
  AccessDeniedException (400), or AccessDenied (403) for IAM, with IAM's message "User: <arn> is not
  authorized to perform: <action> on resource: <arn> because no identity-based policy allows the
  <action> action" (IAM UserGuide "troubleshoot_access-denied"). sts:AssumeRole is checked in
  iam_sts.py, events:PutEvents in events_perimeter.py.
- SSM SecureString parameters under a customer-managed key, for every external caller: the key policy
  and identity policy must allow kms:Encrypt / kms:GenerateDataKey (PutParameter) or kms:Decrypt
  (GetParameter WithDecryption) through SSM (ssm_secure.py).

Internal calls (LocalStack services talking to each other: CloudFormation deploying, Step Functions
invoking Lambda, API Gateway starting executions, EventBridge invoking targets, and this extension)
carry LocalStack's internal-request header (context.is_internal_call) and are not checked, as AWS
service principals are not restricted by the caller's identity policies. Account-root callers
(12-digit access keys) are not restricted either (IAM UserGuide "id_root-user").
"""

from __future__ import annotations

import base64
import logging

from localstack.aws.api import RequestContext
from localstack.aws.chain import HandlerChain
from localstack.http import Response

from . import ec2_allowed_amis, errors, events_perimeter, kms_access, org, policy, service_resources, ssm_secure
from .ec2_images import backends_in, current_caller, find_visible_image
from .identity import Caller, caller_of, identity_allows, why_denied

LOG = logging.getLogger(__name__)

# EC2 operations this extension serves itself (ec2_images.py, ec2_copy.py)
_OWN_EC2_OPERATIONS = {"RegisterImage", "CreateImage", "CopyImage", "CopySnapshot", "DescribeSnapshots", "RunInstances",
                       *ec2_allowed_amis.OPERATIONS}
_KMS_KEY_FIELDS = ("KeyId", "TargetKeyId", "SourceKeyId", "DestinationKeyId")


def handle(chain: HandlerChain, context: RequestContext, response: Response):
    service = context.service.service_name if context.service else None
    if service is None or context.operation is None:
        return
    if service not in ("ec2", "kms"):
        if not context.is_internal_call:
            _check_identity(context)
            if service == "ssm":
                ssm_secure.check(caller_of(context), context)
        return
    if context.is_internal_call:
        if service == "ec2":
            current_caller.set(None)
        else:
            _check_key_policy_size(context)
        return
    caller = caller_of(context)
    if service == "ec2":
        current_caller.set(caller)
        _check_ec2(caller, context)
        if (context.service_request or {}).get("DryRun") and context.operation.name in _OWN_EC2_OPERATIONS:
            # authorized: answer as EC2 does for DryRun; moto does this for the operations it serves
            raise errors.DryRunSucceeded()
    else:
        _check_kms(caller, context)
        _check_key_policy_size(context)


def _check_identity(context: RequestContext):
    """Identity policies of a role session for SSM, Step Functions, IAM, Organizations and DynamoDB
    requests (service_resources.py), and for PutEvents (events_perimeter.py)."""
    if context.service.service_name == "events":
        if context.operation.name == "PutEvents":
            events_perimeter.check_identity(context)
        return
    authorizations = service_resources.authorizations(context)
    if not authorizations:
        return
    caller = caller_of(context)
    if caller.is_root:
        return
    for authorization in authorizations:
        owner = policy.account_of(authorization.resource) or context.account_id
        keys = {"aws:requestedregion": context.region, **org.resource_context_keys(owner), **authorization.context}
        decision = identity_allows(caller, authorization.action, authorization.resource, keys)
        if not decision.allowed:
            error = errors.IamActionNotAuthorized if context.service.service_name == "iam" else errors.ActionNotAuthorized
            raise error(principal_arn=caller.arn, action=authorization.action, resource=authorization.resource,
                        why=why_denied(decision, authorization.action))


def _check_ec2(caller: Caller, context: RequestContext):
    if caller.is_root:
        return
    if context.operation.name == "CopyImage":
        _check_copy_image(caller, context, context.service_request or {})
        return
    action = f"ec2:{context.operation.name}"
    resources = _ec2_resources(context, context.service_request or {})
    decisions = [identity_allows(caller, action, r, {"ec2:region": context.region, **_resource_tags(r)})
                 for r in resources]
    denied = next((d for d in decisions if d.decision == "explicitDeny"), None) or \
        (None if any(d.allowed for d in decisions) else decisions[0])
    if denied is not None:
        raise errors.Ec2ActionNotAuthorized(principal_arn=caller.arn, action=action, resource=resources[0] or "*",
                                            why=why_denied(denied, action))


_PREFIX_TO_TYPE = {"ami": "image", "snap": "snapshot", "vol": "volume", "i": "instance"}


def _ec2_resources(context: RequestContext, request: dict) -> list:
    """Resource ARNs the request names (Service Authorization Reference "list_amazonec2" resource
    types; image and snapshot ARNs have no account). Allowed when any is allowed and none explicitly
    denied. A request naming none is checked against any Resource element (None)."""
    region = context.region
    ids = [request[f] for f in ("ImageId", "SnapshotId", "VolumeId") if request.get(f)]
    ids += list(request.get("Resources") or []) + list(request.get("InstanceIds") or [])
    arns = []
    for resource_id in ids:
        kind = _PREFIX_TO_TYPE.get(str(resource_id).split("-")[0])
        if kind:
            account = "" if kind in ("image", "snapshot") else context.account_id
            arns.append(f"arn:aws:ec2:{region}:{account}:{kind}/{resource_id}")
    return arns or [None]


def _check_copy_image(caller: Caller, context: RequestContext, request: dict):
    """CopyImage needs every one of these allowed (Service Authorization Reference "list_amazonec2"
    CopyImage; AWSEC2 UserGuide "copy-ami-permissions": resource-level permissions on the source AMI
    since 28 October 2024, on the target AMI as before; ec2:CreateTags to tag the target AMI and its
    snapshots), each evaluated on its own; an explicit deny in any of them wins."""
    checks = copy_image_authorizations(caller, context.region, request)
    decisions = [(action, resource, identity_allows(caller, action, resource, keys))
                 for action, resource, keys in checks]
    denied = next((d for d in decisions if d[2].decision == policy.EXPLICIT_DENY), None) or \
        next((d for d in decisions if not d[2].allowed), None)
    if denied is not None:
        action, resource, decision = denied
        raise errors.Ec2ActionNotAuthorized(principal_arn=caller.arn, action=action, resource=resource,
                                            why=why_denied(decision, action))


def copy_image_authorizations(caller: Caller, region: str, request: dict) -> list[tuple[str, str, dict]]:
    """(action, resource ARN, condition keys) CopyImage is authorized for:

    - ec2:CopyImage on the source image arn:aws:ec2:<SourceRegion>::image/<SourceImageId>, with
      ec2:Owner (the owner's account id), ec2:Region (the source region), aws:ResourceTag/* (the source
      image's tags) and aws:ResourceAccount / aws:ResourceOrgID / aws:ResourceOrgPaths of its owner;
      left out when the image does not exist for the caller (the provider answers InvalidAMIID.NotFound);
    - ec2:CopyImage on the new image arn:aws:ec2:<region>::image/* in the caller's account, with
      ec2:Region (the destination region), aws:ResourceAccount (the caller's), aws:RequestTag/<key> and
      aws:TagKeys of the TagSpecifications;
    - per TagSpecification, ec2:CreateTags on the new image (ResourceType image) or its new snapshots
      (snapshot, arn:aws:ec2:<region>::snapshot/*) with ec2:CreateAction = CopyImage, aws:TagKeys (the
      specification's keys, multi-valued) and aws:RequestTag/<key> (EC2 UserGuide
      "supported-iam-actions-tagging": tag-on-create needs ec2:CreateTags with ec2:CreateAction).
    """
    source_region = request.get("SourceRegion") or region
    source_id = request.get("SourceImageId") or ""
    checks = []
    source = find_visible_image(source_id, source_region, caller.account) if source_id else None
    if source is not None:
        arn = f"arn:aws:ec2:{source_region}::image/{source_id}"
        checks.append(("ec2:CopyImage", arn, {"ec2:region": source_region, "ec2:owner": source.owner_id,
                                              **org.resource_context_keys(source.owner_id), **_resource_tags(arn)}))
    own = {"ec2:region": region, **org.resource_context_keys(caller.account)}
    specs = [s for s in request.get("TagSpecifications") or [] if s.get("ResourceType") in ("image", "snapshot")]
    all_tags = [t for s in specs for t in s.get("Tags") or []]
    checks.append(("ec2:CopyImage", f"arn:aws:ec2:{region}::image/*", {**own, **request_tag_keys(all_tags)}))
    for spec in specs:
        checks.append(("ec2:CreateTags", f"arn:aws:ec2:{region}::{spec['ResourceType']}/*",
                       {**own, "ec2:createaction": "CopyImage", **request_tag_keys(spec.get("Tags") or [])}))
    return checks


def request_tag_keys(tags: list[dict]) -> dict:
    """aws:TagKeys (every key, a multi-valued key) and aws:RequestTag/<key> of the tags a request adds
    (IAM UserGuide "reference_policies_condition-keys" aws:TagKeys, aws:RequestTag)."""
    keys = {"aws:tagkeys": list(dict.fromkeys(t["Key"] for t in tags))}
    keys.update({f"aws:requesttag/{t['Key']}".lower(): t.get("Value", "") for t in tags})
    return keys


_TYPE_TO_COLLECTION = {"image": "amis", "snapshot": "snapshots", "volume": "volumes"}


def _resource_tags(arn: str | None) -> dict:
    """aws:ResourceTag/<key> for the EC2 resource an ARN names, from the tags of the account that owns
    it (IAM UserGuide "reference_policies_condition-keys" aws:ResourceTag; EC2 UserGuide
    "control-access-with-tags": ModifyImageAttribute and ModifySnapshotAttribute support it)."""
    if not arn:
        return {}
    parts = arn.split(":", 5)
    kind, _, resource_id = parts[5].partition("/")
    collection = _TYPE_TO_COLLECTION.get(kind)
    for backend in backends_in(parts[3]):
        owned = collection is None and backend.account_id == parts[4] or \
            collection is not None and resource_id in getattr(backend, collection, {})
        if owned:
            return {f"aws:resourcetag/{key}".lower(): value
                    for key, value in backend.tags.get(resource_id, {}).items()}
    return {}


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


# KMS API PutKeyPolicy "Policy": "The policy size limit is 32 KiB (32768 bytes)"; CreateKey the same
KEY_POLICY_MAX_BYTES = 32768


def _check_key_policy_size(context: RequestContext):
    """CreateKey and PutKeyPolicy refuse a key policy over 32 KB with LimitExceededException, after the
    caller is authorized (errors.KeyPolicyTooLarge), also for CloudFormation creating a key."""
    if context.operation.name not in ("CreateKey", "PutKeyPolicy"):
        return
    document = (context.service_request or {}).get("Policy")
    length = len(document.encode("utf-8")) if isinstance(document, str) else 0
    if length > KEY_POLICY_MAX_BYTES:
        raise errors.KeyPolicyTooLarge(length=length)


def _key_from_ciphertext(blob) -> list[str]:
    from localstack.services.kms.models import deserialize_ciphertext_blob

    try:
        raw = blob if isinstance(blob, bytes) else base64.b64decode(blob)
        return [deserialize_ciphertext_blob(raw).key_id]
    except Exception:  # noqa: BLE001 - not a LocalStack ciphertext: let the provider answer
        return []


def _kms_denied(caller: Caller, action: str, resource: str, reason: str) -> errors.KmsAccessDenied:
    return errors.KmsAccessDenied(principal_arn=caller.arn, action=action, resource=resource, reason=reason)
