"""Cross-account sharing of encrypted AMIs, as AWS documents it (AWSEC2 UserGuide
"sharingamis-explicit", "CopyingAMIs", "how-ami-copy-works"; EBS UserGuide "share-kms-key")."""

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import (CONSUMER, OTHER_REGION, OWNER, REGION, THIRD, allow_account_to_use_key,
                      ami_state_change_events, client, customer_key, default_key_policy, image_state,
                      image_with_volumes, role_session, share_image, snapshot_ids, wait_for, wait_settled)


def _error(call):
    with pytest.raises(ClientError) as error:
        call()
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]


def _visible_to(account, image_id):
    ec2 = client("ec2", account)
    by_id = [i["ImageId"] for i in _images_or_empty(lambda: ec2.describe_images(ImageIds=[image_id]))]
    executable = [i["ImageId"] for i in ec2.describe_images(ExecutableUsers=["self"])["Images"]]
    owned_by_owner = [i["ImageId"] for i in ec2.describe_images(Owners=[OWNER])["Images"]]
    return image_id in by_id, image_id in executable, image_id in owned_by_owner


def _images_or_empty(call):
    try:
        return call()["Images"]
    except ClientError as e:
        assert e.response["Error"]["Code"] == "InvalidAMIID.NotFound"
        return []


# ---- visibility -----------------------------------------------------------------------------------

def test_image_is_not_visible_to_another_account_without_launch_permission(shared_key):
    """AWSEC2 UserGuide "sharingamis-explicit": without launch permission the AMI does not exist for
    the other account (InvalidAMIID.NotFound, not listed)."""
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    assert _visible_to(CONSUMER, image_id) == (False, False, False)
    code, _ = _error(lambda: client("ec2", CONSUMER).run_instances(ImageId=image_id, MinCount=1, MaxCount=1))
    assert code == "InvalidAMIID.NotFound"


def test_launch_permission_makes_image_visible_to_that_account_only(shared_key):
    """AWSEC2 UserGuide "sharingamis-explicit", "usingsharedamis-finding": ModifyImageAttribute
    LaunchPermission Add UserId shows the AMI to that account by id, ExecutableUsers=self and Owners."""
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER, snapshots=False)

    assert _visible_to(CONSUMER, image_id) == (True, True, True)
    assert _visible_to(THIRD, image_id) == (False, False, False)
    image = client("ec2", CONSUMER).describe_images(ImageIds=[image_id])["Images"][0]
    assert image["OwnerId"] == OWNER and image["Public"] is False


def test_launch_permission_for_an_organizational_unit_covers_its_accounts():
    """AWSEC2 UserGuide "share-amis-with-organizations-and-OUs": an OU ARN in the launch permission
    shares with every account of the OU (membership from the extension's organizations.json)."""
    image_id = image_with_volumes(OWNER, [None])
    ou_arn = f"arn:aws:organizations::{OWNER}:ou/o-amishare01/ou-ab12-targets1"
    client("ec2", OWNER).modify_image_attribute(
        ImageId=image_id, LaunchPermission={"Add": [{"OrganizationalUnitArn": ou_arn}]})

    assert _visible_to(CONSUMER, image_id)[0] is True
    assert _visible_to(THIRD, image_id)[0] is False


def test_public_image_is_visible_to_every_account():
    """AWSEC2 UserGuide "sharingamis-intro": LaunchPermission Group "all" makes the AMI public."""
    image_id = image_with_volumes(OWNER, [None])
    client("ec2", OWNER).modify_image_attribute(ImageId=image_id, LaunchPermission={"Add": [{"Group": "all"}]})
    assert _visible_to(THIRD, image_id)[0] is True


def test_create_volume_permission_makes_snapshot_visible_to_that_account(shared_key):
    """EBS UserGuide "ebs-modifying-snapshot-permissions": createVolumePermission shares the snapshot;
    the other account finds it by id and with RestorableByUserIds."""
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    snapshot = snapshot_ids(OWNER, image_id)[0]
    consumer = client("ec2", CONSUMER)
    assert _error(lambda: consumer.describe_snapshots(SnapshotIds=[snapshot]))[0] == "InvalidSnapshot.NotFound"

    client("ec2", OWNER).modify_snapshot_attribute(SnapshotId=snapshot, Attribute="createVolumePermission",
                                                   OperationType="add", UserIds=[CONSUMER])

    found = consumer.describe_snapshots(SnapshotIds=[snapshot])["Snapshots"][0]
    assert found["OwnerId"] == OWNER and found["KmsKeyId"] == shared_key["Arn"]
    restorable = consumer.describe_snapshots(RestorableByUserIds=["self"])["Snapshots"]
    assert snapshot in [s["SnapshotId"] for s in restorable]


