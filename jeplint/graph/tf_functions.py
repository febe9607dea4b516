"""Terraform's built-in functions, for the values IAM is written with: collections and strings.

`call(name, args, span)` takes arguments already evaluated (`Scalar`, `Mapping`, `Sequence`, or an
`Expr` when unknown) and returns the result, or None when the function is not in this subset or
an argument it needs is unknown: the caller then keeps the call as an unknown `Expr`, never a
guess. `try` and `coalesce` return their first known usable argument only when every argument
before it is known to be unusable (so an unknown argument never lets a later one win).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from jeplint.parse.nodes import Expr, Mapping, Node, Scalar, Sequence, Span

Args = list[Node]
_MAX_PRODUCT = 4096  # a setproduct larger than this is not expanded (unknown)


def _known(node: Node) -> bool:
    if isinstance(node, Expr):
        return False
    if isinstance(node, Mapping):
        return all(_known(v) for v in node.items.values())
    if isinstance(node, Sequence):
        return all(_known(v) for v in node.items)
    return True


def _text(node: Node) -> str | None:
    if isinstance(node, Scalar) and isinstance(node.value, (str, int, float)) and not isinstance(node.value, bool):
        return str(node.value)
    return None


def _seq(items: list[Node], span: Span) -> Sequence:
    return Sequence(items, span)


def _identity(args: Args, span: Span) -> Node | None:
    return args[0] if len(args) == 1 else None


def _plain(node: Node) -> object:
    """A known value as a hashable Python value: set elements are equal when their values are."""
    if isinstance(node, Mapping):
        return ("map", tuple(sorted((k, _plain(v)) for k, v in node.items.items())))
    if isinstance(node, Sequence):
        return ("list", tuple(_plain(v) for v in node.items))
    value = node.value if isinstance(node, Scalar) else None
    return repr(value) if isinstance(value, (dict, list)) else value


def _toset(args: Args, span: Span) -> Node | None:
    """A set of strings, or of objects (`toset(flatten([... { role = r, policy = p } ...]))`)."""
    if len(args) != 1:
        return None
    if not isinstance(args[0], Sequence):
        return args[0] if isinstance(args[0], Mapping) else None
    seen: dict[object, Node] = {}
    for item in args[0].items:
        if not _known(item):
            return None  # a set of unknowns may collapse: its size is unknown
        seen.setdefault(_plain(item), item)
    return _seq(list(seen.values()), span)


def _setproduct(args: Args, span: Span) -> Node | None:
    """Every combination of one element of each list, as a list of lists (role x policy pairs)."""
    if not args or not all(isinstance(arg, Sequence) for arg in args):
        return None
    combinations: list[list[Node]] = [[]]
    for arg in args:
        assert isinstance(arg, Sequence)
        combinations = [[*done, item] for done in combinations for item in arg.items]
        if len(combinations) > _MAX_PRODUCT:
            return None
    return _seq([_seq(items, span) for items in combinations], span)


def _one(args: Args, span: Span) -> Node | None:
    if len(args) != 1 or not isinstance(args[0], Sequence) or len(args[0].items) > 1:
        return None
    return args[0].items[0] if args[0].items else Scalar(None, span)


def _contains(args: Args, span: Span) -> Node | None:
    if len(args) != 2 or not isinstance(args[0], Sequence) or not _known(args[0]) or not _known(args[1]):
        return None
    return Scalar(_plain(args[1]) in {_plain(item) for item in args[0].items}, span)


def _strings(test: Callable[[str, str], object]) -> Callable[[Args, Span], Node | None]:
    """A function of two strings: `trimprefix`, `trimsuffix`, `startswith`, `endswith`."""

    def apply(args: Args, span: Span) -> Node | None:
        texts = [arg.value for arg in args if isinstance(arg, Scalar) and isinstance(arg.value, str)]
        return Scalar(test(texts[0], texts[1]), span) if len(args) == len(texts) == 2 else None

    return apply


def _basename(args: Args, span: Span) -> Node | None:
    text = args[0].value if len(args) == 1 and isinstance(args[0], Scalar) else None
    return Scalar(text.rsplit("/", 1)[-1], span) if isinstance(text, str) else None


def _compact(args: Args, span: Span) -> Node | None:
    if len(args) != 1 or not isinstance(args[0], Sequence):
        return None
    return _seq([i for i in args[0].items if not (isinstance(i, Scalar) and i.value in (None, ""))], span)


def _concat(args: Args, span: Span) -> Node | None:
    if not all(isinstance(a, Sequence) for a in args):
        return None
    return _seq([item for a in args for item in a.items], span)  # type: ignore[attr-defined]


def _flatten(args: Args, span: Span) -> Node | None:
    if len(args) != 1 or not isinstance(args[0], Sequence):
        return None
    out: list[Node] = []
    stack = list(reversed(args[0].items))
    while stack:
        item = stack.pop()
        if isinstance(item, Sequence):
            stack.extend(reversed(item.items))
        elif isinstance(item, Expr):
            return None  # an unknown element may itself be a list
        else:
            out.append(item)
    return _seq(out, span)


def _merge(args: Args, span: Span) -> Node | None:
    items: dict[str, Node] = {}
    key_spans: dict[str, Span] = {}
    for arg in args:
        if isinstance(arg, Scalar) and arg.value is None:
            continue
        if not isinstance(arg, Mapping):
            return None
        items.update(arg.items)
        key_spans.update(arg.key_spans)
    return Mapping(items, key_spans, span)


def _keys(args: Args, span: Span) -> Node | None:
    if len(args) != 1 or not isinstance(args[0], Mapping):
        return None
    m = args[0]
    return _seq([Scalar(k, m.key_spans.get(k, span)) for k in sorted(m.items)], span)


def _values(args: Args, span: Span) -> Node | None:
    if len(args) != 1 or not isinstance(args[0], Mapping):
        return None
    return _seq([args[0].items[k] for k in sorted(args[0].items)], span)


def _lookup(args: Args, span: Span) -> Node | None:
    if len(args) not in (2, 3) or not isinstance(args[0], Mapping):
        return None
    key = _text(args[1])
    if key is None:
        return None
    if key in args[0].items:
        return args[0].items[key]
    return args[2] if len(args) == 3 else None


def _element(args: Args, span: Span) -> Node | None:
    if len(args) != 2 or not isinstance(args[0], Sequence) or not args[0].items:
        return None
    index = args[1].value if isinstance(args[1], Scalar) else None
    if not isinstance(index, int) or isinstance(index, bool):
        return None
    return args[0].items[index % len(args[0].items)]


def _length(args: Args, span: Span) -> Node | None:
    if len(args) != 1:
        return None
    arg = args[0]
    if isinstance(arg, (Sequence, Mapping)):
        return Scalar(len(arg.items), span)
    return Scalar(len(arg.value), span) if isinstance(arg, Scalar) and isinstance(arg.value, str) else None


def _coalesce(args: Args, span: Span) -> Node | None:
    for arg in args:
        if isinstance(arg, Expr):
            return None
        if isinstance(arg, Scalar) and arg.value in (None, ""):
            continue
        return arg
    return None


def _coalescelist(args: Args, span: Span) -> Node | None:
    """The first list that is not empty; unknown as soon as a list before it is not known."""
    for arg in args:
        if not isinstance(arg, Sequence):
            return None
        if arg.items:
            return arg
    return None


def _try(args: Args, span: Span) -> Node | None:
    """The first argument that is known; an argument known to fail (`Expr("error")`: an attribute
    a known object does not have) moves on to the next, as Terraform's try() does. An unknown one
    may or may not fail: unknown."""
    for arg in args:
        if isinstance(arg, Expr) and arg.op == "error":
            continue
        return arg if _known(arg) else None
    return None


def _can(args: Args, span: Span) -> Node | None:
    """Whether the argument evaluates without error: false for an attribute a known object does not
    have, true for a known value, unknown otherwise."""
    if len(args) != 1:
        return None
    if isinstance(args[0], Expr) and args[0].op == "error":
        return Scalar(False, span)
    return Scalar(True, span) if _known(args[0]) else None


def _zipmap(args: Args, span: Span) -> Node | None:
    if len(args) != 2 or not isinstance(args[0], Sequence) or not isinstance(args[1], Sequence):
        return None
    keys = [_text(k) for k in args[0].items]
    if any(k is None for k in keys) or len(keys) != len(args[1].items):
        return None
    return Mapping(
        {k: v for k, v in zip(keys, args[1].items, strict=True)},  # type: ignore[misc]
        {k: n.span for k, n in zip(keys, args[0].items, strict=True)},  # type: ignore[misc]
        span,
    )


def _join(args: Args, span: Span) -> Node | None:
    if len(args) != 2 or not isinstance(args[1], Sequence):
        return None
    sep, parts = _text(args[0]), [_text(p) for p in args[1].items]
    if sep is None or any(p is None for p in parts):
        return None
    return Scalar(sep.join(parts), span)  # type: ignore[arg-type]


def _split(args: Args, span: Span) -> Node | None:
    sep, text = (_text(args[0]), _text(args[1])) if len(args) == 2 else (None, None)
    if sep is None or text is None:
        return None
    return _seq([Scalar(p, span) for p in text.split(sep)], span)


def _format(args: Args, span: Span) -> Node | None:
    texts = [_text(a) for a in args]
    if not texts or any(t is None for t in texts):
        return None
    pattern, values = texts[0], texts[1:]
    out, pos = [], 0
    for match in re.finditer(r"%%|%[-+# 0]*\d*(?:\.\d+)?[a-zA-Z]", pattern):  # type: ignore[arg-type]
        out.append(pattern[pos : match.start()])  # type: ignore[index]
        if match.group() == "%%":
            out.append("%")
        elif not values:
            return None
        else:
            out.append(str(values.pop(0)))
        pos = match.end()
    out.append(pattern[pos:])  # type: ignore[index]
    return Scalar("".join(out), span)


def _replace(args: Args, span: Span) -> Node | None:
    texts = [_text(a) for a in args]
    if len(texts) != 3:
        return None
    text, old, new = texts
    if text is None or old is None or new is None:
        return None
    if old.startswith("/") and old.endswith("/") and len(old) > 1:
        return None  # a regular expression: RE2 syntax differs from Python's
    return Scalar(text.replace(old, new), span)


def _case(convert: Callable[[str], str]) -> Callable[[Args, Span], Node | None]:
    def apply(args: Args, span: Span) -> Node | None:
        text = _text(args[0]) if len(args) == 1 else None
        return Scalar(convert(text), span) if text is not None else None

    return apply


def _tostring(args: Args, span: Span) -> Node | None:
    text = _text(args[0]) if len(args) == 1 else None
    return Scalar(text, span) if text is not None else None


FUNCTIONS: dict[str, Callable[[Args, Span], Node | None]] = {
    "jsonencode": _identity,
    "tolist": _identity,
    "tomap": _identity,
    "nonsensitive": _identity,
    "sensitive": _identity,
    "distinct": _toset,
    "toset": _toset,
    "compact": _compact,
    "sort": _identity,
    "concat": _concat,
    "flatten": _flatten,
    "merge": _merge,
    "keys": _keys,
    "values": _values,
    "lookup": _lookup,
    "element": _element,
    "length": _length,
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "try": _try,
    "can": _can,
    "zipmap": _zipmap,
    "join": _join,
    "split": _split,
    "format": _format,
    "replace": _replace,
    "lower": _case(str.lower),
    "upper": _case(str.upper),
    "trimspace": _case(str.strip),
    "tostring": _tostring,
    "setproduct": _setproduct,
    "one": _one,
    "contains": _contains,
    "trimprefix": _strings(lambda text, prefix: text.removeprefix(prefix)),
    "trimsuffix": _strings(lambda text, end: text.removesuffix(end)),
    "startswith": _strings(str.startswith),
    "endswith": _strings(str.endswith),
    "basename": _basename,
}


def call(name: str, args: Args, span: Span) -> Node | None:
    """The value of `name(args...)`, or None when it is not known."""
    function = FUNCTIONS.get(name)
    return function(args, span) if function is not None else None
