"""Terraform: one module instance, and the evaluation of the expressions IAM is written with.

Size: over the usual 400 lines on purpose: `Module` is the scope of one module instance (its
locals, variables, inputs, outputs, resource instances and the evaluator that reads them) and the
evaluation rules refer to each other; function tables live in `tf_functions`, instance keys in
`tf_instances`, which directories form modules in `tf_modules`.

Terraform resolves names per module, i.e. per directory: every `.tf`/`.tf.json` file of one folder
shares its resources, data sources, locals and variables. A called module's variables are fed by
the call's arguments, evaluated in the caller with the caller's `each` / `count`; a value that is
not known there crosses into the module as a `Scoped` expression that remembers where it belongs,
and module outputs come back the same way.

`Module.resolve` follows locals, variables (tfvars, defaults, call arguments), module outputs,
indexes (`local.m[each.key]`, `local.pairs[count.index][0]`), splats (`aws_iam_user.x[*].name`), the
instances of a resource, data source or module call referenced whole (`for_each = module.x`), `for`
expressions, conditionals, comparisons and arithmetic of numbers, the collection and string
functions of `tf_functions` (spread arguments `merge(list...)` included), `file()` / `templatefile()`
of files inside the scanned tree (a JSON template filled with its variables by `tf_templates`),
templates, and `dynamic` block iterators. What it cannot know stays an `Expr`: unresolved
downstream, never a false wildcard. `Module.reference` / `locate` follow a value to the resource
instance it names (`aws_iam_role.ci["deploy"]`), which is how attachments link to identities;
`each_resource` yields every `count` / `for_each` instance with its iteration values.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from typing import cast

from jeplint.graph.model import Value
from jeplint.graph.policy import describe
from jeplint.graph.tf_functions import call as call_function
from jeplint.graph.tf_instances import MAX_INSTANCES, expand, literal_index, split_reference, suffix
from jeplint.graph.tf_templates import directives, substitute
from jeplint.parse import IAM_POLICY, ParsedFile
from jeplint.parse.nodes import Block, Expr, Mapping, Node, ParseError, Scalar, Sequence, Span

_INDEX = re.compile(r"\[[^\]]*\]")
_NESTED_INDEX = re.compile(r"\[[^\]]*\[")
_SPLAT = re.compile(r"\[\*\]|\.\*(?=[.\[]|$)")  # `x[*].name`, `x.*.name` (not inside an index)
_BY_VALUE = ("toset", "distinct", "contains")  # functions whose arguments are compared element by element
# Resource types whose instances carry IAM (identities, policies, bindings, workloads' roles).
_IAM_RESOURCE = re.compile(r"_iam_|_role|polic|identity|service_account|_access_|assignment|rolebinding|_user$|_group$")
_MAX_DEPTH = 32  # reference chains longer than this are treated as unresolved (and cycles end here)
_MAX_POLICY_FILE = 1024 * 1024
NONE = Scalar(None, Span("", 1, 1, 1, 1))
_MAX_NAME_SHOWN = 60  # an unknown name written longer than this is not repeated in messages

Env = dict[str, Node]  # iterator names of `dynamic` blocks -> {"key": ..., "value": ...}


def traversal(text: str) -> list[str]:
    """`aws_iam_role.app[0].name` -> ["aws_iam_role", "app", "name"]; an index that holds another
    (`aws_iam_role.r[local.pairs[count.index][0]].name`) is skipped whole."""
    if _NESTED_INDEX.search(text):
        return [name for name, _index in split_reference(text) if name]
    return [part for part in _INDEX.sub("", text).split(".") if part]


class Scoped(Expr):
    """A value not known where it is written, carried into another module (an input, an output):
    it keeps the module instance and the `each` / `count` it must be evaluated with."""

    __slots__ = ("inner", "module", "env")

    def __init__(self, inner: Expr, module: Module, env: Env) -> None:
        super().__init__(inner.op, inner.text, inner.span, inner.name)
        self.inner = inner
        self.module = module
        self.env = env


class Files:
    """What `file()` may read: parsed files by path, and the scanned roots (nothing outside them)."""

    def __init__(self, files: Iterable[ParsedFile], roots: Iterable[str]) -> None:
        self.by_path = {f.path: f for f in files}
        self.roots = [os.path.realpath(r) for r in roots]
        # IAM references the graph could not follow: (where, category, message), counted in the summary.
        self.unresolved: list[tuple[Span, str, str]] = []

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

    def say(self, span: Span, category: str, message: str) -> None:
        """Count an IAM value not followed, once however often it is evaluated."""
        if (span, category, message) not in self.unresolved:
            self.unresolved.append((span, category, message))

    def _inside(self, path: str) -> bool:
        real = os.path.realpath(path)
        return os.path.isfile(real) and any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in self.roots)

    def inside(self, path: str) -> bool:
        """A regular file inside the scanned tree."""
        return self._inside(path)

    def inside_dir(self, path: str) -> bool:
        real = os.path.realpath(path)
        return os.path.isdir(real) and any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in self.roots)


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
        call_instance: tuple[str, Env] | None = None,
        address: str = "",
    ) -> None:
        self.directory = directory
        self._address = address  # given: a module instance of a plan JSON (`module.ci["a"]`)
        self.files = files
        self.caller = caller
        self.call = call
        self.tfvars = tfvars or {}
        # The call's own instance (`module "x" { for_each = ... }`): address suffix and the caller's
        # `each` / `count` values its inputs are evaluated with.
        self.call_suffix, self.call_env = call_instance or ("", {})
        self.current: Env | None = None  # `each` / `count` of the resource instance being read
        self._instances: dict[tuple[str, str], list[tuple[str, Env]]] = {}
        self.outputs: dict[str, Node] = {}
        self._inputs: dict[str, Node] = {}  # module inputs, evaluated once in the caller
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
            elif block.type == "output" and labels and "value" in block.attrs:
                self.outputs[labels[0]] = block.attrs["value"]
        self.children: dict[str, list[Module]] = {}  # module call label -> its instances
        # Set by `tf_plan` when a plan of the same root is in the scan: related locations of a
        # resource instance (its entry in the plan, the module calls of its source), and the
        # resources whose instances only the plan knows (read from the plan, not from here).
        self.related: dict[tuple[str, str], list[tuple[Span, str]]] = {}
        self.superseded: set[tuple[str, str]] = set()
        self._reading: tuple[str, str] | None = None  # the resource instance `each_resource` yields

    def release(self) -> None:
        """Forget everything once the graph is built. Instances refer to each other (caller,
        children, values carried across a call keep their module), and with collection paused
        (`jeplint.run.scan`) such a cycle would keep every parsed tree alive to the end of the process."""
        vars(self).clear()

    # -- identity of this instance -----------------------------------------------------------------

    @property
    def address(self) -> str:
        """`module.a.module.b` for a called instance, "" for a root."""
        if self.caller is None or self.call is None:
            return self._address
        own = f"module.{self.call.labels[0].value}{self.call_suffix}"
        return f"{self.caller.address}.{own}" if self.caller.address else own

    def address_of(self, tf_type: str, label: str) -> str:
        """Terraform's address of a resource instance: `module.ci.aws_iam_role.this[0]`."""
        return f"{self.address}.{tf_type}.{label}" if self.address else f"{tf_type}.{label}"

    def key(self, *parts: str) -> str:
        """A key unique to this instance: `dir/aws_iam_role.app` (+ `@module.x` when called)."""
        prefix = f"{self.directory}/" if self.directory else ""
        suffix = f"@{self.address}" if self.address else ""
        return prefix + ".".join(parts) + suffix

    def origin(self) -> list[tuple[Span, str]]:
        """The chain of module calls that instantiate this module, innermost first; while
        `each_resource` yields an instance a plan also holds, that plan entry comes first."""
        chain: list[tuple[Span, str]] = list(self.related.get(self._reading, [])) if self._reading else []
        module: Module | None = self
        while module is not None and module.call is not None and module.caller is not None:
            label = module.call.labels[0]
            chain.append((label.span, f"module.{label.value} instantiates {module.directory or '.'} and supplies its inputs"))
            module = module.caller
        return chain

    # -- evaluation --------------------------------------------------------------------------------

    # -- instances ---------------------------------------------------------------------------------

    def instances(self, tf_type: str, label: str) -> list[tuple[str, Env]]:
        """The instances of a resource: [("", {})] without count/for_each, else one per key; a
        collection that is not known gives one instance whose `each`/`count` values are unknown."""
        cached = self._instances.get((tf_type, label))
        if cached is not None:
            return cached
        block = self._block(tf_type, label)
        found: list[tuple[str, Env]] = [("", {})]
        for kind in ("for_each", "count"):
            if kind in block.attrs:
                self._instances[(tf_type, label)] = [("", {})]  # a self-reference ends here
                iam = bool(_IAM_RESOURCE.search(tf_type))
                expanded = self.expand_node(kind, block.attrs[kind], f"{tf_type}.{label}", {}, iam)
                found = [("", {})] if expanded is None else expanded  # count = 0: no instance at all
                break
        self._instances[(tf_type, label)] = found
        return found

    def _block(self, tf_type: str, label: str) -> Block:
        """The block of a resource, or of a data source given as `data.<type>`."""
        if tf_type.startswith("data."):
            return self.data[(tf_type[5:], label)]
        return self.resources[(tf_type, label)]

    def expand_node(self, kind: str, node: Node, address: str, env: Env, iam: bool = True) -> list[tuple[str, Env]] | None:
        """Instances of a `count` / `for_each`; an unknown or oversized one is said (when it is IAM's)."""
        value = self.resolve(node, 0, env)
        found = expand(kind, value, node.span)
        if found is None and iam:
            self.files.unresolved.append(
                (node.span, f"unknown {kind}", f"{kind} of {address} is not known ({describe(value)}): read as one instance")
            )
            return None
        if found is None:
            return None
        if len(found) > MAX_INSTANCES:
            self.files.unresolved.append(
                (
                    node.span,
                    f"{kind} over more than {MAX_INSTANCES} instances",
                    f"{kind} of {address} makes {len(found):,} instances; only the first {MAX_INSTANCES} are read",
                )
            )
            found = found[:MAX_INSTANCES]
        return found

    def each_resource(self) -> Iterator[tuple[str, str, Block]]:
        """(type, label with instance key, block) for every resource instance; while the caller
        reads one, `each` / `count` resolve to that instance's values."""
        for (tf_type, label), block in list(self.resources.items()):
            if (tf_type, label) in self.superseded:
                continue
            for key, env in self.instances(tf_type, label):
                saved, self.current, reading = self.current, env, self._reading
                self._reading = (tf_type, label + key)
                try:
                    yield tf_type, label + key, block
                finally:
                    self.current, self._reading = saved, reading

    def resolve(self, node: Node, depth: int = 0, env: Env | None = None) -> Node:
        """Follow references and evaluate the few functions policies use; unknowns stay `Expr`."""
        if not isinstance(node, Expr) or depth > _MAX_DEPTH:
            return node
        if env is None:
            env = self.current
        if isinstance(node, Scoped):
            return node.module.export(node.module.resolve(node.inner, depth + 1, node.env), node.env)
        if node.op == "ref":
            return self._resolve_ref(node, depth, env)
        if node.op == "for":
            return self._resolve_for(node, depth, env or {})
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
                result = _binary(node.name, left.value, right.value)
                if result is not None:
                    return Scalar(result, node.span)
                return node
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

    def _resolve_for(self, node: Expr, depth: int, env: Env) -> Node:
        """A `for` expression over a known collection; unknown if any element's key, condition or
        the collection is unknown."""
        kind, _, names = node.name.partition(":")
        variables = names.split(",")
        collection = self.resolve(node.args[0], depth + 1, env)
        if isinstance(collection, Mapping):
            pairs: list[tuple[Node, Node]] = [
                (Scalar(k, collection.key_spans.get(k, node.span)), v) for k, v in collection.items.items()
            ]
        elif isinstance(collection, Sequence):
            pairs = [(Scalar(i, item.span), item) for i, item in enumerate(collection.items)]
        else:
            return node
        items: list[Node] = []
        mapping: dict[str, Node] = {}
        key_spans: dict[str, Span] = {}
        for key, value in pairs[: MAX_INSTANCES * 16]:
            inner = {**env, variables[-1]: value}
            if len(variables) == 2:
                inner[variables[0]] = key
            keep = self._truth(self.resolve(node.args[-1], depth + 1, inner))
            if keep is None:
                return node
            if not keep:
                continue
            result = self.export(self.resolve(node.args[-2], depth + 1, inner), inner)
            if kind == "tuple":
                items.append(result)
                continue
            name = self.resolve(node.args[1], depth + 1, inner)
            if not isinstance(name, Scalar) or name.value is None or isinstance(name.value, (dict, list)):
                return node
            text = str(name.value)
            if kind == "object...":
                group = mapping.setdefault(text, Sequence([], name.span))
                group.items.append(result)  # type: ignore[attr-defined]
            else:
                mapping[text] = result
            key_spans.setdefault(text, name.span)
        return Sequence(items, node.span) if kind == "tuple" else Mapping(mapping, key_spans, node.span)

    def _resolve_ref(self, node: Expr, depth: int, env: Env | None) -> Node:
        splat = _SPLAT.search(node.text)
        if splat is not None:
            return self._resolve_splat(node, splat, depth, env)
        parts = traversal(node.text)
        if not parts:
            return node
        head = parts[0]
        if env and head in env:
            return self._walk_steps(env[head], _steps(node.text)[1:], node, depth, env)
        if head == "local" and len(parts) >= 2 and parts[1] in self.locals:
            return self._walk_steps(self.locals[parts[1]], _steps(node.text)[2:], node, depth, env or {}, {})
        if head == "var" and len(parts) >= 2:
            name = parts[1]
            if self.call is not None and self.caller is not None and name in self.call.attrs:
                value = self._inputs.get(name)
                if value is None:
                    caller = self.caller
                    value = caller.export(caller.resolve(self.call.attrs[name], depth + 1, self.call_env), self.call_env)
                    self._inputs[name] = value
                return self._walk_steps(value, _steps(node.text)[2:], node, depth, env or {})
            if name in self.tfvars:
                return self._walk_steps(self.tfvars[name], _steps(node.text)[2:], node, depth, env or {})
            default = self.variables.get(name)
            if default is not None:
                return self._walk_steps(default, _steps(node.text)[2:], node, depth, env or {})
        if head == "module" and len(parts) >= 3:
            child = self.child(node.text, depth, env)
            if child is not None and parts[2] in child.outputs:
                return child.export(child._walk(child.outputs[parts[2]], parts[3:], node, depth, {}), {})
        if head == "module" and len(parts) == 2 and "[" not in node.text:
            whole = self._calls_value(parts[1], node)
            if whole is not None:
                return whole
        if len(parts) == 2 and (head, parts[1]) in self.resources and "[" not in node.text:
            whole = self._instances_value(head, parts[1], node)
            if whole is not None:
                return whole
        if head == "data" and len(parts) == 3 and (parts[1], parts[2]) in self.data and "[" not in node.text:
            whole = self._instances_value(f"data.{parts[1]}", parts[2], node)
            if whole is not None:
                return whole
        if len(parts) >= 3 and (head, parts[1]) in self.resources:
            # A literal argument of another resource (`aws_iam_role.app.name`): follow it, with the
            # `each` / `count` of the instance the reference names. Computed attributes (arn, id)
            # are not written anywhere and stay unresolved.
            found = _block_attr(self.resources[(head, parts[1])], parts[2:])
            instance = self.instance_env(head, parts[1], node.text, depth, env)
            if found is not None and instance is not None:
                return self.resolve(found, depth + 1, instance)
            if head == "aws_iam_openid_connect_provider" and parts[2:] == ["arn"] and instance is not None:
                return self._provider_arn(parts[1], node, depth, instance)
        if head == "path" and len(parts) == 2 and parts[1] in ("module", "root", "cwd"):
            return Scalar((self.directory or ".") if parts[1] == "module" else self._root_dir(), node.span)
        return node

    def _resolve_splat(self, node: Expr, splat: re.Match[str], depth: int, env: Env | None) -> Node:
        """`aws_iam_user.bots[*].name`, `aws_iam_role.r.*.arn`: the steps after the splat taken from
        each element of the list before it (a resource's instances, a list value); a single resource
        is a list of one. Unknown if the list or any element's value is."""
        base = self.resolve(Expr("ref", node.text[: splat.start()], node.span), depth + 1, env)
        rest = node.text[splat.end() :]
        if isinstance(base, Sequence):
            items = base.items
        elif self._resource_ref(base):
            items = [base]
        else:
            return node
        steps = _steps(rest)
        out: list[Node] = []
        for item in items:
            if self._resource_ref(item):
                assert isinstance(item, Expr)
                found = Expr("ref", item.text + rest, item.span)
                out.append(self.resolve(found, depth + 1, env) if item.text.startswith("module.") else found)
                continue
            value = self._walk_steps(item, steps, node, depth, env or {})
            if value is node:
                return node
            out.append(value)
        return Sequence(out, node.span)

    def _provider_arn(self, label: str, node: Expr, depth: int, env: Env) -> Node:
        """The ARN of an OIDC provider of the scan: `arn:aws:iam::<account>:oidc-provider/<url without
        scheme>`, the account unknown; the reference itself when its `url` is not known."""
        url = self.resolve(self.resources[("aws_iam_openid_connect_provider", label)].attrs.get("url", NONE), depth + 1, env)
        if not isinstance(url, Scalar) or not isinstance(url.value, str) or not url.value:
            return node
        issuer = re.sub(r"^https?://", "", url.value).rstrip("/")
        parts: list[Node] = [Scalar("arn:aws:iam::", node.span), Expr("other", "its account", node.span)]
        return Expr("template", node.text, node.span, args=[*parts, Scalar(f":oidc-provider/{issuer}", node.span)])

    def _instances_value(self, tf_type: str, label: str, node: Expr) -> Node | None:
        """`aws_iam_policy.x` of a resource with `count` / `for_each`, as Terraform gives it: a list
        (count) or a map by key (for_each) of its instances, each a reference to that instance
        (`aws_iam_policy.x["a"]`), so that `for_each = aws_iam_policy.x` and `each.value.arn` follow
        them. None without count / for_each, or when its instances are not known."""
        block = self._block(tf_type, label)
        kind = "for_each" if "for_each" in block.attrs else "count" if "count" in block.attrs else None
        instances = self.instances(tf_type, label)
        if kind is None or (len(instances) == 1 and instances[0][0] == ""):
            return None
        refs = [Expr("ref", f"{tf_type}.{label}{key}", node.span) for key, _ in instances]
        if kind == "count":
            return Sequence(list(refs), node.span)
        keys = [str(cast(Scalar, cast(Mapping, env["each"]).items["key"]).value) for _, env in instances]
        return Mapping(dict(zip(keys, refs)), {}, node.span)

    def _calls_value(self, label: str, node: Expr) -> Node | None:
        """`module.x` of a call with count / for_each: a list or a map by key of references to its
        instances (`module.x["a"]`), so that `for_each = module.x` reads `each.value.role_arn`."""
        found = self.children.get(label, [])
        if not found or found[0].call is None or not found[0].call_suffix:
            return None
        refs = [Expr("ref", f"module.{label}{m.call_suffix}", node.span) for m in found]
        if "count" in found[0].call.attrs:
            return Sequence(list(refs), node.span)
        keys = [str(cast(Scalar, cast(Mapping, m.call_env["each"]).items["key"]).value) for m in found]
        return Mapping(dict(zip(keys, refs)), {}, node.span)

    def _resource_ref(self, node: Node) -> bool:
        """A plain reference to a resource of this module, or to an instance of a module it calls
        (not one carried in from another)."""
        if type(node) is not Expr or node.op != "ref":
            return False
        parts = traversal(node.text)
        if len(parts) == 2 and parts[0] == "module":
            return parts[1] in self.children
        if len(parts) == 3 and parts[0] == "data":
            return (parts[1], parts[2]) in self.data
        return len(parts) >= 2 and (parts[0], parts[1]) in self.resources

    def index_of(self, text: str, depth: int = 0, env: Env | None = None) -> tuple[str | None, ...]:
        """The instance keys a reference text writes after its first names: `aws_iam_role.x[0]` ->
        ("[0]",); "" where no index is written; None where the index is not known."""
        return tuple("" if inner is None else self.eval_index(inner, depth, env) for _n, inner in split_reference(text)[1:3])

    def eval_index(self, inner: str, depth: int = 0, env: Env | None = None) -> str | None:
        """The instance key (`[0]`, `["a"]`) an index expression evaluates to, or None."""
        literal = literal_index(inner)
        if literal is None:
            from jeplint.parse.hcl import parse_template

            try:
                value = self.resolve(parse_template("${" + inner + "}", "", NONE.span), depth + 1, env)
            except ParseError:
                value = NONE
            if isinstance(value, Scalar) and value.value is not None and not isinstance(value.value, (bool, float)):
                literal = value.value
        return None if literal is None else suffix(literal)

    def instance_env(self, tf_type: str, label: str, text: str, depth: int, env: Env | None) -> Env | None:
        """`each` / `count` of the instance of `tf_type.label` a reference names; None if unknown."""
        instances = self.instances(tf_type, label)
        if len(instances) == 1 and instances[0][0] == "":
            return {}
        key = self.index_of(text, depth, env)[1 if tf_type.startswith("data.") else 0] if "[" in text else ""
        return next((e for k, e in instances if k == key), None) if key else None

    def child(self, text: str, depth: int = 0, env: Env | None = None) -> Module | None:
        """The instance of a local module call a `module.<name>...` reference names."""
        parts = split_reference(text)
        if len(parts) < 2 or parts[0][0] != "module":
            return None
        found = self.children.get(parts[1][0], [])
        if len(found) == 1 and parts[1][1] is None:
            return found[0]
        if len(found) == 1 and found[0].call_suffix == "" and found[0].call is not None:
            if "count" in found[0].call.attrs or "for_each" in found[0].call.attrs:
                return found[0]  # a count / for_each not known, read as one instance (said where it is written)
        key = self.index_of(text, depth, env)[0]
        return next((m for m in found if m.call_suffix == key), None) if key else None

    def export(self, value: Node, env: Env, depth: int = 0) -> Node:
        """`value` (evaluated in this module) made safe to carry into another: unknown parts are
        wrapped with this module as their scope."""
        if isinstance(value, Scoped) or depth > _MAX_DEPTH:
            return value
        if isinstance(value, Expr):
            return Scoped(value, self, env)
        if isinstance(value, Mapping):
            items = {k: self.export(v, env, depth + 1) for k, v in value.items.items()}
            return Mapping(items, value.key_spans, value.span)
        if isinstance(value, Sequence):
            return Sequence([self.export(v, env, depth + 1) for v in value.items], value.span)
        return value

    def reference(self, node: Node | None, depth: int = 0, env: Env | None = None) -> tuple[Module, Expr, Env] | None:
        """The resource or data source reference a value comes from, followed through locals,
        module inputs and outputs, `each` values and known conditionals: (module instance it is
        written in, the reference, the `each` / `count` to read its index with)."""
        if env is None:
            env = self.current or {}
        if isinstance(node, Scoped):
            return node.module.reference(node.inner, depth + 1, node.env)
        if not isinstance(node, Expr) or depth > _MAX_DEPTH:
            return None
        if node.op == "conditional":
            condition = self._truth(self.resolve(node.args[0], depth + 1, env))
            return None if condition is None else self.reference(node.args[1 if condition else 2], depth + 1, env)
        if node.op == "call" and node.name in ("try", "one", "coalesce", "tostring", "nonsensitive") and node.args:
            return self.reference(node.args[0], depth + 1, env)
        if node.op == "call":  # `element(aws_iam_role.r[*].name, count.index)`: the reference it evaluates to
            value = self.resolve(node, depth + 1, env)
            return self.reference(value, depth + 1, env) if isinstance(value, Expr) and value.op == "ref" else None
        if node.op == "template" and len(node.args) == 1:
            return self.reference(node.args[0], depth + 1, env)
        if node.op != "ref":
            return None
        parts = traversal(node.text)
        head = parts[0] if parts else ""
        if head in env:
            return self._reference_in(env[head], parts[1:], depth, env)
        if head == "local" and len(parts) >= 2 and parts[1] in self.locals:
            return self._reference_in(self.locals[parts[1]], parts[2:], depth, {})
        if head == "var" and len(parts) >= 2:
            if self.call is not None and self.caller is not None and parts[1] in self.call.attrs:
                return self.caller._reference_in(self.call.attrs[parts[1]], parts[2:], depth, self.call_env)
            return None
        if head == "module" and len(parts) >= 3:
            child = self.child(node.text, depth, env)
            if child is not None and parts[2] in child.outputs:
                return child._reference_in(child.outputs[parts[2]], parts[3:], depth, {})
            return None
        if head in ("each", "count", "path", "self", "terraform"):
            return None
        return self, node, env

    def locate(self, node: Node | None) -> tuple[Module, list[str], str | None] | None:
        """Where a value's reference points: (module instance, traversal names, key of the named
        resource instance, as `Module.key` gives it). The key is None when the instance is not
        known (an index that cannot be evaluated, or none written for a resource with instances)."""
        found = self.reference(node)
        if found is None:
            return None
        owner, ref, env = found
        parts = traversal(ref.text)
        if len(parts) < 2:
            return None
        if parts[0] == "data":
            return (owner, parts, owner.key("data", *parts[1:3])) if len(parts) >= 3 else None
        if (parts[0], parts[1]) not in owner.resources:
            return owner, parts, None
        instances = owner.instances(parts[0], parts[1])
        if len(instances) == 1 and instances[0][0] == "":
            return owner, parts, owner.key(parts[0], parts[1])
        index = owner.index_of(ref.text, 0, env)[0]
        return owner, parts, owner.key(parts[0], parts[1] + index) if index else None

    def _reference_in(self, value: Node, rest: list[str], depth: int, env: Env) -> tuple[Module, Expr, Env] | None:
        for number, part in enumerate(rest):
            container = self.resolve(value, depth + 1, env)
            if self._resource_ref(container):  # an instance of `for_each = aws_iam_policy.x`: `.arn` of it
                assert isinstance(container, Expr)
                text = container.text + "".join("." + name for name in rest[number:])
                return self.reference(Expr("ref", text, container.span), depth + 1, env)
            if not isinstance(container, Mapping) or part not in container.items:
                return None
            value = container.items[part]
        return self.reference(value, depth + 1, env)

    def _root_dir(self) -> str:
        module = self
        while module.caller is not None:
            module = module.caller
        return module.directory or "."

    def _walk_steps(
        self, value: Node, steps: list[tuple[str, str]], origin: Expr, depth: int, env: Env, value_env: Env | None = None
    ) -> Node:
        """Follow `.name` and `[index]` steps into a value; indexes are evaluated with `env`, the
        value itself with `value_env` (default `env`). Unknown anywhere: the original reference."""
        value = self.resolve(value, depth + 1, env if value_env is None else value_env)
        for number, (kind, text) in enumerate(steps):
            if self._resource_ref(value):  # `p.arn` of `for p in aws_iam_policy.x`: that instance's `.arn`
                written = self._written_steps(steps[number:], depth, env)
                assert isinstance(value, Expr)
                if written is None:
                    return origin
                found = Expr("ref", value.text + written, value.span)
                return self.resolve(found, depth + 1, env) if value.text.startswith("module.") else found
            if kind == "attr":
                key: object = text
            else:
                key = _index_key(self.eval_index(text, depth, env))
                if key is None:
                    return origin
            if isinstance(value, Mapping) and str(key) in value.items:
                value = self.resolve(value.items[str(key)], depth + 1, env if value_env is None else value_env)
            elif isinstance(value, Sequence) and isinstance(key, int) and 0 <= key < len(value.items):
                value = self.resolve(value.items[key], depth + 1, env if value_env is None else value_env)
            elif isinstance(value, Mapping) and kind == "attr":  # a known object without it: an error (try() moves on)
                return Expr("error", origin.text, origin.span)
            else:
                return origin
        return value

    def _written_steps(self, steps: list[tuple[str, str]], depth: int, env: Env) -> str | None:
        """`.name` and `[key]` steps written with their keys evaluated; None if a key is not known."""
        out = ""
        for kind, text in steps:
            key = "." + text if kind == "attr" else self.eval_index(text, depth, env)
            if key is None:
                return None
            out += key
        return out

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
        if name.endswith("..."):  # `merge([for ...]...)`: the last argument's elements are the arguments
            if not args or not isinstance(args[-1], Sequence):
                return node
            name, args = name[:-3], [*args[:-1], *(self.resolve(a, depth + 1, env) for a in args[-1].items)]
        if name in _BY_VALUE:  # compare elements by value: objects built by `for` are read lazily
            args = [self._deep(arg, depth + 1, env) for arg in args]
        result = call_function(name, args, node.span)
        if result is not None:
            return result
        if name in ("file", "templatefile") and args and isinstance(args[0], Scalar) and isinstance(args[0].value, str):
            path = args[0].value
            if self.directory and not os.path.isabs(path) and not path.startswith(self.directory + "/"):
                path = posixpath.join(self.directory, path)
            document, why = self.files.document(path)
            if document is not None:
                self.consumed_files.add(posixpath.normpath(path))
                return self._template(document, node, args, depth, env, path) if name == "templatefile" else document
            if name == "templatefile":  # a policy template, most often: say why it was not read
                self.files.say(node.span, "template not evaluated", f"templatefile() not read: {why}")
        return node

    def _template(self, document: Node, node: Expr, args: list[Node], depth: int, env: Env | None, path: str) -> Node:
        """`templatefile(path, vars)` of a JSON document: its interpolating strings evaluated with
        `vars` only (what Terraform gives a template); directives are not evaluated, and said."""
        if directives(document):
            self.files.say(
                node.span, "template not evaluated", f"templatefile() of {path}: its directives (%{{ ... }}) are not evaluated"
            )
            return node
        variables = self._deep(args[1], depth + 1, env) if len(args) == 2 else None
        if not isinstance(variables, Mapping):
            return node
        scope: Env = {name: self.export(value, env or {}) for name, value in variables.items.items()}
        return substitute(document, path, lambda template: self.export(self.resolve(template, depth + 1, scope), scope))

    def _deep(self, value: Node, depth: int, env: Env | None) -> Node:
        """`value` with the elements and attributes of its collections resolved too, as far as known."""
        if depth > _MAX_DEPTH:
            return value
        value = self.resolve(value, depth + 1, env)
        if isinstance(value, Mapping):
            items = {k: self._deep(v, depth + 1, env) for k, v in value.items.items()}
            return Mapping(items, value.key_spans, value.span)
        if isinstance(value, Sequence):
            return Sequence([self._deep(v, depth + 1, env) for v in value.items], value.span)
        return value

    def render(self, node: Node, env: Env | None = None) -> Value | None:
        """A template with unknown parts, as text with `${...}` placeholders (never a wildcard)."""
        if isinstance(node, Scoped):
            return node.module.render(node.inner, node.env)
        if isinstance(node, Expr) and node.op == "template":
            text = []
            for part in node.args:
                value = self.resolve(part, 0, env)
                text.append(str(value.value) if isinstance(value, Scalar) else "${" + describe(value) + "}")
            return Value("".join(text), node.span, unresolved=node.text, partial=True)
        return None

    def renderer(self, env: Env | None = None) -> Callable[[Node], Value | None]:
        return lambda node: self.render(node, env)

    def name_of(
        self, tf_type: str, label: str, block: Block, attrs: tuple[str, ...] = ("name",), generated: bool = False
    ) -> tuple[str, str]:
        """(display name, note) of a resource instance that declares an identity: its name when the
        scan knows it, else its address and why not (`Identity.name_note`): the name is written
        with values only known at apply, or (`generated`: a type whose provider makes one up)
        generated at apply, when left out or given as `name_prefix`."""
        for attr in attrs:
            node = block.attrs.get(attr)
            if node is None:
                continue
            known = self.text(node)
            if known:
                return known, ""
            value = self.resolve(node)
            if _is_null(value):
                continue  # `name = null`: as if left out
            rendered = self.render(value)
            text = (rendered.text if rendered is not None else describe(value) if isinstance(value, Expr) else "") or ""
            shown = bool(text) and len(text) <= _MAX_NAME_SHOWN and not text.startswith("(")  # not "(known after apply)"
            return self.address_of(tf_type, label), (f"name {text}: " if shown else "name ") + "known only at apply"
        if not generated:
            return self.address_of(tf_type, label), ""
        prefix = self.text(block.attrs.get("name_prefix"))
        made = f'name generated at apply from prefix "{prefix}"' if prefix else "name generated at apply"
        return self.address_of(tf_type, label), made

    def text(self, node: Node | None) -> str | None:
        """The literal string a node resolves to, or None."""
        if node is None:
            return None
        value = self.resolve(node)
        return str(value.value) if isinstance(value, Scalar) and value.value is not None else None