def test_create_volume_permission_structure_as_sdks_send_it_shares_and_unshares(shared_key):
    """EC2 API reference "ModifySnapshotAttribute": the AWS SDKs send the change as the
    CreateVolumePermission structure (Add/Remove lists) rather than OperationType + UserIds; both
    forms change the snapshot's permissions."""
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    snapshot = snapshot_ids(OWNER, image_id)[0]
    owner = client("ec2", OWNER)

    owner.modify_snapshot_attribute(SnapshotId=snapshot, CreateVolumePermission={"Add": [{"UserId": CONSUMER}]})
    permissions = owner.describe_snapshot_attribute(SnapshotId=snapshot, Attribute="createVolumePermission")
    assert permissions["CreateVolumePermissions"] == [{"UserId": CONSUMER}]
    assert client("ec2", CONSUMER).describe_snapshots(SnapshotIds=[snapshot])["Snapshots"][0]["OwnerId"] == OWNER

    owner.modify_snapshot_attribute(SnapshotId=snapshot, CreateVolumePermission={"Remove": [{"UserId": CONSUMER}]})
    permissions = owner.describe_snapshot_attribute(SnapshotId=snapshot, Attribute="createVolumePermission")
    assert permissions["CreateVolumePermissions"] == []


# ---- copy and launch across accounts ----------------------------------------------------------------

def test_cross_account_copy_succeeds_under_consumer_key_when_everything_is_shared(shared_key):
    """AWSEC2 UserGuide "CopyingAMIs": with launch permission, createVolumePermission on every
    snapshot and the key shared, the target copies the AMI; the copy and its snapshots belong to the
    target and are encrypted under the key it named; pending, then available."""
    second_key = customer_key(OWNER)
    allow_account_to_use_key(OWNER, second_key["KeyId"], f"arn:aws:iam::{CONSUMER}:root")
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"], second_key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER)
    consumer_key = customer_key(CONSUMER)
    consumer = client("ec2", CONSUMER)

    copy_id = consumer.copy_image(SourceImageId=image_id, SourceRegion=REGION, Name="copy", Encrypted=True,
                                  KmsKeyId=consumer_key["KeyId"])["ImageId"]

    assert image_state(CONSUMER, copy_id) == "pending"
    assert wait_settled(CONSUMER, copy_id) == "available"
    copy = consumer.describe_images(ImageIds=[copy_id])["Images"][0]
    assert copy["OwnerId"] == CONSUMER
    ebs = [m["Ebs"] for m in copy["BlockDeviceMappings"]]
    assert len(ebs) == 2 and all(e["Encrypted"] and e["KmsKeyId"] == consumer_key["Arn"] for e in ebs)
    snapshots = consumer.describe_snapshots(SnapshotIds=[e["SnapshotId"] for e in ebs])["Snapshots"]
    assert all(s["OwnerId"] == CONSUMER and s["KmsKeyId"] == consumer_key["Arn"] and s["State"] == "completed"
               for s in snapshots)


def test_cross_account_launch_runs_when_key_is_shared(shared_key):
    """AWSEC2 UserGuide "sharingamis-explicit": launch permission plus key access is enough to launch;
    snapshots need not be shared for launching."""
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER, snapshots=False)
    ec2 = client("ec2", CONSUMER)

    instance = ec2.run_instances(ImageId=image_id, MinCount=1, MaxCount=1)["Instances"][0]

    state = ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"][0]["Instances"][0]["State"]
    assert state["Name"] in ("pending", "running")


