"""End-to-end tests of the amishare-local-jvm Lambda runtime executor (lambda_executor.py).

They need an emulator started with that executor, as tests/localstack/localstack.sh starts it
(LAMBDA_RUNTIME_EXECUTOR=amishare-local-jvm); a missing prerequisite fails them, never skips them:

    tests/localstack-ext/run-tests.sh -k lambda_executor

A tiny Java handler is compiled at test time (javac) against aws-lambda-java-core from the RIC folder
the executor uses; the amishare functions jar is used too when it has been built.
"""

from __future__ import annotations

import base64
import glob
import io
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
import zipfile
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config
from conftest import wait_for

# same convention as conftest.py
ENDPOINT = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
REGION = "us-east-1"
ACCOUNT = "111122223333"  # not LocalStack's default account: the function must see this one
REPO = Path(__file__).resolve().parents[3]
LOCALSTACK_SH = REPO / "tests" / "localstack" / "localstack.sh"
AMISHARE_JAR = REPO / "functions" / "handlers" / "target" / "amishare-functions-lambda.jar"

PROBE_JAVA = r"""
package amishare.probe;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

public class Probe implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final long STARTED = System.currentTimeMillis();

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        String action = String.valueOf(input.getOrDefault("action", "echo"));
        System.out.println("probe-log-line " + action + " " + context.getAwsRequestId());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("action", action);
        out.put("input", input);
        out.put("requestId", context.getAwsRequestId());
        out.put("functionName", context.getFunctionName());
        out.put("remainingMs", context.getRemainingTimeInMillis());
        out.put("pid", ProcessHandle.current().pid());
        out.put("javaVersion", System.getProperty("java.version"));
        out.put("jvmStarted", STARTED);
        Map<String, String> env = new LinkedHashMap<>();
        for (String key : new String[] {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                "AWS_REGION", "AWS_ENDPOINT_URL", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                "AWS_EXECUTION_ENV", "PROBE_SETTING", "_HANDLER"}) {
            env.put(key, System.getenv(key));
        }
        out.put("env", env);
        switch (action) {
            case "fail":
                throw new ProbeException("probe failed on purpose");
            case "sleep":
                try {
                    Thread.sleep(((Number) input.get("ms")).longValue());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                break;
            case "exit":
                System.exit(3);
                break;
            case "whoami":
                out.put("callerIdentity", getCallerIdentity());
                break;
            case "sendTaskSuccess":
                out.put("sent", call("AWSStepFunctions.SendTaskSuccess", "states",
                        "{\"taskToken\":\"" + input.get("token") + "\",\"output\":\"{\\\"resumed\\\":true}\"}"));
                break;
            default:
                break;
        }
        return out;
    }

    /** A JSON-protocol call with the function's credentials (signature not verified by LocalStack). */
    private static String call(String target, String service, String body) {
        String date = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
        HttpRequest request = HttpRequest.newBuilder(URI.create(System.getenv("AWS_ENDPOINT_URL") + "/"))
                .header("Content-Type", "application/x-amz-json-1.0")
                .header("X-Amz-Target", target)
                .header("X-Amz-Date", date)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + System.getenv("AWS_ACCESS_KEY_ID") + "/"
                        + date.substring(0, 8) + "/" + System.getenv("AWS_REGION") + "/" + service
                        + "/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** STS GetCallerIdentity with the function's credentials (LocalStack reads the access key id of
     * the Authorization header; it does not verify signatures). */
    private static String getCallerIdentity() {
        String accessKey = System.getenv("AWS_ACCESS_KEY_ID");
        String region = System.getenv("AWS_REGION");
        String date = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
        HttpRequest request = HttpRequest.newBuilder(URI.create(System.getenv("AWS_ENDPOINT_URL") + "/"))
                .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .header("X-Amz-Date", date)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + date.substring(0, 8)
                        + "/" + region + "/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
                .POST(HttpRequest.BodyPublishers.ofString("Action=GetCallerIdentity&Version=2011-06-15"))
                .build();
        try {
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
"""

