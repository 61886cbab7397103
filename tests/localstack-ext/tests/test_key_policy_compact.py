"""Compact key policies for organization-scale sharing: one statement with Principal {"AWS": "*"}
limited by StringEquals kms:CallerAccount to a list of accounts, kms:ViaService to EC2, and BoolIfExists
kms:GrantIsForAWSResource for grants (KMS DeveloperGuide "conditions-kms": kms:CallerAccount,
kms:ViaService, kms:GrantIsForAWSResource; IAM UserGuide "reference_policies_elements_condition_operators":
...IfExists, a condition key with several values matches any of them). A key policy is at most 32 KB
(KMS API PutKeyPolicy "Policy"; LimitExceededException)."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import (CONSUMER, OWNER, REGION, THIRD, client, customer_key, default_key_policy, image_with_volumes,
                      share_image, wait_settled)

VIA_EC2 = f"ec2.{REGION}.amazonaws.com"


def compact_policy(accounts):
    """The owner's default statement and the two EC2-bound statements for the accounts listed."""
    scope = {"StringEquals": {"kms:CallerAccount": list(accounts), "kms:ViaService": VIA_EC2}}
    return default_key_policy(OWNER, [
        {"Sid": "UseThroughEc2", "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": ["kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
         "Resource": "*", "Condition": scope},
        {"Sid": "GrantsForEc2", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:CreateGrant",
         "Resource": "*", "Condition": {**scope, "BoolIfExists": {"kms:GrantIsForAWSResource": "true"}}}])


def _error(call):
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


@pytest.fixture
def compact_key():
    return customer_key(OWNER, policy=compact_policy([CONSUMER, "444455556666"]))


@pytest.fixture
def image_for_both(compact_key):
    """An AMI under the compact key, shared (launch and snapshots) with CONSUMER, who is listed, and
    THIRD, who is not."""
    image_id = image_with_volumes(OWNER, [compact_key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER)
    share_image(OWNER, image_id, THIRD)
    return image_id


def test_listed_account_copies_through_ec2_and_an_unlisted_one_is_refused(compact_key, image_for_both):
    """EC2 uses the key for the caller (kms:CallerAccount = the caller's account, kms:ViaService =
    ec2.<region>.amazonaws.com) and creates its grants for an AWS resource."""
    copy_id = client("ec2", CONSUMER).copy_image(SourceImageId=image_for_both, SourceRegion=REGION, Name="listed",
                                                 Encrypted=True, KmsKeyId=customer_key(CONSUMER)["KeyId"])["ImageId"]
    assert wait_settled(CONSUMER, copy_id) == "available"

    code, message = _error(lambda: client("ec2", THIRD).copy_image(
        SourceImageId=image_for_both, SourceRegion=REGION, Name="unlisted", Encrypted=True,
        KmsKeyId=customer_key(THIRD)["KeyId"]))
    assert code == "UnauthorizedOperation" and compact_key["Arn"] in message


def test_listed_account_launches_and_an_unlisted_ones_instance_terminates(image_for_both):
    """AWSEC2 UserGuide "sharingamis-explicit": launching needs the key through EC2; without it the
    instance ends terminated with Client.InternalError (AWS re:Post "kms-iam-ec2-permission")."""
    states = {}
    for account in (CONSUMER, THIRD):
        ec2 = client("ec2", account)
        instance_id = ec2.run_instances(ImageId=image_for_both, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        states[account] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert states[CONSUMER]["State"]["Name"] in ("pending", "running")
    assert states[THIRD]["State"]["Name"] == "terminated"
    assert states[THIRD]["StateReason"]["Code"] == "Client.InternalError"


def test_direct_calls_of_a_listed_account_are_refused(compact_key):
    """kms:ViaService is absent from a direct call, and a direct CreateGrant is not for an AWS resource
    (kms:GrantIsForAWSResource false), so neither statement allows them; the owner keeps its access."""
    blob = client("kms", OWNER).encrypt(KeyId=compact_key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    kms = client("kms", CONSUMER)
    assert _error(lambda: kms.decrypt(CiphertextBlob=blob, KeyId=compact_key["Arn"]))[0] == "AccessDeniedException"
    assert _error(lambda: kms.describe_key(KeyId=compact_key["Arn"]))[0] == "AccessDeniedException"
    assert _error(lambda: kms.create_grant(KeyId=compact_key["Arn"], GranteePrincipal=f"arn:aws:iam::{CONSUMER}:root",
                                           Operations=["Decrypt"]))[0] == "AccessDeniedException"
    assert client("kms", OWNER).decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_caller_account_list_of_another_key_admits_nobody_else():
    """StringEquals with several values matches when the caller's account is any one of them, and only
    then (IAM UserGuide "reference_policies_condition-logic-multiple-context-keys-or-values")."""
    key = customer_key(OWNER, policy=default_key_policy(OWNER, [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:DescribeKey", "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": ["444455556666", CONSUMER]}}}]))
    assert client("kms", CONSUMER).describe_key(KeyId=key["Arn"])["KeyMetadata"]["Arn"] == key["Arn"]
    assert _error(lambda: client("kms", THIRD).describe_key(KeyId=key["Arn"]))[0] == "AccessDeniedException"


def _accounts(n):
    return [f"{100000000000 + i:012d}" for i in range(n)]


def test_put_key_policy_over_32_kb_is_refused_with_limit_exceeded():
    """KMS API PutKeyPolicy "Policy": the policy size limit is 32 KiB (32768 bytes); a larger one is
    refused with LimitExceededException and the key keeps its policy. 1,000 account ids fit in the two
    compact statements; 1,100 do not."""
    kms = client("kms", OWNER)
    key = customer_key(OWNER)
    fits = json.dumps(compact_policy([CONSUMER, *_accounts(999)]), separators=(",", ":"))
    too_large = json.dumps(compact_policy([CONSUMER, *_accounts(1099)]), separators=(",", ":"))
    assert len(fits) <= 32768 < len(too_large)

    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=fits)
    code, message = _error(lambda: kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=too_large))
    assert code == "LimitExceededException" and "32768" in message
    assert kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"] == fits

    code, _ = _error(lambda: kms.create_key(Policy=too_large))
    assert code == "LimitExceededException"
