"""STS AssumeRole honours the role's trust policy; IAM SimulatePrincipalPolicy evaluates with the
shared evaluator (wildcards, Deny, conditions) instead of LocalStack's literal action match.

Sources: IAM UserGuide "id_roles_create_for-user" / "reference_policies_elements_principal" (trust
policies), "id_roles_create_for-user_externalid" (sts:ExternalId), "access_policies_testing-policies"
(SimulatePrincipalPolicy), STS API AssumeRole (AccessDenied when the trust policy does not allow).
"""

from __future__ import annotations

import logging

from localstack.aws.api.iam import EvaluationResult, SimulatePolicyResponse
from localstack.services.iam.models import iam_stores
from localstack.services.iam.resources.policy_simulator import BasicIAMPolicySimulator
from localstack.services.sts.provider import StsProvider
from localstack.utils.aws.arns import extract_account_id_from_arn
from localstack.utils.patch import Patch, Patches

from . import errors, org, policy
from .identity import IAM_REGION, caller_of, identity_allows, managed_policy_document, role_policies

LOG = logging.getLogger(__name__)


def _assume_role(original, self, context, role_arn, role_session_name, *args, **kwargs):
    if context.is_internal_call:
        # LocalStack services (Lambda, Step Functions, EventBridge, API Gateway) assuming the roles
        # they were given: AWS service principals, trusted as in AWS
        return original(self, context, role_arn, role_session_name, *args, **kwargs)
    external_id = kwargs.get("external_id")
    caller = caller_of(context)
    account = extract_account_id_from_arn(role_arn) or context.account_id
    role_name = role_arn.split("/")[-1]
    entity = iam_stores[account][IAM_REGION].ROLES.get(role_name)
    denied = errors.AssumeRoleDenied(principal_arn=caller.arn, role_arn=role_arn)
    if entity is None:
        raise denied  # AWS answers AccessDenied for a role that does not exist
    ctx = caller.global_context()
    if external_id is not None:
        ctx["sts:externalid"] = external_id
    trust = policy.evaluate([entity.role.get("AssumeRolePolicyDocument")],
                            policy.Request("sts:AssumeRole", role_arn, caller.arn, ctx), resource_policy=True)
    if not trust.allowed:
        raise denied
    # A role session also needs its own identity policy to allow sts:AssumeRole (unless the trust
    # policy names it and both are in the same account), evaluated with the role's account as the
    # resource's: aws:ResourceAccount, aws:ResourceOrgID, aws:ResourceOrgPaths (IAM UserGuide
    # "reference_policies_condition-keys"), so a policy can keep sessions inside the organization.
    resource_keys = org.resource_context_keys(account)
    if not caller.is_root and not identity_allows(caller, "sts:AssumeRole", role_arn, {**ctx, **resource_keys}).allowed:
        raise denied
    return original(self, context, role_arn, role_session_name, *args, **kwargs)


def _simulate_principal_policy(original, self, context, request):
    source = request.get("PolicySourceArn") or ""
    account = extract_account_id_from_arn(source) or context.account_id
    documents = []
    name = source.split("/")[-1]
    store = iam_stores[account][IAM_REGION]
    if ":role/" in source:
        documents = role_policies(account, name)
    elif ":user/" in source or ":group/" in source:
        entity = (store.USERS if ":user/" in source else store.GROUPS).get(name)
        if entity is not None:
            documents = list(entity.inline_policies.values()) + [
                d for d in (managed_policy_document(store, a) for a in entity.attached_policy_arns) if d]
    documents += list(request.get("PolicyInputList") or [])
    context_keys = {}
    for entry in request.get("ContextEntries") or []:
        values = entry.get("ContextKeyValues") or []
        context_keys[entry["ContextKeyName"].lower()] = values if len(values) != 1 or \
            entry.get("ContextKeyType", "").endswith("List") else values[0]
    policy_type = next((t for t in ("role", "user", "group") if f":{t}/" in source), "none")
    results = []
    for action in request.get("ActionNames") or []:
        for resource in request.get("ResourceArns") or ["*"]:
            decision = policy.evaluate(documents, policy.Request(action, resource, source, context_keys))
            results.append(EvaluationResult(
                EvalActionName=action, EvalResourceName=resource, EvalDecision=decision.decision,
                MatchedStatements=[{"SourcePolicyId": s.get("Sid", ""), "SourcePolicyType": policy_type}
                                   for s in decision.matched],
                MissingContextValues=[]))
    return SimulatePolicyResponse(EvaluationResults=results, IsTruncated=False)


def patches() -> Patches:
    return Patches([
        Patch.function(StsProvider.assume_role, _assume_role),
        Patch.function(BasicIAMPolicySimulator.simulate_principal_policy, _simulate_principal_policy),
    ])
