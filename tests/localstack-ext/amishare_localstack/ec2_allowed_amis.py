"""EC2 Allowed AMIs, per account and region (AWSEC2 UserGuide "ec2-allowed-amis"; EC2 API
GetAllowedImagesSettings, EnableAllowedImagesSettings, DisableAllowedImagesSettings,
ReplaceImageCriteriaInAllowedImagesSettings, ImageCriterion, Image "ImageAllowed"), which LocalStack's
EC2 provider does not implement:

- the state is `disabled` (the default: every AMI is allowed), `audit-mode` or `enabled`;
- an AMI is allowed when one criterion holds for it, and a criterion holds when every field it has
  does: ImageProviders (a 12-digit owner account, or the owner aliases `amazon`, `aws-marketplace`,
  `aws-backup-vault`; `none` allows no other account's AMIs), ImageNames (with `*` and `?`),
  MarketplaceProductCodes, CreationDateCondition.MaximumDaysSinceCreated,
  DeprecationTimeCondition.MaximumDaysSinceDeprecated; no criteria allow no other account's AMI;
- the account's own AMIs are never restricted ("The Allowed AMIs feature does not restrict the AMIs
  owned by your account");
- `enabled`: another account's AMI that is not allowed is not discoverable: DescribeImages leaves it
  out (and names the rest "ImageAllowed": true), RunInstances and CopyImage do not find it
  (InvalidAMIID.NotFound, as for an AMI not shared with the account: ec2_images.visible_images);
- `audit-mode`: nothing is restricted; DescribeImages flags each AMI with "ImageAllowed";
- `disabled`: DescribeImages carries no ImageAllowed.

ManagedBy is always `account` (declarative policies of Organizations are not modelled).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from localstack.aws.api import RequestContext, handler
from localstack.services.ec2.provider import Ec2Provider
from localstack.services.moto import call_moto
from localstack.utils.patch import Patch, Patches

from . import errors, policy

DISABLED, AUDIT_MODE, ENABLED = "disabled", "audit-mode", "enabled"
OWNER_ALIASES = ("amazon", "aws-marketplace", "aws-backup-vault")
OPERATIONS = {"GetAllowedImagesSettings", "EnableAllowedImagesSettings", "DisableAllowedImagesSettings",
              "ReplaceImageCriteriaInAllowedImagesSettings"}


@dataclass
class Settings:
    state: str = DISABLED
    criteria: list[dict] = field(default_factory=list)


_lock = threading.Lock()
_settings: dict[tuple[str, str], Settings] = {}


def settings(account: str, region: str) -> Settings:
    with _lock:
        return _settings.setdefault((account, region), Settings())


def _time(value) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _criterion_holds(criterion: dict, ami) -> bool:
    providers = criterion.get("ImageProviders")
    if providers:
        owner_alias = getattr(ami, "owner_alias", None)
        if not any(p == ami.owner_id or (p in OWNER_ALIASES and p == owner_alias) for p in providers if p != "none"):
            return False
    names = criterion.get("ImageNames")
    if names and not any(policy.wildcard_match(n, ami.name or "") for n in names):
        return False
    codes = criterion.get("MarketplaceProductCodes")
    if codes and not set(codes) & set(getattr(ami, "product_codes", None) or ()):
        return False
    now = datetime.now(timezone.utc)
    created = criterion.get("CreationDateCondition") or {}
    if created.get("MaximumDaysSinceCreated") is not None:
        creation = _time(ami.creation_date)
        if creation is None or now - creation > timedelta(days=int(created["MaximumDaysSinceCreated"])):
            return False
    deprecated = criterion.get("DeprecationTimeCondition") or {}
    if deprecated.get("MaximumDaysSinceDeprecated") is not None:
        deprecation = _time(getattr(ami, "deprecation_time", None))
        if deprecation is not None and deprecation < now and \
                now - deprecation > timedelta(days=int(deprecated["MaximumDaysSinceDeprecated"])):
            return False
    return True


def image_allowed(ami, account: str, region: str) -> bool:
    """Whether the account's criteria allow the AMI, whatever the state (what ImageAllowed shows)."""
    if ami.owner_id == account:
        return True
    return any(_criterion_holds(c, ami) for c in settings(account, region).criteria)


