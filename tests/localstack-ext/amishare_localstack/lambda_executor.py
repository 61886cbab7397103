"""LocalStack Lambda runtime executor that runs Java functions as local JVM processes (no Docker).

Selected with LAMBDA_RUNTIME_EXECUTOR=amishare-local-jvm (plux namespace
"localstack.lambda.runtime_executor", declared in pyproject.toml). LocalStack creates one executor
per execution environment; each executor owns at most one JVM at a time:

    LocalStack ExecutionEnvironment --invoke()--> LocalJvmRuntimeExecutor
        --(queue)--> Lambda Runtime API served by this module on 127.0.0.1:<ephemeral port>
        <--GET /2018-06-01/runtime/invocation/next-- JVM running AWS's runtime interface client
        <--POST .../invocation/<id>/response | .../error, .../init/error--

The docker executor does not serve the Runtime API itself: the Go "init" inside the container does
(LocalStack's ExecutorEndpoint only receives the init's callbacks on /_localstack_lambda/<id>/...).
Without a container there is no init, so this module implements the small Runtime API the RIC uses
(https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) and does the init's other jobs:
function timeout, logs (START/END/REPORT), error reporting, and process lifetime.

The JVM runs com.amazonaws.services.lambda.runtime.api.client.AWSLambda <handler> from
com.amazonaws:aws-lambda-java-runtime-interface-client (the client of the managed Java runtime) with
the unzipped deployment package as working directory: the RIC loads the function from user.dir and
user.dir/lib/*.jar, as in Lambda. The RIC and its dependencies are taken from AMISHARE_LAMBDA_RIC_DIR
or resolved once with Maven into ${AMISHARE_CACHE:-~/.cache/amishare}/lambda-ric/<version>.

Settings (environment of the LocalStack process):
  LAMBDA_RUNTIME_EXECUTOR=amishare-local-jvm   select this executor (LocalStack setting)
  AMISHARE_LAMBDA_RIC_DIR        folder with the RIC jar and its runtime dependencies (optional)
  AMISHARE_LAMBDA_RIC_VERSION    RIC version to resolve with Maven (default 2.9.0)
  AMISHARE_LAMBDA_MVN            Maven command used to resolve the RIC (default: mvn on PATH)
  AMISHARE_LAMBDA_JAVA_HOME_JAVA17 / _JAVA21 / ...   JDK per runtime (default: JDKs found under
                                 /usr/lib/jvm, JAVA_HOME, java on PATH; same major, else the
                                 smallest newer one)
  AMISHARE_LAMBDA_JVM_OPTS       extra JVM options (appended)
  AMISHARE_LAMBDA_CODE           "unzip" (default): the task root is LocalStack's unzipped package, as
                                 in Lambda; "jar": the package itself (plus its lib/*.jar entries) is
                                 put in the task root's lib/ unextracted, which avoids unzipping
                                 tens of thousands of files of a fat jar (code reading files under
                                 LAMBDA_TASK_ROOT then finds only lib/)
  AMISHARE_LAMBDA_CREDENTIALS    "role" (default): LocalStack's sts:AssumeRole session of the
                                 execution role, as in Lambda (the role's identity policies apply);
                                 "account": AWS_ACCESS_KEY_ID=<account of the execution role>,
                                 secret "test", no session token (the account's root)
  DISABLE_EVENTS=1               (LocalStack setting) recommended offline: otherwise LocalStack's
                                 shutdown stops at the failing analytics hook and never stops its
                                 services; the JVMs are then ended by this module's exit handler

Not supported: layers (ignored, as LocalStack community), container images, SnapStart, other
runtimes (invocations fail with errorType Runtime.Unsupported), memory/CPU limits beyond the heap
cap (-XX:MaxHeapSize = 85% of MemorySize), sandboxing (the JVM runs as LocalStack's user).
"""

from __future__ import annotations

import atexit
import fcntl
import glob
import logging
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import zipfile
from collections import deque
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from localstack import config
from localstack.services.lambda_.invocation.executor_endpoint import StatusErrorException
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)

