"""SSM SecureString parameters under customer-managed KMS keys: Parameter Store uses the key as the
caller, through SSM (Systems Manager UserGuide "secure-string-parameter-kms-encryption")."""

import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import OWNER, REGION, client, customer_key, role_session


def _error(call):
    with pytest.raises(ClientError) as error:
        call()
    response = error.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _prefix():
    return f"/amishare-test/{uuid.uuid4().hex[:8]}"


def _role(prefix, *kms_statements):
    """A role session allowed the SSM parameter actions under prefix, plus kms_statements."""
    statements = [{"Effect": "Allow", "Action": ["ssm:PutParameter", "ssm:GetParameter", "ssm:GetParameters"],
                   "Resource": f"arn:aws:ssm:{REGION}:{OWNER}:parameter{prefix}/*"}]
    statements += [{"Effect": "Allow", **s} for s in kms_statements]
    return role_session(OWNER, {"Version": "2012-10-17", "Statement": statements})


VIA_SSM = {"StringEquals": {"kms:ViaService": f"ssm.{REGION}.amazonaws.com"}}


def test_secure_string_under_a_customer_key_needs_encrypt_and_decrypt_on_the_key():
    """"secure-string-parameter-kms-encryption": a standard SecureString under a customer-managed key
    needs kms:Encrypt to write and kms:Decrypt to read WithDecryption, here granted only through SSM
    (kms:ViaService). Without kms:Decrypt, SSM answers KMS's AccessDeniedException ("The ciphertext
    refers to a customer master key ..."); reading without decryption needs no key."""
    key = customer_key(OWNER)
    prefix = _prefix()
    _, creds = _role(prefix, {"Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": key["Arn"],
                                     "Condition": VIA_SSM})
    ssm = client("ssm", OWNER, **creds)
    ssm.put_parameter(Name=f"{prefix}/secret", Value="s3cr3t", Type="SecureString", KeyId=key["KeyId"])
    assert ssm.get_parameter(Name=f"{prefix}/secret", WithDecryption=True)["Parameter"]["Value"] == "s3cr3t"
    # the same grant does not allow the key outside SSM
    assert _error(lambda: client("kms", OWNER, **creds).encrypt(KeyId=key["KeyId"], Plaintext=b"x"))[0] == \
        "AccessDeniedException"

    reader_arn, ssm_only = _role(prefix)
    reader = client("ssm", OWNER, **ssm_only)
    code, message, status = _error(lambda: reader.get_parameter(Name=f"{prefix}/secret", WithDecryption=True))
    assert (code, status) == ("AccessDeniedException", 400)
    assert message.startswith("The ciphertext refers to a customer master key that does not exist, does not exist "
                              "in this region, or you are not allowed to access. (Service: AWSKMS; Status Code: 400; "
                              "Error Code: AccessDeniedException; Request ID: ")
    assert _error(lambda: reader.get_parameters(Names=[f"{prefix}/secret"], WithDecryption=True))[0] == \
        "AccessDeniedException"
    assert reader.get_parameter(Name=f"{prefix}/secret")["Parameter"]["Type"] == "SecureString"

    code, message, _ = _error(lambda: reader.put_parameter(Name=f"{prefix}/other", Value="v", Type="SecureString",
                                                           KeyId=key["Arn"]))
    assert code == "AccessDeniedException"
    assert message.startswith(f"User: {reader_arn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/test "
                              f"is not authorized to perform: kms:Encrypt on resource: {key['Arn']} because ")
    assert "(Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Request ID: " in message


def test_key_use_granted_through_another_service_does_not_cover_ssm():
    """kms:ViaService (KMS DeveloperGuide "conditions-kms"): SSM calls KMS as
    ssm.<region>.amazonaws.com; a grant for EC2 only does not let Parameter Store use the key."""
    key = customer_key(OWNER)
    prefix = _prefix()
    _, creds = _role(prefix, {"Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": key["Arn"],
                              "Condition": {"StringLike": {"kms:ViaService": "ec2.*.amazonaws.com"}}})
    assert _error(lambda: client("ssm", OWNER, **creds).put_parameter(
        Name=f"{prefix}/secret", Value="v", Type="SecureString", KeyId=key["KeyId"]))[0] == "AccessDeniedException"


