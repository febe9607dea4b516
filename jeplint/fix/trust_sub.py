"""A GitHub OIDC trust (JEP404) with no `sub` condition at all: the condition is added, pinned to the
repository the same file names (`trust.named_repository`), as `StringLike` `repo:OWNER/NAME:*`.

Where it goes, in the file's own syntax:
- a `Condition` written as a mapping (CloudFormation JSON or YAML, a `jsonencode` document in HCL)
  that has no `StringLike` operator yet: a `StringLike` entry after its last operator, on a line
  of its own when the operators are written one per line (indented and, in HCL, aligned as they
  are), inline otherwise;
- an `aws_iam_policy_document` statement: a `condition` block before the statement's closing brace,
  indented as the statement's first attribute.
A statement with no `Condition` at all, an existing `StringLike` operator (a second one would be a
duplicate key), or any layout not read exactly: None (the caller says it in words).
"""

from __future__ import annotations

from jeplint.edits import Edit
from jeplint.fix import syntax
from jeplint.fix import text as textedit
from jeplint.graph.model import Grant
from jeplint.parse import parse_text
from jeplint.parse.nodes import Block, Expr, Mapping, Node, Sequence, Span

GITHUB = "token.actions.githubusercontent.com"
KEY = f"{GITHUB}:sub"


def _walk(node: Node) -> list[Node]:
    out, stack = [], [node]
    while stack:
        current = stack.pop()
        out.append(current)
        if isinstance(current, Mapping):
            stack += current.items.values()
        elif isinstance(current, Sequence):
            stack += current.items
        elif isinstance(current, Expr):
            stack += current.args
        elif isinstance(current, Block):
            stack += [*current.attrs.values(), *current.blocks]
    return out


def _syntax(path: str) -> str:
    if syntax.is_yaml(path):
        return "yaml"
    return "json" if path.lower().endswith(".json") else "hcl"


def _into_condition(text: str, condition: Mapping, pinned: str) -> Edit | None:
    if not condition.items or any(k.lower() == "stringlike" for k in condition.items):
        return None
    path, style, newline = condition.span.path, _syntax(condition.span.path), textedit.newline_of(text)
    first, last = next(iter(condition.key_spans.values())), list(condition.key_spans.values())[-1]
    end = list(condition.items.values())[-1].span  # a JSON or HCL object's closing brace, a YAML block's last token
    indent = textedit.line_before(text, first.line, first.col)
    quoted = textedit.cut(text, last).startswith('"')
    name = '"StringLike"' if quoted or style == "json" else "StringLike"
    if indent.strip():  # inline: `{ StringEquals = {...} }`
        pair = {"hcl": f'{name} = {{ "{KEY}" = "{pinned}" }}', "json": f'"StringLike": {{"{KEY}": "{pinned}"}}'}
        written = pair.get(style, f'StringLike: {{"{KEY}": "{pinned}"}}')
        return Edit(path, end.end_line, end.end_col, end.end_line, end.end_col, ", " + written)
    if style == "json":
        written = f'{newline}{indent}"StringLike": {{"{KEY}": "{pinned}"}}'
        return Edit(path, end.end_line, end.end_col, end.end_line, end.end_col, "," + written)
    lines = text.split("\n")
    if end.end_line >= len(lines):
        return None  # the last line of the file, with no line ending: nothing to insert after
    if style == "yaml":
        inner = indent + "  "
        value = list(condition.items.values())[-1]
        if isinstance(value, Mapping) and value.key_spans:
            nested = next(iter(value.key_spans.values()))
            before = textedit.line_before(text, nested.line, nested.col)
            inner = before if not before.strip() and len(before) > len(indent) else inner
        written = f'{indent}StringLike:{newline}{inner}{KEY}: "{pinned}"{newline}'
    else:
        equals = lines[last.line - 1].find("=", last.end_col - 1)
        width = max(len(name), equals - len(indent) - 1) if equals >= 0 else len(name)
        written = f'{indent}{name.ljust(width)} = {{ "{KEY}" = "{pinned}" }}{newline}'
    return Edit(path, end.end_line + 1, 1, end.end_line + 1, 1, written)


def _into_statement(text: str, statement: Block, pinned: str) -> Edit | None:
    span = statement.span
    closing = textedit.line_before(text, span.end_line, span.end_col - 1)
    children = [*statement.attr_spans.values(), *(b.span for b in statement.blocks)]
    if (
        closing.strip()
        or not children
        or textedit.cut(text, Span(span.path, span.end_line, span.end_col - 1, span.end_line, span.end_col)) != "}"
    ):
        return None
    first = min(children, key=lambda s: (s.line, s.col))
    indent = textedit.line_before(text, first.line, first.col)
    if indent.strip() or len(indent) <= len(closing):
        return None
    step, newline = indent[len(closing) :], textedit.newline_of(text)
    body = ['test     = "StringLike"', f'variable = "{KEY}"', f'values   = ["{pinned}"]']
    written = (
        f"{indent}condition {{{newline}" + "".join(f"{indent}{step}{line}{newline}" for line in body) + f"{indent}}}{newline}"
    )
    return Edit(span.path, span.end_line, 1, span.end_line, 1, written)


def insertion(text: str, grant: Grant, repository: str) -> Edit | None:
    """The edit that adds `sub` = `repo:<repository>:*` to the statement of `grant`, or None."""
    path = grant.span.path
    parsed = parse_text(text, path, path)
    if parsed.error is not None:
        return None
    pinned = f"repo:{repository}:*"
    nodes = [n for document in parsed.documents for n in _walk(document)]
    where = grant.key_spans.get("Condition")
    if where is not None:
        found = [n for n in nodes if isinstance(n, Mapping) and n.key_spans.get("Condition") == where]
        condition = found[0].items["Condition"] if len(found) == 1 else None
        return _into_condition(text, condition, pinned) if isinstance(condition, Mapping) else None
    statements = [n for n in nodes if isinstance(n, Block) and n.type == "statement" and n.span == grant.span]
    return _into_statement(text, statements[0], pinned) if len(statements) == 1 else None
