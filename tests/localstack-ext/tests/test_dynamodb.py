"""Amazon DynamoDB as amishare's share ledger and key-policy leases use it, served by the extension's
provider (moto's backend; PROVIDER_OVERRIDE_DYNAMODB=amishare). Each test cites the DynamoDB
Developer Guide or API reference page of the behaviour it relies on."""

import json
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import OWNER, REGION, client, role_session, wait_for


def _table(ddb, **extra):
    name = f"amishare-{uuid.uuid4().hex[:10]}"
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}], **extra)
    return name


def _error(call):
    with pytest.raises(ClientError) as error:
        call()
    return error.value.response


def test_table_lifecycle_on_demand_with_deletion_protection():
    """DynamoDB API CreateTable (BillingMode PAY_PER_REQUEST, DeletionProtectionEnabled),
    DescribeTable (TableStatus ACTIVE, BillingModeSummary), UpdateTable (DeletionProtectionEnabled),
    DeleteTable; DeveloperGuide "WorkingWithTables.Basics" (deletion protection: a protected table
    cannot be deleted)."""
    ddb = client("dynamodb", OWNER)
    name = _table(ddb, DeletionProtectionEnabled=True)
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["DeletionProtectionEnabled"] is True
    assert table["TableArn"] == f"arn:aws:dynamodb:{REGION}:{OWNER}:table/{name}"
    assert _error(lambda: ddb.delete_table(TableName=name))["Error"]["Code"] == "ValidationException"
    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
    ddb.delete_table(TableName=name)
    assert _error(lambda: ddb.describe_table(TableName=name))["Error"]["Code"] == "ResourceNotFoundException"


def test_tables_are_kept_per_account():
    """DeveloperGuide "HowItWorks.CoreComponents"/ API CreateTable: a table name is unique per account
    and Region; another account does not see it."""
    name = _table(client("dynamodb", OWNER))
    response = _error(lambda: client("dynamodb", "222222222222").describe_table(TableName=name))
    assert response["Error"]["Code"] == "ResourceNotFoundException"


def test_conditional_writes_fail_with_the_old_item_on_request():
    """DynamoDB API PutItem / UpdateItem / DeleteItem "ConditionExpression",
    "ReturnValuesOnConditionCheckFailure" ALL_OLD; ConditionalCheckFailedException (400) carries the
    item; DeveloperGuide "Expressions.ConditionExpressions"."""
    ddb = client("dynamodb", OWNER)
    name = _table(ddb)
    key = {"pk": {"S": "share#1"}, "sk": {"S": "lease"}}
    ddb.put_item(TableName=name, Item={**key, "owner": {"S": "a"}, "version": {"N": "1"}},
                 ConditionExpression="attribute_not_exists(pk)")
    response = _error(lambda: ddb.put_item(TableName=name, Item={**key, "owner": {"S": "b"}},
                                           ConditionExpression="attribute_not_exists(pk)",
                                           ReturnValuesOnConditionCheckFailure="ALL_OLD"))
    assert response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Item"]["owner"] == {"S": "a"}
    updated = ddb.update_item(TableName=name, Key=key, UpdateExpression="SET version = version + :one",
                              ConditionExpression="version = :v", ReturnValues="ALL_NEW",
                              ExpressionAttributeValues={":one": {"N": "1"}, ":v": {"N": "1"}})
    assert updated["Attributes"]["version"] == {"N": "2"}
    response = _error(lambda: ddb.update_item(TableName=name, Key=key, UpdateExpression="SET version = :x",
                                              ConditionExpression="version = :v",
                                              ExpressionAttributeValues={":x": {"N": "9"}, ":v": {"N": "1"}}))
    assert response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert "Item" not in response  # only with ALL_OLD
    response = _error(lambda: ddb.delete_item(TableName=name, Key=key, ConditionExpression="#o = :b",
                                              ExpressionAttributeNames={"#o": "owner"},  # a reserved word
                                              ExpressionAttributeValues={":b": {"S": "b"}}))
    assert response["Error"]["Code"] == "ConditionalCheckFailedException"
    ddb.delete_item(TableName=name, Key=key, ConditionExpression="#o = :a",
                    ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":a": {"S": "a"}})
    assert "Item" not in ddb.get_item(TableName=name, Key=key, ConsistentRead=True)