def test_cross_account_launch_terminates_without_key_policy_access():
    """AWS re:Post "kms-iam-ec2-permission": launching an AMI whose key the account cannot use leaves
    the instance terminated with "Client.InternalError: Client error on launch"."""
    key = customer_key(OWNER)  # default key policy only: the consumer may not use it
    image_id = image_with_volumes(OWNER, [key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER)
    ec2 = client("ec2", CONSUMER)

    instance_id = ec2.run_instances(ImageId=image_id, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]

    instance = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert instance["State"]["Name"] == "terminated"
    assert instance["StateReason"] == {"Code": "Client.InternalError",
                                       "Message": "Client.InternalError: Client error on launch"}


def test_cross_account_copy_is_refused_without_key_policy_access():
    """EBS UserGuide "share-kms-key": the target can copy an encrypted shared AMI only when the key
    policy lets it use the key."""
    key = customer_key(OWNER)
    image_id = image_with_volumes(OWNER, [key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER)

    code, message = _error(lambda: client("ec2", CONSUMER).copy_image(
        SourceImageId=image_id, SourceRegion=REGION, Name="copy", Encrypted=True,
        KmsKeyId=customer_key(CONSUMER)["KeyId"]))
    assert code == "UnauthorizedOperation" and key["Arn"] in message


def test_cross_account_copy_is_refused_without_snapshot_permission_but_launch_works(shared_key):
    """AWSEC2 UserGuide "CopyingAMIs": copying a shared AMI needs createVolumePermission on its
    snapshots ("You do not have permission to access the storage of this ami"); launching does not."""
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER, snapshots=False)
    ec2 = client("ec2", CONSUMER)

    code, message = _error(lambda: ec2.copy_image(SourceImageId=image_id, SourceRegion=REGION, Name="copy",
                                                  Encrypted=True, KmsKeyId=customer_key(CONSUMER)["KeyId"]))
    assert code == "InvalidRequest" and "storage of this ami" in message
    instance_id = ec2.run_instances(ImageId=image_id, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    instance = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert instance["State"]["Name"] != "terminated"


def test_role_without_ec2_permission_gets_unauthorized_operation(shared_key):
    """IAM UserGuide "reference_policies_evaluation-logic": a role session whose policies do not allow
    ec2:CopyImage is denied (EC2 UnauthorizedOperation)."""
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER)
    _, creds = role_session(CONSUMER, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ec2:Describe*", "kms:*"], "Resource": "*"}]})
    ec2 = client("ec2", CONSUMER, **creds)

    assert ec2.describe_images(ImageIds=[image_id])["Images"]
    code, message = _error(lambda: ec2.copy_image(SourceImageId=image_id, SourceRegion=REGION, Name="copy",
                                                  Encrypted=True))
    assert code == "UnauthorizedOperation" and "ec2:CopyImage" in message


def test_role_without_kms_permission_gets_access_denied(shared_key):
    """KMS DeveloperGuide "key-policy-modifying-external-accounts": a principal of another account
    needs the key policy AND its own identity policy; without kms permissions in the role, KMS answers
    AccessDeniedException and EC2 cannot use the key for it."""
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER)
    _, creds = role_session(CONSUMER, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]})

    code, _ = _error(lambda: client("kms", CONSUMER, **creds).describe_key(KeyId=shared_key["Arn"]))
    assert code == "AccessDeniedException"
    code, _ = _error(lambda: client("ec2", CONSUMER, **creds).copy_image(
        SourceImageId=image_id, SourceRegion=REGION, Name="copy", Encrypted=True))
    assert code == "UnauthorizedOperation"