BROKEN_INIT_JAVA = r"""
package amishare.probe;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

public class BrokenInit implements RequestHandler<Map<String, Object>, String> {
    public BrokenInit() {
        System.out.println("broken-init-log-line");
        throw new IllegalStateException("init failed on purpose");
    }

    @Override
    public String handleRequest(Map<String, Object> input, Context context) {
        return "unreachable";
    }
}
"""

PROBE_EXCEPTION_JAVA = r"""
package amishare.probe;

public class ProbeException extends RuntimeException {
    public ProbeException(String message) {
        super(message);
    }
}
"""



# ---------------------------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------------------------


def client(service: str):
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=ACCOUNT,
        aws_secret_access_key="test",
        config=Config(read_timeout=120, retries={"max_attempts": 0}),
    )


@pytest.fixture(scope="session", autouse=True)
def emulator():
    try:
        requests.get(f"{ENDPOINT}/_localstack/health", timeout=3).raise_for_status()
    except requests.RequestException as e:
        pytest.fail(f"no emulator at {ENDPOINT} ({e}); start it with tests/localstack/localstack.sh start")


@pytest.fixture(scope="session")
def lam():
    return client("lambda")


@pytest.fixture(scope="session")
def role_arn():
    iam = client("iam")
    name = f"probe-role-{uuid.uuid4().hex[:8]}"
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole",
         "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]}},
    ]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    yield arn
    iam.delete_role(RoleName=name)


def _lambda_core_jar() -> str:
    candidates = []
    if os.environ.get("AMISHARE_LAMBDA_RIC_DIR"):
        candidates.append(os.environ["AMISHARE_LAMBDA_RIC_DIR"])
    cache = os.environ.get("AMISHARE_CACHE") or str(Path.home() / ".cache" / "amishare")
    candidates += glob.glob(f"{cache}/lambda-ric/*")
    candidates += glob.glob(str(Path.home() / ".m2/repository/com/amazonaws/aws-lambda-java-core/*"))
    for folder in candidates:
        jars = glob.glob(f"{folder}/aws-lambda-java-core-*.jar")
        if jars:
            return sorted(jars)[-1]
    pytest.fail("aws-lambda-java-core jar not found (build the project first, or set AMISHARE_LAMBDA_RIC_DIR)")


@pytest.fixture(scope="session")
def probe_zip(tmp_path_factory) -> bytes:
    if not shutil.which("javac"):
        pytest.fail("javac not on PATH: a JDK is a prerequisite")
    src = tmp_path_factory.mktemp("probe-src")
    out = tmp_path_factory.mktemp("probe-classes")
    (src / "Probe.java").write_text(PROBE_JAVA)
    (src / "ProbeException.java").write_text(PROBE_EXCEPTION_JAVA)
    (src / "BrokenInit.java").write_text(BROKEN_INIT_JAVA)
    subprocess.run(["javac", "--release", "17", "-cp", _lambda_core_jar(), "-d", str(out),
                    *map(str, sorted(src.glob("*.java")))], check=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as jar:
        for path in sorted(out.rglob("*.class")):
            jar.write(path, path.relative_to(out).as_posix())
    return buffer.getvalue()


def wait_active(lam, name: str) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        conf = lam.get_function_configuration(FunctionName=name)
        if conf["State"] != "Pending":
            return conf
        time.sleep(0.2)
    raise AssertionError(f"{name} still Pending")


def create_function(lam, role_arn, code: bytes, handler: str, runtime="java17", timeout=30, env=None,
                    memory=512) -> str:
    name = f"probe-{uuid.uuid4().hex[:10]}"
    lam.create_function(FunctionName=name, Runtime=runtime, Role=role_arn, Handler=handler,
                        Code={"ZipFile": code}, Timeout=timeout, MemorySize=memory,
                        Environment={"Variables": env or {}})
    conf = wait_active(lam, name)
    assert conf["State"] == "Active", conf
    return name


@pytest.fixture
def functions(lam):
    names = []
    yield names
    for name in names:
        try:
            lam.delete_function(FunctionName=name)
        except lam.exceptions.ResourceNotFoundException:
            pass


@pytest.fixture(scope="module")
def probe(lam, role_arn, probe_zip):
    name = create_function(lam, role_arn, probe_zip, "amishare.probe.Probe::handleRequest",
                           env={"PROBE_SETTING": "from-function-config"})
    yield name
    lam.delete_function(FunctionName=name)


def invoke(lam, name: str, event: dict, tail=False) -> tuple[dict, dict]:
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode(),
                          LogType="Tail" if tail else "None")
    payload = json.loads(response["Payload"].read() or b"null")
    return response, payload


