"""Step 2 of the pipeline: one file -> a `ParsedFile` (pure: no state, safe in a worker process).

Decoding, format detection and error capture live here; the format parsers are in the sibling
modules. Every failure becomes a `ParseError` with a reason and a line where known: nothing a file
contains can raise out of `parse_file`.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass, field

from jeplint.parse.nodes import Block, Mapping, Node, ParseError, Scalar, Sequence, Span

MAX_FILE_BYTES = 8 * 1024 * 1024  # default cap per file (configurable with --max-file-size)

# What a document is, decided from its content (section 4 of the walking-skeleton issue).
TERRAFORM = "terraform"
CLOUDFORMATION = "cloudformation"
KUBERNETES = "kubernetes"
IAM_POLICY = "iam-policy"
TERRAFORM_VARS = "terraform-vars"
TERRAFORM_PLAN = "terraform-plan"  # `terraform show -json` of a plan or a state

# Cheap pre-filter: a JSON/YAML file that holds none of these words is not IaC we read.
_MARKERS = ("AWSTemplateFormatVersion", "Resources", "apiVersion", "Statement", "format_version")


@dataclass(slots=True)
class ParsedFile:
    path: str  # as displayed and reported (relative to the working directory, POSIX separators)
    kind: str | None = None  # None: not IaC we read (skipped without noise)
    documents: list[Node] = field(default_factory=list)  # Blocks for Terraform, else one per document
    error: ParseError | None = None
    notice: str = ""  # a non-fatal remark (e.g. "Helm template, not rendered")
    notice_at: tuple[int, int] | None = None  # (line, col) of the remark, when it has a place
    lines: list[str] | None = None  # source lines, kept for suppression comments and fingerprints
    # True once a scan that keeps no trees (`jeplint.run.Settings.keep_trees`) dropped `documents`
    # after building its graph: a reader that needs them parses the file again.
    released: bool = False


def decode(data: bytes) -> str:
    """Bytes -> text: UTF-8 (BOM allowed) or UTF-16/32 with a BOM; anything else is an error."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ParseError(f"invalid {encoding} text: {exc.reason}") from None
    if b"\0" in data[:8192]:
        raise ParseError("binary file (NUL bytes), not text", *_position(data, data.index(b"\0")))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", *_position(data, exc.start)) from None


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a byte offset; the column counts bytes."""
    return data.count(b"\n", 0, offset) + 1, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def file_format(path: str) -> str | None:
    """The parser a file name calls for, or None when jeplint does not read such files."""
    name = path.lower()
    if name.endswith(".tfvars"):
        return "tfvars"
    if name.endswith(".tfvars.json"):
        return "tfvars.json"
    if name.endswith(".tf.json"):
        return "tf.json"
    if name.endswith(".tf"):
        return "tf"
    if name.endswith(".json"):
        return "json"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    if name.endswith(".template"):
        return "template"
    return None


def parse_file(path: str, display: str, max_bytes: int = MAX_FILE_BYTES) -> ParsedFile:
    """Read and parse one file. Never raises for anything the file contains."""
    if file_format(path) is None:
        return ParsedFile(display)
    try:
        text = _read(path, max_bytes)
    except ParseError as exc:
        return ParsedFile(display, "unknown", error=exc)
    return parse_text(text, path, display)


def parse_text(text: str, path: str, display: str) -> ParsedFile:
    """Parse `text` as the content of `path` (its name decides the format): an editor's unsaved
    buffer, or a file with fixes applied. Never raises for anything the text contains."""
    result = ParsedFile(display)
    fmt = file_format(path)
    if fmt is None:
        return result
    try:
        if fmt in ("tf", "tf.json"):
            result.kind = TERRAFORM
            result.documents = list(_terraform(text, display, fmt))
        elif fmt == "tfvars":
            from jeplint.parse.hcl import load_hcl_body

            result.kind = TERRAFORM_VARS
            result.documents = [load_hcl_body(text, display)]
        elif fmt == "tfvars.json":  # variable values as a JSON object: the same root Block
            from jeplint.parse.jsonpos import load_json

            result.kind = TERRAFORM_VARS
            body = load_json(text, display)
            if not isinstance(body, Mapping):
                raise ParseError("a .tfvars.json file holds one JSON object", body.span.line, body.span.col)
            result.documents = [Block("", [], dict(body.items), dict(body.key_spans), [], body.span)]
        else:
            _structured(result, text, fmt)
        if result.kind is not None:
            result.lines = text.splitlines()
    except ParseError as exc:
        result.kind = result.kind or "unknown"
        result.error = exc
    except RecursionError:
        result.error = ParseError("input nested too deeply")
    except MemoryError:
        result.error = ParseError("input too large to analyse")
    except Exception as exc:  # a parser bug must not end the scan: this file is reported, the others analysed
        if os.environ.get("JEPLINT_DEBUG"):
            raise
        result.kind = result.kind or "unknown"
        result.error = ParseError(f"internal error while parsing: {type(exc).__name__}: {exc}")
    return result


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # POSIX: opening a FIFO returns at once
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def _read(path: str, max_bytes: int) -> str:
    """The text of `path`, a regular file of at most `max_bytes` bytes.

    Anything else (a FIFO, a device, a socket) is reported without being opened. The file is then
    opened without blocking and checked again on the open descriptor, so one swapped for a FIFO
    after that first check is reported too, never waited on.
    """
    try:
        _check_regular(os.stat(path), max_bytes)
        with open(os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY), "rb") as handle:
            _check_regular(os.fstat(handle.fileno()), max_bytes)
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ParseError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise ParseError(f"file grew over the {max_bytes:,}-byte limit while being read")
    return decode(data)


def read_text(path: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of a regular file of at most `max_bytes` bytes (`ParseError` otherwise), read as
    every scanned file is (see `_read`)."""
    return _read(path, max_bytes)


