"""EC2 AMIs, volumes and snapshots as AWS keeps them: real block device mappings with their
encryption, cross-account visibility through launch and createVolumePermission, and the refusals
AWS makes when sharing.

moto (LocalStack's EC2) keeps one backend per account and region and gives every AMI one fake 15 GiB
unencrypted snapshot. Here an AMI keeps the mappings it was registered with (attribute
``amishare_mappings`` on moto's Ami), and lookups from account B also see account A's AMIs and
snapshots that A shared with B.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from datetime import datetime, timezone

from localstack.aws.api import RequestContext, handler
from localstack.services.ec2.provider import Ec2Provider
from localstack.services.moto import call_moto
from localstack.utils.patch import Patch, Patches
from moto.ec2.models import ec2_backends
from moto.ec2.models.amis import Ami, AmiBackend
from moto.ec2.models.elastic_block_store import EBSBackend, Snapshot
from moto.core.responses import EmptyResult
from moto.ec2.models.instances import StateReason
from moto.ec2.responses.elastic_block_store import ElasticBlockStore
from moto.ec2.utils import generic_filter, random_ami_id

from . import ec2_allowed_amis, errors, kms_access, org
from .identity import Caller, root

LOG = logging.getLogger(__name__)

# The caller of the EC2 request being served, set by the request handler in enforcement.py, so that
# moto-level code (which only knows the account) can check the caller's KMS access.
current_caller: ContextVar[Caller | None] = ContextVar("amishare_ec2_caller", default=None)


def caller_or_root(account: str) -> Caller:
    caller = current_caller.get()
    return caller if caller and caller.account == account else root(account)


def backends_in(region: str):
    """Every account's EC2 backend that exists in region (without creating new ones)."""
    for account in list(ec2_backends.keys()):
        per_region = ec2_backends[account]
        if dict.__contains__(per_region, region):
            yield per_region[region]


# ---- volumes and snapshots keep their KMS key ---------------------------------------------------

def resolve_volume_key(account: str, region: str, encrypted: bool, kms_key_id: str | None) -> str | None:
    """Key ARN for an encrypted volume: the named key (id, alias or ARN, stored as the key ARN as
    AWS does: EC2 API CreateVolume "KmsKeyId"), else the account's aws/ebs key
    (EBS UserGuide "ebs-encryption" "default KMS key")."""
    if kms_key_id and not encrypted:
        raise errors.KmsKeyIdNeedsEncrypted().in_moto()
    if not encrypted:
        return None
    if not kms_key_id or kms_key_id == "alias/aws/ebs":
        # Naming the alias is the same as naming no key: the AWS-managed key, created on first use.
        return kms_access.default_ebs_key(account, region).metadata["Arn"]
    return _require_key_use(kms_key_id, account, region)


def _require_key_use(key_ref: str, account: str, region: str) -> str:
    """The key's ARN when EC2 may use it for the current caller; EC2 errors otherwise."""
    try:
        key = kms_access.find_key(key_ref, account, region)
    except kms_access.KeyNotFound:
        raise errors.InvalidKmsKey(key_ref).in_moto()
    problem = kms_access.key_state_problem(key)
    if problem:
        raise errors.KeyNotUsable(problem=problem).in_moto()
    ok, reason = kms_access.ec2_can_use(caller_or_root(account), key, region)
    if not ok:
        raise errors.VolumeKeyNotAuthorized(key_arn=key.metadata["Arn"], reason=reason).in_moto()
    return key.metadata["Arn"]


def _create_volume(original, self, size, zone_name, snapshot_id=None, encrypted=False, kms_key_id=None, *args, **kwargs):
    source = None
    if snapshot_id:
        source = self.snapshots.get(snapshot_id) or _shared_snapshot(snapshot_id, self.region_name, self.account_id)
    if source is not None and source.encrypted:
        # a volume from an encrypted snapshot is encrypted, under the snapshot's key unless another
        # is named (EBS UserGuide "ebs-encryption" "encryption by default"/"restore")
        encrypted, kms_key_id = True, kms_key_id or source.kms_key_id
    if source is not None and source.encrypted and snapshot_id not in self.snapshots:
        _require_key_use(source.kms_key_id, self.account_id, self.region_name)  # to read the snapshot
    arn = resolve_volume_key(self.account_id, self.region_name, bool(encrypted), kms_key_id)
    if source is not None and snapshot_id not in self.snapshots:
        # another account's snapshot shared through createVolumePermission (EBS UserGuide
        # "ebs-modifying-snapshot-permissions"): moto only knows the caller's own snapshots
        volume = original(self, size or source.volume.size, zone_name, None, bool(encrypted), arn, *args, **kwargs)
        volume.snapshot_id = snapshot_id
        return volume
    return original(self, size, zone_name, snapshot_id, bool(encrypted), arn, *args, **kwargs)


