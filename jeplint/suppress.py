"""Inline suppressions: accepted, justified exceptions written next to the code they excuse.

Three ways to write one, all with the same meaning (rule ids or prefixes, a required reason, an
optional last day):

- a comment, in Terraform (`#` or `//`) and YAML (`#`)::

      Action = "*"  # jeplint:ignore=JEP101 reason="break-glass role" until=2027-03-31

  A comment after code applies to its own line; a comment alone on its line applies to the next
  line that is not a comment. When that line opens a block, an attribute, a resource, an object or
  a YAML/JSON collection, the suppression covers every finding inside it (a comment above
  `resource "aws_iam_policy" "x" {` covers the whole resource, one above `- Effect: Allow` the
  whole statement).
  A comment never covers a whole document or a top-level entry of one (`Resources:` of a template):
  a suppression for a whole file is written so, with a reason like any other::

      # jeplint:ignore-file=JEP105 reason="generated sandbox account, reviewed in SEC-12"

- CloudFormation resource `Metadata`: ``jeplint: {ignore: [{id: JEP101, reason: "...", until: 2027-03-31}]}``
  (`id` may be a list or a comma-separated string); covers the whole resource.
- the Kubernetes annotation ``jeplint.io/ignore: 'JEP104 reason="..." until=2027-03-31'`` on an
  object; several entries are separated by `;` or new lines; covers the whole object.

Rules are named by id, prefix or name, in any case (`jeplint.rules.ids`). A suppression that names
an unknown rule (the remark names the closest real one), gives no reason, has a malformed or past
`until` date, or carries text it does not understand is itself reported as a `Remark` (a warning
about the input, not a finding); so is a comment that looks like a suppression but is not one
(`jeplint: ignore JEP101`, `jeplint:disable=JEP101`, `noqa: JEP101`: it hides nothing), and, when
asked (`unused_for`), a valid suppression that hides no finding. Only valid, unexpired suppressions hide findings: an expired one lets its findings be
reported again. `until` is the last day the suppression holds (inclusive, UTC).

Comments are recognised outside quoted strings on their line; lines of heredocs and YAML block
scalars are not told apart from code. JSON has no comments: use CloudFormation `Metadata`, or a
baseline (`jeplint.baseline`).

Size: over the usual 400 lines on purpose: the three syntaxes share one directive grammar, one
validation (near misses, unknown rules, expiry, scope) and one matching, which a split would repeat.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from jeplint.options import Options
from jeplint.parse import CLOUDFORMATION, KUBERNETES, ParsedFile, file_format
from jeplint.parse.nodes import Block, Expr, Mapping, Node, Scalar, Sequence, Tagged
from jeplint.rules.base import Finding
from jeplint.rules.ids import UnknownRule
from jeplint.rules.ids import resolve as resolve_rule
from jeplint.span import Span

MARKER = "jeplint:ignore"
FILE_MARKER = "jeplint:ignore-file"  # the whole file (issue 20, item 8)
ANNOTATION = "jeplint.io/ignore"

_IDS = re.compile(r"\s*([\w.-]+(?:\s*,\s*[\w.-]+)*)")
_OPTION = re.compile(r"""\s*(?:([A-Za-z_][\w-]*)=(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s"']+))|(\S+))""")
_UNESCAPE = re.compile(r"\\(.)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Position = tuple[int, int]  # (line, column), 1-based
_END_OF_LINE = 1 << 30


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding is not reported: where the exception is written, by whom it is justified."""

    kind: str  # "inSource" (comment, Metadata, annotation) or "external" (a baseline)
    justification: str
    span: Span | None  # where it is written; None for an external suppression
    until: date | None = None
    rules: tuple[str, ...] = ()


@dataclass(slots=True)
class Suppressed:
    """A finding left out of the report, with the suppression that hides it."""

    finding: Finding
    suppression: Suppression


@dataclass(frozen=True, slots=True)
class Remark:
    """A suppression that is wrong (unknown rule, no reason, bad or past date, stray text)."""

    span: Span
    reason: str
    level: str = "warning"  # "error" for a rule reference that names no rule: the run exits 2


UNKNOWN_RULE = "suppression names unknown rule"


@dataclass(slots=True)
class _Directive:
    """One suppression as written, before validation; `scope` is set once its target is known."""

    span: Span
    rules: list[str]
    reason: str | None
    until: str | None
    stray: list[str] = field(default_factory=list)  # what was not understood, described
    scope: tuple[Position, Position] | None = None
    target: int = 0  # line a comment applies to (0: scope given directly, or none)
    malformed: str = ""  # set when the suppression's structure is wrong: it hides nothing


def may_suppress(parsed: ParsedFile) -> bool:
    """Whether a file can hold a suppression (`apply` reads only these files' lines and trees)."""
    return parsed.lines is not None and parsed.error is None and any(_MENTION.search(line) for line in parsed.lines)


def apply(
    findings: list[Finding], files: Iterable[ParsedFile], options: Options, unused_for: tuple[str, ...] | None = None
) -> tuple[list[Finding], list[Suppressed], list[Remark]]:
    """Split `findings` into (reported, suppressed) by the suppressions written in `files`.

    Every suppression in `files` is validated (whether or not it hides anything); the problems found
    are returned as remarks, with comments that look like suppressions but are not (`_near_misses`).
    With `unused_for` (the ids of the rules that ran), a valid suppression of one of those rules
    that hides no finding is a remark too. Findings of files not in `files` are always reported.
    """
    today = options.now.date()
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_path[finding.span.path].append(finding)
    hidden: dict[int, Suppressed] = {}
    remarks: list[Remark] = []
    for parsed in files:
        if not may_suppress(parsed):
            continue
        remarks += _near_misses(parsed)
        directives = list(_comments(parsed)) + list(_resource_directives(parsed))
        _scope_comments(parsed, [d for d in directives if d.target])
        for directive in directives:
            suppression, problems = _validate(directive, today)
            remarks += [Remark(directive.span, reason, _level(reason)) for reason in problems]
            if suppression is None or directive.scope is None:
                continue
            used = _hide(suppression, directive.scope, by_path.get(parsed.path, ()), hidden)
            if not used and unused_for is not None and any(r.startswith(suppression.rules) for r in unused_for):
                remarks.append(
                    Remark(directive.span, f"unused suppression of {','.join(suppression.rules)}: it hides no finding")
                )
    kept = [f for f in findings if id(f) not in hidden]
    return kept, [hidden[id(f)] for f in findings if id(f) in hidden], remarks


def _level(reason: str) -> str:
    """An unknown rule is an error (like one in --select); every other wrong suppression a warning."""
    return "error" if reason.startswith(UNKNOWN_RULE) else "warning"


def _hide(
    suppression: Suppression, scope: tuple[Position, Position], findings: Iterable[Finding], hidden: dict[int, Suppressed]
) -> bool:
    """Record in `hidden` the findings in `scope` that `suppression` covers; True when there is one."""
    start, end = scope
    used = False
    for finding in findings:
        place = (finding.span.line, finding.span.col)
        if start <= place <= end and finding.rule_id.startswith(suppression.rules):
            used = True
            if id(finding) not in hidden:
                hidden[id(finding)] = Suppressed(finding, suppression)
    return used


_MENTION = re.compile("jeplint|noqa|nosec", re.IGNORECASE)
# A comment that means to suppress but is not `jeplint:ignore=...`: another spelling of the marker
# (`jeplint: ignore`, `jeplint:disable=`, `JEPLINT:IGNORE`, `jeplint-ignore`), or another tool's form.
_NEAR_MISS = re.compile(
    r"(?i)(?:jeplint\s*[:=_ -]?\s*(?:ignore|disable|skip|suppress|noqa|off|allow)\b|(?:noqa|nosec)\b\s*:?\s*jep\d)"
)


def _near_misses(parsed: ParsedFile) -> Iterator[Remark]:
    """Comments that look like a suppression but do not parse as one: each hides nothing."""
    hcl = _comment_syntax(parsed)
    if hcl is None or parsed.lines is None:
        return
    for number, line in enumerate(parsed.lines, start=1):
        start = comment_start(line, hcl) if _MENTION.search(line) or "JEP" in line.upper() else None
        if start is None:
            continue
        body = line[start:].lstrip("#/ \t").rstrip()
        match = _NEAR_MISS.match(body)
        if match is None or body.startswith(MARKER):
            continue
        span = Span(parsed.path, number, start + 1, number, len(line.rstrip()) + 1)
        yield Remark(
            span,
            f'"{body[: match.end()]}" looks like a suppression but is not one; it hides nothing'
            f' (write jeplint:ignore=JEP101 reason="...")',
        )


# --- reading directives -------------------------------------------------------------------------


def parse_directive(text: str, span: Span) -> _Directive:
    """`=JEP101,JEP2 reason="..." until=YYYY-MM-DD`: what follows `jeplint:ignore` in a comment."""
    match = _IDS.match(text[1:]) if text.startswith("=") else None
    rules = [r.strip().upper() for r in match.group(1).split(",")] if match else []
    rest = text[1 + match.end() :] if match else text.lstrip("=")
    directive = _Directive(span, rules, None, None)
    stray: list[str] = []
    for option in _OPTION.finditer(rest):
        key, double, single, bare, text_only = option.groups()
        value = _UNESCAPE.sub(r"\1", double) if double is not None else single if single is not None else bare
        if key == "reason":
            directive.reason = value
        elif key == "until":
            directive.until = value
        else:
            stray.append(option.group(0).strip() if text_only is None else text_only)
    if stray:
        directive.stray.append(f'unexpected "{" ".join(stray)}" (expected reason="..." and until=YYYY-MM-DD)')
    return directive


def comment_start(line: str, hcl: bool) -> int | None:
    """Index where a comment starts in `line` (outside quoted strings), or None.

    HCL: `#` or `//` anywhere outside a `"string"`. YAML: `#` at the start or after a blank, outside
    a quoted scalar (a quote opens one only where a scalar can start).
    """
    quote = ""
    i, size = 0, len(line)
    while i < size:
        char = line[i]
        if quote:
            if char == "\\" and quote == '"':
                i += 1
            elif char == quote:
                if quote == "'" and line[i + 1 : i + 2] == "'":
                    i += 1
                else:
                    quote = ""
        elif char == '"' and (hcl or _scalar_may_start(line, i)) or char == "'" and not hcl and _scalar_may_start(line, i):
            quote = char
        elif char == "#" and (hcl or i == 0 or line[i - 1] in " \t") or hcl and char == "/" and line[i + 1 : i + 2] == "/":
            return i
        i += 1
    return None


def _scalar_may_start(line: str, at: int) -> bool:
    before = line[:at].rstrip()
    return not before or before[-1] in ":-[{,?" or line[at - 1] in " \t[{,"


def _comment_syntax(parsed: ParsedFile) -> bool | None:
    """True for HCL comments, False for YAML comments, None when the file has no comments (JSON)."""
    fmt = file_format(parsed.path)
    if fmt == "tf":
        return True
    if fmt == "yaml" or (fmt == "template" and parsed.lines and "".join(parsed.lines).lstrip()[:1] not in ("{", "[")):
        return False
    return None


def _comments(parsed: ParsedFile) -> Iterator[_Directive]:
    hcl = _comment_syntax(parsed)
    if hcl is None or parsed.lines is None:
        return
    lines = parsed.lines
    for number, line in enumerate(lines, start=1):
        if MARKER not in line:
            continue
        start = comment_start(line, hcl)
        if start is None:
            continue
        body = line[start:].lstrip("#/ \t")
        if not body.startswith(MARKER):
            continue
        col = line.index(MARKER, start) + 1
        span = Span(parsed.path, number, col, number, len(line.rstrip()) + 1)
        if body.startswith(FILE_MARKER):
            directive = parse_directive(body[len(FILE_MARKER) :], span)
            directive.scope = ((1, 0), (_END_OF_LINE, _END_OF_LINE))
            yield directive
            continue
        directive = parse_directive(body[len(MARKER) :], span)
        directive.target = number
        if not line[:start].strip():  # alone on its line: the next line that is not a comment
            directive.target = next((n for n in range(number + 1, len(lines) + 1) if not _comment_only(lines[n - 1], hcl)), 0)
        yield directive  # at the end of the file (target 0) it is validated and hides nothing


def _comment_only(line: str, hcl: bool) -> bool:
    stripped = line.lstrip()
    return stripped.startswith("#") or (hcl and stripped.startswith("//"))


def _resource_directives(parsed: ParsedFile) -> Iterator[_Directive]:
    """CloudFormation `Metadata.jeplint.ignore` and Kubernetes `jeplint.io/ignore` annotations."""
    if parsed.kind == CLOUDFORMATION:
        for document in parsed.documents:
            resources = document.get("Resources") if isinstance(document, Mapping) else None
            if isinstance(resources, Mapping):
                for name, resource in resources.items.items():
                    scope = (_start(resources.key_spans[name]), _end(resource.span))
                    yield from _metadata(resource, name, scope)
    elif parsed.kind == KUBERNETES:
        for obj in _k8s_objects(parsed.documents):
            yield from _annotation(obj)


def _metadata(resource: Node, name: str, scope: tuple[Position, Position]) -> Iterator[_Directive]:
    metadata = resource.get("Metadata") if isinstance(resource, Mapping) else None
    ours = metadata.get("jeplint") if isinstance(metadata, Mapping) else None
    if ours is None:
        return
    entries = ours.get("ignore") if isinstance(ours, Mapping) else None
    if not isinstance(entries, Sequence) or not entries.items:
        yield _Directive(
            ours.span,
            [],
            None,
            None,
            scope=scope,
            malformed=f"resource {name}: Metadata.jeplint must be {{ignore: [{{id, reason, until}}]}}",
        )
        return
    for entry in entries.items:
        if not isinstance(entry, Mapping):
            yield _Directive(
                entry.span,
                [],
                None,
                None,
                scope=scope,
                malformed=f"resource {name}: a Metadata.jeplint.ignore entry must be {{id, reason, until}}",
            )
            continue
        ids = entry.get("id")
        texts = (
            [ids.value]
            if isinstance(ids, Scalar)
            else [i.value for i in ids.items if isinstance(i, Scalar)]
            if isinstance(ids, Sequence)
            else []
        )
        rules = [r.strip().upper() for text in texts for r in str(text).split(",") if r.strip()]
        directive = _Directive(entry.span, rules, _text(entry.get("reason")), _text(entry.get("until")), scope=scope)
        extra = [key for key in entry.items if key not in ("id", "reason", "until")]
        if extra:
            directive.stray.append(f'unexpected key "{extra[0]}" (expected id, reason, until)')
        yield directive


def _text(node: Node | None) -> str | None:
    return None if not isinstance(node, Scalar) or node.value is None else str(node.value)


def _k8s_objects(documents: list[Node]) -> Iterator[Mapping]:
    for document in documents:
        if not isinstance(document, Mapping):
            continue
        yield document
        kind, items = document.get("kind"), document.get("items")
        if isinstance(kind, Scalar) and kind.value == "List" and isinstance(items, Sequence):
            yield from (item for item in items.items if isinstance(item, Mapping))


def _annotation(obj: Mapping) -> Iterator[_Directive]:
    metadata = obj.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    value = annotations.get(ANNOTATION) if isinstance(annotations, Mapping) else None
    if value is None:
        return
    scope = (_start(obj.span), _end(obj.span))
    text = value.value if isinstance(value, Scalar) and isinstance(value.value, str) else ""
    entries = [e for e in re.split(r"[;\n]", text) if e.strip()]
    if not entries:
        yield _Directive(
            value.span,
            [],
            None,
            None,
            scope=scope,
            malformed=f'annotation {ANNOTATION} must hold entries like JEP104 reason="..." until=YYYY-MM-DD',
        )
    for entry in entries:
        directive = parse_directive("=" + entry.strip(), value.span)
        directive.scope = scope
        yield directive


# --- scopes -------------------------------------------------------------------------------------


def _start(span: Span) -> Position:
    return (span.line, span.col)


def _end(span: Span) -> Position:
    return (span.end_line, span.end_col)


def _scope_comments(parsed: ParsedFile, directives: list[_Directive]) -> None:
    """Each comment covers its target line, widened to the largest node that starts on that line."""
    if not directives:
        return
    ends: dict[int, Position] = {d.target: (d.target, _END_OF_LINE) for d in directives}
    for start, end in _coverable(parsed.documents):
        if start[0] in ends and end > ends[start[0]]:
            ends[start[0]] = end
    for directive in directives:
        directive.scope = ((directive.target, 0), ends[directive.target])


def _coverable(documents: list[Node]) -> Iterator[tuple[Position, Position]]:
    """What a comment may cover: top-level blocks (Terraform) and everything in them; in a mapping
    document, the entries below its top-level entries (a resource of `Resources:`, a statement) and
    everything in them, never the document or a top-level entry: a comment on the first line of a
    template would otherwise hide every finding in it (that is `jeplint:ignore-file`)."""
    for document in documents:
        if isinstance(document, Block):
            yield from _extents([document])
        elif isinstance(document, Mapping):
            for value in document.items.values():
                if isinstance(value, Mapping):
                    for key, item in value.items.items():
                        yield _start(value.key_spans[key]), _end(item.span)
                        yield from _extents([item])
                elif isinstance(value, Sequence):
                    yield from _extents(value.items)


def _extents(documents: list[Node]) -> Iterator[tuple[Position, Position]]:
    """(start, end) of every node and every key-to-value entry; iterative, each node once."""
    stack: list[Node] = list(documents)
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield _start(node.span), _end(node.span)
        if isinstance(node, Block):
            stack += node.blocks
            for name, value in node.attrs.items():
                yield _start(node.attr_spans[name]), _end(value.span)
                stack.append(value)
        elif isinstance(node, Mapping):
            for key, value in node.items.items():
                yield _start(node.key_spans[key]), _end(value.span)
                stack.append(value)
        elif isinstance(node, Sequence):
            stack += node.items
        elif isinstance(node, Expr):
            stack += node.args
        elif isinstance(node, Tagged):
            stack.append(node.node)


# --- validation ---------------------------------------------------------------------------------


def _validate(directive: _Directive, today: date) -> tuple[Suppression | None, list[str]]:
    """The suppression a directive stands for (None when it hides nothing) and what is wrong with it."""
    if directive.malformed:
        return None, [directive.malformed]
    problems: list[str] = []
    rules: list[str] = []
    for rule in directive.rules:
        try:
            rules.append(resolve_rule(rule))
        except UnknownRule as exc:
            problems.append(f"suppression names {exc}")
    what = f"suppression of {','.join(rules)}" if rules else "suppression"
    problems += [f"{what}: {text}" for text in directive.stray]
    if not directive.rules:
        problems.append("suppression names no rule id (e.g. JEP101 or the prefix JEP1)")
    if not rules:
        return None, problems
    if not (directive.reason or "").strip():
        problems.append(f'{what} has no reason (reason="..."); it hides nothing until it has one')
        return None, problems
    until = None
    if directive.until is not None:
        try:
            until = date.fromisoformat(directive.until.strip()) if _DATE.fullmatch(directive.until.strip()) else None
        except ValueError:
            until = None
        if until is None:
            problems.append(f"{what}: until={directive.until} is not a date (YYYY-MM-DD); it hides nothing")
            return None, problems
        if until < today:
            problems.append(f"{what} expired on {until.isoformat()}; its findings are reported again")
            return None, problems
    return Suppression("inSource", (directive.reason or "").strip(), directive.span, until, tuple(rules)), problems
