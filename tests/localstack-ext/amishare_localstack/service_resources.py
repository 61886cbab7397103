"""What an SSM, Step Functions, IAM, Organizations or DynamoDB request asks IAM for: the action, the
resource ARN(s) it acts on and the service's condition keys, as the Service Authorization Reference
lists them ("list_awssystemsmanager", "list_awsstepfunctions", "list_awsidentityandaccessmanagementiam",
"list_awsorganizations", "list_amazondynamodb"). enforcement.py checks these against a role session's identity policies.

DynamoDB item operations also carry dynamodb:LeadingKeys, the partition key values of the items they
touch (DynamoDB DeveloperGuide "specifying-conditions").

An operation not listed here is not checked (the emulator enforces what amishare's functions call);
every DynamoDB operation is.
"""

from __future__ import annotations

import base64
import re
from typing import NamedTuple

from localstack.aws.api import RequestContext

from . import org


class Authorization(NamedTuple):
    action: str  # service:Action
    resource: str  # ARN, or "*" for actions without resource-level permissions
    context: dict  # condition keys of the request (lower-cased names)


# ---- SSM Parameter Store -----------------------------------------------------------------------

def parameter_arn(context: RequestContext, name: str) -> str:
    """arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash> (resource type
    "parameter"); a name given as an ARN is that ARN. A version or label selector ("name:3") is not
    part of the ARN."""
    if name.startswith("arn:"):
        return name
    return f"arn:aws:ssm:{context.region}:{context.account_id}:parameter/{name.split(':')[0].lstrip('/')}"


def _ssm(context: RequestContext, request: dict) -> list[Authorization] | None:
    operation = context.operation.name
    if operation in ("GetParameter", "DeleteParameter", "GetParameterHistory"):
        return [Authorization(f"ssm:{operation}", parameter_arn(context, request["Name"]), {})]
    if operation == "PutParameter":
        keys = {"ssm:overwrite": "true" if request.get("Overwrite") else "false"}
        return [Authorization("ssm:PutParameter", parameter_arn(context, request["Name"]), keys)]
    if operation in ("GetParameters", "DeleteParameters"):
        return [Authorization(f"ssm:{operation}", parameter_arn(context, name), {})
                for name in request.get("Names") or []]
    if operation == "GetParametersByPath":
        return [Authorization("ssm:GetParametersByPath", parameter_arn(context, request["Path"]), {})]
    return None


# ---- Step Functions ----------------------------------------------------------------------------

def _state_machine_of_token(context: RequestContext, token: str) -> str | None:
    """The state machine of the execution that handed out a task token. The Service Authorization
    Reference lists no resource type for SendTask*, but AWS authorizes them against the token's state
    machine (aws-cdk pull request 8486, tested on AWS; the AccessDeniedException of NOAA-OWP/hydrovis
    issue 837 names the state machine ARN)."""
    from localstack.services.stepfunctions.backend.models import sfn_stores

    for execution in list(sfn_stores[context.account_id][context.region].executions.values()):
        try:
            if execution.exec_worker.env.callback_pool_manager.get(token) is not None:
                return execution.state_machine_arn
        except AttributeError:  # an execution that is not running has no worker
            continue
    return None


def _states(context: RequestContext, request: dict) -> list[Authorization] | None:
    operation = context.operation.name
    if operation in ("StartExecution", "StartSyncExecution"):
        # Step Functions Local's mock test case ("<arn>#<test case>", SFN_MOCK_CONFIG) is not part of the ARN
        arn = request["stateMachineArn"].split("#")[0]
        return [Authorization(f"states:{operation}", arn, {})]
    if operation in ("DescribeExecution", "StopExecution"):
        return [Authorization(f"states:{operation}", request["executionArn"], {})]
    if operation in ("SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat"):
        state_machine = _state_machine_of_token(context, request.get("taskToken") or "")
        # an unknown token: Step Functions answers InvalidToken / TaskDoesNotExist itself
        return [Authorization(f"states:{operation}", state_machine, {})] if state_machine else []
    return None


# ---- IAM -----------------------------------------------------------------------------------------

