"""Every AWS error this extension answers with, defined once: code, HTTP status, message template and
the AWS page it reproduces.

Provider operations and the gateway handler raise these classes as they are: they are
CommonServiceExceptions, which LocalStack serializes for every protocol. Code running inside moto's
EC2 backend raises `error.in_moto()` instead, because moto renders only its own (HTTPException)
errors; an error raised on both sides keeps one definition.

The pytest suite and the Java ITs match some of these messages: a message changes here or nowhere.
tests/test_conventions.py checks that no other module builds an AWS error.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import NamedTuple

from localstack.aws.api import CommonServiceException
from moto.ec2.exceptions import EC2ClientError


class AwsError(CommonServiceException):
    """One AWS error: subclasses set `code`, `status_code` and `template` (a str.format template of the
    keyword fields the raise site passes). AWS counts all of these as the caller's fault."""

    code: str
    status_code: int = 400
    template: str

    def __init__(self, **fields):
        super().__init__(self.code, self.template.format(**fields), status_code=self.status_code, sender_fault=True)

    def in_moto(self) -> EC2ClientError:
        """The same error, for code that runs inside moto's EC2 backend."""
        error = EC2ClientError(self.code, self.message)
        error.code = self.status_code  # moto's name for the HTTP status
        return error


# ---- EC2 (EC2 API "errors-overview" lists each code) ----------------------------------------------

class ImageNotFound(AwsError):
    """The AMI does not exist for the caller: unknown, or another account's and not shared with it
    (AWSEC2 UserGuide "sharingamis-explicit", "usingsharedamis-finding"). Several ids are worded in
    the plural, as moto and EC2 word them."""

    code = "InvalidAMIID.NotFound"

    def __init__(self, image_ids: str | list[str]):
        ids = [image_ids] if isinstance(image_ids, str) else list(image_ids)
        self.template = ("The image ids '[{image_ids}]' do not exist" if len(ids) > 1
                         else "The image id '[{image_ids}]' does not exist")
        super().__init__(image_ids=", ".join(ids))


class SnapshotNotFound(AwsError):
    """The snapshot does not exist for the caller: unknown, or another account's and not shared through
    createVolumePermission (EBS UserGuide "ebs-modifying-snapshot-permissions")."""

    code = "InvalidSnapshot.NotFound"
    template = "The snapshot '{snapshot_id}' does not exist."


class KmsKeyIdNeedsEncrypted(AwsError):
    """EC2 API CreateVolume, CopyImage, CopySnapshot "KmsKeyId": "If KmsKeyId is specified, the
    encrypted state must be true"."""

    code = "InvalidParameterDependency"
    template = "The parameter KmsKeyId requires the parameter Encrypted to be set."


class InvalidKmsKey(AwsError):
    """KmsKeyId names no key the caller's account and region have (EC2 API CreateVolume, CopyImage
    "KmsKeyId"). CopyImage names the destination region, CreateVolume does not."""

    code = "InvalidParameterValue"

    def __init__(self, key_ref: str, region: str | None = None):
        self.template = "Invalid KMS key: {key_ref} does not exist" + (" or is not in {region}" if region else "")
        super().__init__(key_ref=key_ref, region=region)


class KeyNotUsable(AwsError):
    """EBS UserGuide "troubleshooting": the KMS key is in an incorrect state (disabled, pending deletion)."""

    code = "IncorrectState"
    template = "The KMS key is not usable: {problem}"


class VolumeKeyNotAuthorized(AwsError):
    """The caller cannot use the key of a volume it creates (EBS UserGuide "ebs-encryption-requirements").
    Raised inside moto's backend, with the status moto gives every EC2ClientError."""

    code = "UnauthorizedOperation"
    template = "You are not authorized to use KMS key {key_arn}: {reason}"


class CopyKeyNotAuthorized(AwsError):
    """CopyImage / CopySnapshot when the caller cannot use a source or destination key (EBS UserGuide
    "ebs-encryption-requirements"; AWSEC2 UserGuide "sharingamis-explicit"). AWS does not document the
    code for this case (README "Approximations")."""

    code = "UnauthorizedOperation"
    status_code = 403
    template = "You are not authorized to perform this operation. {problem}"


class Ec2ActionNotAuthorized(AwsError):
    """A role session whose identity policies do not allow the EC2 action (EC2 API "errors-overview"
    UnauthorizedOperation; IAM UserGuide "reference_policies_evaluation-logic")."""

    code = "UnauthorizedOperation"
    status_code = 403
    template = ("You are not authorized to perform this operation. User: {principal_arn} is not authorized to "
                "perform: {action} on resource: {resource} {why}")


