"""How many Terraform IAM attachments, bindings and memberships the graph links to an identity.

    python bench/resolution.py [-v] [PATH ...]      (default: ../shared/corpus/real; -v lists each unresolved)

Every resource block of an attaching type (AWS policy attachments, inline policies and group
memberships; GCP `*_iam_member` / `*_iam_binding`; Azure role assignments; EKS access policy
associations and pod identity associations) is "found"; it is "resolved" when the graph holds a
binding (or workload) located inside the block, or when the block makes no instance at all
(`count = 0`, an empty `for_each`). Unresolved blocks are grouped by what their
identity (or policy) argument is written as. "Resolvable" excludes those whose argument comes
from a module whose source is not in the scan (registry or git). Last, the policies with grants
that no identity in the scan holds, by why: passed to a module that is not in the scan, returned by
an output nothing in the scan uses, or truly attached to nothing the scan can see.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from pathlib import Path

from jeplint.graph.model import Graph
from jeplint.graph.tf_modules import build_modules
from jeplint.parse.nodes import Block, Expr, Node, Scalar
from jeplint.run import scan

VERBOSE = "-v" in sys.argv
DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "real"
_GCP = re.compile(r"^google_\w+?_iam_(member|binding)$")
# resource type -> (identity arguments, policy argument)
_AWS = {
    "aws_iam_role_policy_attachment": (("role",), "policy_arn"),
    "aws_iam_user_policy_attachment": (("user",), "policy_arn"),
    "aws_iam_group_policy_attachment": (("group",), "policy_arn"),
    "aws_iam_role_policy": (("role",), "policy"),
    "aws_iam_user_policy": (("user",), "policy"),
    "aws_iam_group_policy": (("group",), "policy"),
    "aws_iam_policy_attachment": (("roles", "users", "groups"), "policy_arn"),
    "aws_iam_user_group_membership": (("user",), "groups"),
    "aws_iam_group_membership": (("users",), "group"),
    "aws_eks_access_policy_association": (("principal_arn",), "policy_arn"),
    "aws_eks_pod_identity_association": (("role_arn",), "service_account"),
    "azurerm_role_assignment": (("principal_id",), "role_definition_name"),
    "aws_ssoadmin_managed_policy_attachment": (("permission_set_arn",), "managed_policy_arn"),
    "aws_ssoadmin_customer_managed_policy_attachment": (("permission_set_arn",), "customer_managed_policy_reference"),
}
# Policy.attached_outside -> the reason class it is counted under
_OUTSIDE = (
    ("read by data.", "read by name elsewhere, then passed to a module not in the scan"),
    ("passed to module.", "passed to a module not in the scan"),
    ("returned by output ", "returned by an output nothing in the scan uses"),
)


def arguments(tf_type: str) -> tuple[tuple[str, ...], str] | None:
    if tf_type in _AWS:
        return _AWS[tf_type]
    if _GCP.match(tf_type):
        return ("member", "members"), "role"
    return None


def written_as(node: Node | None, remote: set[str]) -> str:
    """What an argument is written as: a class of reference, for the unresolved table."""
    if node is None:
        return "argument missing"
    if isinstance(node, Scalar):
        return "literal"
    text = node.text if isinstance(node, Expr) else ""
    refs = re.findall(r"\b(module\.[\w-]+|var\.|data\.|local\.|each\.|count\.)", text)
    if any(r.startswith("module.") and r.split(".")[1] in remote for r in refs):
        return "remote module output"
    for prefix, label in (
        ("module.", "local module output"),
        ("data.", "data source"),
        ("var.", "variable"),
        ("each.", "each/count"),
        ("count.", "each/count"),
        ("local.", "local"),
    ):
        if any(r.startswith(prefix) for r in refs):
            return label
    return "resource reference" if isinstance(node, Expr) and node.op == "ref" else "expression"


def main(paths: list[str]) -> int:
    paths = [p for p in paths if p != "-v"]
    if not paths:
        if not DEFAULT.is_dir():
            print(f"resolution: skipped: {DEFAULT} not found")
            return 0
        paths = [str(DEFAULT)]
    started = time.perf_counter()
    result = scan(paths)
    elapsed = time.perf_counter() - started
    located: dict[str, list[int]] = {}
    for binding in result.graph.bindings:
        located.setdefault(binding.span.path, []).append(binding.span.line)
    for workload in result.graph.workloads:
        if workload.span is not None:
            located.setdefault(workload.span.path, []).append(workload.span.line)
    # Blocks that make no instance anywhere (`count = 0`, an empty `for_each`): nothing to link.
    terraform = [f for f in result.files if f.kind in ("terraform", "terraform-vars") and f.error is None]
    made: dict[int, int] = {}
    for module in build_modules(terraform, result.files, paths, Graph()):
        for (tf_type, label), block in module.resources.items():
            made[id(block)] = made.get(id(block), 0) + len(module.instances(tf_type, label))
    found = resolved = 0
    unresolved: Counter[str] = Counter()
    remote_found = 0
    for parsed in result.files:
        if parsed.kind != "terraform" or parsed.error is not None:
            continue
        blocks = [b for b in parsed.documents if isinstance(b, Block)]
        remote = {str(b.labels[0].value) for b in blocks if b.type == "module" and b.labels and _remote(b)}
        lines = located.get(parsed.path, [])
        for block in blocks:
            if block.type != "resource" or len(block.labels) != 2:
                continue
            args = arguments(str(block.labels[0].value))
            if args is None:
                continue
            found += 1
            identity_attrs, policy_attr = args
            if made.get(id(block), 1) == 0:
                resolved += 1  # no instance: nothing to link, nothing lost
                continue
            identity = next((block.attrs[a] for a in identity_attrs if a in block.attrs), None)
            if any(block.span.line <= line <= block.span.end_line for line in lines):
                resolved += 1
                continue
            why = written_as(identity, remote)
            if why in ("resource reference", "literal"):
                why = "policy: " + written_as(block.attrs.get(policy_attr), remote)
            if why.endswith("remote module output"):
                remote_found += 1
            unresolved[why] += 1
            if VERBOSE:
                shown = identity.text if isinstance(identity, Expr) else identity
                print(f"  {why}: {parsed.path}:{block.span.line} {block.labels[0].value} {shown}")
    resolvable = found - remote_found
    share = 100.0 * resolved / resolvable if resolvable else 100.0
    print(f"scan: {elapsed:.1f} s")
    print(f"IAM attachments/bindings/memberships found: {found}")
    print(f"resolved to an identity:                    {resolved}")
    print(f"resolvable without remote modules:          {resolvable}  ({share:.1f} % resolved)")
    print(f"unresolved:                                 {found - resolved}")
    for why, count in unresolved.most_common():
        print(f"  {count:5d}  {why}")
    unheld = unattached(result.graph)
    print(f"policies with grants held by no identity in the scan: {sum(unheld.values())}")
    for why, count in unheld.most_common():
        print(f"  {count:5d}  {why}")
    return 0


def unattached(graph: Graph) -> Counter[str]:
    """Policies that grant to their holders, which no identity in the scan holds, by why
    (`Policy.attached_outside`)."""
    found: Counter[str] = Counter()
    for policy in graph.policies:
        if not policy.grants or graph.holders(policy) or policy.kind in ("aws-managed", "gcp-predefined", "azure-builtin"):
            continue
        if policy.purpose != "identity":
            continue  # a trust, resource, boundary or control policy grants nothing to a holder
        reason = policy.attached_outside
        found[
            next((label for prefix, label in _OUTSIDE if reason.startswith(prefix)), "attached to no identity in the scan")
        ] += 1
    return found


def _remote(block: Block) -> bool:
    source = block.attrs.get("source")
    return not (isinstance(source, Scalar) and str(source.value).startswith(("./", "../")))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
