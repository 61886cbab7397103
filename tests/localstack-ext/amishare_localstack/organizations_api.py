"""AWS Organizations, read-only, served from the organization membership file (org.py): LocalStack
community has no Organizations service. Registered as LocalStack registers its own services: a
provider for the "organizations" API, plux namespace "localstack.aws.provider", name
"organizations:default" (pyproject.toml), loaded when SERVICES names organizations.

Operations (Organizations API reference, each page's request, response and errors):
DescribeOrganization (any member account), and, from the management account or a delegated
administrator only, DescribeAccount, DescribeOrganizationalUnit, ListRoots, ListParents, ListChildren,
ListAccountsForParent and ListAccounts. An account in no organization gets
AWSOrganizationsNotInUseException, any other member AccessDeniedException. ListChildren,
ListAccountsForParent, ListAccounts, ListRoots and ListParents page with NextToken / MaxResults (at
most 20 per page, MaxResults' maximum). Other operations are not served (LocalStack answers 501).

Identity policies of role sessions (organizations:<Action> on the root, OU or account ARN) are
enforced in enforcement.py, before this provider runs, as IAM does before the service.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

from localstack.aws.api import RequestContext, handler
from localstack.services.plugins import Service, aws_provider

from . import errors, org

PAGE_SIZE = 20  # MaxResults' maximum in the Organizations API model
# Organizations keeps when an account joined; the membership file does not, so every account joined then
JOINED = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _organization_for_admin(context: RequestContext) -> org.Organization:
    organization = org.organization_of(context.account_id)
    if organization is None:
        raise errors.OrganizationsNotInUse()
    if not organization.may_administer(context.account_id):
        raise errors.OrganizationsAccessDenied()
    return organization


def _page(items: list, request: dict, scope: str) -> dict:
    """One page of items and the NextToken of the next one. The token names the listing it belongs
    to (operation and parent) and the offset; any other token is invalid."""
    start = 0
    token = request.get("NextToken")
    if token:
        try:
            decoded = json.loads(base64.urlsafe_b64decode(token.encode()).decode())
            if decoded["scope"] != scope:
                raise ValueError(scope)
            start = int(decoded["offset"])
        except Exception:  # noqa: BLE001 - any undecodable or foreign token
            raise errors.OrganizationsInvalidNextToken()
    size = min(int(request.get("MaxResults") or PAGE_SIZE), PAGE_SIZE)
    end = start + size
    result = {"items": items[start:end]}
    if end < len(items):
        result["NextToken"] = base64.urlsafe_b64encode(
            json.dumps({"scope": scope, "offset": end}).encode()).decode()
    return result


def _listed(key: str, items: list, request: dict, scope: str) -> dict:
    page = _page(items, request, scope)
    response = {key: page["items"]}
    if "NextToken" in page:
        response["NextToken"] = page["NextToken"]
    return response


def _account(organization: org.Organization, account: str) -> dict:
    return {
        "Id": account,
        "Arn": organization.account_arn(account),
        "Email": f"amishare+{account}@example.com",
        "Name": organization.name(account, f"account-{account}"),
        "Status": "ACTIVE",
        "State": "ACTIVE",
        "JoinedMethod": "INVITED" if account == organization.management_account else "CREATED",
        "JoinedTimestamp": JOINED,
    }


def _root(organization: org.Organization) -> dict:
    return {"Id": organization.root_id, "Arn": organization.root_arn,
            "Name": organization.name(organization.root_id, "Root"), "PolicyTypes": []}


def _ou(organization: org.Organization, ou_id: str) -> dict:
    return {"Id": ou_id, "Arn": organization.ou_arn(ou_id), "Name": organization.name(ou_id, ou_id)}


def _parent_type(organization: org.Organization, parent_id: str) -> str:
    return "ROOT" if parent_id == organization.root_id else "ORGANIZATIONAL_UNIT"


class OrganizationsProvider:
    service = "organizations"

    @handler("DescribeOrganization", expand=False)
    def describe_organization(self, context: RequestContext, request: dict):
        # "This operation can be called from any account in the organization."
        organization = org.organization_of(context.account_id)
        if organization is None:
            raise errors.OrganizationsNotInUse()
        management = organization.management_account
        return {"Organization": {
            "Id": organization.id,
            "Arn": organization.arn,
            "FeatureSet": "ALL",
            "MasterAccountArn": organization.account_arn(management),
            "MasterAccountId": management,
            "MasterAccountEmail": f"amishare+{management}@example.com",
            "AvailablePolicyTypes": [],
        }}

    @handler("DescribeAccount", expand=False)
    def describe_account(self, context: RequestContext, request: dict):
        organization = _organization_for_admin(context)
        account = request.get("AccountId")
        if account not in organization.account_parents:
            raise errors.OrganizationsAccountNotFound()
        return {"Account": _account(organization, account)}

    @handler("DescribeOrganizationalUnit", expand=False)
    def describe_organizational_unit(self, context: RequestContext, request: dict):
        organization = _organization_for_admin(context)
        ou_id = request.get("OrganizationalUnitId")
        if ou_id not in organization.ou_parents:
            raise errors.OrganizationsOuNotFound()
        return {"OrganizationalUnit": _ou(organization, ou_id)}

    @handler("ListRoots", expand=False)
    def list_roots(self, context: RequestContext, request: dict):
        organization = _organization_for_admin(context)
        return _listed("Roots", [_root(organization)], request, "ListRoots")

    @handler("ListParents", expand=False)
    def list_parents(self, context: RequestContext, request: dict):
        organization = _organization_for_admin(context)
        child = request.get("ChildId")
        parent = organization.account_parents.get(child) or organization.ou_parents.get(child)
        if parent is None:
            raise errors.OrganizationsChildNotFound()
        parents = [{"Id": parent, "Type": _parent_type(organization, parent)}]
        return _listed("Parents", parents, request, f"ListParents/{child}")

    @handler("ListChildren", expand=False)
    def list_children(self, context: RequestContext, request: dict):
        organization = _organization_for_admin(context)
        parent, child_type = request.get("ParentId"), request.get("ChildType")
        if not organization.is_parent(parent):
            raise errors.OrganizationsParentNotFound()
        if child_type == "ORGANIZATIONAL_UNIT":
            children = [{"Id": ou, "Type": child_type} for ou in organization.child_ous(parent)]
        else:
            children = [{"Id": a, "Type": "ACCOUNT"} for a in organization.child_accounts(parent)]
        return _listed("Children", children, request, f"ListChildren/{parent}/{child_type}")

    @handler("ListAccountsForParent", expand=False)
    def list_accounts_for_parent(self, context: RequestContext, request: dict):
        organization = _organization_for_admin(context)
        parent = request.get("ParentId")
        if not organization.is_parent(parent):
            raise errors.OrganizationsParentNotFound()
        accounts = [_account(organization, a) for a in organization.child_accounts(parent)]
        return _listed("Accounts", accounts, request, f"ListAccountsForParent/{parent}")

    @handler("ListAccounts", expand=False)
    def list_accounts(self, context: RequestContext, request: dict):
        organization = _organization_for_admin(context)
        accounts = [_account(organization, a) for a in organization.account_parents]
        return _listed("Accounts", accounts, request, "ListAccounts")


@aws_provider(api="organizations")
def organizations():
    return Service.for_provider(OrganizationsProvider())
