"""The emulator's request log (request_log.py): every AWS request it serves, counted by account,
region, service and operation at GET /_amishare/requests, reset by DELETE. Benchmarks count the owner's
mutating calls of one share from it."""

import requests
from botocore.exceptions import ClientError

from conftest import CONSUMER, ENDPOINT, OWNER, REGION, client, image_with_volumes

REQUESTS = f"{ENDPOINT}/_amishare/requests"


def _count(entries, account, service, operation, region=REGION):
    return sum(e["count"] for e in entries
               if (e["account"], e["region"], e["service"], e["operation"]) == (account, region, service, operation))


def test_requests_are_counted_by_account_region_service_and_operation():
    image_id = image_with_volumes(OWNER, [None])
    assert requests.delete(REQUESTS, timeout=10).status_code == 200
    ec2 = client("ec2", OWNER)
    for account in ("444455556666", "555566667777"):
        ec2.modify_image_attribute(ImageId=image_id, LaunchPermission={"Add": [{"UserId": account}]})
    client("ec2", CONSUMER, "eu-west-1").describe_images(Owners=["self"])
    try:  # a refused request is served too
        client("kms", OWNER).describe_key(KeyId="alias/amishare-no-such-key")
    except ClientError:
        pass

    entries = requests.get(REQUESTS, timeout=10).json()
    assert _count(entries, OWNER, "ec2", "ModifyImageAttribute") == 2
    assert _count(entries, CONSUMER, "ec2", "DescribeImages", region="eu-west-1") == 1
    assert _count(entries, CONSUMER, "ec2", "DescribeImages") == 0
    assert _count(entries, OWNER, "kms", "DescribeKey") == 1
    assert set(entries[0]) == {"account", "region", "service", "operation", "count"}


def test_reset_clears_the_counts_and_internal_false_keeps_client_requests_only():
    client("ec2", OWNER).describe_images(Owners=["self"])
    assert requests.delete(REQUESTS, timeout=10).status_code == 200
    assert _count(requests.get(REQUESTS, timeout=10).json(), OWNER, "ec2", "DescribeImages") == 0

    client("ec2", OWNER).describe_images(Owners=["self"])
    external = requests.get(REQUESTS, params={"internal": "false"}, timeout=10).json()
    assert _count(external, OWNER, "ec2", "DescribeImages") == 1
    assert all(e["internal"] is False for e in external)