def test_role_with_ec2_and_kms_permissions_copies_the_shared_image(shared_key):
    """The happy path for an assumed role in the target: identity policy allows ec2 and kms, the key
    policy names the account root (KMS DeveloperGuide "key-policy-modifying-external-accounts")."""
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER)
    _, creds = role_session(CONSUMER, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ec2:*", "kms:*"], "Resource": "*"}]})

    copy_id = client("ec2", CONSUMER, **creds).copy_image(SourceImageId=image_id, SourceRegion=REGION,
                                                          Name="copy", Encrypted=True)["ImageId"]
    assert wait_settled(CONSUMER, copy_id) == "available"


# ---- what AWS refuses ------------------------------------------------------------------------------------

def test_snapshots_under_aws_managed_key_cannot_be_shared():
    """aws-facts.md (hashicorp/packer 7410, 7499): AMIs and snapshots encrypted with aws/ebs cannot be
    shared."""
    image_id = image_with_volumes(OWNER, ["alias/aws/ebs"])
    ec2 = client("ec2", OWNER)
    code, message = _error(lambda: ec2.modify_image_attribute(
        ImageId=image_id, LaunchPermission={"Add": [{"UserId": CONSUMER}]}))
    assert (code, message) == ("InvalidParameter", "Snapshots encrypted with the AWS Managed CMK can't be shared")
    code, message = _error(lambda: ec2.modify_snapshot_attribute(
        SnapshotId=snapshot_ids(OWNER, image_id)[0], Attribute="createVolumePermission", OperationType="add",
        UserIds=[CONSUMER]))
    assert (code, message) == ("OperationNotPermitted", "Encrypted snapshots with EBS default key cannot be shared")


def test_encrypted_image_cannot_be_copied_unencrypted(shared_key):
    """aws-facts.md (hashicorp/packer 6778), EC2 API CopyImage "Encrypted": an unencrypted copy of an
    encrypted snapshot is not supported."""
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    code, message = _error(lambda: client("ec2", OWNER).copy_image(
        SourceImageId=image_id, SourceRegion=REGION, Name="copy", Encrypted=False))
    assert code == "InvalidRequest" and "Creating an unencrypted copy from an encrypted snapshot is not supported" in message


# ---- CopyImage options ------------------------------------------------------------------------------------

def test_copy_image_with_same_client_token_returns_the_same_image():
    """EC2 DevGuide "ec2-api-idempotency": a repeated CopyImage with the same ClientToken returns the
    first copy instead of making a second one."""
    image_id = image_with_volumes(OWNER, [None])
    ec2 = client("ec2", OWNER)
    token = str(uuid.uuid4())
    first = ec2.copy_image(SourceImageId=image_id, SourceRegion=REGION, Name="copy", ClientToken=token)["ImageId"]
    second = ec2.copy_image(SourceImageId=image_id, SourceRegion=REGION, Name="copy", ClientToken=token)["ImageId"]
    assert first == second
    assert len(ec2.describe_images(Filters=[{"Name": "name", "Values": ["copy"]}], Owners=["self"])["Images"]) >= 1


def test_copy_image_tags_copies_the_source_tags():
    """EC2 API CopyImage "CopyImageTags": the copy gets the source AMI's user-defined tags."""
    image_id = image_with_volumes(OWNER, [None])
    ec2 = client("ec2", OWNER)
    ec2.create_tags(Resources=[image_id], Tags=[{"Key": "team", "Value": "golden"}])
    copy_id = ec2.copy_image(SourceImageId=image_id, SourceRegion=REGION, Name="tagged", CopyImageTags=True)["ImageId"]
    tags = ec2.describe_images(ImageIds=[copy_id])["Images"][0].get("Tags", [])
    assert {"Key": "team", "Value": "golden"} in tags


def test_encrypted_copy_without_key_uses_destination_aws_managed_key():
    """EC2 API CopyImage "KmsKeyId": with Encrypted and no key, the account's aws/ebs key is used."""
    image_id = image_with_volumes(OWNER, [None])
    ec2 = client("ec2", OWNER)
    copy_id = ec2.copy_image(SourceImageId=image_id, SourceRegion=REGION, Name="enc", Encrypted=True)["ImageId"]
    ebs_key = client("kms", OWNER).describe_key(KeyId="alias/aws/ebs")["KeyMetadata"]
    ebs = ec2.describe_images(ImageIds=[copy_id])["Images"][0]["BlockDeviceMappings"][0]["Ebs"]
    assert ebs["Encrypted"] and ebs["KmsKeyId"] == ebs_key["Arn"] and ebs_key["KeyManager"] == "AWS"


def test_cross_region_copy_lands_in_the_destination_region(shared_key):
    """AWSEC2 UserGuide "CopyingAMIs": CopyImage is called in the destination region with
    SourceRegion; the copy's snapshots live there, under a key of that region."""
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER)
    destination_key = customer_key(CONSUMER, OTHER_REGION)
    ec2 = client("ec2", CONSUMER, OTHER_REGION)

    copy_id = ec2.copy_image(SourceImageId=image_id, SourceRegion=REGION, Name="far", Encrypted=True,
                             KmsKeyId=destination_key["Arn"])["ImageId"]

    assert wait_settled(CONSUMER, copy_id, OTHER_REGION) == "available"
    ebs = ec2.describe_images(ImageIds=[copy_id])["Images"][0]["BlockDeviceMappings"][0]["Ebs"]
    assert ebs["KmsKeyId"] == destination_key["Arn"]
    assert ec2.describe_snapshots(SnapshotIds=[ebs["SnapshotId"]])["Snapshots"][0]["OwnerId"] == CONSUMER


