"""LocalStack Lambda runtime executor that runs Java functions as local JVM processes (no Docker).

Selected with LAMBDA_RUNTIME_EXECUTOR=amishare-local-jvm (plux namespace
"localstack.lambda.runtime_executor", declared in pyproject.toml). LocalStack creates one executor
per execution environment; each executor owns at most one JVM at a time:

    LocalStack ExecutionEnvironment --invoke()--> LocalJvmRuntimeExecutor
        --(queue)--> Lambda Runtime API on 127.0.0.1:<ephemeral port>      (lambda_runtime_api.py)
        <--GET /2018-06-01/runtime/invocation/next-- JVM running AWS's RIC  (lambda_jvm.py, lambda_ric.py)
        <--POST .../invocation/<id>/response | .../error, .../init/error--

Without a container there is no Lambda "init", so the executor does its jobs: the Runtime API,
function timeout, logs (START/END/REPORT), error reporting, and process lifetime. The JVM runs with
the function's code as working directory (lambda_task_root.py).

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
                                 services; the JVMs are then ended by lambda_jvm.py's exit handler

Not supported: layers (ignored, as LocalStack community), container images, SnapStart, other
runtimes (invocations fail with errorType Runtime.Unsupported), memory/CPU limits beyond the heap
cap (-XX:MaxHeapSize = 85% of MemorySize), sandboxing (the JVM runs as LocalStack's user).
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import shutil
import threading
import time

from localstack import config
from localstack.services.lambda_.invocation.executor_endpoint import StatusErrorException
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)

from . import errors
from .lambda_jvm import Jvm, exit_status, new_work_dir
from .lambda_ric import (
    RIC_JNI_PROPERTY,
    RIC_MAIN_CLASS,
    candidate_java_homes,
    ensure_jni_library,
    ensure_ric,
    java_home_for,
    required_java_major,
    ric_classpath,
)
from .lambda_runtime_api import Invocation
from .lambda_task_root import prepare_task_root

LOG = logging.getLogger(__name__)

PLUGIN_NAME = "amishare-local-jvm"


class LocalJvmRuntimeExecutor(RuntimeExecutor):
    """Runs one execution environment of a Java function as a local JVM with AWS's RIC."""

    def __init__(self, id: str, function_version: FunctionVersion) -> None:  # noqa: A002
        super().__init__(id=id, function_version=function_version)
        self._lock = threading.RLock()
        self._jvm: Jvm | None = None
        self._env: dict[str, str] | None = None
        self._stopped = False
        self._work_dir = new_work_dir(id)
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
        self._jvm = Jvm(self.id, command, self._env, self._code_dir, self._log_path)

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

    def _ensure_jvm(self) -> Jvm:
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
        invocation = Invocation(payload, timeout)
        jvm = self._ensure_jvm()
        first = jvm.served == 0  # its logs include the JVM's init output
        jvm.served += 1
        jvm.submit(invocation)

        # 1. handed to the RIC (it is waiting on /next once ready, so this is quick)
        while not invocation.delivered.wait(timeout=0.2):
            if not jvm.alive():
                jvm.withdraw(invocation)
                return self._result(invocation, jvm, errors.RuntimeExited(
                    status=exit_status(jvm.proc.poll() or 0)).payload(invocation.request_id), is_error=True, first=first)
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
                invocation.complete(errors.RuntimeExited(status=exit_status(jvm.proc.poll())).payload(
                    invocation.request_id), True, jvm.log_size())
        # logs written after the response (e.g. the RIC's report of an exception) until the runtime
        # is idle again; bounded, as the handler may have left threads printing
        if jvm.alive():
            invocation.runtime_idle.wait(timeout=2.0)
        return self._result(invocation, jvm, invocation.result, invocation.is_error, first)

    def _result(self, invocation: Invocation, jvm: Jvm, body: bytes, is_error: bool, first: bool) -> InvocationResult:
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
        if not candidate_java_homes():
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
