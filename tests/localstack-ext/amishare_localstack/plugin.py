"""Entry point: a LocalStack on_infra_start hook (plux namespace "localstack.hooks.on_infra_start",
declared in pyproject.toml) that applies every patch of the extension, adds two gateway request
handlers (enforcement.handle, then lambda_faults.handle) to
localstack.aws.handlers.serve_custom_service_request_handlers, which run after the request is parsed and
before the provider serves it, a response handler (request_log.count) to run_custom_response_handlers,
one REST API invocation handler (apigateway_identity.fill_identity) to API Gateway's preprocess_request
chain, which runs after the method is routed, and the emulator-internal endpoints /_amishare/requests and
/_amishare/faults/lambda to the edge router (localstack.services.edge.ROUTER). Active as soon as the
package is installed.

Each patching module exposes patches() -> localstack.utils.patch.Patches, built from the targets as
they are when the hook runs, and applied only here: LocalStack's own mechanism, so that
Patch.applied_patches lists all of them.
"""

from __future__ import annotations

import logging

from localstack.runtime import hooks

LOG = logging.getLogger(__name__)
_installed = False


@hooks.on_infra_start()
def amishare_emulator():
    global _installed
    if _installed:
        return
    from localstack.aws import handlers
    from localstack.services.apigateway.next_gen.execute_api import handlers as rest_api_handlers

    from localstack.services.edge import ROUTER

    from . import (apigateway_identity, dynamodb_api, ec2_allowed_amis, ec2_copy, ec2_images, enforcement,
                   events_perimeter, iam_sts, lambda_faults, request_log, sfn_callbacks, sfn_distributed_map,
                   sfn_jsonpath, sfn_lambda_errors)

    for module in (ec2_images, ec2_copy, ec2_allowed_amis, events_perimeter, iam_sts, sfn_callbacks, sfn_jsonpath,
                   sfn_distributed_map, sfn_lambda_errors, dynamodb_api):
        module.patches().apply()
    # handler chains LocalStack offers for this, not patches: the gateway's, and the REST API
    # invocation's preprocess_request (RestApiGateway: "extend the behavior of the invocation by adding
    # handlers to the preprocess_request CompositeHandler"); the fault handler after authorization
    handlers.serve_custom_service_request_handlers.append(enforcement.handle)
    handlers.serve_custom_service_request_handlers.append(lambda_faults.handle)
    handlers.run_custom_response_handlers.append(request_log.count)
    rest_api_handlers.preprocess_request.append(apigateway_identity.fill_identity)
    # emulator-internal endpoints on the edge router, where LocalStack's services add theirs
    ROUTER.add(request_log.RequestLogEndpoints())
    ROUTER.add(lambda_faults.LambdaFaultEndpoints())
    _installed = True
    LOG.warning("amishare extension loaded: EC2 AMI sharing, Allowed AMIs, KMS key policies, IAM/STS policy evaluation, EventBridge PutEvents perimeter, API Gateway IAM caller identity, Step Functions early callbacks, JSONPath lists and Distributed Map, DynamoDB, Lambda fault injection, request log")
