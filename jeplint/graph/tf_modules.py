"""Terraform module instances: which directories are modules, which call which, in what order.

Files of one directory form one module (a directory whose files declare the same address twice is
read file by file: examples side by side, not one valid module). Variable files and override files
are applied in Terraform's order (`tf_loading`). A directory called by a local
`module "x" { source = "./..." }`, or installed for a registry module by `terraform init`
(`.terraform/modules/modules.json`, when inside the scanned tree), is instantiated once per call
and per `count` / `for_each` key; a directory nobody calls is a root. A call whose module is not
in the scan is noted once for the scan, and once per call that has IAM-looking inputs (counted as
unresolved). Plan / state JSON modules (`tfplan`) join as instances of their own; a plan made
for a root in the scan feeds it its variables and is joined to it (`tf_plan`).
"""

from __future__ import annotations

import json
import os
import posixpath
import re

from jeplint.catalog.module_interfaces import interface_for
from jeplint.graph.model import Graph
from jeplint.graph.terraform import Env, Files, Module, traversal
from jeplint.graph.tf_known_modules import KnownModule, modelled_inputs
from jeplint.graph.tf_loading import apply_overrides, is_override, tfvars_rank
from jeplint.graph.tf_plan import merge_plan, plan_root, plan_variables
from jeplint.parse import ParsedFile
from jeplint.parse.nodes import Block, Expr, Mapping, Node, Scalar, Sequence, Span

_IAM_INPUT = re.compile(r"iam|polic|role|member|principal|permission|assume|trust|binding|grant", re.I)
_MAX_MODULE_NESTING = 8


