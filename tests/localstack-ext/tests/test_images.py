"""AMIs keep their real volumes (EC2 API RegisterImage/CreateImage/CreateVolume/CreateSnapshot)."""

import pytest
from botocore.exceptions import ClientError

from conftest import OWNER, client, customer_key, image_with_volumes


def test_create_snapshot_keeps_volume_encryption_under_key_arn():
    """EBS UserGuide "ebs-encryption": a snapshot of an encrypted volume is encrypted with the same
    key; EC2 returns the key as its ARN whatever form (id, alias) the request used."""
    key = customer_key(OWNER)
    kms = client("kms", OWNER)
    kms.create_alias(AliasName=f"alias/amishare-{key['KeyId'][:8]}", TargetKeyId=key["KeyId"])
    ec2 = client("ec2", OWNER)
    az = ec2.describe_availability_zones()["AvailabilityZones"][0]["ZoneName"]

    volume = ec2.create_volume(AvailabilityZone=az, Size=8, Encrypted=True,
                               KmsKeyId=f"alias/amishare-{key['KeyId'][:8]}")
    snapshot = ec2.create_snapshot(VolumeId=volume["VolumeId"])

    assert volume["KmsKeyId"] == key["Arn"]
    described = ec2.describe_snapshots(SnapshotIds=[snapshot["SnapshotId"]])["Snapshots"][0]
    assert described["Encrypted"] is True
    assert described["KmsKeyId"] == key["Arn"]


def test_encrypted_volume_without_key_uses_aws_managed_ebs_key():
    """EBS UserGuide "ebs-encryption" "default KMS key": Encrypted without KmsKeyId uses the account's
    AWS-managed key aws/ebs, created on first use."""
    ec2 = client("ec2", OWNER)
    az = ec2.describe_availability_zones()["AvailabilityZones"][0]["ZoneName"]
    volume = ec2.create_volume(AvailabilityZone=az, Size=8, Encrypted=True)
    key = client("kms", OWNER).describe_key(KeyId="alias/aws/ebs")["KeyMetadata"]
    assert volume["KmsKeyId"] == key["Arn"]
    assert key["KeyManager"] == "AWS"


def test_register_image_keeps_every_block_device_mapping_with_its_encryption():
    """EC2 API RegisterImage: the AMI's BlockDeviceMappings are those registered, each pointing to
    its snapshot with that snapshot's encryption and key."""
    key_a, key_b = customer_key(OWNER), customer_key(OWNER)
    image_id = image_with_volumes(OWNER, [key_a["KeyId"], key_b["Arn"], None])

    image = client("ec2", OWNER).describe_images(ImageIds=[image_id])["Images"][0]

    mappings = {m["DeviceName"]: m["Ebs"] for m in image["BlockDeviceMappings"]}
    assert list(mappings) == ["/dev/xvda", "/dev/xvdb", "/dev/xvdc"]
    assert mappings["/dev/xvda"]["Encrypted"] and mappings["/dev/xvda"]["KmsKeyId"] == key_a["Arn"]
    assert mappings["/dev/xvdb"]["Encrypted"] and mappings["/dev/xvdb"]["KmsKeyId"] == key_b["Arn"]
    assert mappings["/dev/xvdc"]["Encrypted"] is False
    assert all(m["VolumeSize"] == 8 for m in mappings.values())
    assert image["RootDeviceType"] == "ebs" and image["State"] == "available"


def test_register_image_refuses_a_snapshot_the_caller_does_not_own():
    """EC2 API RegisterImage: the snapshot must exist for the caller (InvalidSnapshot.NotFound)."""
    with pytest.raises(ClientError) as error:
        client("ec2", OWNER).register_image(
            Name="missing-snapshot", RootDeviceName="/dev/xvda",
            BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": "snap-0123456789abcdef0"}}])
    assert error.value.response["Error"]["Code"] == "InvalidSnapshot.NotFound"


def test_image_attribute_of_unknown_image_is_invalid_ami_id_not_found():
    """EC2 API DescribeImageAttribute/ModifyImageAttribute: an AMI id that does not exist answers
    InvalidAMIID.NotFound (400), not an internal error."""
    ec2 = client("ec2", OWNER)
    for call in (lambda: ec2.describe_image_attribute(ImageId="ami-0badc0ffee0000000", Attribute="launchPermission"),
                 lambda: ec2.modify_image_attribute(ImageId="ami-0badc0ffee0000000",
                                                    LaunchPermission={"Add": [{"UserId": "222222222222"}]})):
        with pytest.raises(ClientError) as error:
            call()
        assert error.value.response["Error"]["Code"] == "InvalidAMIID.NotFound"
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_instance_volumes_come_from_the_image_with_its_encryption():
    """AWSEC2 UserGuide "block-device-mapping-concepts"; EBS UserGuide "ebs-encryption": an instance
    gets one volume per EBS mapping of its AMI; volumes from encrypted snapshots are encrypted under
    the same key."""
    key = customer_key(OWNER)
    ec2 = client("ec2", OWNER)
    image_id = image_with_volumes(OWNER, [key["KeyId"], None])

    instance = ec2.run_instances(ImageId=image_id, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]

    volumes = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [instance]}])["Volumes"]
    by_device = {v["Attachments"][0]["Device"]: v for v in volumes}
    assert set(by_device) == {"/dev/xvda", "/dev/xvdb"}
    assert by_device["/dev/xvda"]["Encrypted"] and by_device["/dev/xvda"]["KmsKeyId"] == key["Arn"]
    assert by_device["/dev/xvdb"]["Encrypted"] is False


def test_create_image_snapshots_instance_volumes_with_their_encryption():
    """AWSEC2 UserGuide "creating-an-ami-ebs": CreateImage snapshots the instance's EBS volumes; an
    AMI from encrypted volumes has encrypted snapshots under the same key."""
    key = customer_key(OWNER)
    ec2 = client("ec2", OWNER)
    source = image_with_volumes(OWNER, [key["KeyId"]])
    instance = ec2.run_instances(ImageId=source, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]

    image_id = ec2.create_image(InstanceId=instance["InstanceId"], Name="from-instance")["ImageId"]

    image = ec2.describe_images(ImageIds=[image_id])["Images"][0]
    ebs = [m["Ebs"] for m in image["BlockDeviceMappings"] if "Ebs" in m]
    assert len(ebs) == 1 and ebs[0]["Encrypted"] and ebs[0]["KmsKeyId"] == key["Arn"]
    snapshot = ec2.describe_snapshots(SnapshotIds=[ebs[0]["SnapshotId"]])["Snapshots"][0]
    assert snapshot["OwnerId"] == OWNER and snapshot["KmsKeyId"] == key["Arn"]