def _iam(context: RequestContext, request: dict) -> list[Authorization] | None:
    if context.operation.name == "SimulatePrincipalPolicy":
        # resource types user, group, role: the entity whose policies are simulated
        return [Authorization("iam:SimulatePrincipalPolicy", request["PolicySourceArn"], {})]
    return None


# ---- Organizations -----------------------------------------------------------------------------

def _organizations(context: RequestContext, request: dict) -> list[Authorization] | None:
    operation = context.operation.name
    organization = org.organization_of(context.account_id)
    action = f"organizations:{operation}"

    def entity_arn(entity_id: str | None) -> str:
        if organization is None or not entity_id:
            return "*"
        if entity_id == organization.root_id:
            return organization.root_arn
        if entity_id.startswith("ou-"):
            return organization.ou_arn(entity_id)
        return organization.account_arn(entity_id)

    if operation in ("DescribeOrganization", "ListRoots", "ListAccounts"):
        return [Authorization(action, "*", {})]  # no resource types
    if operation == "DescribeAccount":
        return [Authorization(action, entity_arn(request.get("AccountId")), {})]
    if operation == "DescribeOrganizationalUnit":
        return [Authorization(action, entity_arn(request.get("OrganizationalUnitId")), {})]
    if operation == "ListParents":
        return [Authorization(action, entity_arn(request.get("ChildId")), {})]
    if operation in ("ListChildren", "ListAccountsForParent"):
        return [Authorization(action, entity_arn(request.get("ParentId")), {})]
    return None


# ---- DynamoDB -----------------------------------------------------------------------------------

def table_arn(context: RequestContext, name: str, index: str | None = None) -> str:
    """arn:aws:dynamodb:<region>:<account>:table/<name> (resource type "table"), .../index/<index> for
    a Query or Scan of an index (resource type "index"); TableName may be the table's ARN."""
    arn = name if name.startswith("arn:") else f"arn:aws:dynamodb:{context.region}:{context.account_id}:table/{name}"
    return f"{arn}/index/{index}" if index else arn


# TransactWriteItems / TransactGetItems are authorized per action as the underlying item operation
# (DynamoDB DeveloperGuide "transaction-apis-iam"), with dynamodb:EnclosingOperation
_TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                     "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}

LEADING_KEYS = "dynamodb:leadingkeys"


def _partition_key(context: RequestContext, name: str, index: str | None = None) -> str | None:
    """The partition (HASH) key attribute of the table, or of the index a Query names, from moto's
    DynamoDB backend that serves the table (dynamodb_api.py). None when there is no such table or
    index: the provider then answers ResourceNotFoundException / ValidationException itself."""
    from moto.dynamodb.models import dynamodb_backends

    parts = table_arn(context, name).split(":", 5)
    if len(parts) < 6:
        return None
    try:
        table = dynamodb_backends[parts[4]][parts[3]].tables.get(parts[5].partition("/")[2])
    except KeyError:  # a Region moto does not know
        return None
    if table is None:
        return None
    schema = table.schema
    if index:
        found = [i for i in (table.global_indexes or []) + (table.indexes or []) if i.name == index]
        if not found:
            return None
        schema = found[0].schema
    return next((k["AttributeName"] for k in schema if k.get("KeyType") == "HASH"), None)


def _key_value(value: dict | None) -> str | None:
    """A key attribute's value as IAM compares it: S as it is, N as its digits, B base64-encoded (as on
    the wire)."""
    if not isinstance(value, dict):
        return None
    if "S" in value or "N" in value:
        return str(value.get("S", value.get("N")))
    if "B" in value:
        raw = value["B"]
        return base64.b64encode(raw).decode() if isinstance(raw, bytes) else str(raw)
    return None


def _leading_keys(context: RequestContext, table: str, keys: list[dict | None], index: str | None = None) -> dict:
    """dynamodb:LeadingKeys: the partition key values of the items a request touches (DynamoDB
    DeveloperGuide "specifying-conditions", "Using IAM policy conditions for fine-grained access
    control"), a multi-valued key. Not present when the table is unknown."""
    attribute = _partition_key(context, table, index)
    if attribute is None:
        return {}
    values = [_key_value((key or {}).get(attribute)) for key in keys]
    return {LEADING_KEYS: list(dict.fromkeys(v for v in values if v is not None))}