def _shared_snapshot(snapshot_id: str, region: str, account: str) -> Snapshot | None:
    snapshot = find_snapshot(snapshot_id, region)
    return snapshot if snapshot is not None and may_create_volume(snapshot, account) else None


def _create_snapshot(original, self, volume_id, description, owner_id=None, from_ami=None):
    snapshot = original(self, volume_id, description, owner_id, from_ami)
    # a snapshot of an encrypted volume is encrypted under the same key (EBS UserGuide "ebs-encryption")
    snapshot.kms_key_id = snapshot.volume.kms_key_id if snapshot.volume.encrypted else None
    return snapshot


# ---- AMIs keep their block device mappings ---------------------------------------------------------

def _block_device_mappings(self: Ami) -> list[dict]:
    mappings = getattr(self, "amishare_mappings", None)
    if mappings is None:
        return _ORIGINAL_BDM.fget(self)
    return mappings


_ORIGINAL_BDM = Ami.block_device_mappings


def image_snapshot_ids(ami: Ami) -> list[str]:
    return [m["Ebs"]["SnapshotId"] for m in ami.block_device_mappings if m.get("Ebs", {}).get("SnapshotId")]


def find_snapshot(snapshot_id: str, region: str) -> Snapshot | None:
    for backend in backends_in(region):
        if snapshot_id in backend.snapshots:
            return backend.snapshots[snapshot_id]
    return None


def new_image(backend, name, description, architecture, virtualization_type, root_device_name,
              mappings: list[dict], state="available", **extra) -> Ami:
    """An Ami in backend with exactly these mappings (no moto placeholder snapshot)."""
    ami_id = random_ami_id()
    ami = Ami(backend, ami_id, name=name, description=description, architecture=architecture or "x86_64",
              virtualization_type=virtualization_type or "hvm", root_device_name=root_device_name or "/dev/xvda",
              root_device_type="ebs", state=state, hypervisor="xen", boot_mode="uefi-preferred", **extra)
    backend.snapshots.pop(ami.ebs_snapshot.id, None)  # moto's auto-created placeholder
    ami.amishare_mappings = mappings
    ami.state_reason = None
    backend.amis[ami_id] = ami
    return ami


def ebs_mapping(device_name: str, snapshot: Snapshot, ebs: dict | None = None) -> dict:
    ebs = ebs or {}
    mapping = {
        "DeviceName": device_name,
        "Ebs": {
            "SnapshotId": snapshot.id,
            "VolumeSize": int(ebs.get("VolumeSize") or snapshot.volume.size),
            "VolumeType": ebs.get("VolumeType") or "gp3",
            "DeleteOnTermination": bool(ebs.get("DeleteOnTermination", True)),
            "Encrypted": bool(snapshot.encrypted),
        },
    }
    if snapshot.encrypted and snapshot.kms_key_id:
        mapping["Ebs"]["KmsKeyId"] = snapshot.kms_key_id
    return mapping


