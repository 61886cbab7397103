"""A count of every AWS request the emulator serves, by account, region, service and operation, for
benchmarks (how many ModifyImageAttribute, PutKeyPolicy, ... calls one share costs the owner).

Not an AWS API: an emulator-internal endpoint, on LocalStack's edge router (localstack.services.edge
ROUTER, where LocalStack's services add their own developer endpoints):

  GET    /_amishare/requests   [{"account", "region", "service", "operation", "count", "internal"}, ...]
                               ?internal=false: only the requests of clients (not LocalStack's services
                               calling each other, e.g. Step Functions invoking Lambda)
  DELETE /_amishare/requests   resets every count

Counted by a response handler (localstack.aws.handlers.run_custom_response_handlers), so a request is
counted once it is answered, whether it succeeded or failed; requests that name no AWS operation
(health checks, these endpoints) are not counted.
"""

from __future__ import annotations

import threading
from collections import Counter

from localstack.aws.api import RequestContext
from localstack.aws.chain import HandlerChain
from localstack.http import Request, Response, route

PATH = "/_amishare/requests"

_lock = threading.Lock()
_counts: Counter = Counter()


def count(chain: HandlerChain, context: RequestContext, response: Response):
    if context.operation is None or context.service is None:
        return
    key = (context.account_id or "", context.region or "", context.service.service_name,
           context.operation.name, bool(context.is_internal_call))
    with _lock:
        _counts[key] += 1


def snapshot(internal: bool | None = None) -> list[dict]:
    """The counts, summed over internal and external requests unless internal names one of them."""
    with _lock:
        items = list(_counts.items())
    merged: Counter = Counter()
    for (account, region, service, operation, is_internal), n in items:
        if internal is None or internal == is_internal:
            merged[(account, region, service, operation, is_internal if internal is not None else None)] += n
    return [{"account": a, "region": r, "service": s, "operation": o, "count": n,
             **({} if i is None else {"internal": i})}
            for (a, r, s, o, i), n in sorted(merged.items(), key=lambda kv: kv[0][:4])]


def reset():
    with _lock:
        _counts.clear()


class RequestLogEndpoints:
    @route(PATH, methods=["GET"])
    def list_counts(self, request: Request):
        flag = request.args.get("internal")
        internal = None if flag is None else flag.lower() == "true"
        return snapshot(internal)

    @route(PATH, methods=["DELETE"])
    def reset_counts(self, request: Request):
        reset()
        return {"reset": True}
