"""Terraform: module instances and the evaluation of the expressions policies are written with.

Terraform resolves names per module, i.e. per directory: every `.tf`/`.tf.json` file of one folder
shares its resources, data sources, locals and variables. A directory called by a local
`module "x" { source = "./..." }` is instantiated once per call, its variables fed by the call's
arguments (evaluated in the caller), so a value written in the caller keeps the caller's span; a
directory nobody calls is a root, fed by its `terraform.tfvars` / `*.auto.tfvars` and variable
defaults. Registry and remote modules are outside the scan (one note says so).

`Module.resolve` follows locals, variables, `jsonencode` and friends, `file()` / `templatefile()`
of files inside the scanned tree, templates, and `dynamic` block iterators. What it cannot follow
stays an `Expr`, which becomes an unresolved value downstream: never a false wildcard.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Iterable

from jeplint.graph.model import Graph, Value
from jeplint.graph.policy import describe
from jeplint.parse import IAM_POLICY, ParsedFile
from jeplint.parse.nodes import Block, Expr, Mapping, Node, ParseError, Scalar, Sequence, Span

_INDEX = re.compile(r"\[[^\]]*\]")
_MAX_DEPTH = 32  # reference chains longer than this are treated as unresolved (and cycles end here)
_MAX_MODULE_NESTING = 8
_MAX_POLICY_FILE = 1024 * 1024
AUTO_TFVARS = re.compile(r"(^|/)(terraform\.tfvars|[^/]*\.auto\.tfvars)$")
NONE = Scalar(None, Span("", 1, 1, 1, 1))

Env = dict[str, Node]  # iterator names of `dynamic` blocks -> {"key": ..., "value": ...}


def traversal(text: str) -> list[str]:
    """`aws_iam_role.app[0].name` -> ["aws_iam_role", "app", "name"]."""
    return [part for part in _INDEX.sub("", text).split(".") if part]


class Files:
    """What `file()` may read: parsed files by path, and the scanned roots (nothing outside them)."""

    def __init__(self, files: Iterable[ParsedFile], roots: Iterable[str]) -> None:
        self.by_path = {f.path: f for f in files}
        self.roots = [os.path.realpath(r) for r in roots]

    def document(self, path: str) -> tuple[Node | None, str]:
        """(document node, "") or (None, why not) for a policy file named by file()/templatefile()."""
        path = posixpath.normpath(path)
        if os.path.isabs(path) or path.startswith("../"):
            if not self._inside(path):
                return None, f"{path} is outside the scanned tree"
        parsed = self.by_path.get(path)
        if parsed is not None and parsed.documents and parsed.kind == IAM_POLICY:
            return parsed.documents[0], ""
        if not self._inside(path):
            return None, f"{path} is outside the scanned tree"
        try:
            if os.path.getsize(path) > _MAX_POLICY_FILE:
                return None, f"{path} is larger than {_MAX_POLICY_FILE:,} bytes"
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            return None, f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}"
        from jeplint.parse.jsonpos import load_json

        try:
            return load_json(text, path), ""
        except ParseError as exc:
            return None, f"{path} is not JSON ({exc.reason})"

    def _inside(self, path: str) -> bool:
        real = os.path.realpath(path)
        return os.path.isfile(real) and any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in self.roots)


class Module:
    """One instance of a Terraform module: a root directory, or a directory called by a module block."""

    def __init__(
        self,
        directory: str,
        blocks: Iterable[Block],
        files: Files,
        caller: Module | None = None,
        call: Block | None = None,
        tfvars: dict[str, Node] | None = None,
    ) -> None:
        self.directory = directory
        self.files = files
        self.caller = caller
        self.call = call
        self.tfvars = tfvars or {}
        self.resources: dict[tuple[str, str], Block] = {}
        self.data: dict[tuple[str, str], Block] = {}
        self.locals: dict[str, Node] = {}
        self.variables: dict[str, Node | None] = {}
        self.module_calls: list[Block] = []
        self.consumed_files: set[str] = set()
        for block in blocks:
            labels = [str(label.value) for label in block.labels]
            if block.type == "resource" and len(labels) == 2:
                self.resources.setdefault((labels[0], labels[1]), block)
            elif block.type == "data" and len(labels) == 2:
                self.data.setdefault((labels[0], labels[1]), block)
            elif block.type == "locals":
                self.locals.update(block.attrs)
            elif block.type == "variable" and labels:
                self.variables[labels[0]] = block.attrs.get("default")
            elif block.type == "module" and labels:
                self.module_calls.append(block)

    # -- identity of this instance -----------------------------------------------------------------

    @property
    def address(self) -> str:
        """`module.a.module.b` for a called instance, "" for a root."""
        if self.caller is None or self.call is None:
            return ""
        own = f"module.{self.call.labels[0].value}"
        return f"{self.caller.address}.{own}" if self.caller.address else own

    def key(self, *parts: str) -> str:
        """A key unique to this instance: `dir/aws_iam_role.app` (+ `@module.x` when called)."""
        prefix = f"{self.directory}/" if self.directory else ""
        suffix = f"@{self.address}" if self.address else ""
        return prefix + ".".join(parts) + suffix

    def origin(self) -> list[tuple[Span, str]]:
        """The chain of module calls that instantiate this module, innermost first."""
        chain: list[tuple[Span, str]] = []
        module: Module | None = self
        while module is not None and module.call is not None and module.caller is not None:
            label = module.call.labels[0]
            chain.append((label.span, f"module.{label.value} instantiates {module.directory or '.'} and supplies its inputs"))
            module = module.caller
        return chain

    # -- evaluation --------------------------------------------------------------------------------

    def resolve(self, node: Node, depth: int = 0, env: Env | None = None) -> Node:
        """Follow references and evaluate the few functions policies use; unknowns stay `Expr`."""
        if not isinstance(node, Expr) or depth > _MAX_DEPTH:
            return node
        if node.op == "ref":
            return self._resolve_ref(node, depth, env)
        if node.op == "call":
            return self._resolve_call(node, depth, env)
        if node.op == "conditional":
            condition = self._truth(self.resolve(node.args[0], depth + 1, env))
            if condition is not None:
                return self.resolve(node.args[1] if condition else node.args[2], depth + 1, env)
            return node
        if node.op == "binary":
            left, right = (self.resolve(arg, depth + 1, env) for arg in node.args)
            if isinstance(left, Scalar) and isinstance(right, Scalar):
                result = {
                    "==": lambda a, b: a == b,
                    "!=": lambda a, b: a != b,
                    "&&": lambda a, b: bool(a) and bool(b),
                    "||": lambda a, b: bool(a) or bool(b),
                }[node.name](left.value, right.value)
                return Scalar(result, node.span)
            if (
                node.name in ("==", "!=")
                and (_is_null(left) or _is_null(right))
                and not isinstance(left, Expr)
                and not isinstance(right, Expr)
            ):
                return Scalar((node.name == "!=") != (_is_null(left) and _is_null(right)), node.span)
            return node
        if node.op == "template":
            parts = [self.resolve(part, depth + 1, env) for part in node.args]
            if all(isinstance(p, Scalar) and not isinstance(p.value, (dict, list)) for p in parts):
                scalars = [p for p in parts if isinstance(p, Scalar)]
                return Scalar("".join("" if p.value is None else str(p.value) for p in scalars), node.span)
        return node

    @staticmethod
    def _truth(value: Node) -> bool | None:
        if isinstance(value, Scalar) and isinstance(value.value, bool):
            return value.value
        return None

    def resolver(self, env: Env | None = None) -> Callable[[Node], Node]:
        return lambda node: self.resolve(node, 0, env)

    def _resolve_ref(self, node: Expr, depth: int, env: Env | None) -> Node:
        parts = traversal(node.text)
        if not parts:
            return node
        head = parts[0]
        if env and head in env:
            return self._walk(env[head], parts[1:], node, depth, env)
        if head == "local" and len(parts) >= 2 and parts[1] in self.locals:
            return self._walk(self.locals[parts[1]], parts[2:], node, depth, env)
        if head == "var" and len(parts) >= 2:
            name = parts[1]
            if self.call is not None and self.caller is not None and name in self.call.attrs:
                value = self.caller.resolve(self.call.attrs[name], depth + 1)
                return self._walk(value, parts[2:], node, depth, env)
            if name in self.tfvars:
                return self._walk(self.tfvars[name], parts[2:], node, depth, env)
            default = self.variables.get(name)
            if default is not None:
                return self._walk(default, parts[2:], node, depth, env)
        if len(parts) >= 3 and (head, parts[1]) in self.resources:
            # A literal argument of another resource (`aws_iam_role.app.name`): follow it.
            # Computed attributes (arn, id) are not written anywhere and stay unresolved.
            found = _block_attr(self.resources[(head, parts[1])], parts[2:])
            if found is not None:
                return self.resolve(found, depth + 1, env)
        if head == "path" and len(parts) == 2 and parts[1] in ("module", "root", "cwd"):
            return Scalar((self.directory or ".") if parts[1] == "module" else self._root_dir(), node.span)
        return node

    def _root_dir(self) -> str:
        module = self
        while module.caller is not None:
            module = module.caller
        return module.directory or "."

    def _walk(self, value: Node, rest: list[str], origin: Expr, depth: int, env: Env | None) -> Node:
        value = self.resolve(value, depth + 1, env)
        for part in rest:
            if isinstance(value, Mapping) and part in value.items:
                value = self.resolve(value.items[part], depth + 1, env)
            else:
                return origin
        return value

    def _resolve_call(self, node: Expr, depth: int, env: Env | None) -> Node:
        args = [self.resolve(arg, depth + 1, env) for arg in node.args]
        name = node.name
        if name in ("jsonencode", "tolist", "toset", "distinct", "compact", "sort", "nonsensitive") and len(args) == 1:
            return args[0]
        if name in ("concat", "flatten") and all(isinstance(a, Sequence) for a in args):
            items: list[Node] = []
            for arg in args:
                items.extend(arg.items)  # type: ignore[attr-defined]
            return Sequence(items, node.span)
        if name in ("file", "templatefile") and args and isinstance(args[0], Scalar) and isinstance(args[0].value, str):
            path = args[0].value
            if self.directory and not os.path.isabs(path) and not path.startswith(self.directory + "/"):
                path = posixpath.join(self.directory, path)
            document, _why = self.files.document(path)
            if document is not None:
                self.consumed_files.add(posixpath.normpath(path))
                return document
        return node

    def render(self, node: Node, env: Env | None = None) -> Value | None:
        """A template with unknown parts, as text with `${...}` placeholders (never a wildcard)."""
        if isinstance(node, Expr) and node.op == "template":
            text = []
            for part in node.args:
                value = self.resolve(part, 0, env)
                text.append(str(value.value) if isinstance(value, Scalar) else "${" + describe(value) + "}")
            return Value("".join(text), node.span, unresolved=node.text, partial=True)
        return None

    def renderer(self, env: Env | None = None) -> Callable[[Node], Value | None]:
        return lambda node: self.render(node, env)

    def text(self, node: Node | None) -> str | None:
        """The literal string a node resolves to, or None."""
        if node is None:
            return None
        value = self.resolve(node)
        return str(value.value) if isinstance(value, Scalar) and value.value is not None else None


def _is_null(node: Node) -> bool:
    return isinstance(node, Scalar) and node.value is None


def _block_attr(block: Block, path: list[str]) -> Node | None:
    """`metadata.name` inside a resource block (nested blocks by type, first instance)."""
    for step in path[:-1]:
        nested = block.blocks_of(step)
        if not nested:
            return None
        block = nested[0]
    return block.attrs.get(path[-1])


def parse_embedded_json(value: Scalar, invalid: list[tuple[Span, str]] | None = None) -> Node | None:
    """JSON written as an HCL string or heredoc, parsed with positions in the enclosing file.

    None when the text does not start like JSON, or does not parse; in that case the fault is added
    to `invalid` (`Graph.invalid`) when given: what was meant as a policy is never silently skipped."""
    from jeplint.parse.hcl import Heredoc
    from jeplint.parse.jsonpos import load_json

    text = str(value.value)
    if not text.lstrip().startswith(("{", "[")):
        return None
    span = value.span
    try:
        if isinstance(value, Heredoc):
            return load_json(text, span.path, value.body_line, 1 + value.indent, value.indent)
        return load_json(text, span.path, span.line, span.col + 1)
    except ParseError as exc:
        if invalid is not None:
            where = Span(span.path, exc.line or span.line, exc.col or span.col, exc.line or span.line, (exc.col or span.col) + 1)
            invalid.append((where, f"not analysed: the policy document is not valid JSON: {exc.reason}"))
        return None


def build_modules(files: list[ParsedFile], all_files: list[ParsedFile], roots: list[str], graph: Graph) -> list[Module]:
    """Every module instance of the scan: roots, and local modules once per call."""
    index = Files(all_files, roots)
    by_dir: dict[str, list[ParsedFile]] = {}
    tfvars: dict[str, dict[str, Node]] = {}
    for parsed in files:
        directory = posixpath.dirname(parsed.path)
        if parsed.kind == "terraform-vars":
            if AUTO_TFVARS.search(parsed.path) and parsed.documents and isinstance(parsed.documents[0], Block):
                tfvars.setdefault(directory, {}).update(parsed.documents[0].attrs)
            continue
        by_dir.setdefault(directory, []).append(parsed)
    groups: dict[str, list[Block]] = {}
    for directory, members in sorted(by_dir.items()):
        if _duplicate_addresses(members):
            # Not one valid module (Terraform would refuse it): examples or fixtures side by side.
            # Read each file as a module of its own rather than letting one hide the other.
            for parsed in members:
                groups[parsed.path] = [b for b in parsed.documents if isinstance(b, Block)]
        else:
            groups[directory] = [b for parsed in members for b in parsed.documents if isinstance(b, Block)]
    called: set[str] = set()
    for directory, blocks in groups.items():
        for block in blocks:
            child = _local_source(directory, block)
            if child is not None and child in groups and child != directory:
                called.add(child)
    instances: list[Module] = []
    remote: list[tuple[Span, str]] = []

    def instantiate(directory: str, caller: Module | None, call: Block | None, depth: int) -> None:
        module = Module(directory, groups[directory], index, caller, call, tfvars.get(directory) if caller is None else None)
        instances.append(module)
        for block in module.module_calls:
            child = _local_source(directory, block)
            if child is None:
                source = module.text(block.attrs.get("source")) or "?"
                remote.append((block.labels[0].span, source))
            elif child in groups and depth < _MAX_MODULE_NESTING and child != directory:
                instantiate(child, module, block, depth + 1)

    for directory in groups:
        if directory not in called:
            instantiate(directory, None, None, 0)
    if remote:
        span, source = remote[0]
        more = f" and {len(remote) - 1} other module calls" if len(remote) > 1 else ""
        graph.notes.append((span, f"module source {source}{more} use registry or remote sources, which are outside the scan"))
    return instances


def _local_source(directory: str, block: Block) -> str | None:
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


def data_refs(module: Module, prefix: str) -> set[str]:
    """Labels of data sources `data.<prefix>.<label>` referenced anywhere in the module."""
    found: set[str] = set()
    stack: list[Node] = [*module.resources.values(), *module.data.values(), *module.locals.values(), *module.module_calls]
    stack.extend(v for v in module.variables.values() if v is not None)
    head = f"data.{prefix}."
    while stack:
        node = stack.pop()
        if isinstance(node, Block):
            stack.extend(node.attrs.values())
            stack.extend(node.blocks)
        elif isinstance(node, Expr):
            if node.op == "ref" and node.text.startswith(head):
                parts = traversal(node.text)
                if len(parts) >= 3:
                    found.add(parts[2])
            stack.extend(node.args)
        elif isinstance(node, Mapping):
            stack.extend(node.items.values())
        elif isinstance(node, Sequence):
            stack.extend(node.items)
    return found