# one comparison "<operand> = <operand>" of a KeyConditionExpression, operands a name, #name or :value
_EQUALS = re.compile(r"([#:]?[A-Za-z0-9_.\-]+)\s*(?<![<>!])=\s*([#:]?[A-Za-z0-9_.\-]+)")


def _query_key(context: RequestContext, request: dict) -> dict | None:
    """The partition key attribute and value a Query selects: "pk = :v" / "#n = :v" (either side) of
    KeyConditionExpression, resolved through ExpressionAttributeNames / ExpressionAttributeValues, or
    the legacy KeyConditions' EQ (DynamoDB API Query "KeyConditionExpression", "KeyConditions")."""
    attribute = _partition_key(context, request["TableName"], request.get("IndexName"))
    if attribute is None:
        return None
    legacy = (request.get("KeyConditions") or {}).get(attribute)
    if legacy:
        values = legacy.get("AttributeValueList") or []
        return {attribute: values[0]} if legacy.get("ComparisonOperator") == "EQ" and values else {}
    names = request.get("ExpressionAttributeNames") or {}
    values = request.get("ExpressionAttributeValues") or {}
    for left, right in _EQUALS.findall(request.get("KeyConditionExpression") or ""):
        for operand, other in ((left, right), (right, left)):
            if names.get(operand, operand) == attribute and other.startswith(":") and other in values:
                return {attribute: values[other]}
    return {}


def _item_keys(operation: str, request: dict) -> list[dict] | None:
    """The key (or item) of each item a single-item request touches; None for other operations."""
    if operation == "PutItem":
        return [request.get("Item")]
    if operation in ("GetItem", "DeleteItem", "UpdateItem"):
        return [request.get("Key")]
    return None


def _batch_keys(operation: str, entries) -> list[dict]:
    if operation == "BatchGetItem":
        return list((entries or {}).get("Keys") or [])
    return [(e.get("PutRequest") or {}).get("Item") or (e.get("DeleteRequest") or {}).get("Key")
            for e in entries or []]


def _dynamodb(context: RequestContext, request: dict) -> list[Authorization] | None:
    operation = context.operation.name
    if operation in ("TransactWriteItems", "TransactGetItems"):
        authorizations = []
        for entry in request.get("TransactItems") or []:
            for kind, item in entry.items():
                keys = {"dynamodb:enclosingoperation": operation,
                        **_leading_keys(context, item["TableName"], [item.get("Item") or item.get("Key")])}
                authorizations.append(Authorization(f"dynamodb:{_TRANSACT_ACTIONS[kind]}",
                                                    table_arn(context, item["TableName"]), keys))
        return authorizations
    if operation in ("BatchGetItem", "BatchWriteItem"):
        # one authorization per table, with the partition keys of all its items
        return [Authorization(f"dynamodb:{operation}", table_arn(context, name),
                              _leading_keys(context, name, _batch_keys(operation, entries)))
                for name, entries in (request.get("RequestItems") or {}).items()]
    if request.get("TableName"):
        name, index = request["TableName"], request.get("IndexName")
        keys = {}
        if operation == "Query":
            selected = _query_key(context, request)
            keys = _leading_keys(context, name, [selected], index) if selected is not None else {}
        elif _item_keys(operation, request) is not None:
            keys = _leading_keys(context, name, _item_keys(operation, request))
        # Scan and table operations: the key is not present (no item is named)
        return [Authorization(f"dynamodb:{operation}", table_arn(context, name, index), keys)]
    if request.get("ResourceArn"):  # TagResource, ListTagsOfResource, resource policies
        return [Authorization(f"dynamodb:{operation}", request["ResourceArn"], {})]
    return [Authorization(f"dynamodb:{operation}", "*", {})]  # ListTables, DescribeLimits ...


RESOLVERS = {"ssm": _ssm, "stepfunctions": _states, "iam": _iam, "organizations": _organizations,
             "dynamodb": _dynamodb}


def authorizations(context: RequestContext) -> list[Authorization] | None:
    """What IAM checks for this request, or None when the emulator does not check the operation."""
    resolver = RESOLVERS.get(context.service.service_name)
    return resolver(context, context.service_request or {}) if resolver else None
