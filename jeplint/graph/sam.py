"""AWS SAM policy templates (`Policies: [{S3ReadPolicy: {BucketName: b}}]`) -> IAM statements.

The statements are SAM's own (jeplint/data/sam_policy_templates.json, derived from
aws-sam-translator's policy_templates.json by scripts/refresh_sam_templates.py; see NOTICE): 79 of
its 81 templates. The two whose statements carry a condition (AWSSecretsManagerRotationPolicy,
EFSWriteAccessPolicy) and any name SAM does not have are kept as unresolved policies that say so.
Parameters are substituted into the resource ARNs; an unknown parameter stays a `${...}` placeholder.
"""

from __future__ import annotations

import json
from functools import lru_cache

from jeplint.datafiles import data_file

Statements = list[tuple[list[str], list[str]]]


@lru_cache(maxsize=1)
def _templates() -> dict[str, Statements]:
    with data_file("sam_policy_templates.json").open("r", encoding="utf-8") as handle:
        data = json.load(handle)
    return {
        name: [(list(actions), list(resources)) for actions, resources in statements]
        for name, statements in data["templates"].items()
    }


def template(name: str) -> Statements | None:
    """The statements of SAM policy template `name` as (actions, resources), or None when unknown."""
    return _templates().get(name)