from . import errors

LOG = logging.getLogger(__name__)

PLUGIN_NAME = "amishare-local-jvm"
RIC_GROUP = "com.amazonaws"
RIC_ARTIFACT = "aws-lambda-java-runtime-interface-client"
DEFAULT_RIC_VERSION = "2.9.0"
RIC_MAIN_CLASS = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda"
# JniHelper.load() honours this property; without it every JVM unpacks the native client to the same
# /tmp/.libaws-lambda-jni.so, which races when environments start concurrently.
RIC_JNI_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI"
RUNTIME_API_PREFIX = "/2018-06-01/runtime"
STOP_GRACE_SECONDS = 3.0


# ---------------------------------------------------------------------------------------------
# Runtime interface client (jars + native library)
# ---------------------------------------------------------------------------------------------

_ric_lock = threading.Lock()
_ric_dir: Path | None = None


def _cache_root() -> Path:
    cache = os.environ.get("AMISHARE_CACHE") or os.path.join(Path.home(), ".cache", "amishare")
    return Path(cache)


def ric_version() -> str:
    return os.environ.get("AMISHARE_LAMBDA_RIC_VERSION") or DEFAULT_RIC_VERSION


def _has_ric_jar(folder: Path) -> bool:
    return bool(glob.glob(str(folder / f"{RIC_ARTIFACT}-*.jar")))


def ensure_ric() -> Path:
    """Returns the folder holding the RIC jar and its runtime dependencies, resolving it with Maven
    the first time (process-wide and, through a lock file, cache-wide only once)."""
    global _ric_dir
    with _ric_lock:
        if _ric_dir is not None and _has_ric_jar(_ric_dir):
            return _ric_dir
        configured = os.environ.get("AMISHARE_LAMBDA_RIC_DIR")
        if configured:
            folder = Path(configured).expanduser()
            if not _has_ric_jar(folder):
                raise LambdaRuntimeException(
                    f"AMISHARE_LAMBDA_RIC_DIR={configured} holds no {RIC_ARTIFACT}-*.jar"
                )
        else:
            folder = _cache_root() / "lambda-ric" / ric_version()
            if not (folder / ".complete").exists():
                _resolve_ric_with_maven(folder)
        _ric_dir = folder
        return folder


def _resolve_ric_with_maven(folder: Path) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another LocalStack instance may resolve it right now
        if (folder / ".complete").exists():
            return
        mvn = shlex.split(os.environ.get("AMISHARE_LAMBDA_MVN") or "mvn")
        if not shutil.which(mvn[0]):
            raise LambdaRuntimeException(
                f"cannot resolve the Lambda runtime interface client: '{mvn[0]}' not found; install "
                f"Maven, set AMISHARE_LAMBDA_MVN, or set AMISHARE_LAMBDA_RIC_DIR to a folder holding "
                f"{RIC_GROUP}:{RIC_ARTIFACT}:{ric_version()} and its runtime dependencies"
            )
        work = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        try:
            (work / "pom.xml").write_text(
                f"""<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>amishare.localstack</groupId><artifactId>lambda-ric</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>{RIC_GROUP}</groupId><artifactId>{RIC_ARTIFACT}</artifactId>
      <version>{ric_version()}</version></dependency>
  </dependencies>
</project>
"""
            )
            jars = work / "jars"
            LOG.info("resolving %s:%s:%s with Maven into %s", RIC_GROUP, RIC_ARTIFACT, ric_version(), folder)
            cmd = mvn + ["-q", "-B", "-f", str(work / "pom.xml"), "dependency:copy-dependencies",
                         f"-DoutputDirectory={jars}", "-DincludeScope=runtime"]
            proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=600,
                                  stdin=subprocess.DEVNULL)
            if proc.returncode != 0 or not _has_ric_jar(jars):
                raise LambdaRuntimeException(
                    f"resolving the Lambda runtime interface client failed ({' '.join(cmd)}):\n"
                    f"{(proc.stdout + proc.stderr)[-3000:]}"
                )
            (jars / ".complete").write_text(" ".join(sorted(p.name for p in jars.glob("*.jar"))))
            if folder.exists():
                shutil.rmtree(folder)
            jars.rename(folder)
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _jni_library_name() -> str:
    machine = platform.machine().lower()
    arch = "aarch_64" if machine in ("aarch64", "arm64") else "x86_64"
    libc = platform.libc_ver()[0]
    return f"libaws-lambda-jni.linux{'' if libc == 'glibc' else '_musl'}-{arch}.so"


