"""Entry point: a LocalStack on_infra_start hook (plux namespace "localstack.hooks.on_infra_start",
declared in pyproject.toml) that patches the EC2, STS and IAM providers, moto's EC2 backend and
Step Functions' task-token callbacks and JSONPath lists, and
adds one gateway request handler (enforcement.handle) to
localstack.aws.handlers.serve_custom_service_request_handlers, which runs after the request is
parsed and before the provider serves it. Active as soon as the package is installed.
"""

from __future__ import annotations

import functools
import logging

from localstack.runtime import hooks

LOG = logging.getLogger(__name__)
_installed = False


def wrap(cls, name: str, new):
    """Replaces cls.name by new(original, self, *args, **kwargs), keeping the original's attributes
    (LocalStack's @handler markers live in the function's __dict__)."""
    original = getattr(cls, name)

    @functools.wraps(original)
    def patched(self, *args, **kwargs):
        return new(original, self, *args, **kwargs)

    setattr(cls, name, patched)


@hooks.on_infra_start()
def amishare_emulator():
    global _installed
    if _installed:
        return
    from localstack.aws import handlers

    from . import ec2_copy, ec2_images, enforcement, iam_sts, sfn_callbacks, sfn_jsonpath

    ec2_images.install(wrap)
    ec2_copy.install()
    iam_sts.install(wrap)
    sfn_callbacks.install(wrap)
    sfn_jsonpath.install()
    handlers.serve_custom_service_request_handlers.append(enforcement.handle)
    _installed = True
    LOG.warning("amishare extension loaded: EC2 AMI sharing, KMS key policies, IAM/STS policy evaluation, Step Functions early callbacks and JSONPath lists")
