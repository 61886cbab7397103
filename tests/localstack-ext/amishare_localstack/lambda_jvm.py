"""One JVM process running the runtime interface client, with the Runtime API server it talks to:
start, init done or failed, reaping, ending it; and ending every JVM when LocalStack exits."""

from __future__ import annotations

import atexit
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

from localstack.services.lambda_.invocation.executor_endpoint import StatusErrorException
from localstack.services.lambda_.invocation.runtime_executor import LambdaRuntimeException

from . import errors
from .lambda_runtime_api import Invocation, RuntimeApiServer

LOG = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 3.0


_live_jvms: set["Jvm"] = set()
_live_lock = threading.Lock()


def _kill_all_jvms() -> None:
    with _live_lock:
        jvms = list(_live_jvms)
    for jvm in jvms:
        jvm.kill(grace=0.5)
    shutil.rmtree(_work_root() / str(os.getpid()), ignore_errors=True)


_work_root_lock = threading.Lock()
_work_root_swept = False


def _work_root() -> Path:
    return Path(tempfile.gettempdir()) / "amishare-lambda-jvm"


def new_work_dir(executor_id: str) -> Path:
    """<tmp>/amishare-lambda-jvm/<LocalStack pid>/<executor id>-...: per-environment java.io.tmpdir,
    user.home and output log. Folders of LocalStack processes that are gone are removed once."""
    global _work_root_swept
    root = _work_root()
    with _work_root_lock:
        if not _work_root_swept:
            _work_root_swept = True
            for folder in root.glob("*"):
                if folder.name.isdigit() and not Path(f"/proc/{folder.name}").exists():
                    shutil.rmtree(folder, ignore_errors=True)
        (root / str(os.getpid())).mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{executor_id}-", dir=root / str(os.getpid())))


atexit.register(_kill_all_jvms)
# threading._register_atexit runs when the interpreter starts shutting down, *before* it joins
# non-daemon threads. LocalStack's keep-alive timers are such threads, and in an offline host its
# shutdown hooks stop at the failing analytics hook before stopping services (unless
# DISABLE_EVENTS=1), so a plain atexit handler would run only after the keep-alive (10 min).
if hasattr(threading, "_register_atexit"):
    threading._register_atexit(_kill_all_jvms)


