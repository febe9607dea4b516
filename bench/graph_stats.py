"""What the permission graph resolves on a corpus: identities, grants, bindings, workloads, links,
and what stayed unresolved (with the top reasons).

    python bench/graph_stats.py [PATH ...]      (default: ../shared/corpus/real)
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from pathlib import Path

from jeplint.run import scan

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "real"


def _reason(text: str) -> str:
    """Group reasons: `var.x` -> `var.*`, file paths and names dropped."""
    text = re.sub(r"\bvar\.[\w-]+", "var.*", text)
    text = re.sub(r"\blocal\.[\w-]+", "local.*", text)
    text = re.sub(r"\bdata\.([\w-]+)\.[\w-]+", r"data.\1.*", text)
    text = re.sub(r"\b(aws|google|azurerm|azuread|kubernetes)_[\w]+\.[\w-]+", r"\1_<resource>", text)
    text = re.sub(r"\beach\.\w+(\.\w+)*", "each.*", text)
    return text[:90]


def main(paths: list[str]) -> int:
    if not paths:
        if not DEFAULT.is_dir():
            print(f"graph_stats: skipped: {DEFAULT} not found")
            return 0
        paths = [str(DEFAULT)]
    started = time.perf_counter()
    result = scan(paths)
    elapsed = time.perf_counter() - started
    graph = result.graph
    declared = [i for i in graph.identities if i.span is not None]
    print(
        f"files analysed {result.analysed:,}, could not be analysed {sum(1 for p in result.problems if p.level == 'error')}, scan {elapsed:.1f} s"
    )
    print(
        f"identities {len(graph.identities):,} ({len(declared):,} declared, {len(graph.identities) - len(declared):,} referenced only)"
    )
    print("  by platform/kind:", dict(sorted(Counter(f"{i.platform}/{i.kind}" for i in graph.identities).items())))
    print(
        f"policies {len(graph.policies):,}, bindings {len(graph.bindings):,}, workloads {len(graph.workloads):,}, links {len(graph.links):,}"
    )
    grants = [g for p in graph.policies if p.span is not None for g in p.grants]
    values = [v for g in grants for v in g.actions + g.resources]
    unresolved_values = [v for v in values if v.text is None]
    partial = [v for v in values if v.partial]
    unresolved_policies = [p for p in graph.policies if p.unresolved]
    unresolved_grants = [g for g in grants if g.unresolved]
    print(f"grants written in the scan {len(grants):,}: {len(unresolved_grants):,} unresolved as a whole")
    print(
        f"action/resource values {len(values):,}: {len(values) - len(unresolved_values) - len(partial):,} resolved, "
        f"{len(partial):,} partly (templates with unknown parts), {len(unresolved_values):,} unresolved"
    )
    print(f"policies unresolved as a whole {len(unresolved_policies):,}")
    reasons = Counter(_reason(v.unresolved) for v in unresolved_values)
    reasons.update(_reason(p.unresolved) for p in unresolved_policies)
    reasons.update(_reason(g.unresolved) for g in unresolved_grants)
    print("top unresolved reasons:")
    for reason, count in reasons.most_common(12):
        print(f"  {count:6,}  {reason}")
    print("findings per rule:", dict(sorted(Counter(f.rule_id for f in result.findings).items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
