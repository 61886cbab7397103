"""Which organization and OUs an account belongs to, for aws:PrincipalOrgID, aws:PrincipalOrgPaths
and AMI launch permissions granted to an organization or OU.

The emulator has no AWS Organizations, so membership is configured with a JSON file: the path in
AMISHARE_ORGANIZATIONS, else organizations.json next to this module. Its shape (see README.md):

    {"o-xxxxxxxxxx": {"managementAccount": "111111111111",
                      "ous": {"r-root/ou-ab12-cdef3456": ["222222222222"]}}}

An OU key is the path below the root (nested OUs: "r-root/ou-a/ou-b"). The management account and
every account listed under an OU are members. Re-read when the file changes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
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
