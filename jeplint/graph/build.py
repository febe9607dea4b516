"""Step 3 of the pipeline: parsed files -> one permission graph, references resolved across files.

An input that trips an extractor (a shape no rule anticipated) is recorded in `graph.errors` and
left out; it never stops the scan or hides the other files' results. Set JEPLINT_DEBUG=1 to see the
traceback instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from jeplint.graph.cloudformation import CloudFormationExtractor
from jeplint.graph.kubernetes import KubernetesExtractor
from jeplint.graph.model import Graph, Policy
from jeplint.graph.policy import grants_from_document
from jeplint.graph.terraform import TerraformExtractor
from jeplint.parse import CLOUDFORMATION, IAM_POLICY, KUBERNETES, TERRAFORM, ParsedFile


def build_graph(files: list[ParsedFile]) -> Graph:
    graph = Graph()
    by_kind: dict[str, list[ParsedFile]] = {}
    for parsed in files:
        if parsed.error is None and parsed.kind is not None:
            by_kind.setdefault(parsed.kind, []).append(parsed)
    _guarded(graph, by_kind.get(TERRAFORM, []), TerraformExtractor(graph).add)
    cfn = CloudFormationExtractor(graph)
    for parsed in by_kind.get(CLOUDFORMATION, []):
        _guarded(graph, [parsed], cfn.add)
    _guarded(graph, by_kind.get(KUBERNETES, []), KubernetesExtractor(graph).add)
    for parsed in by_kind.get(IAM_POLICY, []):
        _guarded(graph, [parsed], lambda files: _standalone_policies(graph, files[0]))
    return graph


def _standalone_policies(graph: Graph, parsed: ParsedFile) -> None:
    for index, doc in enumerate(parsed.documents):
        suffix = f"#{index + 1}" if len(parsed.documents) > 1 else ""
        policy = Policy("aws", "document", parsed.path + suffix, f"{parsed.path}{suffix}", doc.span)
        grants_from_document(policy, doc)
        graph.policies.append(policy)


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
