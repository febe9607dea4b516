"""Step 3 of the pipeline: parsed files -> one permission graph, references resolved across files.

An input that trips an extractor (a shape no rule anticipated) is recorded in `graph.errors` and
left out; it never stops the scan or hides the other files' results. Set JEPLINT_DEBUG=1 to see the
traceback instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from jeplint.graph.cloudformation import CloudFormationExtractor
from jeplint.graph.credentials import add_credentials
from jeplint.graph.federation_aws import add_aws_federation
from jeplint.graph.kubernetes import KubernetesExtractor
from jeplint.graph.model import Graph, Policy
from jeplint.graph.policy import grants_from_document
from jeplint.graph.resource_policies import grant_to_principals, mark_boundaries, purpose_by_shape
from jeplint.graph.terraform import Module
from jeplint.graph.tf_aws_edges import AwsExtractor
from jeplint.graph.tf_azure import AzureExtractor
from jeplint.graph.tf_azure_federation import add_azure_federation
from jeplint.graph.tf_eks import PodIdentity, link_pod_identities
from jeplint.graph.tf_gcp import GcpExtractor
from jeplint.graph.tf_gcp_federation import add_pools
from jeplint.graph.tf_kubernetes import TerraformKubernetes
from jeplint.graph.tf_modules import build_modules
from jeplint.parse import CLOUDFORMATION, IAM_POLICY, KUBERNETES, TERRAFORM, TERRAFORM_PLAN, TERRAFORM_VARS, ParsedFile
from jeplint.parse.nodes import Mapping

# Formats whose files the Terraform part of the graph may read (`terraform_stage`): Terraform, its
# variable files, plan JSON and the JSON policy documents `file()` names. YAML and `.template` files
# are CloudFormation or Kubernetes, whose part is built after it.
TERRAFORM_INPUTS = ("tf", "tf.json", "tfvars", "tfvars.json", "json")
_READ_BY_TERRAFORM = (TERRAFORM, TERRAFORM_VARS, TERRAFORM_PLAN, IAM_POLICY)


@dataclass
class TerraformStage:
    """The Terraform part of a graph, built from the files of `TERRAFORM_INPUTS` alone: a scan builds
    it while its workers still parse the other files (`jeplint.run`). `build_graph` uses it only when
    the files it was built from are all it would have read."""

    graph: Graph
    seen: dict[int, str | None]  # id(file) -> its kind, for every file the stage was given
    modules: list[Module] = field(default_factory=list)
    objects: list[Mapping] = field(default_factory=list)  # Kubernetes objects declared in Terraform
    pod_identities: list[PodIdentity] = field(default_factory=list)

    def holds_for(self, files: list[ParsedFile]) -> bool:
        """Whether `files` gives the Terraform part nothing the stage did not see: the files it was
        given are unchanged, and no other file is one Terraform reads (a policy or a plan in YAML)."""
        for parsed in files:
            if id(parsed) in self.seen:
                if self.seen[id(parsed)] != _kind(parsed):
                    return False
            elif _kind(parsed) in _READ_BY_TERRAFORM:
                return False
        return True


def terraform_stage(files: list[ParsedFile], roots: list[str] | None = None) -> TerraformStage:
    """The Terraform part of the graph of `files` (and its errors), before any other part."""
    stage = TerraformStage(Graph(), {id(f): _kind(f) for f in files})
    by_kind = _by_kind(files)
    terraform = by_kind.get(TERRAFORM, []) + by_kind.get(TERRAFORM_VARS, []) + by_kind.get(TERRAFORM_PLAN, [])

    def terraform_content(tf: list[ParsedFile]) -> None:
        found = _terraform(stage.graph, tf, files, roots or [], stage.modules)
        stage.objects.extend(found.objects)
        stage.pod_identities.extend(found.pod_identities)

    _guarded(stage.graph, terraform, terraform_content)
    return stage


def build_graph(files: list[ParsedFile], roots: list[str] | None = None, early: TerraformStage | None = None) -> Graph:
    """`roots`: the scanned paths; Terraform `file()` never reads outside them. `early`: the Terraform
    part, built from some of `files` beforehand (built again here unless it `holds_for` them)."""
    if early is None or not early.holds_for(files):
        early = terraform_stage(files, roots)
    graph, modules = early.graph, early.modules
    tf_kubernetes, pod_identities = early.objects, early.pod_identities
    by_kind = _by_kind(files)
    terraform = by_kind.get(TERRAFORM, []) + by_kind.get(TERRAFORM_VARS, []) + by_kind.get(TERRAFORM_PLAN, [])
    cfn = CloudFormationExtractor(graph)
    for parsed in by_kind.get(CLOUDFORMATION, []):
        _guarded(graph, [parsed], cfn.add)
    cfn.release()
    manifests = by_kind.get(KUBERNETES, [])
    if manifests or tf_kubernetes:
        _guarded(graph, manifests or terraform, lambda _: KubernetesExtractor(graph).add(manifests, tf_kubernetes))
    if pod_identities:
        _guarded(graph, terraform, lambda _: link_pod_identities(graph, pod_identities))
    for parsed in by_kind.get(IAM_POLICY, []):
        _guarded(graph, [parsed], lambda files: _standalone_policies(graph, files[0]))
    _guarded(
        graph, terraform + by_kind.get(CLOUDFORMATION, []) + by_kind.get(IAM_POLICY, []), lambda _: add_aws_federation(graph)
    )
    # Credentials (expiry rules) last: they name the identities the extractors above declared.
    _guarded(graph, terraform + by_kind.get(CLOUDFORMATION, []) + manifests, lambda found: add_credentials(graph, found, modules))
    mark_boundaries(graph)
    # Every IAM reference not followed is said where it is written (and counted in the summary).
    # Said once per place (a module called twice would repeat it).
    graph.unresolved[:] = list(dict.fromkeys(graph.unresolved))
    graph.notes.extend((span, message) for span, _category, message in graph.unresolved)
    for module in modules:
        module.release()
    return graph.freeze()


def _kind(parsed: ParsedFile) -> str | None:
    """What a file is to the graph: its kind, None when it did not parse."""
    return parsed.kind if parsed.error is None else None


def _by_kind(files: list[ParsedFile]) -> dict[str, list[ParsedFile]]:
    by_kind: dict[str, list[ParsedFile]] = {}
    for parsed in files:
        kind = _kind(parsed)
        if kind is not None:
            by_kind.setdefault(kind, []).append(parsed)
    return by_kind


def _terraform(
    graph: Graph, tf_files: list[ParsedFile], all_files: list[ParsedFile], roots: list[str], modules: list[Module]
) -> TerraformKubernetes:
    """Adds the Terraform content (filling `modules` with the module instances); returns its
    Kubernetes objects, which join the manifests' cluster, and its EKS Pod Identity associations."""
    modules.extend(build_modules(tf_files, all_files, roots, graph))
    aws = AwsExtractor(graph)
    aws.add(modules)
    GcpExtractor(graph).add(modules)
    _guarded(graph, tf_files, lambda _: add_pools(graph, modules))
    AzureExtractor(graph).add(modules)
    _guarded(graph, tf_files, lambda _: add_azure_federation(graph, modules))
    kubernetes = TerraformKubernetes(graph, aws)
    kubernetes.add(modules)
    for module in modules:
        graph.consumed |= module.consumed_files
    return kubernetes