def build_modules(files: list[ParsedFile], all_files: list[ParsedFile], roots: list[str], graph: Graph) -> list[Module]:
    """Every module instance of the scan: roots, and local modules once per call."""
    index = Files(all_files, roots)
    index.unresolved = graph.unresolved  # one list: extractors add to it after this returns
    by_dir: dict[str, list[ParsedFile]] = {}
    plans: list[Module] = []  # module instances of plan / state JSON: values, not expressions
    plan_files: list[tuple[str, Block, list[Module]]] = []  # (path, root module block, its instances)
    overrides: dict[str, list[ParsedFile]] = {}
    variable_files: dict[str, list[tuple[tuple[int, str], Block]]] = {}
    for parsed in files:
        directory = posixpath.dirname(parsed.path)
        if parsed.kind == "terraform-plan":
            in_plan = [
                Module(parsed.path, d.blocks, index, address=str(d.labels[0].value))
                for d in parsed.documents
                if isinstance(d, Block)
            ]
            plans.extend(in_plan)
            if in_plan and isinstance(parsed.documents[0], Block):
                plan_files.append((parsed.path, parsed.documents[0], in_plan))
            continue
        if parsed.kind == "terraform-vars":
            rank = tfvars_rank(parsed.path)
            if rank is not None and parsed.documents and isinstance(parsed.documents[0], Block):
                variable_files.setdefault(directory, []).append((rank, parsed.documents[0]))
            continue
        (overrides if is_override(parsed.path) else by_dir).setdefault(directory, []).append(parsed)
    tfvars: dict[str, dict[str, Node]] = {}
    for directory, ranked in variable_files.items():
        for _rank, body in sorted(ranked, key=lambda item: item[0]):  # Terraform's order: the last wins
            tfvars.setdefault(directory, {}).update(body.attrs)
    groups: dict[str, list[Block]] = {}
    for directory, members in sorted(by_dir.items()):
        extra = [b for parsed in sorted(overrides.get(directory, []), key=lambda p: p.path) for b in parsed.documents]
        if _duplicate_addresses(members):
            # Not one valid module (Terraform would refuse it): examples or fixtures side by side.
            # Read each file as a module of its own rather than letting one hide the other.
            for parsed in members:
                groups[parsed.path] = [b for b in parsed.documents if isinstance(b, Block)]
        else:
            blocks = [b for parsed in members for b in parsed.documents if isinstance(b, Block)]
            groups[directory] = apply_overrides(blocks, [b for b in extra if isinstance(b, Block)])
    called: set[str] = set()
    for directory, blocks in groups.items():
        for block in blocks:
            child = local_source(directory, block)
            if child is not None and child in groups and child != directory:
                called.add(child)
    installed = {d: found for d in groups if (found := installed_modules(d, index))}  # after `terraform init`
    called.update(d for found in installed.values() for d in found.values() if d in groups)
    joined: dict[str, list[list[Module]]] = {}  # root directory -> the plans made for it
    uncalled = {d: blocks for d, blocks in groups.items() if d not in called}
    for path, plan, plan_instances in plan_files:
        made_for = plan_root(plan, path, uncalled)
        if made_for is not None:
            joined.setdefault(made_for, []).append(plan_instances)
            tfvars.setdefault(made_for, {}).update(plan_variables(plan))  # the values it was made with
    instances: list[Module] = list(plans)
    remote: list[tuple[Span, str]] = []

    def instantiate(
        directory: str,
        caller: Module | None,
        call: Block | None,
        depth: int,
        instance: tuple[str, Env] | None = None,
        init: tuple[str, str] = ("", ""),
    ) -> Module:
        """`init`: the directory `terraform init` ran in (a root) and this module's key there."""
        module = Module(
            directory, groups[directory], index, caller, call, tfvars.get(directory) if caller is None else None, instance
        )
        instances.append(module)
        root, prefix = init if caller is not None else (directory, "")
        for block in module.module_calls:
            label = str(block.labels[0].value)
            key = f"{prefix}.{label}" if prefix else label
            child = local_source(directory, block) or installed.get(root, {}).get(key)
            if child is None:
                source = module.text(block.attrs.get("source")) or "?"
                known = interface_for(source)
                if known is not None:
                    module.children[label] = [KnownModule(module, block, k, *known) for k in _call_keys(module, block, label)]
                    instances.extend(module.children[label])
                    continue
                remote.append((block.labels[0].span, source))
                iam = sorted(name for name in block.attrs if _IAM_INPUT.search(name))
                if iam:
                    index.unresolved.append(
                        (
                            block.labels[0].span,
                            "registry modules not in the scan",
                            f"module.{label} ({source}) is not in the scan: what it does with its IAM inputs ({', '.join(iam)}) is not analysed",
                        )
                    )
            elif child in groups and depth < _MAX_MODULE_NESTING and child != directory:
                keys = _call_keys(module, block, label)
                module.children[label] = [instantiate(child, module, block, depth + 1, k, (root, key)) for k in keys]
        return module

    root_modules: dict[str, Module] = {}
    for directory in groups:
        if directory not in called:
            root_modules[directory] = instantiate(directory, None, None, 0)
    known_calls = [m for m in instances if isinstance(m, KnownModule)]
    for known in known_calls:  # after every instance exists: inputs may read other modules' outputs
        try:
            known.build()
        except Exception as exc:  # a shape the table did not foresee costs this call, not the scan
            if os.environ.get("JEPLINT_DEBUG"):
                raise
            known.resources.clear()
            known.outputs.clear()
            what = f"internal error while reading {known.label} (line {known.span.line})"
            graph.errors.append((known.span.path, f"{what}: {type(exc).__name__}: {exc}"))
    if known_calls:
        first, calls = known_calls[0], {id(m.call) for m in known_calls}
        what = (
            f"and {len(calls) - 1} other module calls use registry modules whose interface jeplint knows: the identities "
            "and policies they create are modelled from their inputs, their source is not read"
            if len(calls) > 1
            else "uses a registry module whose interface jeplint knows: the identities and policies it creates are "
            "modelled from its inputs, its source is not read"
        )
        graph.notes.append((first.span, f"{first.label} ({first.source}) {what}"))
    for directory, root in root_modules.items():  # after the known modules are built: they hold instances too
        for made in joined.get(directory, []):
            merge_plan(made, root)
    if remote:
        span, source = remote[0]
        more = f" and {len(remote) - 1} other module calls" if len(remote) > 1 else ""
        graph.notes.append((span, f"module source {source}{more} use registry or remote sources, which are outside the scan"))
    # `instantiate` calls itself through its own closure cell: a cycle that, with collection paused
    # (`jeplint.run.scan`), kept every Terraform file's tree alive to the end of the process (~30 MB
    # on the shared corpus). Emptying the cell breaks it.
    instantiate = None  # type: ignore[assignment]
    return instances


_MAX_MODULES_JSON = 4 * 1024 * 1024


def _call_keys(module: Module, block: Block, label: str) -> list[tuple[str, Env]]:
    """The instances of a module call: one per `count` index or `for_each` key (one when unknown)."""
    keys: list[tuple[str, Env]] | None = [("", {})]
    for kind in ("for_each", "count"):
        if kind in block.attrs:
            feeds_iam = any(_IAM_INPUT.search(name) for name in block.attrs)
            keys = module.expand_node(kind, block.attrs[kind], f"module.{label}", {}, feeds_iam)
    return [("", {})] if keys is None else keys