def _check_regular(st: os.stat_result, max_bytes: int) -> None:
    """Raise a `ParseError` unless `st` is a regular file of at most `max_bytes` bytes."""
    if not stat.S_ISREG(st.st_mode):
        raise ParseError("not a regular file")
    if st.st_size > max_bytes:
        raise ParseError(f"file is {st.st_size:,} bytes, over the {max_bytes:,}-byte limit (--max-file-size)")


def _terraform(text: str, display: str, fmt: str) -> list[Node]:
    if fmt == "tf":
        from jeplint.parse.hcl import load_hcl

        return list(load_hcl(text, display))
    from jeplint.parse.jsonpos import load_json
    from jeplint.parse.tfjson import tfjson_blocks

    if not text.strip():
        return []
    return list(tfjson_blocks(load_json(text, display), display))


def _structured(result: ParsedFile, text: str, fmt: str) -> None:
    if not any(marker in text for marker in _MARKERS) and "\\" not in text:
        return  # not IaC: skipped without noise (a backslash may spell a key with escapes: classify after parsing)
    is_json = fmt == "json" or (fmt == "template" and text.lstrip()[:1] in ("{", "["))
    duplicates: list[tuple[str, Span]] = []
    try:
        if is_json:
            from jeplint.parse.jsonpos import load_json

            documents = [load_json(text, result.path, duplicates=duplicates)]
        else:
            from jeplint.parse.yamlpos import load_yaml

            documents = load_yaml(text, result.path, duplicates)
    except ParseError as exc:
        if not is_json and unrendered_template(text, exc.line):
            result.notice = "looks like an unrendered template ('{{ }}'); render it first (for example `helm template`)"
            result.notice_at = (exc.line, exc.col or 1) if exc.line else None
            return
        # A broken file that announces an IaC kind is an error; broken non-IaC files stay silent.
        result.kind = _kind_from_text(text)
        if result.kind is None:
            return
        raise
    kinds = [classify(doc) for doc in documents]
    found = [k for k in kinds if k is not None]
    if found and found[0] == TERRAFORM_PLAN and is_json:
        from jeplint.parse.tfplan import plan_modules

        result.kind = TERRAFORM_PLAN  # set first: a malformed plan is reported as one (exit 2)
        result.documents = list(plan_modules(documents[0], result.path))  # type: ignore[arg-type]
        return
    if found:
        result.kind = found[0]
        result.documents = [doc for doc, kind in zip(documents, kinds) if kind is not None]
        if duplicates:
            key, span = duplicates[0]
            more = f" (and {len(duplicates) - 1} more repeated keys)" if len(duplicates) > 1 else ""
            result.notice = f"key '{key}' is repeated in one object{more}: only its last value counts, the earlier one is ignored"
            result.notice_at = (span.line, span.col)


def unrendered_template(text: str, error_line: int | None) -> bool:
    """Whether a YAML parse error comes from template syntax rather than a broken document: the
    error is on a line that holds `{{` outside a comment, on the line after one, or inside a
    `{{ ... }}` that spans lines. A `{{` elsewhere (in a comment, in another document) does not
    excuse a broken document: that is still an error. (A file in a Helm chart's `templates/`
    folder is a template whatever the error: `jeplint.run` decides that, from the file's place.)
    """
    if error_line is None:
        return False
    lines = text.splitlines()
    inside = False  # within a {{ ... }} that spans lines
    for number, line in enumerate(lines[:error_line], start=1):
        code = line if line.lstrip().startswith("{{") else _YAML_COMMENT.split(line, 1)[0]
        touches = inside or "{{" in code
        if "{{" in code or inside:
            inside = code.rfind("{{") > code.rfind("}}") if "{{" in code else "}}" not in code
        if touches and number >= error_line - 1:
            return True
    return False


_YAML_COMMENT = re.compile(r"(?:^|\s)#")


_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")


def _kind_from_text(text: str) -> str | None:
    if "\\" in text:  # a key may be spelt with escapes ("\u0053tatement"): sniff what a parser would read
        text = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    if '"format_version"' in text and any(f'"{key}"' in text for key in ("planned_values", "resource_changes", "prior_state")):
        return TERRAFORM_PLAN
    if "AWSTemplateFormatVersion" in text or "AWS::" in text:
        return CLOUDFORMATION
    if "apiVersion" in text and "kind" in text:
        return KUBERNETES
    if "Statement" in text:
        return IAM_POLICY
    return None


def classify(doc: Node) -> str | None:
    """The kind of one document, from its content alone."""
    if not isinstance(doc, Mapping):
        return None
    items = doc.items
    if "format_version" in items and any(
        k in items for k in ("planned_values", "resource_changes", "prior_state", "values", "configuration")
    ):
        return TERRAFORM_PLAN
    if "AWSTemplateFormatVersion" in items:
        return CLOUDFORMATION
    resources = items.get("Resources")
    if isinstance(resources, Mapping) and any(_aws_type(r) for r in resources.items.values()):
        return CLOUDFORMATION
    if isinstance(items.get("apiVersion"), Scalar) and isinstance(items.get("kind"), Scalar):
        return KUBERNETES
    if isinstance(items.get("Statement"), (Sequence, Mapping)):
        return IAM_POLICY
    return None


def _aws_type(resource: Node) -> bool:
    if not isinstance(resource, Mapping):
        return False
    kind = resource.get("Type")
    return isinstance(kind, Scalar) and isinstance(kind.value, str) and kind.value.startswith("AWS::")