_jni_lock = threading.Lock()


def ensure_jni_library(folder: Path) -> Path:
    """Unpacks the RIC's native client for this platform next to the jars (once)."""
    name = _jni_library_name()
    with _jni_lock:
        for candidate in (folder / "native" / name, _cache_root() / "lambda-ric" / "native" / ric_version() / name):
            if candidate.exists():
                return candidate
        jar = sorted(glob.glob(str(folder / f"{RIC_ARTIFACT}-*.jar")))[-1]
        with zipfile.ZipFile(jar) as archive:
            data = archive.read(f"jni/{name}")
        for target_dir in (folder / "native", _cache_root() / "lambda-ric" / "native" / ric_version()):
            try:
                target_dir.mkdir(parents=True, exist_ok=True)
                tmp = target_dir / f".{name}.{os.getpid()}"
                tmp.write_bytes(data)
                tmp.rename(target_dir / name)  # atomic: a concurrent reader never sees a partial file
                return target_dir / name
            except OSError:
                continue
        raise LambdaRuntimeException(f"cannot unpack {name} from {jar}")


def ric_classpath(folder: Path) -> str:
    return os.pathsep.join(sorted(str(p) for p in folder.glob("*.jar")))


# ---------------------------------------------------------------------------------------------
# Task root (the function's code)
# ---------------------------------------------------------------------------------------------

_code_lock = threading.Lock()
JAR_MODE_MARKER = ".amishare-jar-task-root"
# The RIC's CustomerClassLoader puts <task root>/lib/*.jar on the classpath in lexical order; this name
# sorts before usual jar names, so the package's own classes come first, as from an unzipped root.
# (No "!" in it: it would break jar: URLs.)
PACKAGE_JAR_NAME = "--function-package.jar"


def code_mode() -> str:
    return (os.environ.get("AMISHARE_LAMBDA_CODE") or "unzip").strip().lower()


def prepare_task_root(function_version: FunctionVersion) -> str:
    """The folder the JVM runs in (user.dir): the RIC loads the function from it and its lib/*.jar."""
    code = function_version.config.code
    if code_mode() != "jar" or not hasattr(code, "_download_archive_to_file"):
        code.prepare_for_execution()  # LocalStack unzips the package (once per code object)
        return str(code.get_unzipped_code_location())
    # Same folder as LocalStack's unzipped code, so that its lifecycle (destroy_cached on deletion)
    # applies, and LocalStack's own prepare_for_execution sees it as present.
    target = Path(code.get_unzipped_code_location())
    with _code_lock:
        if target.exists():
            return str(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".amishare-", dir=target.parent))
        try:
            lib = work / "lib"
            lib.mkdir()
            package = lib / PACKAGE_JAR_NAME
            with open(package, "wb") as f:
                code._download_archive_to_file(f)
            with zipfile.ZipFile(package) as archive:
                for info in archive.infolist():
                    if re.fullmatch(r"lib/[^/]+\.jar", info.filename):
                        with archive.open(info) as src, open(lib / info.filename[4:], "wb") as dst:
                            shutil.copyfileobj(src, dst)
            (work / JAR_MODE_MARKER).touch()
            os.chmod(work, 0o755)
            work.rename(target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return str(target)


# ---------------------------------------------------------------------------------------------
# JDK per runtime
# ---------------------------------------------------------------------------------------------


def _java_major(java_home: Path) -> int | None:
    release = java_home / "release"
    try:
        match = re.search(r'^JAVA_VERSION="(\d+)(?:\.(\d+))?', release.read_text(), re.M)
    except OSError:
        return None
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


def _candidate_java_homes() -> list[Path]:
    candidates = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]))
    java = shutil.which("java")
    if java:
        candidates.append(Path(os.path.realpath(java)).parent.parent)
    for pattern in ("/usr/lib/jvm/*", "/opt/java/*", "/opt/jdk*", str(Path.home() / ".sdkman/candidates/java/*")):
        candidates.extend(Path(p) for p in sorted(glob.glob(pattern)))
    seen, result = set(), []
    for home in candidates:
        real = os.path.realpath(home)
        if real not in seen and (Path(real) / "bin" / "java").exists():
            seen.add(real)
            result.append(Path(real))
    return result


