"""Why a Terraform AWS policy that no identity in the scan holds is attached outside the scan.

A customer managed policy (`aws_iam_policy`) or a policy document (`aws_iam_policy_document`) that
nothing in the scan binds may still leave the module where it is written:

- its reference (directly, or through locals) is an input of a module call whose source is not in
  the scan (a registry or git module): "passed to module.x (<source>), whose source is not in the
  scan"; or an input that the model of a known registry module (`tf_known_modules`) does not read;
- an output returns it: in a module called from the scan, the search goes on in the caller with
  `module.<call>.<output>`; in a module nobody in the scan calls, the output is where it leaves:
  "returned by output arn of modules/x, which nothing in the scan calls".

The reason lands in `Policy.attached_outside`; rules say it instead of "attached to no identity".
"""

from __future__ import annotations

from jeplint.graph.model import Graph, Policy
from jeplint.graph.terraform import Module, traversal
from jeplint.graph.tf_known_modules import KnownModule, modelled_inputs
from jeplint.parse.nodes import Block, Expr, Mapping, Node, Scalar, Sequence

_MAX_HOPS = 8  # module levels an output is followed up through


def explain_unattached(graph: Graph, modules: list[Module], policies: dict[str, Policy]) -> None:
    """Set `attached_outside` on the AWS policies of `modules` that no identity in the scan holds."""
    for module in modules:
        wanted: list[tuple[Policy | None, str]] = []
        for (tf_type, label), _block in module.resources.items():
            if tf_type == "aws_iam_policy":
                for key, _env in module.instances(tf_type, label):
                    wanted.append((policies.get(module.key(tf_type, label + key)), f"aws_iam_policy.{label}"))
        for tf_type, label in module.data:
            if tf_type == "aws_iam_policy_document":
                wanted.append((policies.get(module.key("data", label)), f"data.aws_iam_policy_document.{label}"))
        for policy, ref in wanted:
            if policy is not None and not policy.attached_outside and not graph.holders(policy):
                policy.attached_outside = _leaves(module, ref, 0) or _read_by_name(modules, module, policy)


def _read_by_name(modules: list[Module], home: Module, policy: Policy) -> str:
    """A customer managed policy read by name elsewhere (`data "aws_iam_policy" { name = ... }`,
    often in another root) and passed on from there."""
    if policy.kind != "managed":
        return ""
    for module in modules:
        for (tf_type, label), block in module.data.items():
            if tf_type == "aws_iam_policy" and module is not home and module.text(block.attrs.get("name")) == policy.name:
                found = _leaves(module, f"data.aws_iam_policy.{label}", 0)
                if found:
                    return f"read by data.aws_iam_policy.{label} of {module.directory or '.'} and {found}"
    return ""


def _leaves(module: Module, ref: str, hops: int) -> str:
    """How the value named `ref` leaves the scan from `module`, or ""."""
    scope = _Mentions(module)
    for call in module.module_calls:
        label, source = str(call.labels[0].value), module.text(call.attrs.get("source")) or "?"
        instances = module.children.get(label)
        if instances is None:  # not in the scan
            if any(ref in scope.of(value) for value in call.attrs.values()):
                return f"passed to module.{label} ({source}), whose source is not in the scan"
        elif instances and isinstance(instances[0], KnownModule):  # modelled from its inputs: all but these
            modelled = modelled_inputs(instances[0].interface)
            unread = [name for name, value in call.attrs.items() if name not in modelled and ref in scope.of(value)]
            if unread:
                return (
                    f"passed to module.{label} ({source}) as input {unread[0]}, which jeplint's model of that "
                    "registry module does not read"
                )
    for name, value in module.outputs.items():
        if ref not in scope.of(value):
            continue
        if module.caller is None or module.call is None or hops >= _MAX_HOPS:
            return f"returned by output {name} of {module.directory or '.'}, which nothing in the scan calls"
        found = _leaves(module.caller, f"module.{module.call.labels[0].value}.{name}", hops + 1)
        if found:
            return found
    return ""


class _Mentions:
    """The references a value of one module mentions, with those of the locals it reads."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self._locals: dict[str, set[str]] = {}

    def of(self, node: Node) -> set[str]:
        found: set[str] = set()
        for text in _refs(node):
            found.add(text)
            parts = text.split(".")
            if parts[0] == "local" and len(parts) > 1:
                found |= self._local(parts[1])
        return found

    def _local(self, name: str) -> set[str]:
        if name not in self._locals:
            self._locals[name] = set()  # a cyclic local ends here
            value = self.module.locals.get(name)
            self._locals[name] = self.of(value) if value is not None else set()
        return self._locals[name]


def _refs(node: Node) -> set[str]:
    """`aws_iam_policy.x`, `data.aws_iam_policy_document.y`, `module.m.arn`, `local.z` for every
    reference under `node` (indexes dropped)."""
    found: set[str] = set()
    stack: list[Node] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Expr):
            if item.op == "ref":
                parts = traversal(item.text)
                width = 3 if parts and parts[0] in ("data", "module") else 2
                if len(parts) >= width:
                    found.add(".".join(parts[:width]))
            stack.extend(item.args)
        elif isinstance(item, Mapping):
            stack.extend(item.items.values())
        elif isinstance(item, Sequence):
            stack.extend(item.items)
        elif isinstance(item, Block):
            stack.extend(item.attrs.values())
            stack.extend(item.blocks)
        elif isinstance(item, Scalar):
            continue
    return found