def test_consistent_get_and_query_read_what_was_written():
    """DynamoDB API GetItem "ConsistentRead" (a strongly consistent read returns all successful
    writes before it), Query "KeyConditionExpression" with begins_with on the sort key;
    DeveloperGuide "HowItWorks.ReadConsistency", "Query.KeyConditionExpressions"."""
    ddb = client("dynamodb", OWNER)
    name = _table(ddb)
    for sk in ("target#222222222222", "target#333333333333", "summary"):
        ddb.put_item(TableName=name, Item={"pk": {"S": "share#2"}, "sk": {"S": sk}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "share#3"}, "sk": {"S": "target#1"}})
    item = ddb.get_item(TableName=name, Key={"pk": {"S": "share#2"}, "sk": {"S": "summary"}}, ConsistentRead=True)
    assert item["Item"]["sk"] == {"S": "summary"}
    page = ddb.query(TableName=name, ConsistentRead=True,
                     KeyConditionExpression="pk = :p AND begins_with(sk, :t)",
                     ExpressionAttributeValues={":p": {"S": "share#2"}, ":t": {"S": "target#"}})
    assert [i["sk"]["S"] for i in page["Items"]] == ["target#222222222222", "target#333333333333"]
    assert page["Count"] == 2


def test_transact_write_items_is_all_or_nothing_with_cancellation_reasons():
    """DynamoDB API TransactWriteItems: all actions succeed or none; TransactionCanceledException with
    CancellationReasons in request order, Code "None" for actions that passed and
    "ConditionalCheckFailed" (with the item for ALL_OLD) for the one that failed; DeveloperGuide
    "transaction-apis"."""
    ddb = client("dynamodb", OWNER)
    name = _table(ddb)
    lease = {"pk": {"S": "key#1"}, "sk": {"S": "lease"}}
    ddb.put_item(TableName=name, Item={**lease, "holder": {"S": "share#1"}})
    response = _error(lambda: ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": {"pk": {"S": "share#9"}, "sk": {"S": "summary"}}}},
        {"Update": {"TableName": name, "Key": lease, "UpdateExpression": "SET holder = :me",
                    "ConditionExpression": "attribute_not_exists(holder)",
                    "ExpressionAttributeValues": {":me": {"S": "share#9"}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}]))
    assert response["Error"]["Code"] == "TransactionCanceledException"
    reasons = response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed"]
    assert reasons[1]["Item"]["holder"] == {"S": "share#1"}
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "share#9"}, "sk": {"S": "summary"}})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": {"pk": {"S": "share#9"}, "sk": {"S": "summary"}}}},
        {"ConditionCheck": {"TableName": name, "Key": lease, "ConditionExpression": "holder = :h",
                            "ExpressionAttributeValues": {":h": {"S": "share#1"}}}}])
    assert "Item" in ddb.get_item(TableName=name, Key={"pk": {"S": "share#9"}, "sk": {"S": "summary"}})


def test_time_to_live_attribute_is_stored_and_compared_but_expired_items_stay():
    """DynamoDB API UpdateTimeToLive / DescribeTimeToLive (TimeToLiveStatus, AttributeName;
    ResourceNotFoundException for a missing table); DeveloperGuide "TTL": the attribute is a Number of
    epoch seconds, and expired items are deleted by a background process "within a few days", so
    reads must filter them. The emulator never deletes them (amishare relies only on the stored
    attribute and on conditions comparing it)."""
    ddb = client("dynamodb", OWNER)
    name = _table(ddb)
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiresAt"})
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}
    now = int(time.time())
    key = {"pk": {"S": "key#2"}, "sk": {"S": "lease"}}
    ddb.put_item(TableName=name, Item={**key, "expiresAt": {"N": str(now - 60)}})
    # an expired lease may be taken over: the condition compares the attribute
    ddb.put_item(TableName=name, Item={**key, "expiresAt": {"N": str(now + 300)}},
                 ConditionExpression="attribute_not_exists(pk) OR expiresAt < :now",
                 ExpressionAttributeValues={":now": {"N": str(now)}})
    response = _error(lambda: ddb.put_item(TableName=name, Item={**key, "expiresAt": {"N": str(now + 600)}},
                                           ConditionExpression="attribute_not_exists(pk) OR expiresAt < :now",
                                           ExpressionAttributeValues={":now": {"N": str(now)}}))
    assert response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert ddb.get_item(TableName=name, Key=key)["Item"]["expiresAt"] == {"N": str(now + 300)}
    for call in (lambda: ddb.describe_time_to_live(TableName="amishare-missing"),
                 lambda: ddb.update_time_to_live(TableName="amishare-missing",
                                                 TimeToLiveSpecification={"Enabled": True, "AttributeName": "x"})):
        assert _error(call)["Error"] == {"Code": "ResourceNotFoundException",
                                         "Message": "Requested resource not found: Table: amishare-missing not found"}