_LOGIC: dict[str, Callable[[object, object], object]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "&&": lambda a, b: bool(a) and bool(b),
    "||": lambda a, b: bool(a) or bool(b),
}
_NUMBERS: dict[str, Callable[[float, float], object]] = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b if b else None,
    "%": lambda a, b: a % b if b else None,
}


def _binary(operator: str, left: object, right: object) -> object | None:
    """`left <operator> right` of known values; comparisons and arithmetic of numbers only."""
    if operator in _LOGIC:
        return _LOGIC[operator](left, right)
    numbers = [v for v in (left, right) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if operator not in _NUMBERS or len(numbers) != 2:
        return None
    result = _NUMBERS[operator](numbers[0], numbers[1])
    if isinstance(result, float) and result.is_integer() and operator != "/":
        return int(result)
    return result


def iterator_name(block: Block, default: str) -> str:
    """The iterator of a `dynamic` block: `iterator = doc` is a bare name (the block's label if none)."""
    node = block.attrs.get("iterator")
    if isinstance(node, Expr) and node.op == "ref" and "." not in node.text and "[" not in node.text:
        return node.text
    if isinstance(node, Scalar) and isinstance(node.value, str) and node.value:
        return node.value
    return default


def _steps(text: str) -> list[tuple[str, str]]:
    """`local.x[each.key].y` -> [("attr", "local"), ("attr", "x"), ("index", "each.key"), ("attr", "y")]."""
    out: list[tuple[str, str]] = []
    for name, index in split_reference(text):
        if name:
            out.append(("attr", name))
        if index is not None:
            out.append(("index", index))
    return out


def _index_key(index: str | None) -> object | None:
    """`[0]` -> 0, `["a"]` -> "a" (the inverse of `suffix`)."""
    if not index:
        return None
    return literal_index(index[1:-1])


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