def required_java_major(runtime: str | None) -> int | None:
    match = re.fullmatch(r"java(\d+)(?:\.al2)?", runtime or "")
    return int(match.group(1)) if match else None


_java_homes: dict[str, Path] = {}


def java_home_for(runtime: str) -> Path:
    if runtime not in _java_homes:
        _java_homes[runtime] = _find_java_home(runtime)
    return _java_homes[runtime]


def _find_java_home(runtime: str) -> Path:
    major = required_java_major(runtime)
    override = os.environ.get(f"AMISHARE_LAMBDA_JAVA_HOME_{runtime.upper().replace('.', '_')}")
    if override:
        if not (Path(override) / "bin" / "java").exists():
            raise LambdaRuntimeException(f"no bin/java under AMISHARE_LAMBDA_JAVA_HOME_{runtime.upper()}={override}")
        return Path(override)
    found = [(m, h) for h in _candidate_java_homes() if (m := _java_major(h)) is not None]
    exact = [h for m, h in found if m == major]
    if exact:
        return exact[0]
    newer = sorted(((m, str(h)) for m, h in found if m > major))
    if newer:
        LOG.warning("no JDK %s found for runtime %s; using JDK %s (%s)", major, runtime, newer[0][0], newer[0][1])
        return Path(newer[0][1])
    raise LambdaRuntimeException(
        f"no JDK >= {major} found for runtime {runtime} (looked at JAVA_HOME, PATH, /usr/lib/jvm); "
        f"set AMISHARE_LAMBDA_JAVA_HOME_{runtime.upper()}"
    )


# ---------------------------------------------------------------------------------------------
# One invocation and one JVM
# ---------------------------------------------------------------------------------------------


class _Invocation:
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
    server: "_RuntimeApiServer"

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


class _RuntimeApiServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, jvm: "_Jvm"):
        self.jvm = jvm
        super().__init__(("127.0.0.1", 0), _RuntimeApiHandler)

    def handle_error(self, request, client_address):
        # a JVM that was just ended leaves broken connections behind: not worth a traceback
        LOG.debug("runtime api %s: error serving %s", self.jvm.name, client_address, exc_info=True)


_live_jvms: set["_Jvm"] = set()
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


def _new_work_dir(executor_id: str) -> Path:
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


