"""GCP predefined roles and Azure built-in roles, from data files shipped in `jeplint/data`.

Each file is read on first use only (a scan without GCP or Azure bindings never opens them). Sources
and refresh path: NOTICE, item 4.
"""

from __future__ import annotations

import gzip
import json
import sys
from functools import lru_cache
from typing import Any

from jeplint.datafiles import data_file


def _load(name: str) -> dict[str, Any]:
    with data_file(name).open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        data: dict[str, Any] = json.load(text)
    return data


@lru_cache(maxsize=1)
def _gcp() -> dict[str, tuple[str, ...]]:
    """{role: its permissions}. The file names ~165k permissions of which ~14k are distinct: each
    is kept once (interned), ~16 MB less than the parsed JSON."""
    roles = _load("gcp_predefined_roles_permissions.json.gz")
    return {role: tuple(map(sys.intern, entry["includedPermissions"])) for role, entry in roles.items()}


@lru_cache(maxsize=1)
def _azure() -> dict[str, Any]:
    return _load("azure_builtin_roles.json.gz")


def gcp_role_permissions(role: str) -> list[str] | None:
    """Permissions of a predefined or basic GCP role (`roles/editor`), or None if unknown."""
    permissions = _gcp().get(role)
    return list(permissions) if permissions is not None else None


def azure_role(name_or_id: str) -> tuple[str, list[dict[str, list[str]]]] | None:
    """(name, permission blocks) of an Azure built-in role by display name or GUID, or None."""
    roles = _azure()
    if name_or_id in roles:
        return name_or_id, roles[name_or_id]["permissions"]
    guid = name_or_id.rsplit("/", 1)[-1].lower()
    for name, entry in roles.items():
        if entry["id"].lower() == guid:
            return name, entry["permissions"]
    return None
