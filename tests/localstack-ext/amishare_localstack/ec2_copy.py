"""CopyImage as AWS does it: new snapshots owned by the caller in the destination region, encrypted
under the key it names, idempotent by ClientToken, `pending` then `available` or `failed`, with an
"EC2 AMI State Change" event on the default bus when it settles. CopySnapshot of own or shared
snapshots, with the same encryption rules.

Sources: AWSEC2 UserGuide "CopyingAMIs", "how-ami-copy-works" (copies of encrypted AMIs,
cross-account copies need createVolumePermission and key access), "monitor-ami-events" (event
shape), EC2 API CopyImage (Encrypted, KmsKeyId, CopyImageTags, ClientToken, SourceRegion).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from datetime import datetime, timezone

from localstack.aws.api import RequestContext, handler
from localstack.services.ec2.provider import Ec2Provider
from localstack.utils.patch import Patch, Patches
from moto.ec2.models import ec2_backends
from moto.ec2.models.elastic_block_store import Snapshot
from moto.ec2.utils import random_snapshot_id

from . import errors, kms_access
from .ec2_images import (
    caller_or_root,
    ebs_mapping,
    find_snapshot,
    find_visible_image,
    may_create_volume,
    new_image,
)
from .identity import Caller

LOG = logging.getLogger(__name__)


def copy_delay_seconds() -> float:
    return float(os.environ.get("AMISHARE_COPY_DELAY_SECONDS", "3"))


@handler("CopyImage", expand=False)
def copy_image(self, context: RequestContext, request: dict):
    caller = caller_or_root(context.account_id)
    region = context.region
    backend = ec2_backends[caller.account][region]

    # Idempotency: the same ClientToken returns the first copy's id (EC2 API CopyImage "ClientToken";
    # EC2 DevGuide "ec2-api-idempotency").
    tokens = backend.__dict__.setdefault("amishare_copy_tokens", {})
    token = request.get("ClientToken")
    if token and token in tokens:
        return {"ImageId": tokens[token]}

    source_region = request.get("SourceRegion") or region
    source = find_visible_image(request["SourceImageId"], source_region, caller.account)
    if source is None:
        raise errors.ImageNotFound(request["SourceImageId"])

    encrypted = request.get("Encrypted")
    key_ref = request.get("KmsKeyId")
    if key_ref and not encrypted:
        raise errors.KmsKeyIdNeedsEncrypted()
    destination_key = _destination_key(caller, region, key_ref) if encrypted else None

    cross_account = source.owner_id != caller.account
    sources = []
    for mapping in source.block_device_mappings:
        ebs = mapping.get("Ebs") or {}
        if not ebs.get("SnapshotId"):
            sources.append((mapping, None))
            continue
        snapshot = find_snapshot(ebs["SnapshotId"], source_region)
        if snapshot is None:
            raise errors.SnapshotNotFound(snapshot_id=ebs["SnapshotId"])
        if cross_account and not may_create_volume(snapshot, caller.account):
            raise errors.NoAccessToImageStorage()
        if snapshot.encrypted and encrypted is False:
            raise errors.NoUnencryptedCopy(snapshot_id=snapshot.id)
        sources.append((mapping, snapshot))

    # The caller must be able to use every key involved: the source snapshots' keys (to read) and the
    # destination key (EBS UserGuide "ebs-encryption-requirements"; AWSEC2 UserGuide "sharingamis-explicit").
    for problem in _key_problems(caller, region, source_region, sources, destination_key):
        raise errors.CopyKeyNotAuthorized(problem=problem)

    copies = []
    for mapping, snapshot in sources:
        if snapshot is None:
            copies.append(dict(mapping))
            continue
        key_arn = _copy_key_arn(caller, region, source_region, snapshot, destination_key)
        copy = Snapshot(backend, random_snapshot_id(), volume=snapshot.volume, description="",
                        encrypted=bool(key_arn), kms_key_id=key_arn, owner_id=caller.account)
        copy.status = "pending"
        backend.snapshots[copy.id] = copy
        copies.append(ebs_mapping(mapping["DeviceName"], copy, mapping.get("Ebs")))

    ami = new_image(backend, request.get("Name") or source.name, request.get("Description", source.description),
                    source.architecture, source.virtualization_type, source.root_device_name, copies, state="pending")
    ami.source_image_id = source.id
    ami.source_image_region = source_region
    for mapping in copies:
        snapshot_id = (mapping.get("Ebs") or {}).get("SnapshotId")
        if snapshot_id:
            backend.snapshots[snapshot_id].from_ami = ami.id
            backend.snapshots[snapshot_id].description = (
                f"Copied for DestinationAmi {ami.id} from SourceAmi {source.id} for SourceSnapshot "
                f"{_source_snapshot_of(sources, mapping)}. Task created on {datetime.now(timezone.utc):%Y-%m-%d}.")
    if request.get("CopyImageTags"):
        # CopyImageTags copies the source AMI's user-defined tags (EC2 API CopyImage)
        ami.add_tags({t["key"]: t["value"] for t in source.get_tags()})
    # TagSpecifications tag the new AMI (ResourceType image) and its new snapshots (snapshot) (EC2 API
    # CopyImage "TagSpecifications"); enforcement.py authorized ec2:CreateTags for them
    new_snapshots = [backend.snapshots[m["Ebs"]["SnapshotId"]] for m in copies if (m.get("Ebs") or {}).get("SnapshotId")]
    for spec in request.get("TagSpecifications") or []:
        tags = {t["Key"]: t["Value"] for t in spec.get("Tags") or []}
        if spec.get("ResourceType") == "image":
            ami.add_tags(tags)
        elif spec.get("ResourceType") == "snapshot":
            for snapshot in new_snapshots:
                snapshot.add_tags(tags)
    if token:
        tokens[token] = ami.id

    timer = threading.Timer(copy_delay_seconds(), _complete, args=(caller, region, source_region, ami.id, sources,
                                                                    destination_key, context.request_id))
    timer.daemon = True
    timer.start()
    return {"ImageId": ami.id}


def _source_snapshot_of(sources, mapping) -> str:
    for source_mapping, snapshot in sources:
        if snapshot is not None and source_mapping.get("DeviceName") == mapping.get("DeviceName"):
            return snapshot.id
    return ""


def _destination_key(caller: Caller, region: str, key_ref: str | None):
    """The key named by KmsKeyId, else the destination account's aws/ebs key (EC2 API CopyImage
    "KmsKeyId": "If this parameter is not specified, your AWS managed KMS key for Amazon EBS is used")."""
    if not key_ref:
        return kms_access.default_ebs_key(caller.account, region)
    try:
        return kms_access.find_key(key_ref, caller.account, region)
    except kms_access.KeyNotFound:
        raise errors.InvalidKmsKey(key_ref, region)


def _copy_key_arn(caller, region, source_region, snapshot, destination_key) -> str | None:
    if destination_key is not None:
        return destination_key.metadata["Arn"]
    if not snapshot.encrypted:
        return None
    # No key named: same account and region keep the source key; otherwise the destination's
    # aws/ebs key ("how-ami-copy-works" encryption table).
    if snapshot.owner_id == caller.account and source_region == region:
        return snapshot.kms_key_id
    return kms_access.default_ebs_key(caller.account, region).metadata["Arn"]


def _key_problems(caller: Caller, region: str, source_region: str, sources, destination_key) -> list[str]:
    keys = []
    for _, snapshot in sources:
        if snapshot is not None and snapshot.encrypted and snapshot.kms_key_id:
            keys.append((snapshot.kms_key_id, source_region))
    if destination_key is not None:
        keys.append((destination_key.metadata["Arn"], region))
    problems = []
    for key_ref, key_region in dict.fromkeys(keys):
        try:
            key = kms_access.find_key(key_ref, caller.account, key_region)
        except kms_access.KeyNotFound as e:
            problems.append(str(e))
            continue
        if kms_access.key_state_problem(key):
            continue  # accepted, then the copy fails (see _complete), as AWS does for key state
        ok, reason = kms_access.ec2_can_use(caller, key, key_region)
        if not ok:
            problems.append(reason)
    return problems


def _complete(caller: Caller, region: str, source_region: str, image_id: str, sources, destination_key, request_id):
    """Settles a copy: `available`, or `failed` when a key became unusable meanwhile (disabled,
    pending deletion, access revoked); then emits the state-change event."""
    backend = ec2_backends[caller.account][region]
    ami = backend.amis.get(image_id)
    if ami is None:
        return
    problems = []
    for key_ref, key_region in _keys(sources, destination_key, source_region, region):
        try:
            key = kms_access.find_key(key_ref, caller.account, key_region)
        except kms_access.KeyNotFound as e:
            problems.append(str(e))
            continue
        ok, reason = kms_access.ec2_can_use(caller, key, key_region)
        if not ok:
            problems.append(reason)
    snapshots = [backend.snapshots.get(m["Ebs"]["SnapshotId"]) for m in ami.block_device_mappings
                 if (m.get("Ebs") or {}).get("SnapshotId")]
    if problems:
        ami.state = "failed"
        message = f"Client.InvalidKMSKey.InvalidState: The KMS key provided is not usable: {problems[0]}"
        ami.state_reason = _StateReason("Client.InvalidKMSKey.InvalidState", message)
        for snapshot in snapshots:
            if snapshot is not None:
                snapshot.status = "error"
    else:
        ami.state = "available"
        for snapshot in snapshots:
            if snapshot is not None:
                snapshot.status = "completed"
    LOG.info("amishare: copy %s in %s/%s is %s", image_id, caller.account, region, ami.state)
    put_state_change_event(caller.account, region, image_id, ami.state,
                           ami.state_reason.message if ami.state == "failed" else "", request_id)


class _StateReason:
    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message


def _keys(sources, destination_key, source_region, region):
    keys = [(s.kms_key_id, source_region) for _, s in sources if s is not None and s.encrypted and s.kms_key_id]
    if destination_key is not None:
        keys.append((destination_key.metadata["Arn"], region))
    return list(dict.fromkeys(keys))


def put_state_change_event(account: str, region: str, image_id: str, state: str, error: str, request_id: str | None):
    """EventBridge "EC2 AMI State Change" on the default bus of the copy's account and region
    (AWSEC2 UserGuide "monitor-ami-events": detail {RequestId, ImageId, State, ErrorMessage})."""
    from localstack.aws.connect import connect_to

    detail = {"RequestId": request_id or str(uuid.uuid4()), "ImageId": image_id, "State": state,
              "ErrorMessage": error}
    try:
        events = connect_to(aws_access_key_id=account, region_name=region).events
        events.put_events(Entries=[{
            "Source": "aws.ec2",
            "DetailType": "EC2 AMI State Change",
            "Detail": json.dumps(detail),
            "Resources": [f"arn:aws:ec2:{region}::image/{image_id}"],
            "EventBusName": "default",
        }])
    except Exception:  # noqa: BLE001 - events are best effort, as in AWS
        LOG.exception("amishare: could not put the EC2 AMI State Change event for %s", image_id)


@handler("CopySnapshot", expand=False)
def copy_snapshot(self, context: RequestContext, request: dict):
    """CopySnapshot of the caller's own snapshot or one shared with it through createVolumePermission,
    into the caller's account and the request's region (EBS UserGuide "ebs-copy-snapshot": copying a
    shared encrypted snapshot needs access to its key; the copy is encrypted under KmsKeyId, else the
    source key for a same-account same-region copy, else the account's aws/ebs key)."""
    caller = caller_or_root(context.account_id)
    region = context.region
    backend = ec2_backends[caller.account][region]
    source_region = request.get("SourceRegion") or region
    source = find_snapshot(request["SourceSnapshotId"], source_region)
    if source is None or not may_create_volume(source, caller.account):
        raise errors.SnapshotNotFound(snapshot_id=request["SourceSnapshotId"])
    encrypted, key_ref = request.get("Encrypted"), request.get("KmsKeyId")
    if key_ref and not encrypted:
        raise errors.KmsKeyIdNeedsEncrypted()
    if source.encrypted and encrypted is False:
        raise errors.NoUnencryptedCopy(snapshot_id=source.id)
    destination_key = _destination_key(caller, region, key_ref) if encrypted else None
    for problem in _key_problems(caller, region, source_region, [({}, source)], destination_key):
        raise errors.CopyKeyNotAuthorized(problem=problem)
    key_arn = _copy_key_arn(caller, region, source_region, source, destination_key)
    copy = Snapshot(backend, random_snapshot_id(), volume=source.volume,
                    description=request.get("Description") or f"[Copied {source.id} from {source_region}]",
                    encrypted=bool(key_arn), kms_key_id=key_arn, owner_id=caller.account)
    backend.snapshots[copy.id] = copy
    for spec in request.get("TagSpecifications") or []:
        if spec.get("ResourceType") == "snapshot":
            copy.add_tags({t["Key"]: t["Value"] for t in spec.get("Tags") or []})
    return {"SnapshotId": copy.id}


def patches() -> Patches:
    # set on Ec2Provider by name: it inherits both operations from Ec2Api (see ec2_images.patches)
    return Patches([
        Patch(Ec2Provider, "copy_image", copy_image),
        Patch(Ec2Provider, "copy_snapshot", copy_snapshot),
    ])
