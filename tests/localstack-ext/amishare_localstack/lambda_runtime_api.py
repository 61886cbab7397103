"""The Lambda Runtime API one JVM's runtime interface client talks to, on 127.0.0.1:<ephemeral port>.

The docker executor does not serve the Runtime API itself: the Go "init" inside the container does
(LocalStack's ExecutorEndpoint only receives the init's callbacks on /_localstack_lambda/<id>/...).
Without a container there is no init, so this module serves the small part of the Runtime API the
RIC uses (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):

    <--GET /2018-06-01/runtime/invocation/next-- the RIC, waiting for its next invocation
    <--POST .../invocation/<id>/response | .../error, .../init/error--
"""

from __future__ import annotations

import logging
import re
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from . import errors

if TYPE_CHECKING:
    from .lambda_jvm import Jvm

LOG = logging.getLogger(__name__)

RUNTIME_API_PREFIX = "/2018-06-01/runtime"


class Invocation:
    def __init__(self, payload: dict, timeout_seconds: int):
        self.request_id: str = payload["invoke-id"]
        self.arn: str = payload.get("invoked-function-arn") or ""
        self.trace_id: str = payload.get("trace-id") or ""
        body = payload.get("payload")
        self.body: bytes = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        self.timeout_seconds = timeout_seconds
        self.delivered = threading.Event()
        self.done = threading.Event()
        self.runtime_idle = threading.Event()  # the runtime asked for its next invocation afterwards
        self.delivered_at: float | None = None  # time.monotonic()
        self.deadline_ms: int = 0
        self.log_start = 0
        self.log_end: int | None = None
        self.completed_at: float | None = None
        self.result: bytes | None = None
        self.is_error = False

    def complete(self, body: bytes, is_error: bool, log_end: int) -> bool:
        if self.done.is_set():
            return False
        self.result, self.is_error, self.log_end = body, is_error, log_end
        self.completed_at = time.monotonic()
        self.done.set()
        return True


class _RuntimeApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # the RIC's libcurl keeps the connection alive
    server: "RuntimeApiServer"

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's signature
        LOG.debug("runtime api %s: " + format, self.server.jvm.name, *args)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", (headers or {}).get("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        jvm = self.server.jvm
        if self.path == f"{RUNTIME_API_PREFIX}/invocation/next":
            invocation = jvm.next_invocation()
            if invocation is None:  # JVM being stopped
                self.close_connection = True
                self._send(*errors.RUNTIME_STOPPED)
                return
            headers = {
                "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                "Lambda-Runtime-Invoked-Function-Arn": invocation.arn,
            }
            if invocation.trace_id:
                headers["Lambda-Runtime-Trace-Id"] = invocation.trace_id
            self._send(HTTPStatus.OK, invocation.body, headers)
        elif self.path == f"{RUNTIME_API_PREFIX}/restore/next":
            self._send(HTTPStatus.OK)
        else:
            self._send(*errors.UNKNOWN_RUNTIME_API_PATH)

    def do_POST(self):  # noqa: N802
        jvm = self.server.jvm
        body = self._body()
        match = re.fullmatch(rf"{RUNTIME_API_PREFIX}/invocation/([^/]+)/(response|error)", self.path)
        if match:
            ok = jvm.complete(match.group(1), body, is_error=match.group(2) == "error",
                              error_type=self.headers.get("Lambda-Runtime-Function-Error-Type"))
            if ok:
                self._send(HTTPStatus.ACCEPTED, b'{"status":"OK"}')
            else:
                self._send(*errors.INVALID_REQUEST_ID)
        elif self.path in (f"{RUNTIME_API_PREFIX}/init/error", f"{RUNTIME_API_PREFIX}/restore/error"):
            jvm.init_failed(body)
            self._send(HTTPStatus.ACCEPTED, b'{"status":"OK"}')
        else:
            self._send(*errors.UNKNOWN_RUNTIME_API_PATH)


class RuntimeApiServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, jvm: "Jvm"):
        self.jvm = jvm
        super().__init__(("127.0.0.1", 0), _RuntimeApiHandler)

    def handle_error(self, request, client_address):
        # a JVM that was just ended leaves broken connections behind: not worth a traceback
        LOG.debug("runtime api %s: error serving %s", self.jvm.name, client_address, exc_info=True)