def jvm_running(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return b"com.amazonaws.services.lambda.runtime.api.client.AWSLambda" in cmdline and state != "Z"


def wait_gone(pids, seconds=15.0) -> list[int]:
    deadline = time.monotonic() + seconds
    alive = [p for p in pids if jvm_running(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in alive if jvm_running(p)]
    return alive


# ---------------------------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------------------------


def test_invoke_returns_handler_output(lam, probe):
    started = time.monotonic()
    response, payload = invoke(lam, probe, {"action": "echo", "value": 42}, tail=True)
    cold = time.monotonic() - started
    assert response["StatusCode"] == 200 and "FunctionError" not in response, payload
    assert payload["input"] == {"action": "echo", "value": 42}
    assert payload["functionName"] == probe
    assert 0 < payload["remainingMs"] <= 30_000
    logs = base64.b64decode(response["LogResult"]).decode()
    assert "Init Duration: " in logs, logs
    assert f"START RequestId: {payload['requestId']}" in logs
    assert f"probe-log-line echo {payload['requestId']}" in logs
    assert f"REPORT RequestId: {payload['requestId']}" in logs

    started = time.monotonic()
    response, again = invoke(lam, probe, {"action": "echo"})
    warm = time.monotonic() - started
    assert again["pid"] == payload["pid"], "a warm invocation reuses the environment's JVM"
    print(f"\ncold invoke {cold * 1000:.0f} ms, warm invoke {warm * 1000:.0f} ms")


def test_exception_surfaces_with_fully_qualified_type(lam, probe):
    response, payload = invoke(lam, probe, {"action": "fail"})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "amishare.probe.ProbeException"
    assert payload["errorMessage"] == "probe failed on purpose"
    assert any("amishare.probe.Probe.handleRequest" in frame for frame in payload["stackTrace"])
    # the RIC keeps its loop after a handler exception: the environment still serves invocations
    response, payload = invoke(lam, probe, {"action": "echo"})
    assert "FunctionError" not in response, payload


def test_step_functions_catch_matches_the_exception_type(lam, probe, role_arn):
    """Step Functions sees the RIC's errorType as the error name, so Catch/Retry on a Java exception's
    fully-qualified class name work as in AWS."""
    sfn = client("stepfunctions")
    function_arn = lam.get_function(FunctionName=probe)["Configuration"]["FunctionArn"]
    definition = {"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Parameters": {"FunctionName": function_arn, "Payload.$": "$"}, "OutputPath": "$.Payload",
                 "Catch": [{"ErrorEquals": ["amishare.probe.ProbeException"], "ResultPath": "$.caught",
                            "Next": "Caught"}],
                 "End": True},
        "Caught": {"Type": "Pass", "End": True}}}
    machine = sfn.create_state_machine(name=f"probe-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition),
                                       roleArn=role_arn)["stateMachineArn"]
    try:
        outputs = {}
        for action in ("echo", "fail"):
            execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"action": action}))
            deadline = time.monotonic() + 60
            while (described := sfn.describe_execution(executionArn=execution["executionArn"]))["status"] == "RUNNING":
                assert time.monotonic() < deadline, "execution still running"
                time.sleep(0.1)
            assert described["status"] == "SUCCEEDED", described
            outputs[action] = json.loads(described["output"])
        assert outputs["echo"]["action"] == "echo"
        assert outputs["fail"]["caught"]["Error"] == "amishare.probe.ProbeException"
        assert json.loads(outputs["fail"]["caught"]["Cause"])["errorMessage"] == "probe failed on purpose"
    finally:
        sfn.delete_state_machine(stateMachineArn=machine)


