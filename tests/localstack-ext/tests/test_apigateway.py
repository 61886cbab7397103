"""API Gateway REST APIs: $context.identity of IAM-authorized methods names who signed the request
(API Gateway DeveloperGuide "api-gateway-mapping-template-reference")."""

import json
import uuid

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import ENDPOINT, OWNER, CONSUMER, ORG_ID, REGION, client, role_session

_ECHO = ('{"userArn": "$context.identity.userArn", "accountId": "$context.identity.accountId", '
         '"caller": "$context.identity.caller", "user": "$context.identity.user", '
         '"accessKey": "$context.identity.accessKey", "principalOrgId": "$context.identity.principalOrgId"}')


def _echo_api(account, authorization="AWS_IAM"):
    """A REST API with GET /whoami (MOCK integration) whose response template echoes $context.identity."""
    apigateway = client("apigateway", account)
    api_id = apigateway.create_rest_api(name=f"amishare-whoami-{uuid.uuid4().hex[:8]}")["id"]
    root_id = apigateway.get_resources(restApiId=api_id)["items"][0]["id"]
    resource_id = apigateway.create_resource(restApiId=api_id, parentId=root_id, pathPart="whoami")["id"]
    apigateway.put_method(restApiId=api_id, resourceId=resource_id, httpMethod="GET", authorizationType=authorization)
    apigateway.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod="GET", type="MOCK",
                               requestTemplates={"application/json": '{"statusCode": 200}'})
    apigateway.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod="GET", statusCode="200")
    apigateway.put_integration_response(restApiId=api_id, resourceId=resource_id, httpMethod="GET", statusCode="200",
                                        responseTemplates={"application/json": _ECHO})
    apigateway.create_deployment(restApiId=api_id, stageName="test")
    return f"{ENDPOINT}/_aws/execute-api/{api_id}/test/whoami"


def _signed_get(url, access_key, secret="test", token=None):
    request = AWSRequest(method="GET", url=url, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(access_key, secret, token), "execute-api", REGION).add_auth(request)
    response = requests.get(url, headers=dict(request.headers), timeout=30)
    assert response.status_code == 200, response.text
    return json.loads(response.text)


def test_iam_authorized_method_sees_the_signing_account_root_and_role_session():
    """$context.identity.userArn, accountId, caller, user and accessKey of a SigV4-signed request to an
    AWS_IAM method: the account root (arn:aws:iam::<account>:root, caller and user the account id) and an
    assumed role (arn:aws:sts::<account>:assumed-role/<role>/<session>, caller and user
    "<role id>:<session>", as STS GetCallerIdentity's UserId); principalOrgId the caller's organization."""
    url = _echo_api(OWNER)

    identity = _signed_get(url, CONSUMER)
    assert identity == {"userArn": f"arn:aws:iam::{CONSUMER}:root", "accountId": CONSUMER, "caller": CONSUMER,
                        "user": CONSUMER, "accessKey": CONSUMER, "principalOrgId": ORG_ID}

    role_arn, creds = role_session(CONSUMER, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}]})
    role_name = role_arn.split("/")[-1]
    identity = _signed_get(url, creds["aws_access_key_id"], creds["aws_secret_access_key"], creds["aws_session_token"])
    role_id = client("iam", CONSUMER).get_role(RoleName=role_name)["Role"]["RoleId"]
    assert identity["userArn"] == f"arn:aws:sts::{CONSUMER}:assumed-role/{role_name}/test"
    assert (identity["accountId"], identity["caller"], identity["user"]) == (CONSUMER, f"{role_id}:test", f"{role_id}:test")
    assert identity["accessKey"] == creds["aws_access_key_id"]


def test_method_without_iam_authorization_keeps_no_caller_identity():
    """$context.identity.userArn is set for IAM authorization only: a method with authorization NONE
    shows none, signed or not."""
    url = _echo_api(OWNER, authorization="NONE")
    assert _signed_get(url, CONSUMER)["userArn"] == ""
