"""Step Functions: a task token's outcome is kept when it arrives before the task starts waiting.

AWS accepts SendTaskSuccess / SendTaskFailure for a ".waitForTaskToken" task as soon as the token has
been handed out (Step Functions DeveloperGuide "connect-to-resource", "Wait for a Callback with Task
Token"): a Lambda function that finishes the work within its own invocation may resume the task before
the invocation returns. LocalStack 2026.3.0 sets up a task's heartbeat endpoint only after the
invocation returned; an outcome that arrived earlier notified no heartbeat, so a task with
HeartbeatSeconds waited for the whole heartbeat and then failed with States.HeartbeatTimeout. Here a
heartbeat endpoint set up after the outcome is notified at once, so the task takes the outcome.
"""

from __future__ import annotations

from localstack.services.stepfunctions.asl.eval.callback.callback import CallbackEndpoint
from localstack.utils.patch import Patch, Patches


def _setup_heartbeat_endpoint(original, self, heartbeat_seconds):
    endpoint = original(self, heartbeat_seconds)
    if self.get_outcome() is not None:
        endpoint.notify()
    return endpoint


def patches() -> Patches:
    return Patches([Patch.function(CallbackEndpoint.setup_heartbeat_endpoint, _setup_heartbeat_endpoint)])
