"""The function's code as the task root the JVM runs in (user.dir, LAMBDA_TASK_ROOT): the RIC loads
the function from it and from its lib/*.jar, as in Lambda."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import zipfile
from pathlib import Path

from localstack.services.lambda_.invocation.lambda_models import FunctionVersion

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