def test_encryption_context_names_the_parameter():
    """"secure-string-parameter-kms-encryption": Parameter Store's encryption context is PARAMETER_ARN,
    usable as kms:EncryptionContext:PARAMETER_ARN to limit a key to some parameters."""
    key = customer_key(OWNER)
    prefix = _prefix()
    _, creds = _role(prefix, {"Action": "kms:Encrypt", "Resource": key["Arn"], "Condition": {"StringLike": {
        "kms:EncryptionContext:PARAMETER_ARN": f"arn:aws:ssm:{REGION}:{OWNER}:parameter{prefix}/team-a/*"}}})
    ssm = client("ssm", OWNER, **creds)
    ssm.put_parameter(Name=f"{prefix}/team-a/secret", Value="v", Type="SecureString", KeyId=key["KeyId"])
    assert _error(lambda: ssm.put_parameter(Name=f"{prefix}/team-b/secret", Value="v", Type="SecureString",
                                            KeyId=key["KeyId"]))[0] == "AccessDeniedException"


def test_advanced_secure_string_needs_generate_data_key():
    """"secure-string-parameter-kms-encryption": advanced parameters use envelope encryption, so
    PutParameter needs kms:GenerateDataKey; standard ones kms:Encrypt."""
    key = customer_key(OWNER)
    prefix = _prefix()
    _, encrypt_only = _role(prefix, {"Action": "kms:Encrypt", "Resource": key["Arn"], "Condition": VIA_SSM})
    ssm = client("ssm", OWNER, **encrypt_only)
    ssm.put_parameter(Name=f"{prefix}/standard", Value="v", Type="SecureString", KeyId=key["KeyId"])
    code, message, _ = _error(lambda: ssm.put_parameter(Name=f"{prefix}/advanced", Value="v", Type="SecureString",
                                                        KeyId=key["KeyId"], Tier="Advanced"))
    assert code == "AccessDeniedException" and "kms:GenerateDataKey on resource" in message
    _, envelope = _role(prefix, {"Action": "kms:GenerateDataKey", "Resource": key["Arn"], "Condition": VIA_SSM})
    client("ssm", OWNER, **envelope).put_parameter(Name=f"{prefix}/advanced", Value="v", Type="SecureString",
                                                   KeyId=key["KeyId"], Tier="Advanced")


def test_default_aws_ssm_key_needs_no_key_permissions():
    """Systems Manager UserGuide "sysman-paramstore-access": the AWS managed key aws/ssm allows every
    principal of the account through Parameter Store; only the SSM permissions are needed."""
    prefix = _prefix()
    _, creds = _role(prefix)
    ssm = client("ssm", OWNER, **creds)
    ssm.put_parameter(Name=f"{prefix}/default", Value="v", Type="SecureString")
    ssm.put_parameter(Name=f"{prefix}/alias", Value="v", Type="SecureString", KeyId="alias/aws/ssm")
    assert ssm.get_parameter(Name=f"{prefix}/default", WithDecryption=True)["Parameter"]["Value"] == "v"


def test_account_root_uses_its_key_through_the_default_key_policy_and_unknown_keys_are_invalid():
    """KMS DeveloperGuide "key-policy-default": the account root may use its key; SSM API PutParameter
    InvalidKeyId for a KeyId that names no key."""
    key = customer_key(OWNER)
    prefix = _prefix()
    ssm = client("ssm", OWNER)
    ssm.put_parameter(Name=f"{prefix}/root", Value="v", Type="SecureString", KeyId=key["Arn"])
    assert ssm.get_parameter(Name=f"{prefix}/root", WithDecryption=True)["Parameter"]["Value"] == "v"
    assert _error(lambda: ssm.put_parameter(Name=f"{prefix}/nokey", Value="v", Type="SecureString",
                                            KeyId="alias/amishare-does-not-exist")) == (
        "InvalidKeyId", "The query key ID isn't valid.", 400)
