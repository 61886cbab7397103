"""Step Functions: a JSONPath with a wildcard or slice selects a list, even when one node matches.

Step Functions evaluates reference paths with Jayway JsonPath, where a path with [*] or a slice is
indefinite and always yields a list (Step Functions DeveloperGuide "amazon-states-language-paths";
LocalStack itself already answers [] when such a path matches nothing). LocalStack 2026.3.0 returns
the single match itself, so "$.snapshots[*].snapshotId" over one snapshot gave a string where a
function expects a list of snapshot ids.
"""

from __future__ import annotations

import sys

from localstack.services.stepfunctions.asl.utils import json_path
from localstack.utils.patch import Patch, Patches


def _extract_json(extract_json, path, data):
    value = extract_json(path, data)
    if json_path._contains_slice_or_wildcard_array(path) and not isinstance(value, list):
        return [value]
    return value


def patches() -> Patches:
    patch = Patch.function(json_path.extract_json, _extract_json)
    found = Patches([patch])
    # modules that imported the function by name before this hook ran keep their own reference to it
    for module in list(sys.modules.values()):
        if module is not json_path and getattr(module, "extract_json", None) is patch.old:
            found.add(Patch(module, "extract_json", patch.new))
    return found