def test_point_in_time_recovery_is_enabled_with_update_continuous_backups():
    """DynamoDB API UpdateContinuousBackups / DescribeContinuousBackups
    (PointInTimeRecoveryStatus DISABLED by default, ENABLED after); DeveloperGuide
    "PointInTimeRecovery"."""
    ddb = client("dynamodb", OWNER)
    name = _table(ddb)
    described = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert described["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    described = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert described["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_encryption_at_rest_under_the_aws_managed_or_a_customer_key():
    """DynamoDB API CreateTable "SSESpecification", SSEDescription (Status ENABLED, SSEType KMS,
    KMSMasterKeyArn); DeveloperGuide "EncryptionAtRest": without SSESpecification the AWS owned key
    (no SSEDescription), with KMS and no key the AWS managed key alias/aws/dynamodb, else the named
    customer managed key."""
    ddb, kms = client("dynamodb", OWNER), client("kms", OWNER)
    assert "SSEDescription" not in ddb.describe_table(TableName=_table(ddb))["Table"]
    managed = ddb.describe_table(TableName=_table(ddb, SSESpecification={"Enabled": True, "SSEType": "KMS"}))
    aws_key = kms.describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]
    assert managed["Table"]["SSEDescription"] == {"Status": "ENABLED", "SSEType": "KMS",
                                                  "KMSMasterKeyArn": aws_key["Arn"]}
    assert aws_key["KeyManager"] == "AWS"
    customer = kms.create_key(Description="amishare ledger key")["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/amishare-{uuid.uuid4().hex[:8]}", TargetKeyId=customer["KeyId"])
    table = ddb.describe_table(TableName=_table(ddb, SSESpecification={
        "Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": customer["KeyId"]}))["Table"]
    assert table["SSEDescription"]["KMSMasterKeyArn"] == customer["Arn"]


def test_cloudformation_table_with_the_cdk_properties_deploys_and_deletes():
    """CloudFormation UserGuide "aws-resource-dynamodb-table": BillingMode PAY_PER_REQUEST,
    PointInTimeRecoverySpecification, DeletionProtectionEnabled, SSESpecification,
    TimeToLiveSpecification take effect on the table; deleting the stack deletes the table (deletion
    protection off)."""
    cfn, ddb = client("cloudformation", OWNER), client("dynamodb", OWNER)
    kms = client("kms", OWNER)
    key = kms.create_key(Description="amishare ledger key")["KeyMetadata"]

    def template(protected):
        return json.dumps({"Resources": {"Ledger": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "DeletionProtectionEnabled": protected,
            "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": key["Arn"]},
            "TimeToLiveSpecification": {"AttributeName": "expiresAt", "Enabled": True}}}},
            "Outputs": {"Name": {"Value": {"Ref": "Ledger"}}}})

    def status(stack):
        return cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]

    for protected in (True, False):
        stack = f"amishare-ddb-{uuid.uuid4().hex[:8]}"
        cfn.create_stack(StackName=stack, TemplateBody=template(protected))
        wait_for(lambda: status(stack) in ("CREATE_COMPLETE", "CREATE_FAILED", "ROLLBACK_COMPLETE"),
                 timeout=60, message=f"{stack} created")
        assert status(stack) == "CREATE_COMPLETE"
        name = cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"][0]["OutputValue"]
        table = ddb.describe_table(TableName=name)["Table"]
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert table["DeletionProtectionEnabled"] is protected
        assert table["SSEDescription"]["KMSMasterKeyArn"] == key["Arn"]
        backups = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
        assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
            "TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}
        if protected:
            ddb.update_table(TableName=name, DeletionProtectionEnabled=False)  # as an operator would
        cfn.delete_stack(StackName=stack)

        def gone():
            try:
                ddb.describe_table(TableName=name)
                return False
            except ClientError as e:
                return e.response["Error"]["Code"] == "ResourceNotFoundException"
        wait_for(gone, timeout=60, message=f"{name} deleted with its stack")