@handler("RegisterImage", expand=False)
def register_image(self, context: RequestContext, request: dict):
    """RegisterImage keeps its BlockDeviceMappings; each EBS mapping must name a snapshot of the
    caller, whose encryption it inherits (EC2 API RegisterImage; AWSEC2 UserGuide
    "creating-an-ami-ebs#creating-launching-ami-from-snapshot")."""
    backend = ec2_backends[context.account_id][context.region]
    mappings = []
    for bdm in request.get("BlockDeviceMappings") or []:
        ebs = bdm.get("Ebs")
        if ebs is None or not ebs.get("SnapshotId"):
            mappings.append(dict(bdm))  # instance store, NoDevice, or an empty EBS volume
            continue
        snapshot = backend.snapshots.get(ebs["SnapshotId"])
        if snapshot is None:
            raise errors.SnapshotNotFound(snapshot_id=ebs["SnapshotId"])
        if ebs.get("Encrypted") is False and snapshot.encrypted:
            raise errors.EncryptedSnapshotVolume(snapshot_id=snapshot.id)
        mappings.append(ebs_mapping(bdm["DeviceName"], snapshot, ebs))
    if not mappings:
        return call_moto(context)
    ami = new_image(backend, request.get("Name"), request.get("Description"), request.get("Architecture"),
                    request.get("VirtualizationType"), request.get("RootDeviceName") or mappings[0]["DeviceName"],
                    mappings)
    for snapshot_id in image_snapshot_ids(ami):
        backend.snapshots[snapshot_id].from_ami = ami.id
    _tag(ami, request.get("TagSpecifications"), "image")
    return {"ImageId": ami.id}


def _tag(resource, tag_specifications, resource_type):
    for spec in tag_specifications or []:
        if spec.get("ResourceType") == resource_type:
            resource.add_tags({t["Key"]: t["Value"] for t in spec.get("Tags") or []})


@handler("CreateImage", expand=False)
def create_image(self, context: RequestContext, request: dict):
    """CreateImage snapshots each EBS volume of the instance, keeping its encryption
    (AWSEC2 UserGuide "creating-an-ami-ebs")."""
    result = call_moto(context)
    backend = ec2_backends[context.account_id][context.region]
    ami = backend.amis[result["ImageId"]]
    instance = backend.get_instance(request["InstanceId"])
    mappings = []
    for device, bdt in sorted(instance.block_device_mapping.items()):
        volume = backend.volumes.get(getattr(bdt, "volume_id", None))
        if volume is None:
            continue
        snapshot = backend.create_snapshot(volume.id, f"Created by CreateImage({instance.id}) for {ami.id}",
                                           from_ami=ami.id)
        mappings.append(ebs_mapping(device, snapshot, {"VolumeType": volume.volume_type or "gp3"}))
    if mappings:
        backend.snapshots.pop(ami.ebs_snapshot.id, None)
        ami.amishare_mappings = mappings
        ami.state_reason = None
    return result


# ---- who sees which AMI -------------------------------------------------------------------------------

def may_launch(ami: Ami, account: str) -> bool:
    """Launch permission: owner, the account itself, "all", or an organization/OU the account belongs
    to (AWSEC2 UserGuide "sharingamis-explicit", "share-amis-with-organizations-and-OUs")."""
    if ami.owner_id == account:
        return True
    org_arns = _org_arns(account)
    return any(p.get("Group") == "all" or _permission_names(p, account, org_arns) for p in ami.launch_permissions)


def _org_arns(account: str) -> set[str]:
    membership = org.membership(account)
    return membership.arns() if membership else set()


def _permission_names(permission: dict, account: str, org_arns: set[str]) -> bool:
    return (permission.get("UserId") == account or permission.get("OrganizationArn") in org_arns
            or permission.get("OrganizationalUnitArn") in org_arns)


def _explicitly_shared_with(ami: Ami, account: str) -> bool:
    if ami.owner_id == account:
        return False
    org_arns = _org_arns(account)
    return any(_permission_names(p, account, org_arns) for p in ami.launch_permissions)


def visible_images(region: str, account: str) -> list[Ami]:
    """The AMIs the account can discover in the region: its own, and those shared with it that its
    Allowed AMIs settings do not hide (ec2_allowed_amis.py)."""
    images = []
    for backend in backends_in(region):
        for ami in list(backend.amis.values()):
            if backend.account_id == account:
                images.append(ami)
            # moto copies Amazon's public AMIs into every backend: of another account's backend,
            # only that account's own AMIs count
            elif ami.owner_id == backend.account_id and may_launch(ami, account):
                images.append(ami)
    return [ami for ami in images if ec2_allowed_amis.discoverable(ami, account, region)]