class InvalidAllowedImagesState(AwsError):
    """EnableAllowedImagesSettings with a state other than enabled / audit-mode (EC2 API
    EnableAllowedImagesSettings "AllowedImagesSettingsState", Valid Values: enabled | audit-mode; EC2 API
    "errors-overview" InvalidParameterValue). The message is not documented."""

    code = "InvalidParameterValue"
    template = "Value ({value}) for parameter AllowedImagesSettingsState is invalid. Valid values: enabled, audit-mode"


class InvalidImageCriteria(AwsError):
    """ReplaceImageCriteriaInAllowedImagesSettings with criteria EC2 does not accept: `none` with other
    image providers, more than 10 criteria or 200 providers (EC2 API ImageCriterionRequest; EC2 API
    "errors-overview" InvalidParameterValue). The message is not documented."""

    code = "InvalidParameterValue"
    template = "Invalid image criteria: {problem}"


class DryRunSucceeded(AwsError):
    """EC2 API "CommonParameters" DryRun: the caller is authorized, nothing was done."""

    code = "DryRunOperation"
    status_code = 412
    template = "Request would have succeeded, but DryRun flag is set."


class NoAccessToImageStorage(AwsError):
    """A shared AMI can be copied only when its snapshots are shared too (AWSEC2 UserGuide
    "CopyingAMIs" "cross-account copying"; message as AWS returns it)."""

    code = "InvalidRequest"
    template = "You do not have permission to access the storage of this ami"


class NoUnencryptedCopy(AwsError):
    """An encrypted snapshot has no unencrypted copy (aws-facts.md, hashicorp/packer 6778; EBS UserGuide
    "ebs-copy-snapshot")."""

    code = "InvalidRequest"
    template = ("Snapshot {snapshot_id} is encrypted. Creating an unencrypted copy "
                "from an encrypted snapshot is not supported.")


class EncryptedSnapshotVolume(AwsError):
    """RegisterImage: a mapping of an encrypted snapshot cannot ask for an unencrypted volume (EC2 API
    RegisterImage; AWSEC2 UserGuide "creating-an-ami-ebs#creating-launching-ami-from-snapshot")."""

    code = "InvalidParameterCombination"
    template = "Snapshot {snapshot_id} is encrypted; its volume cannot be unencrypted."


class NotImageOwner(AwsError):
    """An owner-only image operation on another account's shared AMI (EC2 API "errors-overview"
    AuthFailure)."""

    code = "AuthFailure"
    template = "Not authorized for image:{image_id}"


class ImageUnderAwsManagedKey(AwsError):
    """aws-facts.md: "InvalidParameter: Snapshots encrypted with the AWS Managed CMK can't be shared"
    (hashicorp/packer 7410; reported for ModifyImageAttribute in the Bedrock Streaming tech blog
    "encrypt aws amis", 2022); AWSEC2 UserGuide "sharingamis-explicit": AMIs with snapshots encrypted
    by the AWS managed key cannot be shared."""

    code = "InvalidParameter"
    template = "Snapshots encrypted with the AWS Managed CMK can't be shared"


class SnapshotUnderAwsManagedKey(AwsError):
    """aws-facts.md: "OperationNotPermitted: Encrypted snapshots with EBS default key cannot be shared"
    (hashicorp/packer 7499); EBS UserGuide "ebs-modifying-snapshot-permissions"."""

    code = "OperationNotPermitted"
    template = "Encrypted snapshots with EBS default key cannot be shared"


# ---- Lambda Invoke errors armed by tests (lambda_faults.py) -------------------------------------

def lambda_invoke_errors() -> dict:
    """The errors the Lambda API reference lists for Invoke, from the Lambda service model LocalStack
    serves (the reference is generated from it): name -> (HTTP status, sender fault, description)."""
    global _LAMBDA_INVOKE_ERRORS
    if _LAMBDA_INVOKE_ERRORS is None:
        import re

        from localstack.aws.spec import load_service

        shapes = load_service("lambda").operation_model("Invoke").error_shapes
        _LAMBDA_INVOKE_ERRORS = {
            shape.name: (shape.metadata["error"]["httpStatusCode"], bool(shape.metadata["error"].get("senderFault")),
                         re.sub(r"<[^>]+>", "", shape.documentation or "").strip())
            for shape in shapes}
    return _LAMBDA_INVOKE_ERRORS


_LAMBDA_INVOKE_ERRORS = None

# The throttle Lambda answers when a function has no concurrency left: "Rate Exceeded." with a Reason
# (Lambda API Invoke TooManyRequestsException, ThrottleReason; Lambda DG "lambda-concurrency")
LAMBDA_THROTTLE_MESSAGE = "Rate Exceeded."
LAMBDA_THROTTLE_REASON = "ConcurrentInvocationLimitExceeded"


