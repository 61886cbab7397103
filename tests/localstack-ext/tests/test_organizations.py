"""AWS Organizations served from the extension's membership file (organizations.json), with the
shapes, callers and errors of the Organizations API reference."""

import pytest
from botocore.exceptions import ClientError

from conftest import CONSUMER, ORG_ID, OWNER, THIRD, client

ROOT = "r-ab12"
TARGETS, OTHERS, NESTED, TOOLING = "ou-ab12-targets1", "ou-ab12-others01", "ou-ab12-nested01", "ou-ab12-tooling1"
FLEET = "ou-ab12-fleet001"
# organizations.json: 555555555555 is a delegated administrator, 777777777777 a plain member of the
# Tooling OU; 444444444444 is in no organization
DELEGATED, TOOLING_MEMBER, OUTSIDER = "555555555555", "777777777777", "444444444444"


def _error(call):
    with pytest.raises(ClientError) as error:
        call()
    response = error.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _all(call, key, **kwargs):
    """Every item of a paged listing, and the number of pages it took."""
    items, pages, token = [], 0, None
    while True:
        response = call(**kwargs, **({"NextToken": token} if token else {}))
        items += response[key]
        pages += 1
        token = response.get("NextToken")
        if not token:
            return items, pages


def test_describe_organization_from_any_member_account():
    """Organizations API DescribeOrganization: "can be called from any account in the organization";
    the management account's ARN is arn:aws:organizations::<mgmt>:account/<org-id>/<mgmt>."""
    for account in (OWNER, CONSUMER, THIRD):
        organization = client("organizations", account).describe_organization()["Organization"]
        assert organization["Id"] == ORG_ID
        assert organization["Arn"] == f"arn:aws:organizations::{OWNER}:organization/{ORG_ID}"
        assert organization["MasterAccountId"] == OWNER
        assert organization["MasterAccountArn"] == f"arn:aws:organizations::{OWNER}:account/{ORG_ID}/{OWNER}"
        assert organization["FeatureSet"] == "ALL"


def test_account_in_no_organization_gets_organizations_not_in_use():
    """Organizations API AWSOrganizationsNotInUseException: "Your account is not a member of an
    organization." (HTTP 400), for every operation."""
    organizations = client("organizations", OUTSIDER)
    expected = ("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.", 400)
    assert _error(organizations.describe_organization) == expected
    assert _error(organizations.list_roots) == expected
    assert _error(lambda: organizations.list_children(ParentId=ROOT, ChildType="ACCOUNT")) == expected


def test_member_that_is_not_an_administrator_gets_access_denied():
    """Organizations API ListChildren, ListAccountsForParent, DescribeAccount, ListRoots: "can be called
    only from the organization's management account or by a member account that is a delegated
    administrator"; others get AccessDeniedException "You don't have permissions to access this
    resource." (HTTP 400)."""
    denied = ("AccessDeniedException", "You don't have permissions to access this resource.", 400)
    for account in (CONSUMER, TOOLING_MEMBER):
        organizations = client("organizations", account)
        assert _error(organizations.list_roots) == denied
        assert _error(lambda: organizations.describe_account(AccountId=account)) == denied
        assert _error(lambda: organizations.list_accounts_for_parent(ParentId=TARGETS)) == denied
        assert _error(lambda: organizations.list_children(ParentId=ROOT, ChildType="ACCOUNT")) == denied
        assert _error(lambda: organizations.list_parents(ChildId=account)) == denied
        assert _error(lambda: organizations.describe_organizational_unit(OrganizationalUnitId=TARGETS)) == denied


def test_delegated_administrator_reads_the_organization_like_the_management_account():
    """Organizations UserGuide "orgs_delegate_policies": a delegated administrator may call the read
    operations; listed in the membership file's "delegatedAdministrators"."""
    for account in (OWNER, DELEGATED):
        organizations = client("organizations", account)
        assert [r["Id"] for r in organizations.list_roots()["Roots"]] == [ROOT]
        assert organizations.describe_account(AccountId=CONSUMER)["Account"]["Id"] == CONSUMER


def test_roots_ous_and_accounts_have_the_organizations_arns():
    """Organizations API Root, OrganizationalUnit, Account: ARNs
    arn:aws:organizations::<mgmt>:root/<org-id>/<root-id>, ...:ou/<org-id>/<ou-id>,
    ...:account/<org-id>/<account-id> (Service Authorization Reference "list_awsorganizations")."""
    organizations = client("organizations", OWNER)
    root = organizations.list_roots()["Roots"][0]
    assert root == {"Id": ROOT, "Arn": f"arn:aws:organizations::{OWNER}:root/{ORG_ID}/{ROOT}", "Name": "Root",
                    "PolicyTypes": []}
    ou = organizations.describe_organizational_unit(OrganizationalUnitId=TARGETS)["OrganizationalUnit"]
    assert ou == {"Id": TARGETS, "Arn": f"arn:aws:organizations::{OWNER}:ou/{ORG_ID}/{TARGETS}", "Name": "Targets"}
    account = organizations.describe_account(AccountId=CONSUMER)["Account"]
    assert account["Arn"] == f"arn:aws:organizations::{OWNER}:account/{ORG_ID}/{CONSUMER}"
    assert (account["Name"], account["Status"], account["State"]) == ("amishare-consumer", "ACTIVE", "ACTIVE")
    assert account["Email"] and account["JoinedTimestamp"]