def test_role_session_needs_dynamodb_actions_on_the_table():
    """Service Authorization Reference "list_amazondynamodb": PutItem, GetItem, ... on
    arn:aws:dynamodb:<region>:<account>:table/<name>; DeveloperGuide "transaction-apis-iam":
    TransactWriteItems is authorized per action as PutItem / UpdateItem / DeleteItem /
    ConditionCheckItem on each table; a denied role session gets AccessDeniedException (400) with
    IAM's message (IAM UserGuide "troubleshoot_access-denied")."""
    root = client("dynamodb", OWNER)
    allowed, other = _table(root), _table(root)
    allowed_arn = f"arn:aws:dynamodb:{REGION}:{OWNER}:table/{allowed}"
    other_arn = f"arn:aws:dynamodb:{REGION}:{OWNER}:table/{other}"
    role_arn, creds = role_session(OWNER, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:GetItem"], "Resource": allowed_arn},
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": other_arn}]})
    session = role_arn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/test"
    ddb = client("dynamodb", OWNER, **creds)
    item = {"pk": {"S": "a"}, "sk": {"S": "b"}}
    ddb.put_item(TableName=allowed, Item=item)
    assert ddb.get_item(TableName=allowed, Key=item)["Item"] == item
    response = _error(lambda: ddb.put_item(TableName=other, Item=item))
    assert (response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "AccessDeniedException",
        f"User: {session} is not authorized to perform: dynamodb:PutItem on resource: {other_arn} "
        "because no identity-based policy allows the dynamodb:PutItem action", 400)
    assert "Item" not in root.get_item(TableName=other, Key=item)
    # a transaction needs each underlying action: PutItem is allowed, UpdateItem is not
    response = _error(lambda: ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": allowed, "Item": {"pk": {"S": "t"}, "sk": {"S": "1"}}}},
        {"Update": {"TableName": allowed, "Key": item, "UpdateExpression": "SET x = :x",
                    "ExpressionAttributeValues": {":x": {"N": "1"}}}}]))
    assert response["Error"]["Code"] == "AccessDeniedException"
    assert "dynamodb:UpdateItem" in response["Error"]["Message"]
    assert "Item" not in root.get_item(TableName=allowed, Key={"pk": {"S": "t"}, "sk": {"S": "1"}})
    # the account root is not restricted
    root.put_item(TableName=other, Item=item)


