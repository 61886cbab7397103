"""One IAM policy evaluator for KMS key policies, IAM identity policies, role trust policies and
SimulatePrincipalPolicy.

Implements the parts of the AWS policy language amishare relies on:
- explicit Deny wins over Allow, no matching Allow is an implicit deny
  (IAM UserGuide "reference_policies_evaluation-logic");
- Action / NotAction and Resource / NotResource with * and ? wildcards, actions case-insensitive
  (IAM UserGuide "reference_policies_elements_action", "reference_policies_elements_resource");
- Principal "*", {"AWS": ...} with account roots, bare account ids, role and assumed-role ARNs
  (IAM UserGuide "reference_policies_elements_principal");
- Condition operators StringEquals/NotEquals/Like/NotLike (+IgnoreCase), ArnEquals/ArnLike/
  ArnNotEquals/ArnNotLike, Bool, Null, with ForAnyValue:/ForAllValues: set qualifiers and the
  ...IfExists suffix (IAM UserGuide "reference_policies_elements_condition_operators",
  "reference_policies_condition-single-vs-multi-valued-context-keys"); a multi-valued context key
  (aws:TagKeys, aws:PrincipalOrgPaths) is a list: ForAllValues holds when every request value matches
  one of the policy's values, also for no values or no key; ForAnyValue needs one matching value.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable
from urllib.parse import unquote

ALLOW = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"


@dataclass
class Request:
    """What is being asked: one action on one resource by one principal, with its context keys."""

    action: str
    resource: str | None = "*"  # None: the request names no resource, any Resource element matches
    principal: str | None = None  # ARN of the caller (account root, role or assumed-role session)
    context: dict[str, Any] = field(default_factory=dict)  # condition keys, lower-cased names


@dataclass
class Decision:
    decision: str
    matched: list[dict] = field(default_factory=list)  # statements that decided

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOW


def load(document: str | dict | None) -> dict:
    """A policy document as a dict; IAM stores some of them URL-encoded."""
    if document is None:
        return {"Statement": []}
    if isinstance(document, dict):
        return document
    text = document.strip()
    if not text.startswith("{"):
        text = unquote(text)
    return json.loads(text)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@lru_cache(maxsize=2048)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{regex}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    return bool(_wildcard(str(pattern), ignore_case).match(str(value)))


def _arn_like(pattern: str, value: str) -> bool:
    # ArnLike compares each of the six colon-separated parts on its own; wildcards do not cross
    # a part boundary except in the last one (IAM UserGuide "Conditions_ARN").
    p_parts, v_parts = pattern.split(":", 5), value.split(":", 5)
    if len(p_parts) != 6 or len(v_parts) != 6:
        return wildcard_match(pattern, value)
    return all(wildcard_match(p, v) for p, v in zip(p_parts, v_parts))


def _principal_matches(spec: Any, principal: str | None) -> bool:
    """Principal element: "*" or {"AWS": [...]}; a root ARN or bare account id names the account
    (any principal of it: the account then delegates to IAM, see kms_access.py), a role ARN also
    matches that role's sessions (IAM UserGuide "reference_policies_elements_principal")."""
    if spec == "*":
        return True
    if not isinstance(spec, dict):
        return False
    candidates = []
    for kind, values in spec.items():
        if kind == "AWS":
            candidates += _as_list(values)
        elif kind == "Service" and principal:
            candidates += [v for v in _as_list(values) if v == principal]
    if principal is None:
        return False
    for candidate in candidates:
        if candidate == "*" or candidate == principal:
            return True
        if account_of(candidate) and principal_account(principal) == account_of(candidate) and _is_account(candidate):
            return True
        if ":role/" in candidate and _session_role_arn(principal) == candidate:
            return True
    return False


def _is_account(candidate: str) -> bool:
    return bool(re.fullmatch(r"\d{12}", candidate)) or bool(re.fullmatch(r"arn:[^:]+:iam::\d{12}:root", candidate))


def account_of(arn_or_account: str) -> str | None:
    if re.fullmatch(r"\d{12}", arn_or_account or ""):
        return arn_or_account
    parts = (arn_or_account or "").split(":")
    return parts[4] if len(parts) > 5 and re.fullmatch(r"\d{12}", parts[4]) else None


def principal_account(principal: str) -> str | None:
    return account_of(principal)


def _session_role_arn(principal: str) -> str | None:
    """arn:aws:sts::A:assumed-role/R/s -> arn:aws:iam::A:role/R (paths are not kept in session ARNs)."""
    m = re.fullmatch(r"arn:([^:]+):sts::(\d{12}):assumed-role/([^/]+)/.+", principal or "")
    return f"arn:{m.group(1)}:iam::{m.group(2)}:role/{m.group(3)}" if m else None


# ---- conditions -------------------------------------------------------------------------------

def _str_eq(a, b, ic=False):
    return str(a).lower() == str(b).lower() if ic else str(a) == str(b)