class _Jvm:
    """One JVM running the RIC, with the Runtime API server it talks to."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], cwd: str, log_path: Path):
        self.name = name
        self.cond = threading.Condition()
        self.pending: deque[_Invocation] = deque()
        self.current: dict[str, _Invocation] = {}
        self.finished: list[_Invocation] = []
        self.ready = False
        self.init_error: bytes | None = None
        self.stopping = False
        self.log_path = log_path
        self.log_origin = self.log_size()  # this JVM's output starts here (the file spans respawns)
        self.served = 0
        self.spawned_at = time.monotonic()
        self.init_duration_ms: float | None = None
        self.server = _RuntimeApiServer(self)
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

    def next_invocation(self) -> _Invocation | None:
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
            init_error = errors.RuntimeExited(status=_exit_status(code)).payload()
        LOG.warning("Lambda init failed (JVM %s): %s\n%s", self.name, init_error.decode("utf-8", "replace"),
                    self.read_log(0, None)[-4000:])
        raise StatusErrorException("Environment startup failed", payload=init_error)

    def submit(self, invocation: _Invocation) -> None:
        with self.cond:
            self.pending.append(invocation)
            self.cond.notify_all()

    def withdraw(self, invocation: _Invocation) -> bool:
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


def _exit_status(code: int) -> str:
    """As Lambda words it: "exit status 1", "signal: killed"."""
    if code >= 0:
        return f"exit status {code}"
    try:
        name = {signal.SIGKILL: "killed", signal.SIGTERM: "terminated"}.get(-code) or signal.Signals(-code).name
    except ValueError:
        name = str(-code)
    return f"signal: {name.lower().removeprefix('sig')}"


# ---------------------------------------------------------------------------------------------
# The executor
# ---------------------------------------------------------------------------------------------


class LocalJvmRuntimeExecutor(RuntimeExecutor):
    """Runs one execution environment of a Java function as a local JVM with AWS's RIC."""

    def __init__(self, id: str, function_version: FunctionVersion) -> None:  # noqa: A002
        super().__init__(id=id, function_version=function_version)
        self._lock = threading.RLock()
        self._jvm: _Jvm | None = None
        self._env: dict[str, str] | None = None
        self._stopped = False
        self._work_dir = _new_work_dir(id)
        self._log_path = self._work_dir / "output.log"
        self._cached_logs: str | None = None

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self, env_vars: dict[str, str]) -> None:
        config_ = self.function_version.config
        try:
            _check_supported(self.function_version)
        except LambdaRuntimeException as e:  # reported as the invocation's error, like an init error
            raise StatusErrorException(str(e), payload=errors.RuntimeUnsupported(reason=str(e)).payload()) from e
        self._code_dir = prepare_task_root(self.function_version)
        self._ric = ensure_ric()
        self._jni = ensure_jni_library(self._ric)
        self._java = java_home_for(config_.runtime)
        self._env = self._process_env(env_vars)
        with self._lock:
            self._spawn()
            jvm = self._jvm
        jvm.wait_ready(timeout=config.LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT + 5)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            jvm, self._jvm = self._jvm, None
        if jvm:
            jvm.kill()
        if self._cached_logs is None:
            self._cached_logs = self._read_all_logs()
        shutil.rmtree(self._work_dir, ignore_errors=True)

    def _spawn(self) -> None:
        if self._stopped:
            raise LambdaRuntimeException(f"execution environment {self.id} is stopped")
        config_ = self.function_version.config
        heap_mb = max(64, int(int(config_.memory_size) * 0.85))
        command = [
            str(self._java / "bin" / "java"),
            f"-XX:MaxHeapSize={heap_mb}m",
            "-XX:+UseSerialGC",
            "-XX:+TieredCompilation",
            "-XX:TieredStopAtLevel=1",
            "-Xshare:auto",
            "-Djava.net.preferIPv4Stack=true",
            f"-Djava.io.tmpdir={self._work_dir / 'tmp'}",
            f"-Duser.home={self._work_dir / 'home'}",
            f"-D{RIC_JNI_PROPERTY}={self._jni}",
            *shlex.split(os.environ.get("AMISHARE_LAMBDA_JVM_OPTS", "")),
            "-cp",
            ric_classpath(self._ric),
            RIC_MAIN_CLASS,
            config_.handler,
        ]
        (self._work_dir / "tmp").mkdir(exist_ok=True)
        (self._work_dir / "home").mkdir(exist_ok=True)
        self._jvm = _Jvm(self.id, command, self._env, self._code_dir, self._log_path)

    def _process_env(self, env_vars: dict[str, str]) -> dict[str, str]:
        config_ = self.function_version.config
        env = {key: str(value) for key, value in env_vars.items() if value is not None}
        env.update(
            PATH=os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            LANG="C.UTF-8",
            HOME=str(self._work_dir / "home"),
            JAVA_HOME=str(self._java),
            LAMBDA_TASK_ROOT=self._code_dir,
            LAMBDA_RUNTIME_DIR=str(self._ric),
            AWS_EXECUTION_ENV=f"AWS_Lambda_{config_.runtime}",
        )
        if (os.environ.get("AMISHARE_LAMBDA_CREDENTIALS") or "role").lower() == "account":
            env.update(AWS_ACCESS_KEY_ID=role_account(self.function_version), AWS_SECRET_ACCESS_KEY="test")
            env.pop("AWS_SESSION_TOKEN", None)
        # the function's own variables win, as in Lambda (except the reserved ones above)
        for key, value in (config_.environment or {}).items():
            if key not in ("AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"):
                env[key] = str(value)
        return env

    def _ensure_jvm(self) -> _Jvm:
        with self._lock:
            if self._jvm is not None and self._jvm.alive():
                return self._jvm
            if self._jvm is not None:  # died (timeout, crash): Lambda resets the environment
                self._jvm.kill(grace=0)
            self._spawn()
            jvm = self._jvm
        jvm.wait_ready(timeout=config.LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT + 5)
        return jvm

    # -- invoke -----------------------------------------------------------------------------------
    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        timeout = int(self.function_version.config.timeout)
        invocation = _Invocation(payload, timeout)
        jvm = self._ensure_jvm()
        first = jvm.served == 0  # its logs include the JVM's init output
        jvm.served += 1
        jvm.submit(invocation)

        # 1. handed to the RIC (it is waiting on /next once ready, so this is quick)
        while not invocation.delivered.wait(timeout=0.2):
            if not jvm.alive():
                jvm.withdraw(invocation)
                return self._result(invocation, jvm, errors.RuntimeExited(
                    status=_exit_status(jvm.proc.poll() or 0)).payload(invocation.request_id), is_error=True, first=first)
        # 2. answered within the function timeout
        deadline = invocation.delivered_at + timeout
        while not invocation.done.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                log_end = jvm.log_size()
                if invocation.complete(errors.FunctionTimedOut(timeout=timeout).payload(invocation.request_id),
                                       True, log_end):
                    LOG.info("Lambda %s request %s timed out after %ss; ending its JVM",
                             self.function_version.id.function_name, invocation.request_id, timeout)
                    jvm.kill(grace=0)  # Lambda ends the runtime; the next invoke starts a new JVM
                break
            if invocation.done.wait(timeout=min(remaining, 0.2)):
                break
            if jvm.proc.poll() is not None:
                invocation.complete(errors.RuntimeExited(status=_exit_status(jvm.proc.poll())).payload(
                    invocation.request_id), True, jvm.log_size())
        # logs written after the response (e.g. the RIC's report of an exception) until the runtime
        # is idle again; bounded, as the handler may have left threads printing
        if jvm.alive():
            invocation.runtime_idle.wait(timeout=2.0)
        return self._result(invocation, jvm, invocation.result, invocation.is_error, first)

    def _result(self, invocation: _Invocation, jvm: _Jvm, body: bytes, is_error: bool, first: bool) -> InvocationResult:
        end = invocation.completed_at or time.monotonic()
        duration_ms = (end - invocation.delivered_at) * 1000 if invocation.delivered_at else 0.0

        def text(start: int, stop: int | None) -> str:
            out = jvm.read_log(start, stop)
            return out + "\n" if out and not out.endswith("\n") else out

        # as in CloudWatch: the JVM's init output precedes the first START, and REPORT gives its duration
        init = text(jvm.log_origin, invocation.log_start) if first and invocation.delivered_at else ""
        output = text(invocation.log_start if invocation.delivered_at else jvm.log_origin, invocation.log_end)
        version = self.function_version.id.qualifier
        memory = self.function_version.config.memory_size
        used = jvm.max_memory_mb() or memory
        init_report = f"Init Duration: {jvm.init_duration_ms:.2f} ms\t" if first and jvm.init_duration_ms else ""
        logs = (
            f"{init}"
            f"START RequestId: {invocation.request_id} Version: {version}\n"
            f"{output}"
            f"END RequestId: {invocation.request_id}\n"
            f"REPORT RequestId: {invocation.request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {max(1, int(duration_ms + 0.999))} ms\tMemory Size: {memory} MB\t"
            f"Max Memory Used: {used} MB\t{init_report}\n"
        )
        return InvocationResult(invocation.request_id, body, is_error=is_error, logs=logs)

    # -- addresses --------------------------------------------------------------------------------
    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        host = config.GATEWAY_LISTEN[0].host
        return "127.0.0.1" if host in ("", "0.0.0.0", "::", "[::]") else host

    def get_runtime_endpoint(self) -> str:
        with self._lock:
            if self._jvm is not None:
                return f"http://127.0.0.1:{self._jvm.server.server_address[1]}"
        return f"http://{self.get_endpoint_from_executor()}:{config.GATEWAY_LISTEN[0].port}/_localstack_lambda/{self.id}"

    # -- logs -------------------------------------------------------------------------------------
    def _read_all_logs(self) -> str:
        try:
            return self._log_path.read_text("utf-8", "replace")
        except OSError:
            return ""

    def get_logs(self) -> str:
        return self._cached_logs if self._cached_logs is not None else self._read_all_logs()

    # -- version preparation ----------------------------------------------------------------------
    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        # Never raises: LocalStack 2026.3.0 marks the version Failed and then cannot delete the
        # function (DeleteFunction -> "Unable to find version manager"). Problems surface on invoke.
        try:
            _check_supported(function_version)
            java_home_for(function_version.config.runtime)
            ensure_jni_library(ensure_ric())  # resolve the RIC now rather than in the first invoke
            prepare_task_root(function_version)
        except Exception as e:  # noqa: BLE001
            LOG.error("Lambda %s cannot run with the %s executor: %s", function_version.qualified_arn,
                      PLUGIN_NAME, e)

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        pass

    @classmethod
    def validate_environment(cls) -> bool:
        if not _candidate_java_homes():
            LOG.warning("%s Lambda executor: no JDK found (JAVA_HOME, PATH, /usr/lib/jvm)", PLUGIN_NAME)
            return False
        return True