def test_role_session_reaches_only_items_whose_partition_key_the_policy_names():
    """DeveloperGuide "specifying-conditions" ("Using IAM policy conditions for fine-grained access
    control"): dynamodb:LeadingKeys is the partition key values of the items a request touches; with
    ForAllValues:StringLike every one must match. PutItem (Item), GetItem (Key), Query (the partition
    key of KeyConditionExpression through ExpressionAttributeNames / Values, and of the legacy
    KeyConditions), BatchWriteItem (all the table's items in one authorization); a refused request
    gets AccessDeniedException (400) and writes nothing."""
    root = client("dynamodb", OWNER)
    name = _table(root)
    arn = f"arn:aws:dynamodb:{REGION}:{OWNER}:table/{name}"
    _, creds = role_session(OWNER, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query",
                                       "dynamodb:BatchWriteItem"], "Resource": arn,
         "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["GRANT#*"]}}}]})
    ddb = client("dynamodb", OWNER, **creds)
    grant, lease = {"pk": {"S": "GRANT#x"}, "sk": {"S": "1"}}, {"pk": {"S": "LEASE#x"}, "sk": {"S": "1"}}
    root.put_item(TableName=name, Item=lease)

    ddb.put_item(TableName=name, Item={**grant, "v": {"N": "1"}})
    assert ddb.get_item(TableName=name, Key=grant)["Item"]["v"] == {"N": "1"}
    page = ddb.query(TableName=name, KeyConditionExpression="#p = :p AND sk = :s",
                     ExpressionAttributeNames={"#p": "pk"},
                     ExpressionAttributeValues={":p": {"S": "GRANT#x"}, ":s": {"S": "1"}})
    assert page["Count"] == 1
    ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {"pk": {"S": "GRANT#a"}, "sk": {"S": "1"}}}},
                                              {"DeleteRequest": {"Key": {"pk": {"S": "GRANT#b"}, "sk": {"S": "1"}}}}]})
    assert "Item" in root.get_item(TableName=name, Key={"pk": {"S": "GRANT#a"}, "sk": {"S": "1"}})

    refused = [
        lambda: ddb.put_item(TableName=name, Item={**lease, "v": {"N": "2"}}),
        lambda: ddb.get_item(TableName=name, Key=lease),
        lambda: ddb.query(TableName=name, KeyConditionExpression=":p = pk",
                          ExpressionAttributeValues={":p": {"S": "LEASE#x"}}),
        lambda: ddb.query(TableName=name, KeyConditions={"pk": {"AttributeValueList": [{"S": "LEASE#x"}],
                                                                "ComparisonOperator": "EQ"}}),
        lambda: ddb.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": "GRANT#c"}, "sk": {"S": "1"}}}},
            {"PutRequest": {"Item": {"pk": {"S": "COPY#b"}, "sk": {"S": "1"}}}}]}),
    ]
    for call in refused:
        response = _error(call)
        assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == (
            "AccessDeniedException", 400)
        assert arn in response["Error"]["Message"]
    assert "v" not in root.get_item(TableName=name, Key=lease)["Item"]
    assert "Item" not in root.get_item(TableName=name, Key={"pk": {"S": "GRANT#c"}, "sk": {"S": "1"}})
    assert "Item" not in root.get_item(TableName=name, Key={"pk": {"S": "COPY#b"}, "sk": {"S": "1"}})


def test_leading_keys_of_transactions_per_item_and_no_leading_keys_for_scan():
    """DeveloperGuide "transaction-apis-iam": each action of TransactWriteItems / TransactGetItems is
    authorized as its item operation, so dynamodb:LeadingKeys is that item's partition key;
    "specifying-conditions": a Scan names no partition key, so the key is not present (Null "true"
    holds; IAM UserGuide "reference_policies_elements_condition_operators" Null). Number keys are
    compared as their digits."""
    root = client("dynamodb", OWNER)
    name = f"amishare-{uuid.uuid4().hex[:10]}"
    root.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                      AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}],
                      KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    arn = f"arn:aws:dynamodb:{REGION}:{OWNER}:table/{name}"
    _, creds = role_session(OWNER, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem"],
         "Resource": arn, "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["1*"]}}},
        {"Effect": "Allow", "Action": "dynamodb:Scan", "Resource": arn,
         "Condition": {"Null": {"dynamodb:LeadingKeys": "true"}}}]})
    ddb = client("dynamodb", OWNER, **creds)
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": name, "Item": {"id": {"N": "10"}}}},
                                            {"Put": {"TableName": name, "Item": {"id": {"N": "11"}}}}])
    got = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": name, "Key": {"id": {"N": "10"}}}}])
    assert got["Responses"][0]["Item"] == {"id": {"N": "10"}}
    response = _error(lambda: ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": {"id": {"N": "12"}}}},
        {"Delete": {"TableName": name, "Key": {"id": {"N": "20"}}}}]))
    assert response["Error"]["Code"] == "AccessDeniedException"
    assert "dynamodb:DeleteItem" in response["Error"]["Message"]
    assert "Item" not in root.get_item(TableName=name, Key={"id": {"N": "12"}})
    assert _error(lambda: ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": name, "Key": {"id": {"N": "20"}}}}]))["Error"]["Code"] == "AccessDeniedException"
    assert ddb.scan(TableName=name)["Count"] == 2
