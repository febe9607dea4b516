"""The common forms of a GCP workload identity provider's `attribute_condition` (CEL) -> claims.

Read: `==`, `in [...]`, `.startsWith(...)`, `&&`, `||`, parentheses, `true` / `false`, operands
`assertion.x`, `assertion['x']`, `attribute.x` (through the provider's `attribute_mapping`,
`attribute.repository = assertion.repository`) and `google.subject`. `!=`, `!` and other
functions constrain nothing that can be relied on, so they pin nothing. Anything else makes the whole
condition unreadable (None): the verdict is then "unknown", never a guess.

The result is a disjunction: a list of alternatives, each a list of `Claim`s that must all hold.
"""

from __future__ import annotations

import re

from jeplint.graph.federation import Claim

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(?P<op>&&|\|\||==|!=|\.startsWith\(|[()\[\],!])"
    r"|(?P<name>[A-Za-z_]\w*(?:\.(?!startsWith\()\w+)*(?:\[\s*(?:'[^']*'|\"[^\"]*\")\s*\])?))"
)

Alternatives = list[list[Claim]]


class _Unreadable(Exception):
    pass


def parse_condition(text: str, mapping: dict[str, str]) -> Alternatives | None:
    """Alternatives of claim constraints, or None when the condition is not of the common forms."""
    tokens = _tokens(text)
    if tokens is None:
        return None
    parser = _Parser(tokens, mapping)
    try:
        result = parser.disjunction()
        if parser.pos != len(tokens):
            return None
    except _Unreadable:
        return None
    return result


def _tokens(text: str) -> list[tuple[str, str]] | None:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            return None
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], mapping: dict[str, str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.mapping = mapping

    def peek(self) -> str:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens) or (expected is not None and self.tokens[self.pos][1] != expected):
            raise _Unreadable
        self.pos += 1
        return self.tokens[self.pos - 1]

    def disjunction(self) -> Alternatives:
        out = self.conjunction()
        while self.peek() == "||":
            self.take()
            out = out + self.conjunction()
        return out

    def conjunction(self) -> Alternatives:
        out = self.unary()
        while self.peek() == "&&":
            self.take()
            right = self.unary()
            out = [a + b for a in out for b in right]
        return out

    def unary(self) -> Alternatives:
        if self.peek() == "!":
            self.take()
            self.unary()
            return [[]]  # a negation pins nothing
        if self.peek() == "(":
            self.take()
            inner = self.disjunction()
            self.take(")")
            return inner
        return self.comparison()

    def comparison(self) -> Alternatives:
        kind, text = self.take()
        if kind == "name" and text in ("true", "false") and self.peek() not in ("==", "!=", ".startsWith(", "in"):
            return [[]] if text == "true" else []
        left = self.operand(kind, text)
        op = self.peek()
        if op == ".startsWith(":
            self.take()
            value = self.string()
            self.take(")")
            return [[Claim(left, "prefix", (value,))]]
        if op in ("==", "!="):
            self.take()
            kind, text = self.take()
            if kind == "str":
                value = _unquote(text)
                return [[Claim(left, "equals", (value,))]] if op == "==" else [[]]
            raise _Unreadable  # two claims compared, or a function call: not a common form
        if op == "in":
            self.take()
            self.take("[")
            values = [self.string()]
            while self.peek() == ",":
                self.take()
                values.append(self.string())
            self.take("]")
            return [[Claim(left, "equals", tuple(values))]]
        raise _Unreadable

    def operand(self, kind: str, text: str) -> str:
        """The token claim an operand reads: `assertion.x` -> "x"; `attribute.x` through the mapping."""
        if kind != "name":
            raise _Unreadable
        name = re.sub(r"\[\s*['\"]([^'\"]*)['\"]\s*\]", r".\1", text)
        if name.startswith("assertion."):
            return name.split(".", 1)[1]
        if name.startswith("attribute.") or name == "google.subject":
            mapped = self.mapping.get(name, "")
            if re.fullmatch(r"assertion\.[\w]+", mapped.strip()):
                return mapped.strip().split(".", 1)[1]
            if not mapped and name.startswith("attribute."):
                return name.split(".", 1)[1]  # mapping not in the scan: the attribute is named after its claim
        raise _Unreadable

    def string(self) -> str:
        kind, text = self.take()
        if kind != "str":
            raise _Unreadable
        return _unquote(text)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])