class Jvm:
    """One JVM running the RIC, with the Runtime API server it talks to."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], cwd: str, log_path: Path):
        self.name = name
        self.cond = threading.Condition()
        self.pending: deque[Invocation] = deque()
        self.current: dict[str, Invocation] = {}
        self.finished: list[Invocation] = []
        self.ready = False
        self.init_error: bytes | None = None
        self.stopping = False
        self.log_path = log_path
        self.log_origin = self.log_size()  # this JVM's output starts here (the file spans respawns)
        self.served = 0
        self.spawned_at = time.monotonic()
        self.init_duration_ms: float | None = None
        self.server = RuntimeApiServer(self)
        self.server_thread = threading.Thread(
            target=self.server.serve_forever, name=f"lambda-runtime-api-{name}", daemon=True
        )
        self.server_thread.start()
        env = dict(env, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{self.server.server_address[1]}")
        self.log_file = open(log_path, "ab", buffering=0)
        try:
            # Same process group as LocalStack: localstack.sh stop (kill -- -pgid) ends the JVMs too.
            self.proc = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                         stdout=self.log_file, stderr=subprocess.STDOUT, close_fds=True)
        except Exception:
            self._close_server()
            self.log_file.close()
            raise
        with _live_lock:
            _live_jvms.add(self)
        threading.Thread(target=self._reap, name=f"lambda-jvm-reaper-{name}", daemon=True).start()
        LOG.debug("started JVM %s (pid %s) for %s", name, self.proc.pid, command[-1])

    # -- state seen by the Runtime API handler ------------------------------------------------
    def log_size(self) -> int:
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def next_invocation(self) -> Invocation | None:
        with self.cond:
            # As in Lambda, an invocation's logs end when the runtime asks for the next one: the RIC
            # logs a handler's exception after posting the error.
            for finished in self.finished:
                finished.log_end = self.log_size()
                finished.runtime_idle.set()
            self.finished.clear()
            if not self.ready:
                self.init_duration_ms = (time.monotonic() - self.spawned_at) * 1000
            self.ready = True
            self.cond.notify_all()
            while not self.pending and not self.stopping and self.proc.poll() is None:
                self.cond.wait(timeout=1.0)
            if self.stopping or not self.pending:
                return None
            invocation = self.pending.popleft()
            invocation.log_start = self.log_size()
            invocation.delivered_at = time.monotonic()
            invocation.deadline_ms = int(time.time() * 1000) + invocation.timeout_seconds * 1000
            self.current[invocation.request_id] = invocation
            invocation.delivered.set()
            return invocation

    def complete(self, request_id: str, body: bytes, is_error: bool, error_type: str | None) -> bool:
        with self.cond:
            invocation = self.current.pop(request_id, None)
            if invocation is not None:
                self.finished.append(invocation)
        if invocation is None:
            LOG.debug("JVM %s answered unknown or finished request %s", self.name, request_id)
            return False
        LOG.debug("JVM %s: request %s %s (%s)", self.name, request_id,
                  "failed" if is_error else "succeeded", error_type or "")
        return invocation.complete(body, is_error, self.log_size())

    def init_failed(self, body: bytes) -> None:
        with self.cond:
            if self.init_error is None:
                self.init_error = body or errors.UNKNOWN_INIT_ERROR
            self.cond.notify_all()

    # -- used by the executor -------------------------------------------------------------------
    def alive(self) -> bool:
        return self.proc.poll() is None and not self.stopping

    def wait_ready(self, timeout: float) -> None:
        """Blocks until the RIC asks for its first invocation (its init is done). Raises
        StatusErrorException with the error AWS would report if the init fails."""
        end = time.monotonic() + timeout
        with self.cond:
            while not self.ready and self.init_error is None and self.proc.poll() is None and not self.stopping:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    break
                self.cond.wait(timeout=min(remaining, 0.2))
            if self.ready:
                return
            init_error, code = self.init_error, self.proc.poll()
        if init_error is None:
            if self.stopping:
                raise LambdaRuntimeException(f"JVM {self.name} stopped during its init")
            if code is None:
                raise LambdaRuntimeException(f"JVM {self.name} did not finish its init within {timeout:.0f}s")
            init_error = errors.RuntimeExited(status=exit_status(code)).payload()
        LOG.warning("Lambda init failed (JVM %s): %s\n%s", self.name, init_error.decode("utf-8", "replace"),
                    self.read_log(0, None)[-4000:])
        raise StatusErrorException("Environment startup failed", payload=init_error)

    def submit(self, invocation: Invocation) -> None:
        with self.cond:
            self.pending.append(invocation)
            self.cond.notify_all()

    def withdraw(self, invocation: Invocation) -> bool:
        with self.cond:
            try:
                self.pending.remove(invocation)
                return True
            except ValueError:
                return False

    def max_memory_mb(self) -> int | None:
        """Peak resident set size of the JVM (VmHWM), for the REPORT line."""
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return None
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
        return int(match.group(1)) // 1024 if match else None

    def read_log(self, start: int, end: int | None) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(start)
                data = f.read() if end is None else f.read(max(0, end - start))
        except OSError:
            return ""
        return data.decode("utf-8", "replace")

    def _reap(self) -> None:
        code = self.proc.wait()
        LOG.debug("JVM %s (pid %s) exited with %s", self.name, self.proc.pid, code)
        with self.cond:
            self.cond.notify_all()
        self._finish()

    def kill(self, grace: float = STOP_GRACE_SECONDS) -> None:
        with self.cond:
            self.stopping = True
            self.cond.notify_all()
        if self.proc.poll() is None:
            try:
                if grace > 0:
                    self.proc.send_signal(signal.SIGTERM)
                    try:
                        self.proc.wait(timeout=grace)
                    except subprocess.TimeoutExpired:
                        pass
                if self.proc.poll() is None:
                    self.proc.kill()
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired) as e:
                LOG.warning("could not end JVM %s (pid %s): %s", self.name, self.proc.pid, e)
        self._finish()

    def _finish(self) -> None:
        if self.proc.poll() is None:
            return
        with _live_lock:
            if self not in _live_jvms:
                return
            _live_jvms.discard(self)
        self._close_server()
        self.log_file.close()

    def _close_server(self) -> None:
        threading.Thread(target=self.server.shutdown, daemon=True).start()
        self.server.server_close()


def exit_status(code: int) -> str:
    """As Lambda words it: "exit status 1", "signal: killed"."""
    if code >= 0:
        return f"exit status {code}"
    try:
        name = {signal.SIGKILL: "killed", signal.SIGTERM: "terminated"}.get(-code) or signal.Signals(-code).name
    except ValueError:
        name = str(-code)
    return f"signal: {name.lower().removeprefix('sig')}"