_OPERATORS = {
    "stringequals": lambda v, p: _str_eq(v, p),
    "stringnotequals": lambda v, p: not _str_eq(v, p),
    "stringequalsignorecase": lambda v, p: _str_eq(v, p, True),
    "stringnotequalsignorecase": lambda v, p: not _str_eq(v, p, True),
    "stringlike": lambda v, p: wildcard_match(p, v),
    "stringnotlike": lambda v, p: not wildcard_match(p, v),
    "arnequals": lambda v, p: _arn_like(p, v),
    "arnlike": lambda v, p: _arn_like(p, v),
    "arnnotequals": lambda v, p: not _arn_like(p, v),
    "arnnotlike": lambda v, p: not _arn_like(p, v),
    "bool": lambda v, p: str(v).lower() == str(p).lower(),
}
_NEGATED = {"stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike"}


def _condition_holds(operator: str, key: str, expected: Any, context: dict[str, Any]) -> bool:
    op = operator.lower()
    qualifier = None
    if ":" in op:
        qualifier, op = op.split(":", 1)
    if_exists = op.endswith("ifexists")
    if if_exists:
        op = op[: -len("ifexists")]
    present = key.lower() in context
    actual = context.get(key.lower())
    patterns = [str(p) for p in _as_list(expected)]

    if op == "null":
        # Null: "true" means the key must be absent.
        return (not present) == (str(patterns[0]).lower() == "true")
    if not present:
        if if_exists:
            return True
        # A missing key fails positive operators; negated ones and ForAllValues hold vacuously.
        return op in _NEGATED or qualifier == "forallvalues"
    test = _OPERATORS.get(op)
    if test is None:
        return False  # unknown operator: the statement does not apply (conservative)
    values = [str(v) for v in _as_list(actual)]
    negated = op in _NEGATED

    def one(value: str) -> bool:
        # Several values in the policy: any of them (all of them for negated operators).
        results = [test(value, p) for p in patterns]
        return all(results) if negated else any(results)

    if qualifier == "foranyvalue":
        return any(one(v) for v in values)
    if qualifier == "forallvalues":
        return all(one(v) for v in values)
    return all(one(v) for v in values) if values else False


def _conditions_hold(condition: dict | None, context: dict[str, Any]) -> bool:
    for operator, keys in (condition or {}).items():
        for key, expected in (keys or {}).items():
            if not _condition_holds(operator, key, expected, context):
                return False
    return True


# ---- statements -------------------------------------------------------------------------------

def _action_matches(statement: dict, action: str) -> bool:
    if "Action" in statement:
        return any(wildcard_match(a, action, ignore_case=True) for a in _as_list(statement["Action"]))
    if "NotAction" in statement:
        return not any(wildcard_match(a, action, ignore_case=True) for a in _as_list(statement["NotAction"]))
    return False


def _resource_matches(statement: dict, resource: str | None) -> bool:
    if resource is None:
        return True
    if "Resource" in statement:
        return any(wildcard_match(r, resource) for r in _as_list(statement["Resource"]))
    if "NotResource" in statement:
        return not any(wildcard_match(r, resource) for r in _as_list(statement["NotResource"]))
    return True  # resource-based policies (key policy, trust policy) may omit it


def _statement_applies(statement: dict, request: Request, with_principal: bool) -> bool:
    if with_principal:
        if "Principal" in statement:
            if not _principal_matches(statement["Principal"], request.principal):
                return False
        elif "NotPrincipal" in statement:
            if _principal_matches(statement["NotPrincipal"], request.principal):
                return False
        else:
            return False
    return (
        _action_matches(statement, request.action)
        and _resource_matches(statement, request.resource)
        and _conditions_hold(statement.get("Condition"), request.context)
    )


def statements(documents: Iterable[str | dict | None]) -> list[dict]:
    result = []
    for document in documents:
        result += _as_list(load(document).get("Statement"))
    return result


def evaluate(documents: Iterable[str | dict | None], request: Request, resource_policy: bool = False) -> Decision:
    """Evaluates policies for one request. resource_policy=True checks each statement's Principal
    (key policies, trust policies); identity policies have none."""
    allows, denies = [], []
    for statement in statements(documents):
        if _statement_applies(statement, request, with_principal=resource_policy):
            (denies if statement.get("Effect") == "Deny" else allows).append(statement)
    if denies:
        return Decision(EXPLICIT_DENY, denies)
    if allows:
        return Decision(ALLOW, allows)
    return Decision(IMPLICIT_DENY)


def without_condition_keys(documents: Iterable[str | dict | None], keys: Iterable[str]) -> list[dict]:
    """The policies with every condition on the given keys removed: what they would decide if those
    keys did not matter (events_perimeter.py tells a refused source from a refused caller with it)."""
    drop = {k.lower() for k in keys}
    trimmed = []
    for statement in statements(documents):
        statement = dict(statement)
        condition = {}
        for operator, conditions in (statement.get("Condition") or {}).items():
            kept = {k: v for k, v in (conditions or {}).items() if k.lower() not in drop}
            if kept:
                condition[operator] = kept
        if condition:
            statement["Condition"] = condition
        else:
            statement.pop("Condition", None)
        trimmed.append(statement)
    return [{"Version": "2012-10-17", "Statement": trimmed}]