def test_environment_and_execution_role_account(lam, probe, role_arn):
    response, payload = invoke(lam, probe, {"action": "whoami"})
    assert "FunctionError" not in response, payload
    env = payload["env"]
    assert env["PROBE_SETTING"] == "from-function-config"
    assert role_arn.split(":")[4] == ACCOUNT
    if os.environ.get("AMISHARE_LAMBDA_CREDENTIALS", "role") != "account":
        # the execution role's session, as in AWS (its identity policies then apply)
        assert env["AWS_SESSION_TOKEN"], env
        role_name = role_arn.split("/")[-1]
        assert f"<Arn>arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{probe}</Arn>" in payload["callerIdentity"]
    else:
        # the account of the execution role, as its root (a 12-digit key)
        assert env["AWS_ACCESS_KEY_ID"] == ACCOUNT
        assert env["AWS_SECRET_ACCESS_KEY"] == "test" and env.get("AWS_SESSION_TOKEN") is None  # RIC drops nulls
    assert env["AWS_REGION"] == REGION
    assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == probe and env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_java17"
    assert env["_HANDLER"] == "amishare.probe.Probe::handleRequest"
    assert f"<Account>{ACCOUNT}</Account>" in payload["callerIdentity"], payload["callerIdentity"]


def test_timeout_is_honoured(lam, role_arn, probe_zip, functions):
    name = create_function(lam, role_arn, probe_zip, "amishare.probe.Probe::handleRequest", timeout=3)
    functions.append(name)
    _, first = invoke(lam, name, {"action": "echo"})  # cold start outside the measured call
    started = time.monotonic()
    response, payload = invoke(lam, name, {"action": "sleep", "ms": 20_000})
    elapsed = time.monotonic() - started
    assert response["FunctionError"] == "Unhandled", payload
    assert payload["errorType"] == "Sandbox.Timedout"
    assert payload["errorMessage"].endswith("Task timed out after 3.00 seconds")
    assert 2.9 <= elapsed < 8, elapsed
    assert wait_gone([first["pid"]]) == [], "the timed-out JVM is ended"
    # the environment recovers with a fresh JVM
    response, payload = invoke(lam, name, {"action": "echo"})
    assert "FunctionError" not in response, payload
    assert payload["pid"] != first["pid"]


def test_runtime_exit_is_reported(lam, role_arn, probe_zip, functions):
    name = create_function(lam, role_arn, probe_zip, "amishare.probe.Probe::handleRequest")
    functions.append(name)
    response, payload = invoke(lam, name, {"action": "exit"})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in payload["errorMessage"]
    response, payload = invoke(lam, name, {"action": "echo"})
    assert "FunctionError" not in response, payload


