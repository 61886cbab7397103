"""Key policies, identity policies, trust policies and the policy simulator, evaluated as AWS does
(IAM UserGuide "reference_policies_evaluation-logic"; KMS DeveloperGuide "key-policies")."""

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import (CONSUMER, OU_PATH, ORG_ID, OWNER, REGION, THIRD, allow_account_to_use_key, client,
                      customer_key, default_key_policy, image_with_volumes, role_session, share_image,
                      wait_settled)


def _code(call):
    with pytest.raises(ClientError) as error:
        call()
    return error.value.response["Error"]["Code"]


def test_cross_account_kms_call_needs_key_policy():
    """KMS DeveloperGuide "key-policy-modifying-external-accounts": another account can use a key only
    when the key policy allows it."""
    key = customer_key(OWNER)
    kms = client("kms", CONSUMER)
    assert _code(lambda: kms.describe_key(KeyId=key["Arn"])) == "AccessDeniedException"

    allow_account_to_use_key(OWNER, key["KeyId"], CONSUMER)  # a bare account id names the account root

    assert kms.describe_key(KeyId=key["Arn"])["KeyMetadata"]["Arn"] == key["Arn"]
    blob = client("kms", OWNER).encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob, KeyId=key["Arn"])["Plaintext"] == b"x"


def test_key_owner_keeps_access_through_default_key_policy():
    """KMS DeveloperGuide "key-policy-default": "Enable IAM User Permissions" lets the account root
    and, through IAM policies, its identities use the key."""
    key = customer_key(OWNER)
    assert client("kms", OWNER).describe_key(KeyId=key["KeyId"])["KeyMetadata"]["Enabled"]
    _, allowed = role_session(OWNER, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:Describe*", "Resource": "*"}]})
    assert client("kms", OWNER, **allowed).describe_key(KeyId=key["KeyId"])
    _, denied = role_session(OWNER, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]})
    assert _code(lambda: client("kms", OWNER, **denied).describe_key(KeyId=key["KeyId"])) == "AccessDeniedException"


def test_explicit_deny_in_key_policy_overrides_allow():
    """IAM UserGuide "reference_policies_evaluation-logic": an explicit Deny wins over any Allow."""
    key = customer_key(OWNER, policy=default_key_policy(OWNER, [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{CONSUMER}:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "NotAction": ["kms:DescribeKey"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": CONSUMER}}}]))
    kms = client("kms", CONSUMER)
    assert kms.describe_key(KeyId=key["Arn"])
    assert _code(lambda: kms.generate_data_key(KeyId=key["Arn"], KeySpec="AES_256")) == "AccessDeniedException"


def test_principal_org_id_condition_shares_key_with_the_whole_organization():
    """AWSEC2 UserGuide "allow-org-ou-to-use-key": Principal "*" with aws:PrincipalOrgID lets every
    account of the organization use the key, and nobody else."""
    key = customer_key(OWNER, policy=default_key_policy(OWNER, [
        {"Effect": "Allow", "Principal": "*", "Action": ["kms:DescribeKey", "kms:Decrypt"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}}]))
    assert client("kms", CONSUMER).describe_key(KeyId=key["Arn"])
    # 444444444444 belongs to no organization in the extension's default organizations.json
    assert _code(lambda: client("kms", "444444444444").describe_key(KeyId=key["Arn"])) == "AccessDeniedException"


def test_principal_org_paths_condition_limits_key_to_an_ou():
    """AWSEC2 UserGuide "allow-org-ou-to-use-key": ForAnyValue:StringLike on aws:PrincipalOrgPaths
    limits the key to accounts of one OU."""
    key = customer_key(OWNER, policy=default_key_policy(OWNER, [
        {"Effect": "Allow", "Principal": "*", "Action": "kms:DescribeKey", "Resource": "*",
         "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [OU_PATH + "*"]}}}]))
    assert client("kms", CONSUMER).describe_key(KeyId=key["Arn"])
    assert _code(lambda: client("kms", THIRD).describe_key(KeyId=key["Arn"])) == "AccessDeniedException"


def test_create_grant_condition_grant_is_for_aws_resource():
    """EBS UserGuide "share-kms-key": the recommended CreateGrant statement requires
    kms:GrantIsForAWSResource, so the target cannot create grants itself, only EC2 for it."""
    key = customer_key(OWNER)
    allow_account_to_use_key(OWNER, key["KeyId"], f"arn:aws:iam::{CONSUMER}:root")
    code = _code(lambda: client("kms", CONSUMER).create_grant(
        KeyId=key["Arn"], GranteePrincipal=f"arn:aws:iam::{CONSUMER}:root", Operations=["Decrypt"]))
    assert code == "AccessDeniedException"


def test_via_service_condition_lets_ec2_use_the_key_but_not_direct_calls():
    """KMS DeveloperGuide "conditions-kms" (kms:ViaService): a key-policy statement conditioned on
    kms:ViaService = ec2.<region>.amazonaws.com allows use through EC2 only."""
    via_ec2 = {"StringEquals": {"kms:ViaService": f"ec2.{REGION}.amazonaws.com"}}
    key = customer_key(OWNER, policy=default_key_policy(OWNER, [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{CONSUMER}:root"},
         "Action": ["kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"],
         "Resource": "*", "Condition": via_ec2}]))
    image_id = image_with_volumes(OWNER, [key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER)

    assert _code(lambda: client("kms", CONSUMER).describe_key(KeyId=key["Arn"])) == "AccessDeniedException"
    copy_id = client("ec2", CONSUMER).copy_image(SourceImageId=image_id, SourceRegion=REGION, Name="via-ec2",
                                                 Encrypted=True)["ImageId"]
    assert wait_settled(CONSUMER, copy_id) == "available"


def test_resource_tag_condition_in_identity_policy():
    """IAM UserGuide "access_tags": aws:ResourceTag/<key> matches the key's tags."""
    kms_owner = client("kms", OWNER)
    tagged = customer_key(OWNER)
    kms_owner.tag_resource(KeyId=tagged["KeyId"], Tags=[{"TagKey": "amishare", "TagValue": "yes"}])
    other = customer_key(OWNER)
    _, creds = role_session(OWNER, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/amishare": "yes"}}}]})
    kms = client("kms", OWNER, **creds)
    assert kms.describe_key(KeyId=tagged["KeyId"])
    assert _code(lambda: kms.describe_key(KeyId=other["KeyId"])) == "AccessDeniedException"


def test_assume_role_honours_trust_policy_and_external_id():
    """IAM UserGuide "id_roles_create_for-user_externalid": the trust policy decides who may assume the
    role; a sts:ExternalId condition requires the matching ExternalId."""
    iam = client("iam", CONSUMER)
    name = f"amishare-access-{uuid.uuid4().hex[:8]}"
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"},
        "Condition": {"StringEquals": {"sts:ExternalId": "amishare"}}}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]

    assert client("sts", OWNER).assume_role(RoleArn=arn, RoleSessionName="amishare", ExternalId="amishare")
    assert _code(lambda: client("sts", OWNER).assume_role(RoleArn=arn, RoleSessionName="amishare")) == "AccessDenied"
    assert _code(lambda: client("sts", OWNER).assume_role(RoleArn=arn, RoleSessionName="amishare",
                                                           ExternalId="other")) == "AccessDenied"
    assert _code(lambda: client("sts", THIRD).assume_role(RoleArn=arn, RoleSessionName="amishare",
                                                           ExternalId="amishare")) == "AccessDenied"


def test_trust_policy_arn_like_condition_selects_role_sessions_of_another_account():
    """IAM UserGuide "reference_policies_elements_condition_operators" (ARN operators) and
    "reference_policies_condition-keys" (aws:PrincipalArn): a trust policy naming an account root
    with ArnLike on aws:PrincipalArn admits only that account's matching roles."""
    name = f"amishare-target-{uuid.uuid4().hex[:8]}"
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{CONSUMER}:root"},
        "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{CONSUMER}:role/amishare-ops-*"}}}]}
    arn = client("iam", OWNER).create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    may_assume = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                          "Resource": arn}]}
    _, ops = role_session(CONSUMER, may_assume, name=f"amishare-ops-{uuid.uuid4().hex[:6]}")
    _, other = role_session(CONSUMER, may_assume, name=f"amishare-dev-{uuid.uuid4().hex[:6]}")

    assert client("sts", CONSUMER, **ops).assume_role(RoleArn=arn, RoleSessionName="ops")
    assert _code(lambda: client("sts", CONSUMER, **other).assume_role(RoleArn=arn, RoleSessionName="dev")) \
        == "AccessDenied"