def _exists_anywhere(image_id: str, region: str) -> bool:
    # moto does not validate AMI ids on RunInstances (ENABLE_AMI_VALIDATION off), and tests elsewhere
    # launch made-up ids; only AMIs that exist in another account are hidden.
    return any(image_id in backend.amis for backend in backends_in(region))


def find_visible_image(image_id: str, region: str, account: str) -> Ami | None:
    return next((ami for ami in visible_images(region, account) if ami.id == image_id), None)


def _describe_images(original, self, ami_ids=None, filters=None, exec_users=None, owners=None):
    """DescribeImages as seen by self.account_id: its own AMIs and those shared with it
    (AWSEC2 UserGuide "usingsharedamis-finding"; EC2 API DescribeImages ExecutableUsers/Owners)."""
    account = self.account_id
    images = visible_images(self.region_name, account)
    if ami_ids:
        malformed = [i for i in ami_ids if not i.startswith("ami-")]
        if malformed:
            return original(self, ami_ids=malformed)  # moto's InvalidAMIID.Malformed
        found = [ami for ami in images if ami.id in ami_ids]
        # any id that neither exists for the caller nor was deregistered (still accepted for a
        # while, as moto models it) is an error, as in AWS
        missing = [i for i in ami_ids if i not in {a.id for a in found} and i not in self.deleted_amis]
        if missing:
            raise errors.ImageNotFound(missing).in_moto()
        images = found
    if exec_users:
        # "self" or an account id: AMIs with an explicit launch permission for it (user, organization
        # or OU); "all": public AMIs (EC2 API DescribeImages "ExecutableUsers")
        users = {account if u == "self" else u for u in exec_users}
        images = [ami for ami in images if ("all" in users and ami.is_public) or any(
            _explicitly_shared_with(ami, u) for u in users if u != "all")]
    if owners:
        owners = [account if o == "self" else o for o in owners]
        images = [ami for ami in images if ami.owner_id in owners or ami.owner_alias in owners]
    if filters:
        images = generic_filter(filters, images)
    return images


def _owned_image(backend, ami_id: str) -> Ami:
    """The AMI for owner-only operations: InvalidAMIID.NotFound when it does not exist for the
    caller (instead of moto's KeyError -> 500), AuthFailure when it is someone else's shared AMI."""
    if ami_id in backend.amis:
        return backend.amis[ami_id]
    if find_visible_image(ami_id, backend.region_name, backend.account_id):
        raise errors.NotImageOwner(image_id=ami_id).in_moto()
    raise errors.ImageNotFound(ami_id).in_moto()


def _describe_image_attribute(original, self, ami_id, attribute_name):
    _owned_image(self, ami_id)
    return original(self, ami_id, attribute_name)


def _modify_image_attribute(original, self, ami_id, launch_permissions_to_add, launch_permissions_to_remove):
    ami = _owned_image(self, ami_id)
    if launch_permissions_to_add:
        for snapshot_id in image_snapshot_ids(ami):
            snapshot = self.snapshots.get(snapshot_id)
            if snapshot is not None and _under_aws_managed_key(snapshot):
                raise errors.ImageUnderAwsManagedKey().in_moto()
    return original(self, ami_id, launch_permissions_to_add, launch_permissions_to_remove)


def _under_aws_managed_key(snapshot: Snapshot) -> bool:
    if not snapshot.encrypted or not snapshot.kms_key_id:
        return False
    try:
        key = kms_access.find_key(snapshot.kms_key_id, snapshot.ec2_backend.account_id, snapshot.ec2_backend.region_name)
    except kms_access.KeyNotFound:
        return False
    return kms_access.is_aws_managed(key)


# ---- snapshots shared with createVolumePermission ----------------------------------------------------

def may_create_volume(snapshot: Snapshot, account: str) -> bool:
    """EBS UserGuide "ebs-modifying-snapshot-permissions": the owner, accounts named in
    createVolumePermission, or everyone when the group "all" is."""
    return (snapshot.owner_id == account or account in snapshot.create_volume_permission_userids
            or "all" in snapshot.create_volume_permission_groups)