def test_copy_fails_when_its_key_is_disabled_while_pending(shared_key):
    """AWSEC2 UserGuide "how-ami-copy-works": a copy whose KMS key becomes unusable ends `failed` with
    a state reason."""
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER)
    consumer_key = customer_key(CONSUMER)
    copy_id = client("ec2", CONSUMER).copy_image(SourceImageId=image_id, SourceRegion=REGION, Name="doomed",
                                                 Encrypted=True, KmsKeyId=consumer_key["KeyId"])["ImageId"]
    client("kms", CONSUMER).disable_key(KeyId=consumer_key["KeyId"])

    assert wait_settled(CONSUMER, copy_id) == "failed"
    image = client("ec2", CONSUMER).describe_images(ImageIds=[copy_id])["Images"][0]
    assert image["StateReason"]["Code"] == "Client.InvalidKMSKey.InvalidState"


def test_copy_fails_and_emits_failed_event_when_key_access_is_revoked_while_pending(shared_key):
    """AWSEC2 UserGuide "how-ami-copy-works", "monitor-ami-events": when the source key's policy stops
    allowing the target during the copy, the copy ends `failed` and the event says so."""
    event_for = ami_state_change_events(CONSUMER)
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER)
    copy_id = client("ec2", CONSUMER).copy_image(SourceImageId=image_id, SourceRegion=REGION, Name="revoked",
                                                 Encrypted=True)["ImageId"]
    client("kms", OWNER).put_key_policy(KeyId=shared_key["KeyId"], PolicyName="default",
                                        Policy=json.dumps(default_key_policy(OWNER)))

    assert wait_settled(CONSUMER, copy_id) == "failed"
    body = wait_for(lambda: event_for(copy_id), message="the failed EC2 AMI State Change event")
    assert body["detail"]["State"] == "failed" and shared_key["Arn"] in body["detail"]["ErrorMessage"]


def test_copy_emits_ami_state_change_event_on_the_default_bus():
    """AWSEC2 UserGuide "monitor-ami-events": when a copy settles, EventBridge receives source aws.ec2,
    detail-type "EC2 AMI State Change", detail {RequestId, ImageId, State, ErrorMessage}, on the
    default bus of the copy's account and region (caught here by a rule targeting a log group)."""
    event_for = ami_state_change_events(CONSUMER)
    image_id = image_with_volumes(CONSUMER, [None])

    copy_id = client("ec2", CONSUMER).copy_image(SourceImageId=image_id, SourceRegion=REGION, Name="evt")["ImageId"]

    body = wait_for(lambda: event_for(copy_id), message="the EC2 AMI State Change event")
    assert body["source"] == "aws.ec2" and body["detail-type"] == "EC2 AMI State Change"
    assert body["detail"]["State"] == "available" and body["detail"]["ErrorMessage"] == ""
    assert set(body["detail"]) == {"RequestId", "ImageId", "State", "ErrorMessage"}
    assert body["account"] == CONSUMER and body["region"] == REGION
    assert body["resources"] == [f"arn:aws:ec2:{REGION}::image/{copy_id}"]


def test_shared_snapshot_restores_to_a_volume_in_the_target_account(shared_key):
    """EBS UserGuide "ebs-modifying-snapshot-permissions": with createVolumePermission the target
    creates volumes from the snapshot; from an encrypted snapshot the volume is encrypted under the
    key the target names."""
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER)
    snapshot = snapshot_ids(OWNER, image_id)[0]
    consumer_key = customer_key(CONSUMER)
    ec2 = client("ec2", CONSUMER)
    az = ec2.describe_availability_zones()["AvailabilityZones"][0]["ZoneName"]

    volume = ec2.create_volume(AvailabilityZone=az, SnapshotId=snapshot, Encrypted=True,
                               KmsKeyId=consumer_key["KeyId"])

    assert volume["SnapshotId"] == snapshot and volume["KmsKeyId"] == consumer_key["Arn"]
    assert volume["Size"] == 8


