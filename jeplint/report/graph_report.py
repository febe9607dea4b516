"""`jeplint graph`: the permission graph as a JSON inventory, a Graphviz DOT picture or a Mermaid
flowchart. Each identity with its effective grants (counts per service and access level), the
policies bound to it and how, the workloads that run as it and the identities that act as it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from jeplint import __version__
from jeplint.graph.effective import effective
from jeplint.graph.model import Graph, Identity
from jeplint.neutral import neutral
from jeplint.report.json_report import location
from jeplint.run import ScanResult


def _identities(graph: Graph) -> list[Identity]:
    """Identities that hold something, run something, or are declared in the scan."""
    return sorted(
        (i for i in graph.identities if i.span is not None or graph.bindings_of(i) or graph.workloads_of(i)),
        key=lambda i: (i.platform, i.kind, i.name, i.key),
    )


def inventory(result: ScanResult) -> dict[str, Any]:
    graph = result.graph
    identities = []
    for identity in _identities(graph):
        eff = effective(graph, identity)
        services = eff.by_service()
        identities.append(
            {
                "identity": identity.key,
                "platform": identity.platform,
                "kind": identity.kind,
                "name": identity.name,
                "location": location(identity.span) if identity.span else None,
                "bindings": [
                    {
                        "policy": b.policy.label,
                        "via": b.via,
                        "scope": b.scope or None,
                        "condition": b.condition or None,
                        "location": location(b.span),
                    }
                    for b in graph.bindings_of(identity)
                ],
                "boundary": identity.boundary.label if identity.boundary else None,
                "workloads": [
                    {"kind": w.kind, "name": w.name, "location": location(w.span)} for w in graph.workloads_of(identity)
                ],
                "acted_as_by": [
                    {"identity": link.source.key, "via": link.via, "location": location(link.span)}
                    for link in graph.links_to(identity)
                ],
                "effective": {
                    "actions": len(eff.actions),
                    "services": services,
                    "conditional_grants": eff.conditional,
                    "unresolved": sorted(set(eff.unresolved)),
                },
            }
        )
    unattached = sorted(
        p.label for p in graph.policies if p.span is not None and p.purpose == "identity" and not graph.holders(p)
    )
    return {
        "schema": "jeplint-graph/1",
        "tool": {"name": "jeplint", "version": __version__},
        "identities": identities,
        "unattached_policies": unattached,
        "other_policies": _other_policies(graph),
    }


def _other_policies(graph: Graph) -> list[dict[str, Any]]:
    """Resource, trust-document, boundary and control policies written in the scan: what they are
    on, and whom they name: identities of the scan by key, any other principal as written."""
    out = []
    for policy in graph.policies:
        if policy.span is None or policy.purpose == "identity" or policy.parent is not None:
            continue
        holders = [b for part in graph.policies if part.parent is policy for b in graph.holders(part)]
        named = {b.span for b in holders}
        outside = {
            f"{v.text or v.unresolved} (outside the scan)" for g in policy.grants for v in g.principals if v.span not in named
        }
        out.append(
            {
                "policy": policy.label,
                "purpose": policy.purpose,
                "resource": policy.resource or None,
                "location": location(policy.span),
                "principals": sorted({b.identity.key for b in holders}) + sorted(outside),
            }
        )
    return sorted(out, key=lambda p: (p["location"]["path"], p["location"]["line"], p["policy"]))


def _id(key: str) -> str:
    return "n" + re.sub(r"\W", "_", key)


def _summary(graph: Graph, identity: Identity) -> str:
    eff = effective(graph, identity)
    services = eff.by_service()
    top = sorted(services.items(), key=lambda kv: -kv[1]["actions"])[:3]
    parts = [f"{svc} {counts['actions']}" for svc, counts in top]
    more = f" +{len(services) - 3} services" if len(services) > 3 else ""
    return f"{len(eff.actions):,} actions" + (f": {', '.join(parts)}{more}" if parts else "")


def dot(result: ScanResult) -> str:
    graph = result.graph
    lines = ["digraph jeplint {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];']
    policies: dict[str, str] = {}
    for identity in _identities(graph):
        label = _escape(identity.label) + "\\n" + _escape(_summary(graph, identity))
        lines.append(f'  {_id(identity.key)} [shape=box, style=filled, fillcolor="#fde2c8", label="{label}"];')
        for binding in graph.bindings_of(identity):
            pid = policies.setdefault(binding.policy.key, _id("p:" + binding.policy.key))
            lines.append(f'  {pid} -> {_id(identity.key)} [label="{_escape(binding.via)}"];')
        for workload in graph.workloads_of(identity):
            wid = _id(f"w:{workload.kind}:{workload.name}:{identity.key}")
            lines.append(f'  {wid} [shape=component, label="{_escape(workload.kind + " " + workload.name)}"];')
            lines.append(f'  {_id(identity.key)} -> {wid} [style=dashed, label="runs"];')
        for link in graph.links_to(identity):
            lines.append(f'  {_id(link.source.key)} -> {_id(identity.key)} [style=dotted, label="acts as"];')
    for policy in graph.policies:
        if policy.key in policies:
            lines.append(f'  {policies[policy.key]} [shape=note, label="{_escape(policy.label)}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def mermaid(result: ScanResult) -> str:
    graph = result.graph
    lines = ["flowchart LR"]
    seen: set[str] = set()
    for identity in _identities(graph):
        lines.append(f'  {_id(identity.key)}["{_mermaid(identity.label)}<br/>{_mermaid(_summary(graph, identity))}"]')
        for binding in graph.bindings_of(identity):
            pid = _id("p:" + binding.policy.key)
            if pid not in seen:
                seen.add(pid)
                lines.append(f'  {pid}(["{_mermaid(binding.policy.label)}"])')
            lines.append(f"  {pid} -->|{_mermaid(binding.via)}| {_id(identity.key)}")
        for workload in graph.workloads_of(identity):
            wid = _id(f"w:{workload.kind}:{workload.name}:{identity.key}")
            lines.append(f'  {wid}[/"{_mermaid(workload.kind + " " + workload.name)}"/]')
            lines.append(f"  {_id(identity.key)} -.->|runs| {wid}")
        for link in graph.links_to(identity):
            lines.append(f"  {_id(link.source.key)} -.->|acts as| {_id(identity.key)}")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    """A DOT label: one line (`neutral`), then backslashes and quotes escaped."""
    return neutral(text, line_start=False).replace("\\", "\\\\").replace('"', '\\"')


def _mermaid(text: str) -> str:
    """A Mermaid label: one line (`neutral`: a newline would close the Markdown fence around the
    chart), then quotes, pipes, angle brackets and backticks as entity codes."""
    text = neutral(text, line_start=False)
    return text.replace('"', "#quot;").replace("|", "#124;").replace("<", "#60;").replace(">", "#62;").replace("`", "#96;")


def dumps(result: ScanResult, fmt: str) -> str:
    if fmt == "dot":
        return dot(result)
    if fmt == "mermaid":
        return mermaid(result)
    return json.dumps(inventory(result), indent=2, ensure_ascii=False) + "\n"
