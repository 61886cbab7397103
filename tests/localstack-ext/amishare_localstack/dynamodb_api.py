"""Amazon DynamoDB served from moto's DynamoDB backend, which ships inside LocalStack's virtualenv.
LocalStack community's own DynamoDB provider runs DynamoDB Local, a Java download whose licence rules
it out here. Registered as LocalStack registers its alternative providers: a provider for the
"dynamodb" API in the plux namespace "localstack.aws.provider" named "dynamodb:amishare"
(pyproject.toml), selected with PROVIDER_OVERRIDE_DYNAMODB=amishare (tests/localstack/localstack.sh
sets it; LocalStack's ServiceProviderConfig reads PROVIDER_OVERRIDE_<API>), loaded when SERVICES names
dynamodb.

Every operation goes to moto (MotoFallbackDispatcher), which keeps tables per account and region and
implements what amishare relies on: CreateTable / DescribeTable / UpdateTable / DeleteTable,
PutItem / UpdateItem / DeleteItem with ConditionExpression (ConditionalCheckFailedException, with the
item under ReturnValuesOnConditionCheckFailure ALL_OLD), GetItem, Query, TransactWriteItems
(TransactionCanceledException with CancellationReasons, nothing written), UpdateTimeToLive /
DescribeTimeToLive, UpdateContinuousBackups / DescribeContinuousBackups, DeletionProtectionEnabled,
SSESpecification and BillingMode PAY_PER_REQUEST. Served here instead of by moto:

- DescribeTimeToLive / UpdateTimeToLive of a missing table: ResourceNotFoundException as the
  DynamoDB API reference lists (moto answers "ResourceNotFound");
- CreateTable SSESpecification: a KMSMasterKeyId given as key id, alias or alias ARN is kept as the
  key's ARN (SSEDescription.KMSMasterKeyArn, DynamoDB API SSEDescription), and with no key the
  table is under the account's AWS-managed key aws/dynamodb in LocalStack's KMS (DynamoDB
  DeveloperGuide "EncryptionAtRest": "AWS managed key ... alias/aws/dynamodb"), not in moto's KMS,
  which nothing else uses.

Patched (patches()): LocalStack's AWS::DynamoDB::Table resource provider passes neither
PointInTimeRecoverySpecification nor DeletionProtectionEnabled on; once the table is created they are
applied (UpdateContinuousBackups, UpdateTable), as CloudFormation UserGuide
"aws-resource-dynamodb-table" documents both properties.

Identity policies of role sessions (dynamodb:<Action> on the table ARN) are enforced in enforcement.py
(service_resources.py), before this provider runs.

Not modelled: items whose TTL attribute lies in the past are not deleted (DynamoDB deletes them
within days, DeveloperGuide "TTL"; amishare relies only on the attribute being stored and on
conditions comparing it); every read is strongly consistent (ConsistentRead false may return the
latest data in AWS too); tables are ACTIVE at once; UpdateTable does not change SSESpecification.
"""

from __future__ import annotations

import logging

from localstack.aws.api import CommonServiceException, RequestContext, handler
from localstack.aws.api.dynamodb import DynamodbApi
from localstack.services.plugins import Service, aws_provider
from localstack.utils.patch import Patch, Patches

from . import errors, kms_access

LOG = logging.getLogger(__name__)

DEFAULT_KEY_ALIAS = "alias/aws/dynamodb"


class DynamoDBProvider(DynamodbApi):
    """Operations not defined here raise NotImplementedError (DynamodbApi) and fall through to moto."""

    @handler("CreateTable", expand=False)
    def create_table(self, context: RequestContext, request: dict):
        from localstack.services.moto import call_moto_with_request

        sse = request.get("SSESpecification") or {}
        if sse.get("Enabled") and sse.get("KMSMasterKeyId"):
            try:
                key = kms_access.find_key(sse["KMSMasterKeyId"], context.account_id, context.region)
                request = {**request, "SSESpecification": {**sse, "KMSMasterKeyId": key.metadata["Arn"]}}
            except kms_access.KeyNotFound:
                pass  # kept as given: the emulator does not validate the key
        return call_moto_with_request(context, request)

    @handler("UpdateTimeToLive", expand=False)
    def update_time_to_live(self, context: RequestContext, request: dict):
        return _table_call(context, request)

    @handler("DescribeTimeToLive", expand=False)
    def describe_time_to_live(self, context: RequestContext, request: dict):
        return _table_call(context, request)


def _table_call(context: RequestContext, request: dict):
    from localstack.services.moto import call_moto

    try:
        return call_moto(context)
    except CommonServiceException as e:
        if e.code == "ResourceNotFound":
            raise errors.DynamoDbTableNotFound(table=request.get("TableName")) from e
        raise


@aws_provider(api="dynamodb", name="amishare")
def dynamodb():
    from localstack.services.moto import MotoFallbackDispatcher

    return Service.for_provider(DynamoDBProvider(), dispatch_table_factory=MotoFallbackDispatcher)


# ---- the AWS-managed key aws/dynamodb --------------------------------------------------------

def _default_encryption_key(_fn, _table, account_id: str, region: str) -> str:
    """The account's AWS-managed DynamoDB key in LocalStack's KMS, created on first use as AWS does
    (LocalStack creates reserved aliases on demand)."""
    key = kms_access.find_key(DEFAULT_KEY_ALIAS, account_id, region)
    key.metadata["KeyManager"] = "AWS"
    key.metadata["Description"] = "Default master key that protects my DynamoDB table storage"
    return key.metadata["Arn"]


# ---- AWS::DynamoDB::Table: the properties LocalStack's resource provider drops ---------------

def _true(value) -> bool:
    return value is True or str(value).lower() == "true"


def _create_table_resource(fn, self, request):
    """After the table is ACTIVE (the resource provider's last step), apply DeletionProtectionEnabled
    and PointInTimeRecoverySpecification (with RecoveryPeriodInDays) as CloudFormation would have
    created the table with them."""
    from localstack.services.cloudformation.resource_provider import OperationStatus

    event = fn(self, request)
    if event.status != OperationStatus.SUCCESS:
        return event
    model = request.desired_state
    dynamodb = request.aws_client_factory.dynamodb
    if _true(model.get("DeletionProtectionEnabled")):
        dynamodb.update_table(TableName=model["TableName"], DeletionProtectionEnabled=True)
    pitr = model.get("PointInTimeRecoverySpecification") or {}
    if _true(pitr.get("PointInTimeRecoveryEnabled")):
        spec = {"PointInTimeRecoveryEnabled": True}
        if pitr.get("RecoveryPeriodInDays"):
            spec["RecoveryPeriodInDays"] = int(pitr["RecoveryPeriodInDays"])
        dynamodb.update_continuous_backups(TableName=model["TableName"], PointInTimeRecoverySpecification=spec)
    return event


def patches() -> Patches:
    from localstack.services.dynamodb.resource_providers.aws_dynamodb_table import DynamoDBTableProvider
    from moto.dynamodb.models.table import Table

    return Patches([
        Patch.function(Table._get_default_encryption_key, _default_encryption_key),
        Patch.function(DynamoDBTableProvider.create, _create_table_resource),
    ])