def test_shared_snapshot_can_be_copied_into_the_target_under_its_key(shared_key):
    """EBS UserGuide "ebs-copy-snapshot": with createVolumePermission and access to the source key,
    the target copies the snapshot; the copy is its own, encrypted under the key it names."""
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER)
    snapshot = snapshot_ids(OWNER, image_id)[0]
    consumer_key = customer_key(CONSUMER)
    ec2 = client("ec2", CONSUMER)

    copy_id = ec2.copy_snapshot(SourceSnapshotId=snapshot, SourceRegion=REGION, Encrypted=True,
                                KmsKeyId=consumer_key["Arn"])["SnapshotId"]

    copy = ec2.describe_snapshots(SnapshotIds=[copy_id])["Snapshots"][0]
    assert copy["OwnerId"] == CONSUMER and copy["KmsKeyId"] == consumer_key["Arn"]
    unshared = snapshot_ids(OWNER, image_with_volumes(OWNER, [shared_key["KeyId"]]))[0]
    code, _ = _error(lambda: ec2.copy_snapshot(SourceSnapshotId=unshared, SourceRegion=REGION, Encrypted=True))
    assert code == "InvalidSnapshot.NotFound"


def test_dry_run_copy_answers_dry_run_operation_without_copying(shared_key):
    """EC2 API "CommonParameters" DryRun: an authorized request answers DryRunOperation and does nothing;
    an unauthorized one answers UnauthorizedOperation."""
    image_id = image_with_volumes(OWNER, [None])
    ec2 = client("ec2", OWNER)
    before = len(ec2.describe_images(Owners=["self"])["Images"])
    code, _ = _error(lambda: ec2.copy_image(SourceImageId=image_id, SourceRegion=REGION, Name="dry", DryRun=True))
    assert code == "DryRunOperation"
    assert len(ec2.describe_images(Owners=["self"])["Images"]) == before
    _, creds = role_session(OWNER, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]})
    code, _ = _error(lambda: client("ec2", OWNER, **creds).copy_image(
        SourceImageId=image_id, SourceRegion=REGION, Name="dry", DryRun=True))
    assert code == "UnauthorizedOperation"


def test_resource_tag_condition_scopes_image_and_snapshot_changes_to_tagged_resources(shared_key):
    """IAM UserGuide "reference_policies_condition-keys" (aws:ResourceTag) and EC2 UserGuide
    "control-access-with-tags": a role allowed ec2:ModifyImageAttribute / ModifySnapshotAttribute only
    on resources tagged amishare:managed=true may change the tagged AMI and snapshot, not untagged ones."""
    condition = {"StringEquals": {"aws:ResourceTag/amishare:managed": "true"}}
    _, creds = role_session(OWNER, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ec2:ModifyImageAttribute", "ec2:ModifySnapshotAttribute"],
         "Resource": ["arn:aws:ec2:*::image/*", "arn:aws:ec2:*::snapshot/*"], "Condition": condition}]})
    ec2 = client("ec2", OWNER, **creds)
    tagged, untagged = (image_with_volumes(OWNER, [shared_key["KeyId"]]) for _ in range(2))
    tagged_snapshot = snapshot_ids(OWNER, tagged)[0]
    client("ec2", OWNER).create_tags(Resources=[tagged, tagged_snapshot],
                                     Tags=[{"Key": "amishare:managed", "Value": "true"}])

    ec2.modify_image_attribute(ImageId=tagged, LaunchPermission={"Add": [{"UserId": CONSUMER}]})
    ec2.modify_snapshot_attribute(SnapshotId=tagged_snapshot, Attribute="createVolumePermission",
                                  OperationType="add", UserIds=[CONSUMER])
    code, message = _error(lambda: ec2.modify_image_attribute(
        ImageId=untagged, LaunchPermission={"Add": [{"UserId": CONSUMER}]}))
    assert code == "UnauthorizedOperation" and "ec2:ModifyImageAttribute" in message
    code, _ = _error(lambda: ec2.modify_snapshot_attribute(
        SnapshotId=snapshot_ids(OWNER, untagged)[0], Attribute="createVolumePermission",
        OperationType="add", UserIds=[CONSUMER]))
    assert code == "UnauthorizedOperation"
    assert client("ec2", CONSUMER).describe_images(ImageIds=[tagged])["Images"]


