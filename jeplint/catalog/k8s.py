"""Kubernetes RBAC: the API resources with their verbs (for expanding `*`), and the rules of the
built-in user-facing ClusterRoles `view`, `edit` and `admin` (kube-apiserver bootstrap policy,
`plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go`, written out here for Kubernetes 1.30+).

`view`, `edit` and `admin` are aggregated ClusterRoles: ClusterRoles labelled
`rbac.authorization.k8s.io/aggregate-to-view|edit|admin: "true"` add their rules to them (graph/kubernetes.py).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from jeplint.datafiles import data_file

READ = ("get", "list", "watch")
WRITE = ("create", "delete", "deletecollection", "patch", "update")

# (apiGroups, resources, verbs) rules of the built-in roles, before aggregation of other labels.
_VIEW_RESOURCES = (
    (
        "",
        (
            "configmaps",
            "endpoints",
            "persistentvolumeclaims",
            "persistentvolumeclaims/status",
            "pods",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "serviceaccounts",
            "services",
            "services/status",
            "bindings",
            "events",
            "limitranges",
            "namespaces/status",
            "pods/log",
            "pods/status",
            "replicationcontrollers/status",
            "resourcequotas",
            "resourcequotas/status",
        ),
    ),
    ("", ("namespaces",)),
    ("discovery.k8s.io", ("endpointslices",)),
    (
        "apps",
        (
            "controllerrevisions",
            "daemonsets",
            "daemonsets/status",
            "deployments",
            "deployments/scale",
            "deployments/status",
            "replicasets",
            "replicasets/scale",
            "replicasets/status",
            "statefulsets",
            "statefulsets/scale",
            "statefulsets/status",
        ),
    ),
    ("autoscaling", ("horizontalpodautoscalers", "horizontalpodautoscalers/status")),
    ("batch", ("cronjobs", "cronjobs/status", "jobs", "jobs/status")),
    ("policy", ("poddisruptionbudgets", "poddisruptionbudgets/status")),
    ("networking.k8s.io", ("ingresses", "ingresses/status", "networkpolicies")),
)
_EDIT_WRITES = (
    (
        "",
        (
            "pods",
            "pods/attach",
            "pods/exec",
            "pods/portforward",
            "pods/proxy",
            "configmaps",
            "endpoints",
            "persistentvolumeclaims",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "secrets",
            "serviceaccounts",
            "services",
            "services/proxy",
        ),
    ),
    (
        "apps",
        (
            "daemonsets",
            "deployments",
            "deployments/rollback",
            "deployments/scale",
            "replicasets",
            "replicasets/scale",
            "statefulsets",
            "statefulsets/scale",
        ),
    ),
    ("autoscaling", ("horizontalpodautoscalers",)),
    ("batch", ("cronjobs", "jobs")),
    ("policy", ("poddisruptionbudgets",)),
    ("networking.k8s.io", ("ingresses", "networkpolicies")),
    ("discovery.k8s.io", ("endpointslices",)),
)


def _rules(*groups: tuple[tuple[str, tuple[str, ...]], ...], verbs: tuple[str, ...]) -> list[dict[str, list[str]]]:
    return [{"apiGroups": [group], "resources": list(names), "verbs": list(verbs)} for table in groups for group, names in table]


VIEW = _rules(_VIEW_RESOURCES, verbs=READ)
EDIT = (
    VIEW
    + [
        {
            "apiGroups": [""],
            "resources": ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"],
            "verbs": list(READ),
        },
        {"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"]},
        {"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]},
    ]
    + _rules(_EDIT_WRITES, verbs=WRITE)
)
ADMIN = EDIT + [
    {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["rolebindings", "roles"], "verbs": list(READ + WRITE)},
    {"apiGroups": ["authorization.k8s.io"], "resources": ["localsubjectaccessreviews"], "verbs": ["create"]},
]
CLUSTER_ADMIN = [
    {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
    {"nonResourceURLs": ["*"], "verbs": ["*"]},
]
BUILTIN_CLUSTER_ROLES: dict[str, list[dict[str, list[str]]]] = {
    "cluster-admin": CLUSTER_ADMIN,
    "admin": ADMIN,
    "edit": EDIT,
    "view": VIEW,
}
AGGREGATE_LABEL = "rbac.authorization.k8s.io/aggregate-to-{}"
# A built-in aggregated role also takes what is aggregated into the narrower ones.
AGGREGATES_FROM = {"view": ("view",), "edit": ("edit", "view"), "admin": ("admin", "edit", "view")}


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, Any]:
    with (data_file("k8s_builtin_resources.json")).open("r", encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@lru_cache(maxsize=1)
def all_permissions() -> frozenset[str]:
    """Every `verb group/resource` the API serves (standard verbs per resource, plus special verbs)."""
    data = _catalogue()
    out = {f"{verb} {r['apiGroup']}/{r['resource']}" for r in data["resources"] for verb in r["verbs"]}
    out |= {f"{verb} {r['apiGroup']}/{r['resource']}" for r in data["special_verbs"] for verb in r["verbs"]}
    return frozenset(out)


MAX_LITERAL_PRODUCT = 20_000  # verb x group x resource combinations written out one by one; beyond: the catalogue


def expand(verbs: list[str], groups: list[str], names: list[str]) -> set[str]:
    """`verb group/resource` permissions an RBAC rule grants; `*` expanded against the catalogue.

    A `*` in groups or resources also covers custom resources the catalogue cannot list: those stay
    as a literal `*` entry, so counts never pretend to be complete.
    """
    # Each distinct string once: lists repeated through YAML aliases (`verbs: *v` in every rule, or
    # an alias of a list of aliases) no longer multiply the work (issue 20: a 34 KB file, 15 minutes).
    verb_set, group_set, name_set = set(verbs), set(groups), set(names)
    out: set[str] = set()
    literal = len(verb_set) * len(group_set) * len(name_set)
    if literal > MAX_LITERAL_PRODUCT or "*" in verb_set or "*" in group_set or "*" in name_set:
        for permission in all_permissions():
            verb, _, target = permission.partition(" ")
            group, _, name = target.partition("/")
            if (
                ("*" in verb_set or verb in verb_set)
                and ("*" in group_set or group in group_set)
                and ("*" in name_set or name in name_set)
            ):
                out.add(permission)
    if literal <= MAX_LITERAL_PRODUCT:
        out |= {f"{verb} {group}/{name}" for verb in verb_set for group in group_set for name in name_set}
    else:
        # Thousands of distinct verbs x groups x resources: bounded by the catalogue (the loop above),
        # plus one entry per custom verb, group and resource, so none of them goes unsaid.
        custom = [v for v in verb_set if v != "*"], [g for g in group_set if g != "*"], [n for n in name_set if n != "*"]
        out |= (
            {f"{verb} ?/?" for verb in custom[0]}
            | {f"? {group}/?" for group in custom[1]}
            | {f"? ?/{name}" for name in custom[2]}
        )
    return out