def _add_create_volume_permission(original, self, snapshot_id, user_ids, groups):
    snapshot = self.get_snapshot(snapshot_id)
    if _under_aws_managed_key(snapshot):
        raise errors.SnapshotUnderAwsManagedKey().in_moto()
    return original(self, snapshot_id, user_ids, groups)


def _modify_snapshot_attribute(original, self):
    """EC2 API reference "ModifySnapshotAttribute": the permission change comes either as
    OperationType + UserId.N / UserGroup.N or as the CreateVolumePermission structure
    (CreateVolumePermission.Add.N.UserId / .Remove.N.UserId), which the AWS SDKs send. moto reads only
    the first form and silently ignores the second; both are applied here."""
    modifications = self._get_param("CreateVolumePermission") or {}
    if modifications:
        self.error_on_dryrun()
        snapshot_id = self._get_param("SnapshotId")
        for key, apply in (("Add", self.ec2_backend.add_create_volume_permission),
                           ("Remove", self.ec2_backend.remove_create_volume_permission)):
            entries = modifications.get(key) or []
            user_ids = [e["UserId"] for e in entries if e.get("UserId")]
            groups = [e["Group"] for e in entries if e.get("Group")]
            if user_ids or groups:
                apply(snapshot_id, user_ids=user_ids, groups=groups)
        return EmptyResult()
    return original(self)


@handler("DescribeSnapshots", expand=False)
def describe_snapshots(self, context: RequestContext, request: dict):
    """Own snapshots plus those others shared with the caller (EBS UserGuide
    "ebs-describing-snapshots"; EC2 API DescribeSnapshots OwnerIds, RestorableByUserIds)."""
    account = context.account_id
    snapshots = []
    for backend in backends_in(context.region):
        for snapshot in list(backend.snapshots.values()):
            if snapshot.owner_id == account or (backend.account_id != account and may_create_volume(snapshot, account)):
                snapshots.append(snapshot)
    ids = request.get("SnapshotIds") or []
    if ids:
        snapshots = [s for s in snapshots if s.id in ids]
        missing = set(ids) - {s.id for s in snapshots}
        if missing:
            raise errors.SnapshotNotFound(snapshot_id=sorted(missing)[0])
    owners = [account if o == "self" else o for o in request.get("OwnerIds") or []]
    if owners:
        snapshots = [s for s in snapshots if s.owner_id in owners]
    restorable = [account if u == "self" else u for u in request.get("RestorableByUserIds") or []]
    if restorable:
        snapshots = [s for s in snapshots if any(may_create_volume(s, u) for u in restorable)]
    if request.get("Filters"):
        filters = {f["Name"]: f.get("Values", []) for f in request["Filters"]}
        snapshots = generic_filter(filters, snapshots)
    return {"Snapshots": [snapshot_dict(s) for s in snapshots]}


def snapshot_dict(snapshot: Snapshot) -> dict:
    result = {
        "SnapshotId": snapshot.id,
        "VolumeId": snapshot.volume.id,
        "State": snapshot.status,
        "StartTime": _time(snapshot.start_time),
        "Progress": "100%" if snapshot.status == "completed" else "0%",
        "OwnerId": snapshot.owner_id,
        "VolumeSize": snapshot.volume.size,
        "Description": snapshot.description or "",
        "Encrypted": bool(snapshot.encrypted),
        "StorageTier": "standard",
        "Tags": [{"Key": t["key"], "Value": t["value"]} for t in snapshot.get_tags()],
    }
    if snapshot.encrypted and snapshot.kms_key_id:
        result["KmsKeyId"] = snapshot.kms_key_id
    return result


def _time(value) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(timezone.utc)


# ---- launching needs the key of every encrypted volume ----------------------------------------------

