"""Known interfaces of registry modules: which inputs of a module call make which IAM facts.

The table (`jeplint/data/module-interfaces.json`) describes, per module of a known source, the
identities it creates (kind, address inside the module, create flags, name inputs, trust, managed
policy attachments, inline statements, session length, boundary, tags, outputs) and the managed
policies it creates. `interface_for` matches a call's `source` — a registry address
(`terraform-aws-modules/iam/aws//modules/iam-user`) or a git URL in any of the forms Terraform
accepts (`github.com/...//modules/x?ref=v5.0.0`, `git::https://...git//modules/x`,
`git@github.com:....git//modules/x`) — whatever the version or ref. The module's own source is
never read: the table is what stands for it.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from jeplint.datafiles import data_file

_GIT_PREFIX = re.compile(r"^(git::)?(https?://|ssh://)?(git@)?")


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, dict[str, Any]]]:
    """Normalised base address (registry or git) -> (display name of the source, modules)."""
    text = data_file("module-interfaces.json").read_text(encoding="utf-8")
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for source in json.loads(text)["sources"]:
        for base in (source["registry"], source["git"]):
            found[base.lower()] = (source["registry"], source["modules"])
    return found


def _base_and_path(source: str) -> tuple[str, str]:
    """`github.com/o/r//modules/x?ref=v1` -> ("github.com/o/r", "modules/x")."""
    source = source.strip().split("?", 1)[0]
    source = _GIT_PREFIX.sub("", source)
    base, _, path = source.partition("//")
    base = base.replace("github.com:", "github.com/").removeprefix("registry.terraform.io/").rstrip("/")
    return base.removesuffix(".git").lower(), path.strip("/")


def interface_for(source: str) -> tuple[str, dict[str, Any]] | None:
    """(`<registry address>//modules/<name>`, the module's interface) for a known source, else None."""
    base, path = _base_and_path(source)
    entry = _table().get(base)
    if entry is None or not path.startswith("modules/"):
        return None
    name = path.removeprefix("modules/")
    interface = entry[1].get(name)
    return (f"{entry[0]}//modules/{name}", interface) if interface is not None else None
