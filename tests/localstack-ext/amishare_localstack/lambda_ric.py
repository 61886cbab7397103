"""The runtime interface client a Java function's JVM runs, and the JDK it runs on.

The JVM runs com.amazonaws.services.lambda.runtime.api.client.AWSLambda <handler> from
com.amazonaws:aws-lambda-java-runtime-interface-client (the client of the managed Java runtime).
The RIC and its dependencies are taken from AMISHARE_LAMBDA_RIC_DIR or resolved once with Maven into
${AMISHARE_CACHE:-~/.cache/amishare}/lambda-ric/<version>; its native client is unpacked next to them.
The JDK of a runtime is the same major version, else the smallest newer one found.
"""

from __future__ import annotations

import fcntl
import glob
import logging
import os
import platform
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
import zipfile
from pathlib import Path

from localstack.services.lambda_.invocation.runtime_executor import LambdaRuntimeException

LOG = logging.getLogger(__name__)

RIC_GROUP = "com.amazonaws"
RIC_ARTIFACT = "aws-lambda-java-runtime-interface-client"
DEFAULT_RIC_VERSION = "2.9.0"
RIC_MAIN_CLASS = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda"
# JniHelper.load() honours this property; without it every JVM unpacks the native client to the same
# /tmp/.libaws-lambda-jni.so, which races when environments start concurrently.
RIC_JNI_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI"


# ---- RIC jars and native library ----------------------------------------------------------------

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


# ---- JDK per runtime ---------------------------------------------------------------------------

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


def candidate_java_homes() -> list[Path]:
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
    found = [(m, h) for h in candidate_java_homes() if (m := _java_major(h)) is not None]
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

