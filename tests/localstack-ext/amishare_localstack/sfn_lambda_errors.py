"""Step Functions: a Task whose Resource is a Lambda function's ARN reports a Lambda API error of its
Invoke call as "Lambda.<code>" (Step Functions DeveloperGuide "bp-lambda-serviceexception": "Lambda
errors are reported as Lambda.<exception>"; "When Lambda hits the maximum number of invocations, the
error is Lambda.TooManyRequestsException"), so a Retry on Lambda.TooManyRequestsException or
Lambda.ServiceException runs the function again.

LocalStack 2026.3.0 answers such an error with the name "Exception" for this form of task (its
lambda:invoke integration already uses "Lambda.<code>"), so no documented Retry ever matched.

An Invoke that got no answer at all (the connection closed or timed out between Step Functions and
Lambda, which on a loaded emulator happens between its own services) is the page's
"Lambda.SdkClientException", the client-side failure it lists among the transient errors to retry;
LocalStack named it "Exception" too.
"""

from __future__ import annotations

from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError
from localstack.aws.api.stepfunctions import HistoryEventType, LambdaFunctionFailedEventDetails
from localstack.services.stepfunctions.asl.component.common.error_name.custom_error_name import CustomErrorName
from localstack.services.stepfunctions.asl.component.common.error_name.failure_event import FailureEvent
from localstack.services.stepfunctions.asl.component.state.state_execution.state_task.state_task_lambda import (
    StateTaskLambda,
)
from localstack.services.stepfunctions.asl.eval.event.event_detail import EventDetails
from localstack.utils.patch import Patch, Patches


NO_ANSWER = (ConnectionClosedError, EndpointConnectionError, ReadTimeoutError)


def _from_error(from_error, self, env, ex):
    if isinstance(ex, ClientError):
        error = f"Lambda.{ex.response['Error']['Code']}"
        cause = ex.response["Error"].get("Message") or error
    elif isinstance(ex, NO_ANSWER):
        error, cause = "Lambda.SdkClientException", str(ex)
    else:
        return from_error(self, env, ex)
    return FailureEvent(
        env=env,
        error_name=CustomErrorName(error),
        event_type=HistoryEventType.LambdaFunctionFailed,
        event_details=EventDetails(
            lambdaFunctionFailedEventDetails=LambdaFunctionFailedEventDetails(error=error, cause=cause)),
    )


def patches() -> Patches:
    return Patches([Patch.function(StateTaskLambda._from_error, _from_error)])
