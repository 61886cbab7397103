"""Which organization and OUs an account belongs to, for aws:PrincipalOrgID, aws:PrincipalOrgPaths,
aws:ResourceOrgID, AMI launch permissions granted to an organization or OU, and the AWS Organizations
API the extension serves (organizations_api.py).

The emulator has no AWS Organizations, so membership is configured with a JSON file: the path in
AMISHARE_ORGANIZATIONS, else organizations.json next to this module. Its shape (see README.md):

    {"o-xxxxxxxxxx": {"managementAccount": "111111111111",
                      "ous": {"r-root/ou-ab12-cdef3456": ["222222222222"]},
                      "delegatedAdministrators": ["222222222222"],
                      "names": {"ou-ab12-cdef3456": "Targets", "222222222222": "Consumer"}}}

An OU key is the path below the root (nested OUs: "r-root/ou-a/ou-b"; the root alone lists accounts
directly under the root). The management account and every account listed are members; the management
account sits under the root unless an OU lists it. "delegatedAdministrators" (optional) are member
accounts that may call the Organizations read operations besides the management account; "names"
(optional) names OUs and accounts. Re-read when the file changes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_FILE = Path(__file__).with_name("organizations.json")


@dataclass(frozen=True)
class Membership:
    org_id: str
    management_account: str
    ou_paths: tuple[str, ...]  # "o-x/r-root/ou-a/" as in aws:PrincipalOrgPaths

    def arns(self) -> set[str]:
        """Organization and OU ARNs this account falls under (EC2 launch permissions name these)."""
        arns = {f"arn:aws:organizations::{self.management_account}:organization/{self.org_id}"}
        for path in self.ou_paths:
            for ou in [p for p in path.strip("/").split("/")[1:] if p.startswith("ou-")]:
                arns.add(f"arn:aws:organizations::{self.management_account}:ou/{self.org_id}/{ou}")
        return arns


_cache: dict = {}


def _config() -> dict:
    """The membership file, re-read when its path or modification time changes."""
    path = Path(os.environ.get("AMISHARE_ORGANIZATIONS") or DEFAULT_FILE)
    try:
        stamp = (str(path), path.stat().st_mtime_ns)
    except FileNotFoundError:
        return {}
    if _cache.get("stamp") != stamp:
        _cache.update(stamp=stamp, config=json.loads(path.read_text()))
    return _cache["config"]


def membership(account: str | None) -> Membership | None:
    if not account:
        return None
    for org_id, org in _config().items():
        paths = []
        for ou_path, accounts in (org.get("ous") or {}).items():
            if account in accounts:
                # aws:PrincipalOrgPaths values look like "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"
                # (IAM UserGuide "reference_policies_condition-keys#condition-keys-principalorgpaths").
                paths.append(f"{org_id}/{ou_path.strip('/')}/")
        if paths or org.get("managementAccount") == account:
            if not paths:
                root = next(iter(org.get("ous") or {"r-root": []})).split("/")[0]
                paths.append(f"{org_id}/{root}/")
            return Membership(org_id, org.get("managementAccount", ""), tuple(paths))
    return None


def context_keys(account: str | None) -> dict:
    """Global condition keys describing the principal's organization (lower-cased names)."""
    m = membership(account)
    if not m:
        return {}
    return {"aws:principalorgid": m.org_id, "aws:principalorgpaths": list(m.ou_paths)}


# ---- the organization as the Organizations API shows it --------------------------------------------

@dataclass(frozen=True)
class Organization:
    """One organization of the membership file: its root, OUs (id -> parent id), accounts (id -> parent
    id, the management account first), delegated administrators and display names."""

    id: str
    management_account: str
    root_id: str
    ou_parents: dict = field(default_factory=dict)
    account_parents: dict = field(default_factory=dict)
    delegated_administrators: frozenset = frozenset()
    names: dict = field(default_factory=dict)

    def _arn(self, kind: str, resource: str) -> str:
        return f"arn:aws:organizations::{self.management_account}:{kind}/{resource}"

    @property
    def arn(self) -> str:
        return self._arn("organization", self.id)

    @property
    def root_arn(self) -> str:
        return self._arn("root", f"{self.id}/{self.root_id}")

    def ou_arn(self, ou_id: str) -> str:
        return self._arn("ou", f"{self.id}/{ou_id}")

    def account_arn(self, account: str) -> str:
        # Organizations API "Account" Arn; Service Authorization Reference "list_awsorganizations" account
        return self._arn("account", f"{self.id}/{account}")

    def parent_arn(self, parent_id: str) -> str:
        return self.root_arn if parent_id == self.root_id else self.ou_arn(parent_id)

    def is_parent(self, parent_id: str) -> bool:
        return parent_id == self.root_id or parent_id in self.ou_parents

    def name(self, entity_id: str, default: str) -> str:
        return self.names.get(entity_id) or default

    def may_administer(self, account: str) -> bool:
        """The management account and delegated administrators may call the Organizations read
        operations (Organizations API ListChildren, ListAccountsForParent, DescribeAccount ...)."""
        return account == self.management_account or account in self.delegated_administrators

    def child_ous(self, parent_id: str) -> list[str]:
        return [ou for ou, parent in self.ou_parents.items() if parent == parent_id]

    def child_accounts(self, parent_id: str) -> list[str]:
        return [a for a, parent in self.account_parents.items() if parent == parent_id]


def _organization(org_id: str, spec: dict) -> Organization:
    management = spec.get("managementAccount", "")
    ou_keys = list((spec.get("ous") or {}).items())
    root_id = ou_keys[0][0].strip("/").split("/")[0] if ou_keys else "r-root"
    ou_parents, account_parents = {}, {}
    for path, accounts in ou_keys:
        parts = [p for p in path.strip("/").split("/") if p]
        for parent, ou in zip(parts, parts[1:]):
            ou_parents.setdefault(ou, parent)
        for account in accounts or []:
            account_parents.setdefault(account, parts[-1])
    ordered = {management: account_parents.get(management, root_id)} if management else {}
    ordered.update({a: p for a, p in account_parents.items() if a != management})
    return Organization(org_id, management, root_id, ou_parents, ordered,
                        frozenset(spec.get("delegatedAdministrators") or []), dict(spec.get("names") or {}))


def organization_of(account: str | None) -> Organization | None:
    """The organization an account is a member of, or None."""
    for org_id, spec in _config().items():
        organization = _organization(org_id, spec)
        if account and account in organization.account_parents:
            return organization
    return None


def resource_context_keys(account: str | None) -> dict:
    """aws:ResourceAccount, aws:ResourceOrgID and aws:ResourceOrgPaths of a resource owned by account
    (IAM UserGuide "reference_policies_condition-keys" resource properties)."""
    keys = {"aws:resourceaccount": account} if account else {}
    m = membership(account)
    if m:
        keys.update({"aws:resourceorgid": m.org_id, "aws:resourceorgpaths": list(m.ou_paths)})
    return keys
