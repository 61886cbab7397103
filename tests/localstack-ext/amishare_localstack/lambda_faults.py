"""Lambda fault injection for tests: the next N Invoke calls of a function are answered with one of the
errors the Lambda API reference lists for Invoke instead of running it, as Lambda answers when it
throttles (TooManyRequestsException, 429) or fails itself (ServiceException 500, EC2ThrottledException
502, ...). Step Functions' lambda:invoke integration then fails the task with `Lambda.<code>`, so the
workflow's Retry and Catch on Lambda service errors can be exercised.

Not an AWS API: an emulator-internal endpoint on LocalStack's edge router:

  POST   /_amishare/faults/lambda  {"functionName": "<name or ARN>", "count": N, "error": "<Invoke error>",
                                    "message": optional, "reason": optional ThrottleReason}
                                   -> 201 with the armed fault; 400 for an error Invoke does not list
  GET    /_amishare/faults/lambda  the armed faults and how many invocations each still fails
  DELETE /_amishare/faults/lambda  clears them all (?functionName=...: only that function's)

A function ARN (with or without a qualifier) arms that account's and region's function; a bare name
arms the function of that name in every account and region. Invocations through any caller count:
clients, Step Functions, EventBridge targets (all of them reach Lambda's Invoke through the gateway,
where handle() runs after the request is parsed and authorized).
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import asdict, dataclass

from localstack.aws.api import RequestContext
from localstack.aws.chain import HandlerChain
from localstack.http import Request, Response, route

from . import errors

PATH = "/_amishare/faults/lambda"

_lock = threading.Lock()
_faults: list["Fault"] = []
_ids = itertools.count(1)


@dataclass
class Fault:
    id: int
    functionName: str
    name: str
    account: str | None
    region: str | None
    error: str
    remaining: int
    message: str | None = None
    reason: str | None = None

    def matches(self, name: str, account: str, region: str) -> bool:
        return self.name == name and self.account in (None, account) and self.region in (None, region)


def parse_function(function: str) -> tuple[str, str | None, str | None]:
    """(name, account, region) of a function name, partial ARN (<account>:function:<name>) or ARN, each
    with or without a :qualifier (Lambda API Invoke "FunctionName")."""
    parts = function.split(":")
    if function.startswith("arn:") and len(parts) >= 7:
        return parts[6], parts[4] or None, parts[3] or None
    if len(parts) >= 3 and parts[1] == "function":
        return parts[2], parts[0], None
    return parts[0], None, None


def arm(body: dict) -> Fault:
    function, error, count = body.get("functionName"), body.get("error"), body.get("count", 1)
    if not isinstance(function, str) or not function:
        raise ValueError("functionName (a function name or ARN) is required")
    if error not in errors.lambda_invoke_errors():
        raise ValueError(f"error must be one of the errors of Lambda's Invoke: "
                         f"{', '.join(sorted(errors.lambda_invoke_errors()))}")
    if not isinstance(count, int) or count < 1:
        raise ValueError("count must be a positive integer")
    name, account, region = parse_function(function)
    fault = Fault(id=next(_ids), functionName=function, name=name, account=account, region=region, error=error,
                  remaining=count, message=body.get("message"), reason=body.get("reason"))
    with _lock:
        _faults.append(fault)
    return fault


def take(name: str, account: str, region: str) -> Fault | None:
    """The oldest armed fault for this function, with one invocation fewer left to fail."""
    with _lock:
        fault = next((f for f in _faults if f.matches(name, account, region)), None)
        if fault is None:
            return None
        fault.remaining -= 1
        if fault.remaining <= 0:
            _faults.remove(fault)
        return fault


def handle(chain: HandlerChain, context: RequestContext, response: Response):
    if context.service is None or context.service.service_name != "lambda" or context.operation is None \
            or context.operation.name != "Invoke":
        return
    function = (context.service_request or {}).get("FunctionName")
    if not function:
        return
    name, account, region = parse_function(function)
    fault = take(name, account or context.account_id, region or context.region)
    if fault is not None:
        raise errors.LambdaInvokeError(fault.error, message=fault.message, reason=fault.reason)


def _json(status: int, body) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


class LambdaFaultEndpoints:
    @route(PATH, methods=["POST"])
    def arm_fault(self, request: Request):
        try:
            body = json.loads(request.get_data() or b"{}")
            return _json(201, asdict(arm(body if isinstance(body, dict) else {})))
        except (ValueError, json.JSONDecodeError) as e:
            return _json(400, {"message": str(e)})

    @route(PATH, methods=["GET"])
    def list_faults(self, request: Request):
        with _lock:
            return [asdict(f) for f in _faults]

    @route(PATH, methods=["DELETE"])
    def clear_faults(self, request: Request):
        function = request.args.get("functionName")
        with _lock:
            if function:
                name, account, region = parse_function(function)
                kept = [f for f in _faults if not (f.name == name and f.account == account and f.region == region)]
            else:
                kept = []
            cleared = len(_faults) - len(kept)
            _faults[:] = kept
        return {"cleared": cleared}
