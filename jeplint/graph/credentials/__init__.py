"""Credentials and time-bound entitlements -> `Credential` objects: the facts the expiry rules read.

Runs after the permission graph is built, straight on the parsed files (Terraform module instances,
CloudFormation templates, Kubernetes manifests), so that every credential can name the identity it
authenticates as: identities are looked up in `graph.identities` by key (`<dir>/<type>.<label>`
for Terraform, `<path>#<LogicalId>` for CloudFormation, `sa:<ns>/<name>` for ServiceAccounts) or by
name; an owner the scan does not declare is described as written (`user ${var.name} (unresolved)`).

Nothing here reads the clock: dates and durations are recorded as written (`Lifetime`), and the
JEP2xx rules compare them with `Options.now` and the thresholds of `Options`.

Each credential is a typed `Credential` (graph/model.py): its family ("never", "optional",
"session", "grant"), owner, `Lifetime` and `Rotation` (graph/lifetimes.py), and the facts of one
kind in `detail` (GitHub secret source, Roles Anywhere profile, PIM assignment). A rotation
(`keepers` / `lifecycle.replace_triggered_by` linked to a `time_rotating`, an
`iam.serviceAccountKeyExpiryHours` org policy, an account password policy) bounds a "never"
credential.
"""

from __future__ import annotations

from jeplint.graph.credentials.cloudformation import CloudFormationCredentials
from jeplint.graph.credentials.common import Owners
from jeplint.graph.credentials.kubernetes import KubernetesCredentials
from jeplint.graph.credentials.terraform import TerraformCredentials
from jeplint.graph.kubernetes import objects as k8s_objects
from jeplint.graph.model import Graph
from jeplint.graph.terraform import Module
from jeplint.parse import CLOUDFORMATION, KUBERNETES, ParsedFile
from jeplint.parse.nodes import Mapping


def add_credentials(graph: Graph, files: list[ParsedFile], modules: list[Module]) -> None:
    """Every credential and PIM assignment of the scan, appended to `graph.credentials`.

    `modules` are the Terraform module instances the graph was built from.
    """
    owners = Owners(graph)
    usable = [f for f in files if f.error is None]
    if modules:
        TerraformCredentials(graph, owners).add(modules)
    for parsed in usable:
        if parsed.kind == CLOUDFORMATION:
            for doc in parsed.documents:
                if isinstance(doc, Mapping):
                    CloudFormationCredentials(graph, owners, parsed.path, doc).add()
    objects = [obj for f in usable if f.kind == KUBERNETES for doc in f.documents for obj in k8s_objects(doc)]
    KubernetesCredentials(graph, owners).add(objects)
