"""$context.identity of REST API methods with IAM authorization: who signed the request.

LocalStack leaves $context.identity.accountId, caller, user and userArn None
(localstack/services/apigateway/next_gen/execute_api/handlers/parse.py). For a method whose
authorizationType is AWS_IAM and a request signed with SigV4 (Authorization header with
Credential=<access key>/...), this fills them from the caller the access key stands for
(identity.caller_of_access_key), as API Gateway DeveloperGuide "api-gateway-mapping-template-reference"
describes them:

- accountId: the caller's account;
- accessKey: the access key id;
- caller, user: the principal identifier, as STS GetCallerIdentity's UserId shows it: the account id
  for an account root, "<role id>:<session name>" for a role session;
- userArn: arn:aws:iam::<account>:root, or arn:aws:sts::<account>:assumed-role/<role>/<session>;
- principalOrgId: the caller account's organization (org.py), when it belongs to one.

The signature is not verified (a request signed with any secret counts), and an unsigned request to
an IAM-authorized method is not refused. Requests to methods with other authorization types keep
LocalStack's values.

Registered by plugin.py in LocalStack's preprocess_request handler chain of the REST API gateway
(handlers.preprocess_request, which runs after the route is matched), not a patch.
"""

from __future__ import annotations

import logging

from . import org
from .identity import access_key_of, caller_of_access_key

LOG = logging.getLogger(__name__)


def fill_identity(chain, context, response):
    method = context.resource_method or {}
    if method.get("authorizationType") != "AWS_IAM":
        return
    access_key = access_key_of(context.request.headers)
    if not access_key:
        return
    caller = caller_of_access_key(access_key)
    identity = context.context_variables.setdefault("identity", {})
    identity.update(accountId=caller.account, accessKey=access_key, caller=caller.user_id,
                    user=caller.user_id, userArn=caller.arn)
    org_id = org.context_keys(caller.account).get("aws:principalorgid")
    if org_id:
        identity["principalOrgId"] = org_id
    LOG.debug("amishare: $context.identity of %s is %s", access_key, caller.arn)