# ---- CopyImage authorization: source image, new image, tags ------------------------------------------------

AMISHARE_TAG_KEYS = ["amishare:source-image", "amishare:source-account", "amishare:copy-token"]


def _consumer_role_policy(owner, account, tag_keys=AMISHARE_TAG_KEYS):
    """The CopyImage and CreateTags statements of amishare's consumer role (infra ConsumerStack), with
    DescribeImages and KMS use."""
    images = "arn:aws:ec2:*::image/*"
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ec2:DescribeImages", "Resource": "*"},
        {"Effect": "Allow", "Action": "ec2:CopyImage", "Resource": images,
         "Condition": {"StringEquals": {"ec2:Owner": owner}}},
        {"Effect": "Allow", "Action": "ec2:CopyImage", "Resource": images,
         "Condition": {"StringEquals": {"aws:ResourceAccount": account}}},
        {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": [images, "arn:aws:ec2:*::snapshot/*"],
         "Condition": {"StringEquals": {"ec2:CreateAction": "CopyImage"},
                       "ForAllValues:StringEquals": {"aws:TagKeys": tag_keys}}},
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}


def _amishare_tags(image_id, extra=()):
    tags = [{"Key": "amishare:source-image", "Value": image_id}, {"Key": "amishare:source-account", "Value": OWNER},
            {"Key": "amishare:copy-token", "Value": uuid.uuid4().hex}, *extra]
    return [{"ResourceType": "image", "Tags": tags}, {"ResourceType": "snapshot", "Tags": tags}]


def test_consumer_role_copies_the_owners_image_tagged_with_amishare_keys(shared_key):
    """Service Authorization Reference "list_amazonec2" CopyImage, AWSEC2 UserGuide "copy-ami-permissions"
    (resource-level permissions on the source AMI since 28 October 2024) and "supported-iam-actions-tagging":
    ec2:CopyImage on the source image (ec2:Owner of the owner account) and on the new one
    (aws:ResourceAccount of the caller), ec2:CreateTags with ec2:CreateAction=CopyImage and
    ForAllValues:StringEquals aws:TagKeys; TagSpecifications tag the new AMI and its snapshots."""
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER)
    _, creds = role_session(CONSUMER, _consumer_role_policy(OWNER, CONSUMER))
    specs = _amishare_tags(image_id)

    copy_id = client("ec2", CONSUMER, **creds).copy_image(
        SourceImageId=image_id, SourceRegion=REGION, Name="copy", Encrypted=True, CopyImageTags=False,
        TagSpecifications=specs)["ImageId"]
    assert wait_settled(CONSUMER, copy_id) == "available"
    ec2 = client("ec2", CONSUMER)
    image = ec2.describe_images(ImageIds=[copy_id])["Images"][0]
    expected = {t["Key"]: t["Value"] for t in specs[0]["Tags"]}
    assert {t["Key"]: t["Value"] for t in image["Tags"]} == expected
    snapshot = ec2.describe_snapshots(SnapshotIds=snapshot_ids(CONSUMER, copy_id))["Snapshots"][0]
    assert {t["Key"]: t["Value"] for t in snapshot["Tags"]} == expected


def test_consumer_role_cannot_copy_an_image_of_another_account(shared_key):
    """ec2:Owner on the source image: a role allowed to copy the owner account's images is refused another
    account's image shared with it (UnauthorizedOperation naming the source image ARN); its own account is
    aws:ResourceAccount of the new image only."""
    key = customer_key(THIRD)
    allow_account_to_use_key(THIRD, key["KeyId"], f"arn:aws:iam::{CONSUMER}:root")
    image_id = image_with_volumes(THIRD, [key["KeyId"]])
    share_image(THIRD, image_id, CONSUMER)
    _, creds = role_session(CONSUMER, _consumer_role_policy(OWNER, CONSUMER))

    code, message = _error(lambda: client("ec2", CONSUMER, **creds).copy_image(
        SourceImageId=image_id, SourceRegion=REGION, Name="copy", Encrypted=True))
    assert code == "UnauthorizedOperation"
    assert (f"is not authorized to perform: ec2:CopyImage on resource: arn:aws:ec2:{REGION}::image/{image_id} "
            "because no identity-based policy allows the ec2:CopyImage action") in message


def test_consumer_role_cannot_tag_the_copy_with_another_key(shared_key):
    """ForAllValues:StringEquals aws:TagKeys (IAM UserGuide "reference_policies_condition-single-vs-multi-
    valued-context-keys"): every requested key must be in the policy's set; one other key refuses the
    CreateTags part of the copy, so nothing is copied. Without TagSpecifications no CreateTags is needed."""
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER)
    _, creds = role_session(CONSUMER, _consumer_role_policy(OWNER, CONSUMER))
    ec2 = client("ec2", CONSUMER, **creds)
    before = len(client("ec2", CONSUMER).describe_images(Owners=["self"])["Images"])

    code, message = _error(lambda: ec2.copy_image(
        SourceImageId=image_id, SourceRegion=REGION, Name="copy", Encrypted=True,
        TagSpecifications=_amishare_tags(image_id, [{"Key": "team", "Value": "x"}])))
    assert code == "UnauthorizedOperation"
    assert f"ec2:CreateTags on resource: arn:aws:ec2:{REGION}::image/*" in message
    assert len(client("ec2", CONSUMER).describe_images(Owners=["self"])["Images"]) == before
    untagged = ec2.copy_image(SourceImageId=image_id, SourceRegion=REGION, Name="plain", Encrypted=True)["ImageId"]
    assert wait_settled(CONSUMER, untagged) == "available"


def test_copy_image_needs_each_authorization_and_an_explicit_deny_wins(shared_key):
    """Each part of CopyImage is authorized on its own (IAM UserGuide "reference_policies_evaluation-logic"):
    the source image alone (ec2:Owner, ec2:Region, aws:ResourceTag of the source) is not enough without the
    new image (arn:aws:ec2:<region>::image/* with aws:ResourceAccount); a Deny of tagging snapshots refuses a
    copy with snapshot tags even though images may be tagged."""
    image_id = image_with_volumes(OWNER, [shared_key["KeyId"]])
    share_image(OWNER, image_id, CONSUMER)
    client("ec2", OWNER).create_tags(Resources=[image_id], Tags=[{"Key": "golden", "Value": "true"}])
    source_only = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ec2:CopyImage", "Resource": "arn:aws:ec2:*::image/*",
         "Condition": {"StringEquals": {"ec2:Owner": OWNER, "ec2:Region": REGION,
                                        "aws:ResourceTag/golden": "true"}}},
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
    _, creds = role_session(CONSUMER, source_only)
    code, message = _error(lambda: client("ec2", CONSUMER, **creds).copy_image(
        SourceImageId=image_id, SourceRegion=REGION, Name="copy", Encrypted=True))
    assert code == "UnauthorizedOperation" and f"ec2:CopyImage on resource: arn:aws:ec2:{REGION}::image/*" in message

    with_target = _consumer_role_policy(OWNER, CONSUMER)
    with_target["Statement"][1]["Condition"]["StringEquals"]["aws:ResourceTag/golden"] = "true"
    with_target["Statement"].append({"Effect": "Deny", "Action": "ec2:CreateTags", "Resource": "arn:aws:ec2:*::snapshot/*"})
    _, creds = role_session(CONSUMER, with_target)
    ec2 = client("ec2", CONSUMER, **creds)
    code, message = _error(lambda: ec2.copy_image(SourceImageId=image_id, SourceRegion=REGION, Name="copy",
                                                  Encrypted=True, TagSpecifications=_amishare_tags(image_id)))
    assert code == "UnauthorizedOperation"
    assert message.endswith(f"ec2:CreateTags on resource: arn:aws:ec2:{REGION}::snapshot/* with an explicit deny in "
                            "an identity-based policy")
    copy_id = ec2.copy_image(SourceImageId=image_id, SourceRegion=REGION, Name="copy", Encrypted=True,
                             TagSpecifications=_amishare_tags(image_id)[:1])["ImageId"]
    assert wait_settled(CONSUMER, copy_id) == "available"