class LambdaInvokeError(AwsError):
    """One of the errors the Lambda API reference lists for Invoke (TooManyRequestsException 429,
    ServiceException 500, EC2ThrottledException 502, ResourceNotReadyException 502, ...), answered
    instead of running the function: its code, HTTP status and description, and the `Type` member Lambda
    fills ("User" for the caller's faults, "Service" for Lambda's own); TooManyRequestsException also
    carries `Reason` (Lambda API Invoke "Errors", ThrottleReason). Step Functions' lambda:invoke
    integration reports it as `Lambda.<code>` (Step Functions DeveloperGuide "connect-lambda",
    "concepts-error-handling")."""

    code = "TooManyRequestsException"  # the default; each instance names its own

    def __init__(self, error: str, message: str | None = None, reason: str | None = None):
        status, sender_fault, description = lambda_invoke_errors()[error]
        throttle = error == "TooManyRequestsException"
        text = message or (LAMBDA_THROTTLE_MESSAGE if throttle else description)
        CommonServiceException.__init__(self, error, text, status_code=status, sender_fault=sender_fault)
        self.Type = "User" if sender_fault else "Service"
        if throttle:
            self.Reason = reason or LAMBDA_THROTTLE_REASON


# ---- KMS, STS ----------------------------------------------------------------------------------

class KmsAccessDenied(AwsError):
    """Key policy or identity policy does not allow the KMS action (KMS DeveloperGuide
    "key-policy-modifying-external-accounts", "cross-account-console", "determining-access")."""

    code = "AccessDeniedException"
    template = ("User: {principal_arn} is not authorized to perform: {action} on resource: {resource} "
                "because {reason}")


class KeyPolicyTooLarge(AwsError):
    """A key policy over 32 KB in CreateKey or PutKeyPolicy (KMS API PutKeyPolicy "Policy": "The policy
    size limit is 32 KiB (32768 bytes)"; KMS DeveloperGuide "resource-limits", not adjustable, aws-facts.md).
    KMS's error for "a length constraint or quota was exceeded" is LimitExceededException (KMS API
    PutKeyPolicy / CreateKey "Errors"); MalformedPolicyDocumentException is for a policy that is not
    syntactically or semantically correct. The message is not documented."""

    code = "LimitExceededException"
    template = "Policy document length {length} exceeds the maximum of 32768 bytes"


class AssumeRoleDenied(AwsError):
    """STS API AssumeRole: AccessDenied when the role does not exist, its trust policy does not allow
    the caller, or the caller's identity policy does not allow sts:AssumeRole (IAM UserGuide
    "id_roles_create_for-user", "id_roles_create_for-user_externalid")."""

    code = "AccessDenied"
    status_code = 403
    template = "User: {principal_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"


# ---- SSM SecureString parameters under customer-managed keys -------------------------------------

class SsmInvalidKeyId(AwsError):
    """PutParameter with a KeyId that names no key of the account and region (SSM API PutParameter
    InvalidKeyId, its description as the message)."""

    code = "InvalidKeyId"
    template = "The query key ID isn't valid."


class SsmKeyNotAuthorized(AwsError):
    """PutParameter of a SecureString whose customer-managed key the caller may not use for
    kms:Encrypt / kms:GenerateDataKey (Systems Manager UserGuide "secure-string-parameter-kms-encryption");
    SSM passes on KMS's AccessDeniedException, naming KMS as the service that refused."""

    code = "AccessDeniedException"
    template = ("User: {principal_arn} is not authorized to perform: {action} on resource: {key_arn} because "
                "{reason} (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; "
                "Request ID: {request_id})")


class SsmCiphertextKeyNotAccessible(AwsError):
    """GetParameter WithDecryption of a SecureString whose customer-managed key the caller may not use
    for kms:Decrypt (Systems Manager UserGuide "secure-string-parameter-kms-encryption"); message as AWS
    returns it (tryolabs/aws-workshop issue 6, external-secrets/kubernetes-external-secrets issue 627)."""

    code = "AccessDeniedException"
    template = ("The ciphertext refers to a customer master key that does not exist, does not exist in this "
                "region, or you are not allowed to access. (Service: AWSKMS; Status Code: 400; Error Code: "
                "AccessDeniedException; Request ID: {request_id})")


# ---- IAM identity policies of role sessions, per service ------------------------------------------