def discoverable(ami, account: str, region: str) -> bool:
    """False only for another account's AMI that the account's enabled criteria do not allow."""
    return settings(account, region).state != ENABLED or image_allowed(ami, account, region)


# ---- the four operations ---------------------------------------------------------------------------

@handler("GetAllowedImagesSettings", expand=False)
def get_allowed_images_settings(self, context: RequestContext, request: dict):
    current = settings(context.account_id, context.region)
    result = {"State": current.state, "ManagedBy": "account"}
    if current.criteria:
        result["ImageCriteria"] = [dict(c) for c in current.criteria]
    return result


@handler("EnableAllowedImagesSettings", expand=False)
def enable_allowed_images_settings(self, context: RequestContext, request: dict):
    state = request.get("AllowedImagesSettingsState")
    if state not in (ENABLED, AUDIT_MODE):
        raise errors.InvalidAllowedImagesState(value=state)
    current = settings(context.account_id, context.region)
    current.state = state
    return {"AllowedImagesSettingsState": state}


@handler("DisableAllowedImagesSettings", expand=False)
def disable_allowed_images_settings(self, context: RequestContext, request: dict):
    settings(context.account_id, context.region).state = DISABLED
    return {"AllowedImagesSettingsState": DISABLED}


def _criterion(request_criterion: dict) -> dict:
    """An ImageCriterionRequest as GetAllowedImagesSettings shows it (ImageCriterion)."""
    criterion = {}
    for key in ("ImageProviders", "ImageNames", "MarketplaceProductCodes"):
        if request_criterion.get(key):
            criterion[key] = list(request_criterion[key])
    for key in ("CreationDateCondition", "DeprecationTimeCondition"):
        if request_criterion.get(key):
            criterion[key] = dict(request_criterion[key])
    return criterion


@handler("ReplaceImageCriteriaInAllowedImagesSettings", expand=False)
def replace_image_criteria_in_allowed_images_settings(self, context: RequestContext, request: dict):
    criteria = [_criterion(c) for c in request.get("ImageCriteria") or []]
    for criterion in criteria:
        providers = criterion.get("ImageProviders") or []
        if "none" in providers and len(providers) > 1:
            # ImageCriterionRequest ImageProviders: "When none is specified, no other values can be specified."
            raise errors.InvalidImageCriteria(problem="none cannot be combined with other image providers")
    if len(criteria) > 10 or sum(len(c.get("ImageProviders") or []) for c in criteria) > 200:
        raise errors.InvalidImageCriteria(problem="at most 10 criteria and 200 image providers")
    settings(context.account_id, context.region).criteria = criteria
    return {"ReturnValue": True}


@handler("DescribeImages", expand=False)
def describe_images(self, context: RequestContext, request: dict):
    """moto's DescribeImages (already restricted to the discoverable AMIs, see ec2_images.visible_images),
    with ImageAllowed on each image while Allowed AMIs is enabled or in audit mode (EC2 API
    DescribeImages: "When Allowed AMIs is set to enabled, only allowed images are returned in the
    results, with the imageAllowed field set to true ... In audit-mode, ... false for images that don't
    meet the criteria")."""
    result = call_moto(context)
    account, region = context.account_id, context.region
    if settings(account, region).state == DISABLED:
        return result
    from .ec2_images import visible_images

    amis = {ami.id: ami for ami in visible_images(region, account)}
    for image in result.get("Images", []):
        ami = amis.get(image["ImageId"])
        if ami is not None:
            image["ImageAllowed"] = image_allowed(ami, account, region)
    return result


def patches() -> Patches:
    """Operations of Ec2Api that Ec2Provider does not override, set on Ec2Provider by name."""
    return Patches([
        Patch(Ec2Provider, "get_allowed_images_settings", get_allowed_images_settings),
        Patch(Ec2Provider, "enable_allowed_images_settings", enable_allowed_images_settings),
        Patch(Ec2Provider, "disable_allowed_images_settings", disable_allowed_images_settings),
        Patch(Ec2Provider, "replace_image_criteria_in_allowed_images_settings",
              replace_image_criteria_in_allowed_images_settings),
        Patch(Ec2Provider, "describe_images", describe_images),
    ])