def _standalone_policies(graph: Graph, parsed: ParsedFile) -> None:
    if parsed.path in graph.consumed:
        return  # read by a Terraform file() call: reported through the policy that uses it
    for index, doc in enumerate(parsed.documents):
        suffix = f"#{index + 1}" if len(parsed.documents) > 1 else ""
        policy = Policy("aws", "document", parsed.path + suffix, f"{parsed.path}{suffix}", doc.span)
        grants_from_document(policy, doc)
        graph.policies.append(policy)
        # A document naming principals is a trust or a resource policy, whatever file it sits in.
        policy.purpose = purpose_by_shape(policy)
        if policy.purpose == "resource":
            grant_to_principals(graph, policy, lambda _value: None, "the resource this policy is written on")


def _guarded(graph: Graph, files: list[ParsedFile], add: Callable[[list[ParsedFile]], None]) -> None:
    if not files:
        return
    try:
        add(files)
    except Exception as exc:  # an extractor bug must not cost the user the rest of the scan
        if os.environ.get("JEPLINT_DEBUG"):
            raise
        where = files[0].path if len(files) == 1 else f"{files[0].path} (and {len(files) - 1} other files of that kind)"
        graph.errors.append((where, f"internal error while reading permissions: {type(exc).__name__}: {exc}"))