class ActionNotAuthorized(AwsError):
    """A role session whose identity policies do not allow the action, in the form of the JSON-protocol
    services (SSM, Step Functions, EventBridge, Organizations): AccessDeniedException, HTTP 400, with the
    message IAM UserGuide "troubleshoot_access-denied" shows ("User: <arn> is not authorized to perform:
    <action> on resource: <arn> because no identity-based policy allows the <action> action")."""

    code = "AccessDeniedException"
    template = "User: {principal_arn} is not authorized to perform: {action} on resource: {resource} {why}"


class IamActionNotAuthorized(AwsError):
    """The same for IAM (query protocol): AccessDenied, HTTP 403 (IAM API "CommonErrors"; IAM UserGuide
    "troubleshoot_access-denied")."""

    code = "AccessDenied"
    status_code = 403
    template = "User: {principal_arn} is not authorized to perform: {action} on resource: {resource} {why}"


# ---- AWS Organizations (Organizations API reference, each operation's "Errors"; all HTTP 400) ----

class OrganizationsAccessDenied(AwsError):
    """The caller's account is a member but neither the management account nor a delegated
    administrator (Organizations API ListChildren, ListAccountsForParent, DescribeAccount ...: "can be
    called only from the organization's management account or by a member account that is a delegated
    administrator"; message as AWS returns it, aws-samples/aws-iam-access-key-auto-rotation issue 10,
    awslabs/aws-innovation-sandbox issue 6)."""

    code = "AccessDeniedException"
    template = "You don't have permissions to access this resource."


class OrganizationsNotInUse(AwsError):
    """The caller's account belongs to no organization (Organizations API
    AWSOrganizationsNotInUseException; message as AWS returns it, cloud-custodian issue 8106)."""

    code = "AWSOrganizationsNotInUseException"
    template = "Your account is not a member of an organization."


class OrganizationsAccountNotFound(AwsError):
    """DescribeAccount of an account that is not in the organization (Organizations API
    AccountNotFoundException; message as AWS returns it, aws-ia/terraform-aws-control_tower_account_factory
    issue 289)."""

    code = "AccountNotFoundException"
    template = "You specified an account that doesn't exist."


class OrganizationsParentNotFound(AwsError):
    """ParentId names no root or OU of the organization (Organizations API ParentNotFoundException,
    its description as the message)."""

    code = "ParentNotFoundException"
    template = "We can't find a root or OU with the ParentId that you specified."


class OrganizationsChildNotFound(AwsError):
    """ChildId names no OU or account of the organization (Organizations API ChildNotFoundException,
    its description as the message)."""

    code = "ChildNotFoundException"
    template = "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified."


class OrganizationsOuNotFound(AwsError):
    """OrganizationalUnitId names no OU of the organization (Organizations API
    OrganizationalUnitNotFoundException, its description as the message)."""

    code = "OrganizationalUnitNotFoundException"
    template = "We can't find an OU with the OrganizationalUnitId that you specified."


class OrganizationsInvalidNextToken(AwsError):
    """A NextToken this operation did not hand out (Organizations API InvalidInputException, reason
    INVALID_NEXT_TOKEN: "You specified an invalid value for nextToken")."""

    code = "InvalidInputException"
    template = "You specified an invalid value for nextToken."

    def __init__(self):
        super().__init__()
        self.Reason = "INVALID_NEXT_TOKEN"  # InvalidInputException's Reason member, serialized with it


# ---- Amazon DynamoDB (DynamoDB API reference, each operation's "Errors"; HTTP 400) ---------------

class DynamoDbTableNotFound(AwsError):
    """The table does not exist in the caller's account and region (DynamoDB API UpdateTimeToLive,
    DescribeTimeToLive "ResourceNotFoundException": "The operation tried to access a nonexistent table
    or index"); worded as DynamoDB words it for DescribeTable."""

    code = "ResourceNotFoundException"
    template = "Requested resource not found: Table: {table} not found"


# ---- EventBridge PutEvents: errors of one entry (PutEventsResultEntry ErrorCode / ErrorMessage) ----

class EntryError:
    """An error PutEvents reports for one entry instead of its EventId, counted in FailedEntryCount; the
    request itself succeeds (EventBridge API PutEvents, PutEventsResultEntry "ErrorCode")."""

    code: str
    template: str

    def __init__(self, **fields):
        self.message = self.template.format(**fields)

    def entry(self) -> dict:
        return {"ErrorCode": self.code, "ErrorMessage": self.message}


class SourceNotAuthorized(EntryError):
    """A custom event whose Source begins with "aws.": only AWS services emit those (EventBridge
    UserGuide "eb-events-structure" / aws-facts.md; PutEventsResultEntry NotAuthorizedForSourceException
    "You do not have permissions to publish events with this source onto this event bus"; message as AWS
    returns it, aws-samples/serverless-patterns pull request 3089). Also a bus policy or identity policy
    that would allow the entry with another source."""

    code = "NotAuthorizedForSourceException"
    template = "Not authorized for the source."