def test_assumed_role_session_is_identified_as_the_role():
    """STS API GetCallerIdentity: a session's ARN is arn:aws:sts::<account>:assumed-role/<role>/<session>."""
    arn, creds = role_session(CONSUMER, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    identity = client("sts", CONSUMER, **creds).get_caller_identity()
    assert identity["Account"] == CONSUMER and ":assumed-role/" in identity["Arn"]


def test_simulate_principal_policy_evaluates_wildcards_and_deny():
    """IAM UserGuide "access_policies_testing-policies": the simulator applies the evaluation logic:
    action wildcards match, an explicit Deny wins, anything else is an implicit deny."""
    arn, _ = role_session(CONSUMER, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ec2:Describe*", "kms:*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}]})
    results = client("iam", CONSUMER).simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["ec2:DescribeImages", "kms:Decrypt", "kms:ScheduleKeyDeletion",
                                          "ec2:CopyImage"])["EvaluationResults"]
    decisions = {r["EvalActionName"]: r["EvalDecision"] for r in results}
    assert decisions == {"ec2:DescribeImages": "allowed", "kms:Decrypt": "allowed",
                         "kms:ScheduleKeyDeletion": "explicitDeny", "ec2:CopyImage": "implicitDeny"}


def test_simulate_principal_policy_takes_string_list_context_entries_for_set_operators():
    """IAM API SimulatePrincipalPolicy ContextEntries (ContextKeyType stringList) and IAM UserGuide
    "reference_policies_condition-single-vs-multi-valued-context-keys": ForAllValues holds when every
    request value is in the policy's set, also for no values; ForAnyValue needs one value in it."""
    keys = ["amishare:source-image", "amishare:copy-token"]
    arn, _ = role_session(CONSUMER, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
         "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": keys}}},
        {"Effect": "Allow", "Action": "ec2:DeleteTags", "Resource": "*",
         "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": keys}}}]})
    iam = client("iam", CONSUMER)

    def decisions(tag_keys):
        entry = {"ContextKeyName": "aws:TagKeys", "ContextKeyType": "stringList", "ContextKeyValues": tag_keys}
        results = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["ec2:CreateTags", "ec2:DeleteTags"],
                                                ContextEntries=[entry])["EvaluationResults"]
        return tuple(r["EvalDecision"] for r in results)

    assert decisions(["amishare:copy-token"]) == ("allowed", "allowed")
    assert decisions(keys) == ("allowed", "allowed")
    assert decisions(["amishare:copy-token", "team"]) == ("implicitDeny", "allowed")
    assert decisions(["team"]) == ("implicitDeny", "implicitDeny")
    assert decisions([]) == ("allowed", "implicitDeny")
