"""A plan or state JSON next to the `.tf` source of the same root: one fact per resource instance,
located at its source block.

Which root a plan belongs to (`plan_root`): the root module directory the plan file is in, when its
configuration shares an address with the plan's `configuration` section; else the one root whose
declarations include every address of that section. Nothing matches: the plan stands alone and its
findings stay in the plan JSON.

The plan's variable values feed the root like a tfvars file (they are the values it was made with),
so the source expands `count` / `for_each` as Terraform did. Then, per resource instance of the
plan (`merge_plan`), by module address and resource address:

- the source has the same instance: the source's reading is kept (it links by reference where the
  plan only has values "known after apply"), the plan's copy is dropped, and the plan's entry is a
  related location of what the source's instance yields;
- the source declares the resource but cannot tell its instances (a `for_each` over a data
  source's result): the plan's instances are read instead, each located at the source block (its
  values carry the spans of the source's arguments), with the plan's entry and the module calls
  of the source as related locations; the source's unknown instance is not read;
- the source does not declare it (a registry module that is not in the scan): the plan's instance
  stays located in the plan JSON.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from jeplint.graph.terraform import Module
from jeplint.parse.nodes import Block, Expr, Mapping, Node, ParseError, Scalar, Sequence, Span


def plan_root(plan: Block, path: str, roots: dict[str, list[Block]]) -> str | None:
    """The root module directory (a key of `roots`) the plan whose root module block is `plan`
    was made for, or None."""
    configuration = plan.attrs.get("configuration")
    declared = (
        {str(a.value) for a in configuration.items if isinstance(a, Scalar)} if isinstance(configuration, Sequence) else set()
    )
    directory = posixpath.dirname(path)
    if directory in roots and (not declared or declared & _addresses(roots[directory])):
        return directory
    if not declared:
        return None
    found = [d for d, blocks in roots.items() if declared <= _addresses(blocks)]
    return found[0] if len(found) == 1 else None


def plan_variables(plan: Block) -> dict[str, Node]:
    variables = plan.attrs.get("variables")
    return dict(variables.items) if isinstance(variables, Mapping) else {}


def _addresses(blocks: list[Block]) -> set[str]:
    found: set[str] = set()
    for block in blocks:
        labels = [str(label.value) for label in block.labels]
        if block.type == "resource" and len(labels) == 2:
            found.add(".".join(labels))
        elif block.type == "data" and len(labels) == 2:
            found.add("data." + ".".join(labels))
        elif block.type == "module" and labels:
            found.add("module." + labels[0])
    return found


def _tree(module: Module) -> Iterator[Module]:
    yield module
    for instances in module.children.values():
        for child in instances:
            yield from _tree(child)


def merge_plan(plan: list[Module], root: Module) -> None:
    """Join the plan's module instances to the source's (see the module docstring)."""
    source = {m.address: m for m in _tree(root)}
    notes = root.files.unresolved
    scratch: list[tuple[Span, str, str]] = []
    root.files.unresolved = scratch  # what the source cannot expand is said only if the plan does not tell
    try:
        for module in plan:
            target = source.get(module.address)
            if target is not None:
                _merge_module(module, target)
    finally:
        root.files.unresolved = notes
    skipped = [(m, m.resources[key]) for m in source.values() for key in m.superseded]
    notes.extend(note for note in scratch if not any(_inside(note[0], block.span) for _m, block in skipped))


def _merge_module(module: Module, target: Module) -> None:
    for (tf_type, label), block in list(module.resources.items()):
        name, _bracket, rest = label.partition("[")
        key = _bracket + rest
        declared = target.resources.get((tf_type, name))
        if declared is None:
            continue
        related = [(block.labels[1].span, f"the plan's {module.address_of(tf_type, label)}")]
        instances = target.instances(tf_type, name)
        if any(k == key for k, _env in instances) and (key or not _expands(declared)):
            del module.resources[(tf_type, label)]
            target.related[(tf_type, label)] = related
        else:
            module.resources[(tf_type, label)] = _relocated(block, declared)
            module.related[(tf_type, label)] = related + target.origin()
            if instances == [("", {})] and _expands(declared):
                target.superseded.add((tf_type, name))
    for tf_type, label in list(module.data):
        if (tf_type, label.partition("[")[0]) in target.data:
            del module.data[(tf_type, label)]


def _expands(block: Block) -> bool:
    return "count" in block.attrs or "for_each" in block.attrs


def _inside(span: Span, outer: Span) -> bool:
    return span.path == outer.path and (outer.line, outer.col) <= (span.line, span.col) <= (outer.end_line, outer.end_col)


def _relocated(planned: Block, declared: Block) -> Block:
    """The plan's instance with the spans of its source block: each value at the argument that
    writes it (the block's name where the source does not write it, a computed value)."""
    labels = [Scalar(planned.labels[0].value, declared.labels[0].span), Scalar(planned.labels[1].value, declared.labels[1].span)]
    return _respanned_block(planned, declared, labels, declared.labels[1].span)


def _respanned_block(planned: Block, declared: Block, labels: list[Scalar], home: Span) -> Block:
    attrs: dict[str, Node] = {}
    spans: dict[str, Span] = {}
    for name, value in planned.attrs.items():
        written = declared.attrs.get(name)
        attrs[name] = _respanned(value, written.span if written is not None else home)
        spans[name] = declared.attr_spans.get(name, home)
    nested: list[Block] = []
    seen: dict[str, int] = {}
    for child in planned.blocks:
        same, index = declared.blocks_of(child.type), seen.get(child.type, 0)
        seen[child.type] = index + 1
        source = same[index] if index < len(same) else declared
        nested.append(_respanned_block(child, source, [], source.span if source is not declared else home))
    return Block(planned.type, labels, attrs, spans, nested, declared.span)


def _respanned(node: Node, span: Span) -> Node:
    """`node` with every span set to `span`; a JSON document in a string is parsed first, so its
    statements are read as a document written at the source argument."""
    if isinstance(node, Scalar):
        if isinstance(node.value, str) and node.value.lstrip().startswith("{"):
            from jeplint.parse.jsonpos import load_json

            try:
                return _respanned(load_json(node.value, span.path), span)
            except ParseError:
                pass  # not JSON: the string as it is, reported where the policy is read
        return Scalar(node.value, span)
    if isinstance(node, Mapping):
        items = {k: _respanned(v, span) for k, v in node.items.items()}
        return Mapping(items, dict.fromkeys(node.key_spans, span), span)
    if isinstance(node, Sequence):
        return Sequence([_respanned(v, span) for v in node.items], span)
    if isinstance(node, Expr):
        return Expr(node.op, node.text, span, node.name, [_respanned(a, span) for a in node.args])
    return node