def test_two_concurrent_invocations_use_two_jvms(lam, role_arn, probe_zip, functions):
    name = create_function(lam, role_arn, probe_zip, "amishare.probe.Probe::handleRequest")
    functions.append(name)
    results = [None, None]
    barrier = threading.Barrier(2)

    def call(i):
        barrier.wait(timeout=10)
        results[i] = invoke(client("lambda"), name, {"action": "sleep", "ms": 1500, "caller": i})

    threads = [threading.Thread(target=call, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(results), results
    for i, (response, payload) in enumerate(results):
        assert "FunctionError" not in response, payload
        assert payload["input"]["caller"] == i
    assert results[0][1]["pid"] != results[1][1]["pid"], "one JVM per execution environment"
    pids = [payload["pid"] for _, payload in results]
    assert all(jvm_running(pid) for pid in pids)

    lam.delete_function(FunctionName=name)
    assert wait_gone(pids) == [], "JVMs are ended when the function is deleted"


def test_java21_runtime(lam, role_arn, probe_zip, functions):
    name = create_function(lam, role_arn, probe_zip, "amishare.probe.Probe::handleRequest", runtime="java21")
    functions.append(name)
    response, payload = invoke(lam, name, {"action": "echo"})
    assert "FunctionError" not in response, payload
    assert int(payload["javaVersion"].split(".")[0]) >= 21
    assert payload["env"]["AWS_EXECUTION_ENV"] == "AWS_Lambda_java21"


def test_bad_handler_class_is_reported(lam, role_arn, probe_zip, functions):
    name = create_function(lam, role_arn, probe_zip, "amishare.probe.Missing::handleRequest")
    functions.append(name)
    response, payload = invoke(lam, name, {})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "java.lang.ClassNotFoundException", payload


def test_init_error_is_reported(lam, role_arn, probe_zip, functions):
    name = create_function(lam, role_arn, probe_zip, "amishare.probe.BrokenInit::handleRequest")
    functions.append(name)
    for _ in range(2):  # every attempt starts a new environment, which fails the same way
        response, payload = invoke(lam, name, {})
        assert response["FunctionError"] == "Unhandled"
        assert payload["errorType"] == "java.lang.IllegalStateException", payload
        assert payload["errorMessage"] == "init failed on purpose", payload


def test_non_java_runtime_fails_clearly(lam, role_arn, functions):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    name = create_function(lam, role_arn, buffer.getvalue(), "index.handler", runtime="python3.12")
    functions.append(name)
    response, payload = invoke(lam, name, {})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.Unsupported"
    assert "runs only Java functions" in payload["errorMessage"] and "python3.12" in payload["errorMessage"]


def test_amishare_handler_errors_and_ec2_calls(lam, role_arn, functions, tmp_path):
    assert AMISHARE_JAR.exists(), f"{AMISHARE_JAR} is built by ./mvnw package before these tests run"
    jar = tmp_path / "functions.jar"  # a copy: the build may rewrite the original meanwhile
    shutil.copyfile(AMISHARE_JAR, jar)
    # the handler's no-arg constructor needs the ledger's name; neither invocation reaches the ledger
    name = create_function(lam, role_arn, jar.read_bytes(),
                           "dev.amishare.functions.launch.GrantLaunchPermissionHandler::handleRequest",
                           env={"AMISHARE_LEDGER_TABLE": "amishare-share-ledger"})
    functions.append(name)
    response, payload = invoke(lam, name, {"imageId": "bad", "accountIds": ["1"]})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "dev.amishare.errors.InvalidShareRequestException", payload

    response, payload = invoke(lam, name, {"imageId": "ami-12345678", "accountIds": ["222222222222"]},
                               tail=True)
    logs = base64.b64decode(response.get("LogResult", "")).decode(errors="replace")
    # the image does not exist: the function reached EC2 through AWS_ENDPOINT_URL and mapped its answer
    assert response.get("FunctionError") == "Unhandled", (payload, logs)
    assert payload["errorType"].startswith("dev.amishare."), (payload, logs)


def test_jvms_end_when_localstack_stops(probe_zip, tmp_path):
    """A second emulator on a free port: SIGTERM to LocalStack's own pid (not its process group, which
    localstack.sh stop signals and which would end the JVMs directly) must end the JVMs it started."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, AMISHARE_LOCALSTACK_PORT=str(port),
               AMISHARE_CACHE=os.environ.get("AMISHARE_CACHE") or str(Path.home() / ".cache" / "amishare"))
    subprocess.run([str(LOCALSTACK_SH), "start"], env=env, check=True, timeout=240, capture_output=True)
    pid_file = Path(env["AMISHARE_CACHE"]) / "run" / f"localstack-{port}.pid"
    try:
        endpoint = f"http://127.0.0.1:{port}"
        kwargs = dict(endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCOUNT,
                      aws_secret_access_key="test")
        iam, lam = boto3.client("iam", **kwargs), boto3.client("lambda", **kwargs)
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}},
        ]}
        role = iam.create_role(RoleName="probe", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        name = create_function(lam, role, probe_zip, "amishare.probe.Probe::handleRequest")
        _, payload = invoke(lam, name, {"action": "echo"})
        pid = payload["pid"]
        assert jvm_running(pid)
        main_pid = int(pid_file.read_text())
        os.kill(main_pid, 15)
        assert wait_gone([pid], seconds=20) == [], "JVM outlived LocalStack's shutdown"
    finally:
        subprocess.run([str(LOCALSTACK_SH), "stop"], env=env, timeout=60, capture_output=True)


def test_task_token_sent_during_the_invocation_resumes_the_task(lam, probe, role_arn):
    """Step Functions DeveloperGuide "connect-to-resource" (Wait for a Callback with Task Token): the
    token is valid as soon as the task hands it out, so a function may resume its own task before its
    invocation returns; the task then succeeds at once, not after HeartbeatSeconds."""
    sfn = client("stepfunctions")
    function_arn = lam.get_function(FunctionName=probe)["Configuration"]["FunctionArn"]
    definition = {"StartAt": "Park", "States": {
        "Park": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                 "Parameters": {"FunctionName": function_arn,
                                "Payload": {"action": "sendTaskSuccess", "token.$": "$$.Task.Token"}},
                 "HeartbeatSeconds": 600, "TimeoutSeconds": 900, "End": True}}}
    machine = sfn.create_state_machine(name=f"probe-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition),
                                       roleArn=role_arn)["stateMachineArn"]
    # the function answers as its execution role, which needs states:SendTaskSuccess on the machine
    iam, role_name = client("iam"), role_arn.split("/")[-1]
    iam.put_role_policy(RoleName=role_name, PolicyName="task-response", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "states:SendTaskSuccess", "Resource": machine}]}))
    try:
        execution = sfn.start_execution(stateMachineArn=machine, input="{}")
        described = wait_for(lambda: (d := sfn.describe_execution(executionArn=execution["executionArn"]))
                             ["status"] != "RUNNING" and d, timeout=60, message="the parked task to resume")
        assert described["status"] == "SUCCEEDED", described
        assert json.loads(described["output"]) == {"resumed": True}
    finally:
        iam.delete_role_policy(RoleName=role_name, PolicyName="task-response")
        sfn.delete_state_machine(stateMachineArn=machine)


@pytest.mark.parametrize("items, expected", [
    ([{"id": "snap-1"}], {"ids": ["snap-1"], "first": "snap-1"}),
    ([{"id": "snap-1"}, {"id": "snap-2"}], {"ids": ["snap-1", "snap-2"], "first": "snap-1"}),
    ([], {"ids": []}),
])
def test_wildcard_path_selects_a_list_even_for_one_match(role_arn, items, expected):
    """Step Functions DeveloperGuide "amazon-states-language-paths": paths are Jayway JsonPath, where
    [*] makes a path indefinite and its result a list whatever the number of matches; a literal index
    selects the element itself."""
    sfn = client("stepfunctions")
    parameters = {"ids.$": "$.items[*].id"}
    if items:
        parameters["first.$"] = "$.items[0].id"
    definition = {"StartAt": "Select", "States": {"Select": {"Type": "Pass", "Parameters": parameters, "End": True}}}
    machine = sfn.create_state_machine(name=f"paths-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition),
                                       roleArn=role_arn)["stateMachineArn"]
    try:
        execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"items": items}))
        described = wait_for(lambda: (d := sfn.describe_execution(executionArn=execution["executionArn"]))
                             ["status"] != "RUNNING" and d, timeout=30, message="the execution to end")
        assert described["status"] == "SUCCEEDED", described
        assert json.loads(described["output"]) == expected
    finally:
        sfn.delete_state_machine(stateMachineArn=machine)


# ---------------------------------------------------------------------------------------------
# fault injection (lambda_faults.py): Invoke answered with a Lambda API error
# ---------------------------------------------------------------------------------------------

FAULTS = f"{ENDPOINT}/_amishare/faults/lambda"


@pytest.fixture
def faults():
    requests.delete(FAULTS, timeout=10).raise_for_status()
    yield lambda **body: requests.post(FAULTS, json=body, timeout=10)
    requests.delete(FAULTS, timeout=10).raise_for_status()


def _invoke_error(lam, name: str) -> dict:
    with pytest.raises(lam.exceptions.ClientError) as raised:
        lam.invoke(FunctionName=name, Payload=b"{}")
    return raised.value.response


def test_armed_throttle_answers_the_next_invocations_with_too_many_requests(lam, probe, faults):
    """Lambda API Invoke "Errors": TooManyRequestsException, HTTP 429, with Type "User" and a
    ThrottleReason; once the armed count is used up the function runs again."""
    armed = faults(functionName=probe, count=2, error="TooManyRequestsException")
    assert armed.status_code == 201, armed.text
    assert requests.get(FAULTS, timeout=10).json()[0]["remaining"] == 2

    for left in (1, 0):
        error = _invoke_error(lam, probe)
        assert error["Error"]["Code"] == "TooManyRequestsException"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert error["Error"]["Message"] == "Rate Exceeded."
        assert (error.get("Type"), error.get("Reason")) == ("User", "ConcurrentInvocationLimitExceeded")
        assert [f["remaining"] for f in requests.get(FAULTS, timeout=10).json()] == ([left] if left else [])

    response, payload = invoke(lam, probe, {"action": "echo"})
    assert response["StatusCode"] == 200 and payload["action"] == "echo"


def test_armed_service_errors_have_their_documented_status(lam, probe, faults):
    """Lambda API Invoke "Errors": ServiceException 500 and EC2ThrottledException 502 are Lambda's own
    faults (Type "Service"); a fault armed by function ARN applies to that function only."""
    arn = lam.get_function(FunctionName=probe)["Configuration"]["FunctionArn"]
    faults(functionName=arn, count=1, error="ServiceException")
    faults(functionName=f"{arn.rsplit(':', 1)[0]}:another-function", count=1, error="ServiceException")
    faults(functionName=probe, count=1, error="EC2ThrottledException")

    first, second = _invoke_error(lam, probe), _invoke_error(lam, probe)
    assert (first["Error"]["Code"], first["ResponseMetadata"]["HTTPStatusCode"], first.get("Type")) == \
        ("ServiceException", 500, "Service")
    assert (second["Error"]["Code"], second["ResponseMetadata"]["HTTPStatusCode"], second.get("Type")) == \
        ("EC2ThrottledException", 502, "Service")
    assert [f["name"] for f in requests.get(FAULTS, timeout=10).json()] == ["another-function"]


def test_fault_endpoint_refuses_errors_invoke_does_not_list(faults):
    """Only the errors the Lambda API reference lists for Invoke can be armed."""
    refused = faults(functionName="f", count=1, error="ThrottlingException")
    assert refused.status_code == 400 and "TooManyRequestsException" in refused.json()["message"]
    assert faults(functionName="f", count=0, error="ServiceException").status_code == 400
    assert requests.get(FAULTS, timeout=10).json() == []


def test_step_functions_lambda_invoke_reports_the_armed_error_and_retries_it(lam, probe, role_arn, faults):
    """Step Functions' lambda:invoke integration fails the task with "Lambda.<code>" of a Lambda API
    error (Step Functions DeveloperGuide "concepts-error-handling": Lambda.TooManyRequestsException,
    Lambda.ServiceException, ...), so a Retry on it runs the function again and a Catch sees its name."""
    sfn = client("stepfunctions")
    function_arn = lam.get_function(FunctionName=probe)["Configuration"]["FunctionArn"]
    definition = {"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Parameters": {"FunctionName": function_arn, "Payload.$": "$"}, "OutputPath": "$.Payload",
                 "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1,
                            "MaxAttempts": 2, "BackoffRate": 1}],
                 "Catch": [{"ErrorEquals": ["Lambda.EC2ThrottledException"], "ResultPath": "$.caught",
                            "Next": "Caught"}],
                 "End": True},
        "Caught": {"Type": "Pass", "End": True}}}
    machine = sfn.create_state_machine(name=f"faults-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition),
                                       roleArn=role_arn)["stateMachineArn"]

    def run() -> tuple[dict, list]:
        execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"action": "echo"}))
        described = wait_for(lambda: (d := sfn.describe_execution(executionArn=execution["executionArn"]))
                             ["status"] != "RUNNING" and d, timeout=60, message="the execution to end")
        events = sfn.get_execution_history(executionArn=execution["executionArn"])["events"]
        return described, [e["taskFailedEventDetails"]["error"] for e in events if e["type"] == "TaskFailed"]

    try:
        faults(functionName=probe, count=1, error="TooManyRequestsException")
        described, failures = run()
        assert described["status"] == "SUCCEEDED", described
        assert failures == ["Lambda.TooManyRequestsException"]
        assert json.loads(described["output"])["action"] == "echo"

        faults(functionName=probe, count=1, error="EC2ThrottledException")
        described, failures = run()
        assert described["status"] == "SUCCEEDED", described
        assert failures == ["Lambda.EC2ThrottledException"]
        assert json.loads(described["output"])["caught"]["Error"] == "Lambda.EC2ThrottledException"
    finally:
        sfn.delete_state_machine(stateMachineArn=machine)


def test_step_functions_task_on_a_function_arn_reports_the_armed_error_as_lambda_code(lam, probe, role_arn, faults):
    """A Task whose Resource is the function's ARN reports a Lambda Invoke error as "Lambda.<code>" in a
    LambdaFunctionFailed event (Step Functions DeveloperGuide "bp-lambda-serviceexception"), so the
    documented Retry on Lambda.TooManyRequestsException runs the function again."""
    sfn = client("stepfunctions")
    function_arn = lam.get_function(FunctionName=probe)["Configuration"]["FunctionArn"]
    definition = {"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": function_arn,
                 "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1,
                            "MaxAttempts": 2, "BackoffRate": 1}],
                 "End": True}}}
    machine = sfn.create_state_machine(name=f"faults-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition),
                                       roleArn=role_arn)["stateMachineArn"]
    try:
        faults(functionName=probe, count=1, error="TooManyRequestsException")
        execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"action": "echo"}))
        described = wait_for(lambda: (d := sfn.describe_execution(executionArn=execution["executionArn"]))
                             ["status"] != "RUNNING" and d, timeout=60, message="the execution to end")
        events = sfn.get_execution_history(executionArn=execution["executionArn"])["events"]
        failures = [e["lambdaFunctionFailedEventDetails"]["error"] for e in events
                    if e["type"] == "LambdaFunctionFailed"]
        assert described["status"] == "SUCCEEDED", described
        assert failures == ["Lambda.TooManyRequestsException"]
        assert json.loads(described["output"])["action"] == "echo"
    finally:
        sfn.delete_state_machine(stateMachineArn=machine)


def test_step_functions_task_on_a_function_arn_reports_an_unanswered_invoke_as_sdk_client_exception():
    """An Invoke that got no answer (connection closed or timed out) fails a Task on the function's ARN
    with "Lambda.SdkClientException", which Step Functions DeveloperGuide "bp-lambda-serviceexception"
    lists among the Lambda errors to retry; another error keeps LocalStack's own handling."""
    from types import SimpleNamespace

    from botocore.exceptions import ConnectionClosedError

    from amishare_localstack import sfn_lambda_errors

    env = SimpleNamespace(next_state_name="Call", event_history_context=SimpleNamespace(source_event_id=7))
    event = sfn_lambda_errors._from_error(lambda *_: None, None, env,
                                          ConnectionClosedError(endpoint_url="http://localhost:4566/"))
    details = event.event_details["lambdaFunctionFailedEventDetails"]
    assert details["error"] == "Lambda.SdkClientException"
    assert "Connection was closed" in details["cause"]
    assert event.error_name.error_name == "Lambda.SdkClientException"
    assert sfn_lambda_errors._from_error(lambda *_: "kept", None, env, ValueError("other")) == "kept"
