"""How much privilege a permission carries, on one scale for every platform.

`permissions-management` (3): changes who can do what (IAM policy and role writes, RBAC `bind` /
`escalate` / `impersonate`, `setIamPolicy`, Azure `Microsoft.Authorization/*/write`);
`write` (2): creates, changes or deletes; `read` (1): reads, lists, tags. AWS actions take their
access levels from the catalogue (`jeplint.catalog.aws_actions`); the other platforms are read
from the verb of the permission.
"""

from __future__ import annotations

from functools import lru_cache

from jeplint.catalog import aws_actions

PERMISSIONS, WRITE, READ, NOTHING = 3, 2, 1, 0
THRESHOLDS = {"permissions-management": PERMISSIONS, "write": WRITE, "any": READ, "never": None}
NAMES = {PERMISSIONS: "permissions management", WRITE: "write", READ: "read", NOTHING: "none"}

ACCESS_ORDER = ("actions", "Permissions management", "Write", "Read", "List", "Tagging", "Unknown")
_K8S_PERMISSIONS = {"bind", "escalate", "impersonate", "approve", "sign"}
_K8S_WRITE = {"create", "update", "patch", "delete", "deletecollection", "*"}


def aws_access(action: str) -> tuple[str, ...]:
    """The catalogue's access levels of `service:Action` (empty when the catalogue does not know it)."""
    service, _, name = action.partition(":")
    entry = (aws_actions.service(service) or {}).get(name.lower())
    return entry.access if entry else ()


def platform_of(action: str) -> str:
    """The platform an effective permission belongs to, from its shape: AWS `svc:Action`, Kubernetes
    `verb group/resource`, Azure `Microsoft.X/.../op`, GCP `svc.resource.verb`. (An identity acting
    as another through a link holds the other platform's permissions.)"""
    if " " in action:
        return "kubernetes"
    if action.lower().startswith("microsoft."):
        return "azure"
    return "aws" if ":" in action else "gcp"


@lru_cache(maxsize=65536)
def level(action: str) -> int:
    platform = platform_of(action)
    if platform == "aws":
        access = aws_access(action)
        if "Permissions management" in access:
            return PERMISSIONS
        return WRITE if "Write" in access else READ
    if platform == "kubernetes":
        verb, _, resource = action.partition(" ")
        if verb in _K8S_PERMISSIONS or verb == "*" and (resource.endswith("/*") or resource.startswith("rbac.")):
            return PERMISSIONS
        return WRITE if verb in _K8S_WRITE else READ
    if platform == "azure":
        lowered = action.lower()
        if lowered.startswith("microsoft.authorization/") and not lowered.endswith("/read"):
            return PERMISSIONS
        return READ if lowered.endswith("/read") else WRITE
    return _gcp(action)


def _gcp(permission: str) -> int:
    verb = permission.rsplit(".", 1)[-1].lower()
    if verb in ("setiampolicy", "actas", "getaccesstoken", "signblob", "signjwt", "implicitdelegation"):
        return PERMISSIONS
    if verb.startswith(("get", "list", "search", "query", "read", "export")) and verb != "getaccesstoken":
        return READ
    return WRITE


def group(actions: list[str]) -> dict[str, dict[str, int]]:
    """{service: {"actions": n, <access level>: n, ...}}, services sorted; AWS levels from the catalogue."""
    out: dict[str, dict[str, int]] = {}
    for action in actions:
        service = service_of(action)
        counts = out.setdefault(service, {"actions": 0})
        counts["actions"] += 1
        names = aws_access(action) if platform_of(action) == "aws" else (NAMES[level(action)].capitalize(),)
        for name in names or ("Unknown",):
            counts[name] = counts.get(name, 0) + 1
    order = {name: i for i, name in enumerate(ACCESS_ORDER)}
    return {svc: dict(sorted(c.items(), key=lambda kv: order.get(kv[0], len(order)))) for svc, c in sorted(out.items())}


def service_of(action: str) -> str:
    platform = platform_of(action)
    if platform == "aws":
        return action.partition(":")[0]
    if platform == "kubernetes":
        resource = action.partition(" ")[2]
        return resource.split("/", 1)[0] if "/" in resource and not resource.startswith("/") else "core"
    if action.lower().startswith("microsoft."):
        return action.split("/", 1)[0]
    return action.split(".", 1)[0]