def role_account(function_version: FunctionVersion) -> str:
    """Account of the execution role (arn:aws:iam::<account>:role/...), else the function's."""
    parts = (function_version.config.role or "").split(":")
    if len(parts) > 4 and re.fullmatch(r"\d{12}", parts[4]):
        return parts[4]
    return function_version.id.account


def _check_supported(function_version: FunctionVersion) -> None:
    config_ = function_version.config
    if config_.package_type != "Zip" or not config_.runtime:
        raise LambdaRuntimeException(
            f"the {PLUGIN_NAME} Lambda runtime executor runs only Zip-packaged Java functions "
            f"(java17, java21); {function_version.qualified_arn} is a container image function"
        )
    if required_java_major(config_.runtime) is None:
        raise LambdaRuntimeException(
            f"the {PLUGIN_NAME} Lambda runtime executor runs only Java functions (java17, java21); "
            f"{function_version.qualified_arn} uses runtime {config_.runtime}"
        )
    if not config_.code:
        raise LambdaRuntimeException(f"{function_version.qualified_arn} has no code")
    if config_.layers:
        LOG.warning("%s: layers of %s are ignored by the %s executor", function_version.qualified_arn,
                    config_.layers, PLUGIN_NAME)


class LocalJvmRuntimeExecutorPlugin(RuntimeExecutorPlugin):
    """plux plugin (namespace localstack.lambda.runtime_executor) returning the executor class."""

    name = PLUGIN_NAME

    def load(self, *args, **kwargs):
        return LocalJvmRuntimeExecutor
