"""SSM SecureString parameters under a customer-managed KMS key: Parameter Store uses the key as the
caller, so the caller must be allowed to use it, by the key policy and (where the key policy
delegates to IAM) its identity policy, with kms:ViaService = ssm.<region>.amazonaws.com and the
encryption context PARAMETER_ARN in the request (Systems Manager UserGuide
"secure-string-parameter-kms-encryption"; KMS DeveloperGuide "services-parameter-store"):

- PutParameter Type=SecureString with a KeyId: kms:Encrypt for a standard parameter, kms:GenerateDataKey
  for an advanced one (envelope encryption);
- GetParameter / GetParameters WithDecryption of such a parameter: kms:Decrypt.

The AWS managed key aws/ssm (the default) needs nothing beyond the SSM permission: its key policy
allows every principal of the account through SSM (Systems Manager UserGuide
"sysman-paramstore-access"). The decision is kms_access.authorize, as for direct KMS calls.
"""

from __future__ import annotations

import uuid

from localstack.aws.api import RequestContext
from localstack.services.ssm.provider import SsmProvider

from . import errors, kms_access
from .identity import Caller
from .service_resources import parameter_arn


def _key_context(context: RequestContext, name: str) -> dict:
    return {"kms:viaservice": f"ssm.{context.region}.amazonaws.com",
            "kms:encryptioncontext:parameter_arn": parameter_arn(context, name)}


def _customer_key(key_ref: str | None, context: RequestContext):
    """The customer-managed key a KeyId names; None for the default aws/ssm key. Raises KeyNotFound."""
    if not key_ref or key_ref in ("alias/aws/ssm", f"arn:aws:kms:{context.region}:{context.account_id}:alias/aws/ssm"):
        return None
    key = kms_access.find_key(key_ref, context.account_id, context.region)
    return None if kms_access.is_aws_managed(key) else key


def _stored_key(context: RequestContext, name: str) -> str | None:
    """The KeyId of a stored SecureString parameter (moto's SSM backend), or None."""
    from moto.ssm.models import ssm_backends

    try:
        parameter = ssm_backends[context.account_id][context.region].get_parameter(SsmProvider._normalize_name(name))
    except Exception:  # noqa: BLE001 - unknown names, versions, labels: SSM answers for them
        return None
    if parameter is None or parameter.parameter_type != "SecureString":
        return None
    return parameter.keyid


def check(caller: Caller, context: RequestContext):
    operation, request = context.operation.name, context.service_request or {}
    if operation == "PutParameter" and request.get("Type") == "SecureString" and request.get("KeyId"):
        try:
            key = _customer_key(request["KeyId"], context)
        except kms_access.KeyNotFound:
            raise errors.SsmInvalidKeyId()
        if key is None:
            return
        action = "kms:GenerateDataKey" if request.get("Tier") == "Advanced" else "kms:Encrypt"
        ok, reason = kms_access.authorize(caller, key, action, _key_context(context, request["Name"]))
        if not ok:
            raise errors.SsmKeyNotAuthorized(principal_arn=caller.arn, action=action, key_arn=key.metadata["Arn"],
                                             reason=reason, request_id=uuid.uuid4())
    elif operation in ("GetParameter", "GetParameters") and request.get("WithDecryption"):
        names = [request["Name"]] if operation == "GetParameter" else list(request.get("Names") or [])
        for name in names:
            try:
                key = _customer_key(_stored_key(context, name), context)
            except kms_access.KeyNotFound:
                key = None  # a key that is gone: not this extension's concern
            if key is None:
                continue
            ok, _ = kms_access.authorize(caller, key, "kms:Decrypt", _key_context(context, name))
            if not ok:
                raise errors.SsmCiphertextKeyNotAccessible(request_id=uuid.uuid4())
