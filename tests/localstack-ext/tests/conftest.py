"""Shared fixtures: clients per account against the emulator, and builders for keys, AMIs and roles."""

import json
import os
import time
import uuid

import boto3
import pytest

ENDPOINT = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
OWNER, CONSUMER, THIRD = "111111111111", "222222222222", "333333333333"
REGION, OTHER_REGION = "us-east-1", "eu-west-1"
# the default organizations.json of the extension puts CONSUMER in this OU of this organization
ORG_ID, OU_PATH = "o-amishare01", "o-amishare01/r-ab12/ou-ab12-targets1/"


def client(service, account, region=REGION, **credentials):
    creds = credentials or {"aws_access_key_id": account, "aws_secret_access_key": "test"}
    return boto3.client(service, region_name=region, endpoint_url=ENDPOINT, **creds)


def wait_for(condition, timeout=30.0, interval=0.25, message="condition"):
    """Polls until condition() returns a truthy value (bounded; no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def customer_key(account, region=REGION, policy=None):
    kms = client("kms", account, region)
    args = {"Description": f"amishare test key {uuid.uuid4()}"}
    if policy:
        args["Policy"] = json.dumps(policy)
    return kms.create_key(**args)["KeyMetadata"]


def default_key_policy(account, extra_statements=()):
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*", "Resource": "*"},
        *extra_statements]}


def allow_account_to_use_key(owner, key_id, target_principal):
    """The key-policy statements AWS documents for sharing a key (EBS UserGuide "share-kms-key")."""
    kms = client("kms", owner)
    policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    policy["Statement"] += [
        {"Sid": "AllowUse", "Effect": "Allow", "Principal": {"AWS": target_principal},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
         "Resource": "*"},
        {"Sid": "AllowGrants", "Effect": "Allow", "Principal": {"AWS": target_principal},
         "Action": "kms:CreateGrant", "Resource": "*",
         "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
    ]
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(policy))


def image_with_volumes(account, key_ids, region=REGION):
    """An AMI with one EBS volume per entry: a key id encrypts it, None leaves it unencrypted."""
    ec2 = client("ec2", account, region)
    az = ec2.describe_availability_zones()["AvailabilityZones"][0]["ZoneName"]
    mappings = []
    for i, key_id in enumerate(key_ids):
        args = {"AvailabilityZone": az, "Size": 8}
        if key_id:
            args.update(Encrypted=True, KmsKeyId=key_id)
        volume = ec2.create_volume(**args)["VolumeId"]
        snapshot = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
        mappings.append({"DeviceName": "/dev/xvda" if i == 0 else f"/dev/xvd{chr(ord('b') + i - 1)}",
                         "Ebs": {"SnapshotId": snapshot, "VolumeSize": 8, "DeleteOnTermination": True}})
    return ec2.register_image(Name=f"amishare-{uuid.uuid4()}", Architecture="x86_64", RootDeviceName="/dev/xvda",
                              VirtualizationType="hvm", BlockDeviceMappings=mappings)["ImageId"]


def snapshot_ids(account, image_id, region=REGION):
    image = client("ec2", account, region).describe_images(ImageIds=[image_id])["Images"][0]
    return [m["Ebs"]["SnapshotId"] for m in image["BlockDeviceMappings"] if "Ebs" in m]


def share_image(owner, image_id, account, snapshots=True, region=REGION):
    ec2 = client("ec2", owner, region)
    ec2.modify_image_attribute(ImageId=image_id, LaunchPermission={"Add": [{"UserId": account}]})
    if snapshots:
        for snapshot in snapshot_ids(owner, image_id, region):
            ec2.modify_snapshot_attribute(SnapshotId=snapshot, Attribute="createVolumePermission",
                                          OperationType="add", UserIds=[account])


def role_session(account, policy_document, trust_principal=None, name=None):
    """A role in account with one inline policy, assumed by the account's root: credentials kwargs."""
    iam = client("iam", account)
    name = name or f"amishare-{uuid.uuid4().hex[:12]}"
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"AWS": trust_principal or f"arn:aws:iam::{account}:root"}}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=json.dumps(policy_document))
    creds = client("sts", account).assume_role(RoleArn=arn, RoleSessionName="test")["Credentials"]
    return arn, {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
                 "aws_session_token": creds["SessionToken"]}


def image_state(account, image_id, region=REGION):
    images = client("ec2", account, region).describe_images(ImageIds=[image_id])["Images"]
    return images[0]["State"] if images else None


def wait_settled(account, image_id, region=REGION):
    return wait_for(lambda: image_state(account, image_id, region) in ("available", "failed")
                    and image_state(account, image_id, region), message=f"{image_id} to settle")


def ami_state_change_events(account, region=REGION):
    """An EventBridge rule on the default bus of account/region that sends "EC2 AMI State Change"
    events to a new CloudWatch Logs group; returns a function image_id -> the event, or None."""
    logs, events = client("logs", account, region), client("events", account, region)
    group = f"/amishare/ami-events-{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)
    rule = f"ami-state-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["aws.ec2"],
                                                         "detail-type": ["EC2 AMI State Change"]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "logs", "Arn": f"arn:aws:logs:{region}:{account}:log-group:{group}"}])

    def event_for(image_id):
        for e in logs.filter_log_events(logGroupName=group).get("events", []):
            body = json.loads(e["message"])
            if body.get("detail", {}).get("ImageId") == image_id:
                return body
        return None

    return event_for


@pytest.fixture
def shared_key():
    """A customer-managed key of OWNER whose policy lets CONSUMER use it."""
    key = customer_key(OWNER)
    allow_account_to_use_key(OWNER, key["KeyId"], f"arn:aws:iam::{CONSUMER}:root")
    return key
