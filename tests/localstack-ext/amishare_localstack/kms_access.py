"""KMS keys: finding them from any identifier, the AWS-managed aws/ebs key, and whether a principal
may use a key (key policy AND identity policy), for direct KMS calls and for EC2 acting for a caller.

Rules (KMS DeveloperGuide "key-policy-default", "key-policy-modifying-external-accounts",
"determining-access-key-policy"; EBS UserGuide "share-kms-key"):
- the key policy is the primary control; an explicit Deny anywhere wins;
- a key-policy statement naming the account (root ARN or account id) delegates to IAM: principals of
  that account also need an identity policy allowing the action; the account root needs none;
- a statement naming the principal itself (role ARN) is enough within the key's account;
- a principal of another account always needs both the key policy and its own identity policy.
"""

from __future__ import annotations

import logging

from localstack.services.kms.models import KmsKey, kms_stores
from localstack.services.kms.provider import KmsProvider

from . import policy
from .identity import Caller, identity_allows

LOG = logging.getLogger(__name__)

# What EC2 needs on a key to create or copy encrypted volumes and snapshots for a caller
# (EBS UserGuide "ebs-encryption-requirements", AWSEC2 UserGuide "sharingamis-explicit").
EC2_KEY_ACTIONS = ("kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:ReEncryptFrom",
                   "kms:GenerateDataKeyWithoutPlaintext")


class KeyNotFound(Exception):
    pass


def find_key(key_ref: str, account: str, region: str) -> KmsKey:
    """A key from its id, ARN, alias name or alias ARN, looked up in the ARN's account and region, else
    the caller's. Raises KeyNotFound."""
    if key_ref.startswith("arn:"):
        parts = key_ref.split(":")
        account, region = parts[4] or account, parts[3] or region
    try:
        key_id = KmsProvider._get_key_id_from_any_id(account, region, key_ref)
    except Exception as e:  # noqa: BLE001 - NotFoundException, ValueError
        raise KeyNotFound(str(e)) from e
    return kms_stores[account][region].keys[key_id]


def default_ebs_key(account: str, region: str) -> KmsKey:
    """The account's AWS-managed EBS key (alias aws/ebs), created on first use like AWS does
    (EBS UserGuide "ebs-encryption" "default KMS key")."""
    key = find_key("alias/aws/ebs", account, region)  # LocalStack creates reserved aliases on demand
    key.metadata["KeyManager"] = "AWS"
    key.metadata["Description"] = "Default key that protects my EBS volumes when no other key is defined"
    return key


def is_aws_managed(key: KmsKey) -> bool:
    return key.metadata.get("KeyManager") == "AWS"


def key_account(key: KmsKey) -> str:
    return key.metadata["Arn"].split(":")[4]


def key_state_problem(key: KmsKey) -> str | None:
    state = key.metadata.get("KeyState")
    return None if state == "Enabled" else f"{key.metadata['Arn']} is {state}"


def _names_principal(statements: list[dict], caller: Caller) -> bool:
    for statement in statements:
        principal = statement.get("Principal")
        values = principal.get("AWS") if isinstance(principal, dict) else None
        values = values if isinstance(values, list) else [values]
        if caller.arn in values or (caller.role_arn and caller.role_arn in values):
            return True
    return False


def authorize(caller: Caller, key: KmsKey, action: str, context: dict | None = None) -> tuple[bool, str]:
    """Whether caller may perform a kms: action on key. Returns (allowed, reason)."""
    ctx = caller.global_context()
    ctx["kms:calleraccount"] = caller.account
    ctx.update(context or {})
    for tag_key, tag_value in _key_tags(key).items():
        ctx[f"aws:resourcetag/{tag_key}".lower()] = tag_value
    arn = key.metadata["Arn"]
    request = policy.Request(action=action, resource=arn, principal=caller.arn, context=ctx)
    key_decision = policy.evaluate([key.policy], request, resource_policy=True)
    if not key_decision.allowed:
        return False, f"key policy of {arn} does not allow {action} for {caller.arn}"
    same_account = key_account(key) == caller.account
    if same_account and (caller.is_root or _names_principal(key_decision.matched, caller)):
        return True, "key policy"
    id_decision = identity_allows(caller, action, arn, ctx)
    if not id_decision.allowed:
        return False, f"no identity-based policy allows the {action} action on {arn} for {caller.arn}"
    return True, "key policy and identity policy"


def _key_tags(key: KmsKey) -> dict:
    """The key's tags, for aws:ResourceTag/* (KMS DeveloperGuide "tag-authorization")."""
    try:
        account, region = key.metadata["Arn"].split(":")[4], key.metadata["Arn"].split(":")[3]
        return dict(kms_stores[account][region].tags.get_tags(key.metadata["Arn"]) or {})
    except Exception:  # noqa: BLE001 - tags are optional here
        return {}


def ec2_can_use(caller: Caller, key: KmsKey, region: str) -> tuple[bool, str]:
    """Whether EC2, acting for caller, can use key to create/copy encrypted EBS data. EC2 calls KMS
    through the service (kms:ViaService) and creates grants for an AWS resource."""
    problem = key_state_problem(key)
    if problem:
        return False, problem
    context = {"kms:viaservice": f"ec2.{region}.amazonaws.com", "kms:grantisforawsresource": "true"}
    for action in EC2_KEY_ACTIONS:
        ok, reason = authorize(caller, key, action, context)
        if not ok:
            return False, reason
    return True, ""
