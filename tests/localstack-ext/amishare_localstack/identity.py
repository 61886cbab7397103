"""Who is calling, and which IAM identity policies apply to them.

LocalStack takes the account from the access key id: a 12-digit key is that account's root; a key
issued by sts:AssumeRole (LSIA/ASIA...) encodes the role's account and is recorded in LocalStack's
STS store with the session ARN. Identity policies are enforced only for such role sessions: plain
account-id keys act as the account root, which identity policies never restrict
(IAM UserGuide "id_root-user").
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from functools import lru_cache

from localstack.aws.accounts import get_account_id_from_access_key_id
from localstack.aws.api import RequestContext
from localstack.services.iam.models import iam_stores
from localstack.services.sts.models import sts_stores
from localstack.utils.aws.request_context import extract_access_key_id_from_auth_header

from . import org, policy

LOG = logging.getLogger(__name__)
IAM_REGION = "us-east-1"  # IAM is global; LocalStack keeps it in cross-region attributes


@dataclass
class Caller:
    account: str
    arn: str  # arn:aws:iam::A:root or arn:aws:sts::A:assumed-role/R/s
    role_name: str | None = None
    tags: dict = field(default_factory=dict)
    # the principal's unique id as GetCallerIdentity's UserId shows it: the account id for the root,
    # "<role id>:<session name>" for a role session (STS API GetCallerIdentity, AssumedRoleUser)
    user_id: str | None = None

    @property
    def is_root(self) -> bool:
        return self.role_name is None

    @property
    def role_arn(self) -> str | None:
        return f"arn:aws:iam::{self.account}:role/{self.role_name}" if self.role_name else None

    def identity_policies(self) -> list:
        return role_policies(self.account, self.role_name) if self.role_name else []

    def global_context(self) -> dict:
        """aws:* condition keys of this principal (IAM UserGuide "reference_policies_condition-keys")."""
        ctx = {"aws:principalarn": self.role_arn or self.arn, "aws:principalaccount": self.account,
               "aws:principaltype": "AssumedRole" if self.role_name else "Account"}
        ctx.update(org.context_keys(self.account))
        for key, tag in (self.tags or {}).items():
            ctx[f"aws:principaltag/{key}".lower()] = tag.get("Value") if isinstance(tag, dict) else tag
        return ctx


def root(account: str) -> Caller:
    return Caller(account=account, arn=f"arn:aws:iam::{account}:root", user_id=account)


def session(access_key_id: str | None):
    """The STS session an access key belongs to, or None."""
    if not access_key_id or access_key_id.isdigit():
        return None
    # credentials is a cross-account attribute: any account/region bundle sees all of them
    account = get_account_id_from_access_key_id(access_key_id)
    return sts_stores[account][IAM_REGION].credentials.get(access_key_id)


def access_key_of(headers) -> str | None:
    """The access key id of a SigV4 Authorization header (Credential=<key>/...), or None."""
    try:
        return extract_access_key_id_from_auth_header(headers)
    except Exception:  # noqa: BLE001 - unsigned or internal requests
        return None


def session_caller(access_key: str | None) -> Caller | None:
    """The role session an access key from sts:AssumeRole stands for, or None."""
    creds = session(access_key)
    if creds and ":assumed-role/" in creds.arn:
        role_name = creds.arn.split(":assumed-role/")[1].split("/")[0]
        return Caller(account=creds.account_id, arn=creds.arn, role_name=role_name, tags=creds.tags,
                      user_id=creds.user_id)
    return None


def caller_of_access_key(access_key: str) -> Caller:
    """The caller an access key stands for wherever it is used: its role session, else the root of the
    account LocalStack takes from the key (a 12-digit key names the account itself)."""
    return session_caller(access_key) or root(get_account_id_from_access_key_id(access_key))


def caller_of(context: RequestContext) -> Caller:
    return session_caller(access_key_of(context.request.headers)) or root(context.account_id)


def role_policies(account: str, role_name: str) -> list:
    """Inline and attached managed policies of a role, as documents."""
    store = iam_stores[account][IAM_REGION]
    entity = store.ROLES.get(role_name)
    if not entity:
        return []
    documents = list(entity.inline_policies.values())
    for arn in entity.attached_policy_arns:
        document = managed_policy_document(store, arn)
        if document:
            documents.append(document)
    return documents


def managed_policy_document(store, arn: str):
    if ":iam::aws:policy/" in arn:
        entry = _aws_managed_policies().get(arn.split(":policy", 1)[1].rsplit("/", 1)[-1])
        return entry.get("Document") if entry else None
    entity = store.MANAGED_POLICIES.get(arn)
    if not entity:
        return None
    version = entity.versions.get(entity.policy.get("DefaultVersionId"))
    return version.get("Document") if version else None


@lru_cache(maxsize=1)
def _aws_managed_policies() -> dict:
    import localstack.services.iam as iam_pkg

    path = os.path.join(os.path.dirname(iam_pkg.__file__), "resources", "aws_managed_policies.json")
    try:
        with open(path) as f:
            return json.load(f)
    except OSError:
        LOG.warning("amishare: AWS managed policies not found at %s", path)
        return {}


def identity_allows(caller: Caller, action: str, resource: str = "*", context: dict | None = None,
                    documents: list | None = None) -> policy.Decision:
    """IAM identity-policy side of an authorization. The account root is not restricted. documents
    replaces the caller's identity policies (events_perimeter.py evaluates them with some condition
    keys left out)."""
    if caller.is_root:
        return policy.Decision(policy.ALLOW)
    ctx = caller.global_context()
    ctx.update(context or {})
    return policy.evaluate(caller.identity_policies() if documents is None else documents,
                           policy.Request(action=action, resource=resource, principal=caller.arn, context=ctx))


def why_denied(decision: policy.Decision, action: str) -> str:
    """The end of IAM's AccessDenied message for an identity-policy decision (IAM UserGuide
    "troubleshoot_access-denied")."""
    return "with an explicit deny in an identity-based policy" if decision.decision == policy.EXPLICIT_DENY \
        else f"because no identity-based policy allows the {action} action"
