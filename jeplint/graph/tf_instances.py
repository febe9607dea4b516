"""Terraform instances: `count` / `for_each` keys, and the index in a reference.

`expand(collection)` turns an evaluated `count` or `for_each` into the instances Terraform makes,
each as (address suffix, iteration values): `count = 2` gives `[0]`, `[1]` with `count.index`;
`for_each = {a = ...}` gives `["a"]` with `each.key` / `each.value`; a set of strings gives one
instance per string (`each.key == each.value`). An unknown collection gives None: the resource is
kept as one node whose iteration values are unknown, never dropped and never a wildcard.

`split_reference("aws_iam_role.this[each.key].name")` gives the traversal's names and the source
text of each index, so a reference can be linked to the one instance it names.
"""

from __future__ import annotations

from jeplint.parse.nodes import Mapping, Node, Scalar, Sequence, Span

MAX_INSTANCES = 256  # per resource or module call: beyond, the rest is counted and said, not expanded

Instance = tuple[str, dict[str, Node]]  # ("[\"a\"]", {"each": Mapping(key, value)})


def suffix(key: object) -> str:
    """Terraform's instance key syntax: `[0]`, `["deploy"]`."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{key}]"
    return '["' + str(key).replace("\\", "\\\\").replace('"', '\\"') + '"]'


def expand(kind: str, collection: Node, span: Span) -> list[Instance] | None:
    """Instances for `count` (kind "count") or `for_each`; None when the collection is unknown."""
    if kind == "count":
        count = collection.value if isinstance(collection, Scalar) else None
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            return None
        return [(suffix(i), {"count": Mapping({"index": Scalar(i, span)}, {}, span)}) for i in range(count)]
    pairs: list[tuple[Scalar, Node]] = []
    if isinstance(collection, Mapping):
        pairs = [(Scalar(k, collection.key_spans.get(k, span)), v) for k, v in collection.items.items()]
    elif isinstance(collection, Sequence):
        for item in collection.items:
            if not isinstance(item, Scalar) or not isinstance(item.value, str):
                return None  # for_each takes a map or a set of strings; anything else is unknown here
            pairs.append((item, item))
    else:
        return None
    return [(suffix(key.value), {"each": Mapping({"key": key, "value": value}, {}, value.span)}) for key, value in pairs]


def split_reference(text: str) -> list[tuple[str, str | None]]:
    """`a.b[0].c["x"]` -> [("a", None), ("b", "0"), ("c", '"x"')]: names with the index after each;
    `a[0][1]` -> [("a", "0"), ("", "1")]."""
    parts: list[tuple[str, str | None]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == ".":
            i += 1
            continue
        if text[i] == "[":
            depth, j, quote = 0, i, False
            while j < n:
                ch = text[j]
                if ch == '"' and text[j - 1] != "\\":
                    quote = not quote
                elif not quote and ch == "[":
                    depth += 1
                elif not quote and ch == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            inner = text[i + 1 : j]
            if parts and parts[-1][1] is None:
                parts[-1] = (parts[-1][0], inner)
            else:  # a second index in a row (`local.pairs[count.index][0]`): a step without a name
                parts.append(("", inner))
            i = j + 1
            continue
        j = i
        while j < n and text[j] not in ".[":
            j += 1
        parts.append((text[i:j], None))
        i = j
    return parts


def literal_index(inner: str) -> object | None:
    """The key an index written as a literal names (`0`, `"a"`), or None."""
    inner = inner.strip()
    if inner.isdigit():
        return int(inner)
    if len(inner) >= 2 and inner[0] == inner[-1] == '"' and "${" not in inner:
        return inner[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return None