def test_list_children_lists_ous_or_accounts_of_a_root_or_ou():
    """Organizations API ListChildren: ChildType ORGANIZATIONAL_UNIT or ACCOUNT, the immediate children
    only (nested OUs under their parent OU)."""
    organizations = client("organizations", OWNER)

    def children(parent, child_type):
        return _all(organizations.list_children, "Children", ParentId=parent, ChildType=child_type)[0]

    assert children(ROOT, "ORGANIZATIONAL_UNIT") == [{"Id": ou, "Type": "ORGANIZATIONAL_UNIT"}
                                                     for ou in (TARGETS, OTHERS, TOOLING, FLEET)]
    assert children(ROOT, "ACCOUNT") == [{"Id": OWNER, "Type": "ACCOUNT"}]  # the management account
    assert children(OTHERS, "ORGANIZATIONAL_UNIT") == [{"Id": NESTED, "Type": "ORGANIZATIONAL_UNIT"}]
    assert children(OTHERS, "ACCOUNT") == [{"Id": THIRD, "Type": "ACCOUNT"}]
    assert children(TARGETS, "ORGANIZATIONAL_UNIT") == []


def test_list_parents_of_an_account_and_of_a_nested_ou():
    """Organizations API ListParents: the immediate parent, Type ROOT or ORGANIZATIONAL_UNIT."""
    organizations = client("organizations", OWNER)
    assert organizations.list_parents(ChildId=CONSUMER)["Parents"] == [{"Id": TARGETS, "Type": "ORGANIZATIONAL_UNIT"}]
    assert organizations.list_parents(ChildId=OWNER)["Parents"] == [{"Id": ROOT, "Type": "ROOT"}]
    assert organizations.list_parents(ChildId=NESTED)["Parents"] == [{"Id": OTHERS, "Type": "ORGANIZATIONAL_UNIT"}]


def test_list_accounts_for_parent_and_list_children_page_with_next_token():
    """Organizations API ListAccountsForParent / ListChildren: MaxResults per page, NextToken for the
    rest; a token from elsewhere is InvalidInputException (reason INVALID_NEXT_TOKEN)."""
    organizations = client("organizations", OWNER)
    accounts, pages = _all(organizations.list_accounts_for_parent, "Accounts", ParentId=TOOLING, MaxResults=1)
    assert [a["Id"] for a in accounts] == [DELEGATED, TOOLING_MEMBER] and pages == 2
    ous, pages = _all(organizations.list_children, "Children", ParentId=ROOT, ChildType="ORGANIZATIONAL_UNIT",
                      MaxResults=2)
    assert [c["Id"] for c in ous] == [TARGETS, OTHERS, TOOLING, FLEET] and pages == 2
    accounts, pages = _all(organizations.list_accounts, "Accounts", MaxResults=20)
    # the six named accounts and the 1,100 of the fleet OU, which the organization-scale tests share with
    assert {OWNER, CONSUMER, THIRD, DELEGATED, TOOLING_MEMBER, "666666666666"} <= {a["Id"] for a in accounts}
    assert len(accounts) == 1106 and pages == 56

    token = organizations.list_accounts_for_parent(ParentId=TOOLING, MaxResults=1)["NextToken"]
    code, message, status = _error(lambda: organizations.list_children(ParentId=ROOT, ChildType="ACCOUNT",
                                                                       NextToken=token))
    assert (code, message, status) == ("InvalidInputException", "You specified an invalid value for nextToken.", 400)


def test_unknown_ids_get_the_not_found_error_of_their_kind():
    """Organizations API: AccountNotFoundException ("You specified an account that doesn't exist."),
    ParentNotFoundException, ChildNotFoundException, OrganizationalUnitNotFoundException (HTTP 400)."""
    organizations = client("organizations", OWNER)
    assert _error(lambda: organizations.describe_account(AccountId=OUTSIDER)) == (
        "AccountNotFoundException", "You specified an account that doesn't exist.", 400)
    assert _error(lambda: organizations.list_children(ParentId="ou-ab12-missing1", ChildType="ACCOUNT"))[0] == \
        "ParentNotFoundException"
    assert _error(lambda: organizations.list_accounts_for_parent(ParentId="r-zz99"))[0] == "ParentNotFoundException"
    assert _error(lambda: organizations.list_parents(ChildId=OUTSIDER))[0] == "ChildNotFoundException"
    assert _error(lambda: organizations.describe_organizational_unit(OrganizationalUnitId="ou-ab12-missing1"))[0] == \
        "OrganizationalUnitNotFoundException"
