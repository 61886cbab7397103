"""EC2 Allowed AMIs per account and region (ec2_allowed_amis.py; AWSEC2 UserGuide "ec2-allowed-amis",
EC2 API EnableAllowedImagesSettings, ReplaceImageCriteriaInAllowedImagesSettings, DescribeImages
"ImageAllowed"). The settings live as long as the emulator, so every test uses an account of its own
settings and leaves them disabled."""

import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import OTHER_REGION, OWNER, REGION, THIRD, client, image_with_volumes, share_image

TARGET = "888888888888"  # its Allowed AMIs settings are changed here only


@pytest.fixture
def target_ec2():
    ec2 = client("ec2", TARGET)
    yield ec2
    ec2.disable_allowed_images_settings()
    ec2.replace_image_criteria_in_allowed_images_settings(ImageCriteria=[])


@pytest.fixture
def shared_image():
    image_id = image_with_volumes(OWNER, [None])
    share_image(OWNER, image_id, TARGET)
    return image_id


def _code(call):
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"]


def _own_image(ec2):
    return ec2.register_image(Name=f"own-{uuid.uuid4()}", Architecture="x86_64", RootDeviceName="/dev/xvda",
                              VirtualizationType="hvm",
                              BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}])["ImageId"]


def test_settings_are_disabled_by_default_and_kept_per_account_and_region(target_ec2, shared_image):
    """GetAllowedImagesSettings: "disabled: All AMIs are allowed"; settings are per Region."""
    assert target_ec2.get_allowed_images_settings()["State"] == "disabled"
    image = target_ec2.describe_images(ImageIds=[shared_image])["Images"][0]
    assert "ImageAllowed" not in image

    assert target_ec2.enable_allowed_images_settings(AllowedImagesSettingsState="enabled")[
        "AllowedImagesSettingsState"] == "enabled"
    assert target_ec2.replace_image_criteria_in_allowed_images_settings(
        ImageCriteria=[{"ImageProviders": [THIRD, "amazon"]}])["ReturnValue"] is True
    settings = target_ec2.get_allowed_images_settings()
    assert (settings["State"], settings["ManagedBy"]) == ("enabled", "account")
    assert settings["ImageCriteria"] == [{"ImageProviders": [THIRD, "amazon"]}]
    assert client("ec2", TARGET, OTHER_REGION).get_allowed_images_settings()["State"] == "disabled"
    assert client("ec2", THIRD).get_allowed_images_settings()["State"] == "disabled"

    assert target_ec2.disable_allowed_images_settings()["AllowedImagesSettingsState"] == "disabled"
    assert target_ec2.get_allowed_images_settings()["State"] == "disabled"


def test_enabled_hides_other_owners_images_no_criterion_allows_from_describe_launch_and_copy(target_ec2, shared_image):
    """EnableAllowedImagesSettings "enabled": only AMIs matching the criteria are discoverable and can be
    used; DescribeImages returns only allowed images, with imageAllowed true. An AMI that is not
    discoverable is not found by RunInstances and CopyImage either."""
    own = _own_image(target_ec2)
    target_ec2.replace_image_criteria_in_allowed_images_settings(ImageCriteria=[{"ImageProviders": [THIRD]}])
    target_ec2.enable_allowed_images_settings(AllowedImagesSettingsState="enabled")

    listed = {i["ImageId"]: i for i in target_ec2.describe_images(ExecutableUsers=["self"])["Images"]}
    assert shared_image not in listed
    assert _code(lambda: target_ec2.describe_images(ImageIds=[shared_image])) == "InvalidAMIID.NotFound"
    assert _code(lambda: target_ec2.run_instances(ImageId=shared_image, MinCount=1, MaxCount=1)) == \
        "InvalidAMIID.NotFound"
    assert _code(lambda: target_ec2.copy_image(SourceImageId=shared_image, SourceRegion=REGION, Name="copy")) == \
        "InvalidAMIID.NotFound"
    # the account's own AMIs are never restricted
    assert target_ec2.describe_images(ImageIds=[own])["Images"][0]["ImageAllowed"] is True

    target_ec2.replace_image_criteria_in_allowed_images_settings(ImageCriteria=[{"ImageProviders": [OWNER]}])
    image = target_ec2.describe_images(ImageIds=[shared_image])["Images"][0]
    assert image["ImageAllowed"] is True
    launched = target_ec2.run_instances(ImageId=shared_image, MinCount=1, MaxCount=1)["Instances"][0]
    assert launched["ImageId"] == shared_image


def test_audit_mode_flags_images_without_restricting_them(target_ec2, shared_image):
    """EnableAllowedImagesSettings "audit-mode": no restriction; each AMI shows ImageAllowed true or
    false as it would be with the criteria enabled."""
    allowed = image_with_volumes(THIRD, [None])
    share_image(THIRD, allowed, TARGET)
    target_ec2.replace_image_criteria_in_allowed_images_settings(ImageCriteria=[{"ImageProviders": [THIRD]}])
    target_ec2.enable_allowed_images_settings(AllowedImagesSettingsState="audit-mode")

    images = {i["ImageId"]: i for i in target_ec2.describe_images(ImageIds=[shared_image, allowed])["Images"]}
    assert (images[shared_image]["ImageAllowed"], images[allowed]["ImageAllowed"]) == (False, True)
    assert target_ec2.run_instances(ImageId=shared_image, MinCount=1, MaxCount=1)["Instances"]


def test_image_names_and_the_amazon_provider_are_criteria_too(target_ec2, shared_image):
    """ImageCriterion: ImageProviders "amazon" (AMIs Amazon publishes, owner alias amazon) and ImageNames
    with wildcards; all fields of a criterion must hold, any criterion may."""
    name = target_ec2.describe_images(ImageIds=[shared_image])["Images"][0]["Name"]
    target_ec2.enable_allowed_images_settings(AllowedImagesSettingsState="enabled")
    target_ec2.replace_image_criteria_in_allowed_images_settings(ImageCriteria=[{"ImageProviders": [OWNER],
                                                                                 "ImageNames": ["golden-*"]}])
    assert target_ec2.describe_images(Owners=["amazon"])["Images"] == []
    assert shared_image not in {i["ImageId"] for i in target_ec2.describe_images(ExecutableUsers=["self"])["Images"]}

    target_ec2.replace_image_criteria_in_allowed_images_settings(ImageCriteria=[
        {"ImageProviders": ["amazon"]}, {"ImageProviders": [OWNER], "ImageNames": [name[:12] + "*"]}])
    amazon = target_ec2.describe_images(Owners=["amazon"])["Images"]
    assert amazon and all(i["ImageAllowed"] for i in amazon)
    assert target_ec2.describe_images(ImageIds=[shared_image])["Images"][0]["ImageAllowed"] is True


def test_none_cannot_be_combined_with_other_providers(target_ec2):
    """ImageCriterionRequest ImageProviders: "When none is specified, no other values can be specified"."""
    assert _code(lambda: target_ec2.replace_image_criteria_in_allowed_images_settings(
        ImageCriteria=[{"ImageProviders": ["none", OWNER]}])) == "InvalidParameterValue"
    assert "ImageCriteria" not in target_ec2.get_allowed_images_settings()