def installed_modules(directory: str, files: Files) -> dict[str, str]:
    """Module key (`vpc`, `iam.vpc`) -> directory of the module `terraform init` installed for it,
    from `<directory>/.terraform/modules/modules.json` when it is inside the scanned tree."""
    path = posixpath.join(directory, ".terraform", "modules", "modules.json") if directory else ".terraform/modules/modules.json"
    if not files.inside(path):
        return {}
    try:
        if os.path.getsize(path) > _MAX_MODULES_JSON:
            return {}
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    found: dict[str, str] = {}
    for entry in data.get("Modules", []) if isinstance(data, dict) else []:
        if isinstance(entry, dict) and isinstance(entry.get("Key"), str) and isinstance(entry.get("Dir"), str) and entry["Key"]:
            target = (
                posixpath.normpath(posixpath.join(directory, entry["Dir"])) if directory else posixpath.normpath(entry["Dir"])
            )
            if files.inside_dir(target):
                found[entry["Key"]] = target
    return found


def local_source(directory: str, block: Block) -> str | None:
    if block.type != "module":
        return None
    source = block.attrs.get("source")
    if not isinstance(source, Scalar) or not isinstance(source.value, str):
        return None
    if not source.value.startswith(("./", "../")):
        return None
    return posixpath.normpath(posixpath.join(directory, source.value)) if directory else posixpath.normpath(source.value)


def _duplicate_addresses(files: list[ParsedFile]) -> bool:
    seen: set[tuple[str, ...]] = set()
    for parsed in files:
        for block in parsed.documents:
            if isinstance(block, Block) and block.type in ("resource", "data"):
                address = (block.type, *(str(label.value) for label in block.labels))
                if address in seen:
                    return True
                seen.add(address)
    return False


def data_refs(module: Module, prefix: str, remote: dict[str, tuple[Span, str]] | None = None) -> set[str]:
    """Labels of data sources `data.<prefix>.<label>` referenced anywhere in the module. With
    `remote`, a reference written only in the inputs of a module call whose source is not in the
    scan (directly, or through locals only such inputs read) does not count as a use: it is
    recorded there instead, label -> (where, "module.<name>")."""
    local_calls = [b for b in module.module_calls if remote is None or local_source(module.directory, b) is not None]
    stack: list[Node] = [*module.resources.values(), *module.data.values(), *local_calls]
    stack.extend(v for v in module.variables.values() if v is not None)
    outside: list[Block] = []  # module calls not in the scan, with the inputs no known interface models
    for call in module.module_calls if remote is not None else []:
        if call not in local_calls:
            known = interface_for(module.text(call.attrs.get("source")) or "")
            modelled = modelled_inputs(known[1]) if known is not None else set()
            stack.extend(node for name, node in call.attrs.items() if name in modelled)
            rest = {name: node for name, node in call.attrs.items() if name not in modelled}
            outside.append(Block(call.type, call.labels, rest, {}, call.blocks, call.span))
    if remote is None:
        stack.extend(module.locals.values())
    else:
        stack.extend(module.locals[name] for name in _locals_read(module, list(stack)))
    found = _refs_under(stack, f"data.{prefix}.")
    if remote is not None:
        for call in outside:
            through = [module.locals[name] for name in _locals_read(module, [call])]
            for label, span in _refs_under([call, *through], f"data.{prefix}.").items():
                remote.setdefault(label, (span, f"module.{call.labels[0].value}"))
    return set(found)


def _locals_read(module: Module, nodes: list[Node]) -> set[str]:
    """Names of the locals the nodes read, directly or through other locals."""
    seen: set[str] = set()
    pending = [name for name in _refs_under(nodes, "local.", 2) if name in module.locals]
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(n for n in _refs_under([module.locals[name]], "local.", 2) if n in module.locals)
    return seen


def _refs_under(stack: list[Node], head: str, at: int = 3) -> dict[str, Span]:
    """label -> span of the first `<head><label>` reference under the nodes (the label is name
    number `at` of the reference: 3 for `data.<type>.<label>`, 2 for `local.<label>`)."""
    found: dict[str, Span] = {}
    while stack:
        node = stack.pop()
        if isinstance(node, Block):
            stack.extend(node.attrs.values())
            stack.extend(node.blocks)
        elif isinstance(node, Expr):
            if node.op == "ref" and node.text.startswith(head):
                parts = traversal(node.text)
                if len(parts) >= at:
                    found.setdefault(parts[at - 1], node.span)
            stack.extend(node.args)
        elif isinstance(node, Mapping):
            stack.extend(node.items.values())
        elif isinstance(node, Sequence):
            stack.extend(node.items)
    return found
