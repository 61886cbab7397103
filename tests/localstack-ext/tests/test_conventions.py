"""The extension follows LocalStack's own conventions (issue 10): every patch is a
localstack.utils.patch.Patch applied from plugin.py's hook, and every AWS error comes from errors.py.

These read the package's source (and import it from there); they need no emulator.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "amishare_localstack"
MODULES = sorted(p for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
sys.path.insert(0, str(PACKAGE.parent))  # the source, even when the installed copy is older


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _imported_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return names


@pytest.mark.parametrize("path", [p for p in MODULES if p.name != "errors.py"], ids=lambda p: p.name)
def test_aws_errors_are_built_only_in_errors_py(path):
    source = path.read_text()
    # CommonServiceException or moto's EC2 errors built inline, or a Lambda / Runtime API error body
    inline = re.findall(r"\b(?:Common)?ServiceException\(|\bEC2ClientError\b|\bInvalid\w+Error\b|\"errorType\"", source)
    assert not inline, f"{path.name} builds AWS errors itself ({inline}); define them in errors.py"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_patching_besides_localstack_patch(path):
    tree = _tree(path)
    imported = _imported_names(tree)
    offending = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
            offending.append(f"line {node.lineno}: setattr")
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                # an attribute of something imported (a class or module of LocalStack or moto)
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                        and target.value.id in imported:
                    offending.append(f"line {node.lineno}: {target.value.id}.{target.attr} = ...")
    assert not offending, f"{path.name} patches outside localstack.utils.patch.Patch: {offending}"


def test_plugin_applies_the_patches_of_every_patching_module():
    patching = {p.stem for p in MODULES if re.search(r"^def patches\(\)", p.read_text(), re.M)}
    loop = re.search(r"for module in \(([^)]*)\):\s*\n\s*module\.patches\(\)\.apply\(\)",
                     (PACKAGE / "plugin.py").read_text())
    assert loop, "plugin.py applies each module's patches() in one loop"
    assert {m.strip() for m in loop.group(1).split(",") if m.strip()} == patching


def test_every_patch_names_an_existing_target():
    """A LocalStack or moto upgrade that renames a patched method fails here rather than at start-up."""
    import importlib

    from localstack.utils.patch import Patch, Patches

    for path in MODULES:
        if not re.search(r"^def patches\(\)", path.read_text(), re.M):
            continue
        patches = importlib.import_module(f"amishare_localstack.{path.stem}").patches()
        assert isinstance(patches, Patches)
        for patch in patches.patches:
            assert isinstance(patch, Patch)
            assert patch.old is not None, f"{path.stem}: {patch.obj!r} has no {patch.name}"
            assert not patch.is_applied  # applied by plugin.py only


def test_every_error_names_its_code_and_cites_its_source():
    from amishare_localstack import errors

    defined = [c for c in vars(errors).values() if isinstance(c, type) and c.__module__ == errors.__name__
               and issubclass(c, (errors.AwsError, errors.FunctionError, errors.EntryError))
               and c not in (errors.AwsError, errors.FunctionError, errors.EntryError)]
    assert len(defined) >= 19
    for error in defined:
        assert error.__doc__ and error.__doc__.strip(), f"{error.__name__} cites no source"
        assert getattr(error, "code", None) or getattr(error, "error_type", None), error.__name__
    replies = [v for v in vars(errors).values() if isinstance(v, errors.RuntimeApiError)]
    assert len(replies) == 3 and all(b'"errorType":' in reply.body and reply.status >= 400 for reply in replies)


def test_error_messages_are_the_ones_tests_and_clients_match():
    """The Java ITs and this suite match these texts (e.g. EncryptedAmiSharingIT on the storage
    refusal); the definitions moved to errors.py without changing a byte."""
    from amishare_localstack import errors

    cases = [
        (errors.ImageNotFound("ami-1"), "InvalidAMIID.NotFound", 400, "The image id '[ami-1]' does not exist"),
        (errors.ImageNotFound(["ami-1", "ami-2"]), "InvalidAMIID.NotFound", 400,
         "The image ids '[ami-1, ami-2]' do not exist"),
        (errors.SnapshotNotFound(snapshot_id="snap-1"), "InvalidSnapshot.NotFound", 400,
         "The snapshot 'snap-1' does not exist."),
        (errors.KmsKeyIdNeedsEncrypted(), "InvalidParameterDependency", 400,
         "The parameter KmsKeyId requires the parameter Encrypted to be set."),
        (errors.InvalidKmsKey("alias/x"), "InvalidParameterValue", 400, "Invalid KMS key: alias/x does not exist"),
        (errors.InvalidKmsKey("alias/x", "eu-west-1"), "InvalidParameterValue", 400,
         "Invalid KMS key: alias/x does not exist or is not in eu-west-1"),
        (errors.NoAccessToImageStorage(), "InvalidRequest", 400,
         "You do not have permission to access the storage of this ami"),
        (errors.NoUnencryptedCopy(snapshot_id="snap-1"), "InvalidRequest", 400,
         "Snapshot snap-1 is encrypted. Creating an unencrypted copy from an encrypted snapshot is not supported."),
        (errors.CopyKeyNotAuthorized(problem="p"), "UnauthorizedOperation", 403,
         "You are not authorized to perform this operation. p"),
        (errors.Ec2ActionNotAuthorized(principal_arn="arn:r", action="ec2:CopyImage", resource="*", why="w"),
         "UnauthorizedOperation", 403,
         "You are not authorized to perform this operation. User: arn:r is not authorized to perform: "
         "ec2:CopyImage on resource: * w"),
        (errors.DryRunSucceeded(), "DryRunOperation", 412, "Request would have succeeded, but DryRun flag is set."),
        (errors.KmsAccessDenied(principal_arn="arn:r", action="kms:Decrypt", resource="arn:k", reason="why"),
         "AccessDeniedException", 400,
         "User: arn:r is not authorized to perform: kms:Decrypt on resource: arn:k because why"),
        (errors.AssumeRoleDenied(principal_arn="arn:r", role_arn="arn:role"), "AccessDenied", 403,
         "User: arn:r is not authorized to perform: sts:AssumeRole on resource: arn:role"),
    ]
    for error, code, status, message in cases:
        assert (error.code, error.status_code, error.message, error.sender_fault) == (code, status, message, True)

    organizations_cases = [
        (errors.OrganizationsNotInUse(), "AWSOrganizationsNotInUseException", 400,
         "Your account is not a member of an organization."),
        (errors.OrganizationsAccessDenied(), "AccessDeniedException", 400,
         "You don't have permissions to access this resource."),
        (errors.OrganizationsAccountNotFound(), "AccountNotFoundException", 400,
         "You specified an account that doesn't exist."),
    ]
    for error, code, status, message in organizations_cases:
        assert (error.code, error.status_code, error.message) == (code, status, message)
    assert errors.SourceNotAuthorized().entry() == {"ErrorCode": "NotAuthorizedForSourceException",
                                                    "ErrorMessage": "Not authorized for the source."}
    assert errors.SsmCiphertextKeyNotAccessible(request_id="r-1").message == (
        "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you "
        "are not allowed to access. (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; "
        "Request ID: r-1)")
    assert errors.ActionNotAuthorized(principal_arn="arn:r", action="ssm:GetParameter", resource="arn:p",
                                      why="because no identity-based policy allows the ssm:GetParameter action").message == (
        "User: arn:r is not authorized to perform: ssm:GetParameter on resource: arn:p because no identity-based "
        "policy allows the ssm:GetParameter action")

    moto_error = errors.ImageUnderAwsManagedKey().in_moto()
    assert (moto_error.error_type, moto_error.code, moto_error.message) == (
        "InvalidParameter", 400, "Snapshots encrypted with the AWS Managed CMK can't be shared")
    assert errors.FunctionTimedOut(timeout=3).payload("r-1") == (
        b'{"errorType": "Sandbox.Timedout", "errorMessage": "RequestId: r-1 Error: Task timed out after 3.00 seconds"}')
    assert errors.RuntimeExited(status="exit status 3").payload() == (
        b'{"errorType": "Runtime.ExitError", "errorMessage": "Runtime exited with error: exit status 3"}')