@handler("RunInstances", expand=False)
def run_instances(self, context: RequestContext, request: dict):
    """An instance from an AMI with encrypted volumes whose key the launching principal cannot use
    is accepted, then ends `terminated` with "Client.InternalError: Client error on launch"
    (AWS re:Post knowledge center "kms-iam-ec2-permission"; AWSEC2 UserGuide "troubleshooting-launch"
    "Instance terminates immediately")."""
    image_id = request.get("ImageId")
    ami = find_visible_image(image_id, context.region, context.account_id) if image_id else None
    if ami is None and image_id and _exists_anywhere(image_id, context.region):
        # another account's AMI not shared with the caller does not exist for it
        raise errors.ImageNotFound(image_id)
    result = call_moto(context)
    if ami is None:
        return result
    caller = caller_or_root(context.account_id)
    problem = None
    for mapping in ami.block_device_mappings:
        key_ref = mapping.get("Ebs", {}).get("KmsKeyId") if mapping.get("Ebs", {}).get("Encrypted") else None
        if not key_ref:
            continue
        try:
            key = kms_access.find_key(key_ref, context.account_id, context.region)
            ok, reason = kms_access.ec2_can_use(caller, key, context.region)
        except kms_access.KeyNotFound as e:
            ok, reason = False, str(e)
        if not ok:
            problem = reason
            break
    backend = ec2_backends[context.account_id][context.region]
    if not problem and not request.get("BlockDeviceMappings"):
        for described in result.get("Instances", []):
            _attach_image_volumes(backend, backend.get_instance(described["InstanceId"]), ami)
    if problem:
        LOG.info("amishare: instances from %s terminate on launch: %s", image_id, problem)
        for described in result.get("Instances", []):
            instance = backend.get_instance(described["InstanceId"])
            instance.terminate()
            instance.state_reason = StateReason("Client.InternalError: Client error on launch",
                                                 "Client.InternalError")
            instance._reason = ""
        for described in result.get("Instances", []):
            described["State"] = {"Code": 0, "Name": "pending"}
    return result


def _attach_image_volumes(backend, instance, ami: Ami):
    """The instance's volumes are the AMI's: one per EBS mapping, restored from its snapshot and
    encrypted under the same key (AWSEC2 UserGuide "block-device-mapping-concepts"; EBS UserGuide
    "ebs-encryption": volumes from encrypted snapshots are encrypted). moto gives every instance one
    unencrypted 8 GiB /dev/sda1 instead."""
    mappings = [m for m in ami.block_device_mappings if (m.get("Ebs") or {}).get("SnapshotId")]
    if not mappings or getattr(ami, "amishare_mappings", None) is None:
        return
    instance.teardown_defaults()
    for mapping in mappings:
        ebs = mapping["Ebs"]
        volume = backend.create_volume(size=ebs.get("VolumeSize") or 8, zone_name=instance._placement.zone,
                                       encrypted=bool(ebs.get("Encrypted")), kms_key_id=ebs.get("KmsKeyId"),
                                       volume_type=ebs.get("VolumeType") or "gp3")
        volume.snapshot_id = ebs["SnapshotId"]
        backend.attach_volume(volume.id, instance.id, mapping["DeviceName"], ebs.get("DeleteOnTermination", True))


def _ami_init(init, self, *args, **kwargs):
    # moto's Ami has no state_reason; only a failed copy sets one (ec2_copy.py)
    self.state_reason = None
    init(self, *args, **kwargs)


def patches() -> Patches:
    """moto's EBS and AMI backends are wrapped (each wrapper receives the original first); the
    Ec2Provider operations served here are replaced. Ec2Provider inherits those from Ec2Api, so they are
    set on Ec2Provider by name (Patch.function would set them on Ec2Api, where they are defined)."""
    return Patches([
        Patch.function(EBSBackend.create_volume, _create_volume),
        Patch.function(EBSBackend.create_snapshot, _create_snapshot),
        Patch.function(EBSBackend.add_create_volume_permission, _add_create_volume_permission),
        Patch.function(ElasticBlockStore.modify_snapshot_attribute, _modify_snapshot_attribute),
        Patch.function(AmiBackend.describe_images, _describe_images),
        Patch.function(AmiBackend.describe_image_attribute, _describe_image_attribute),
        Patch.function(AmiBackend.modify_image_attribute, _modify_image_attribute),
        Patch(Ami, "block_device_mappings", property(_block_device_mappings)),
        Patch.function(Ami.__init__, _ami_init),
        Patch(Ec2Provider, "register_image", register_image),
        Patch(Ec2Provider, "create_image", create_image),
        Patch(Ec2Provider, "describe_snapshots", describe_snapshots),
        Patch(Ec2Provider, "run_instances", run_instances),
    ])