class DetailTypeNotAuthorized(EntryError):
    """A bus policy or identity policy that would allow the entry with another DetailType
    (PutEventsResultEntry NotAuthorizedForDetailTypeException "You do not have permissions to publish
    events with this detail type onto this event bus"; the message worded like the source one)."""

    code = "NotAuthorizedForDetailTypeException"
    template = "Not authorized for the detail type."


class EntryAccessDenied(EntryError):
    """An entry for another account's bus that the bus policy does not allow, or an entry EventBridge
    delivers for a rule with a role whose identity policies do not allow it (PutEventsResultEntry
    AccessDeniedException "You do not have sufficient access to perform this action"; IAM's message,
    IAM UserGuide "troubleshoot_access-denied")."""

    code = "AccessDeniedException"
    template = "User: {principal_arn} is not authorized to perform: events:PutEvents on resource: {resource} {why}"


# ---- Lambda function errors (the payload of an Invoke with FunctionError) ------------------------

class FunctionError:
    """An error Lambda reports for an invocation instead of the function's result, as {"errorType",
    "errorMessage"} (Lambda DG "runtimes-api" invocation and initialization errors). With a request id
    the message is prefixed the way Lambda prefixes runtime errors."""

    error_type: str
    template: str

    def __init__(self, **fields):
        self.message = self.template.format(**fields)

    def payload(self, request_id: str | None = None) -> bytes:
        message = f"RequestId: {request_id} Error: {self.message}" if request_id else self.message
        return json.dumps({"errorType": self.error_type, "errorMessage": message}).encode("utf-8")


class FunctionTimedOut(FunctionError):
    """The invocation ran past the function's timeout; Lambda ends the runtime and resets the
    environment (Lambda DG "lambda-runtime-environment", invoke phase failures)."""

    error_type = "Sandbox.Timedout"
    template = "Task timed out after {timeout:.2f} seconds"


class RuntimeExited(FunctionError):
    """The runtime process ended during init or an invocation (Lambda DG "lambda-runtime-environment";
    the status is worded as Lambda words it: "exit status 1", "signal: killed")."""

    error_type = "Runtime.ExitError"
    template = "Runtime exited with error: {status}"


class RuntimeUnsupported(FunctionError):
    """Not an AWS error: the local JVM executor cannot run this function (not a Zip-packaged Java
    function); named like Lambda's own Runtime.* errors so that callers see a function error."""

    error_type = "Runtime.Unsupported"
    template = "{reason}"


# The init error when the runtime posts .../init/error without a body, as the errorType Lambda reports
# for an error nobody described (Lambda DG "runtimes-api" initialization error)
UNKNOWN_INIT_ERROR = b'{"errorType":"Runtime.Unknown"}'


# ---- Lambda Runtime API replies to the runtime ---------------------------------------------------

class RuntimeApiError(NamedTuple):
    """A Runtime API error reply to the runtime interface client: HTTP status and JSON body
    (Lambda DG "runtimes-api" lists the error statuses of each path)."""

    status: HTTPStatus
    body: bytes


# POST .../invocation/<id>/response|error for a request that is not (or no longer) in progress
# (Lambda DG "runtimes-api" invocation response, 400 Bad Request)
INVALID_REQUEST_ID = RuntimeApiError(HTTPStatus.BAD_REQUEST,
                                     b'{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}')
# a path the Runtime API does not have (Lambda DG "runtimes-api" lists the paths)
UNKNOWN_RUNTIME_API_PATH = RuntimeApiError(HTTPStatus.NOT_FOUND, b'{"errorType":"InvalidRequest"}')
# Not an AWS reply: the executor is ending this JVM while its RIC waits for the next invocation, where
# Lambda would freeze or shut down the environment instead.
RUNTIME_STOPPED = RuntimeApiError(HTTPStatus.GONE, b'{"errorType":"Runtime.Stopped"}')


# ---- Step Functions states errors (a state's Error / Cause, which Retry and Catch match) -----------

class StatesError(NamedTuple):
    error: str
    cause: str


# Step Functions DeveloperGuide "maprun-fail-threshold": a Map Run whose failed items exceed the
# tolerated failure threshold fails with this error (the cause as Step Functions words it)
EXCEED_TOLERATED_FAILURE_THRESHOLD = StatesError("States.ExceedToleratedFailureThreshold",
                                                 "The specified tolerated failure threshold was exceeded")
