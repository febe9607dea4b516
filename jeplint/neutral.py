"""Text from scanned files, made harmless for every human-facing output (issue 20, item 7).

File names, identity names, messages and reasons are written by whoever wrote the scanned
repository. Before any of it reaches a terminal, a CI log, a workflow command or a Markdown comment:

- C0 control characters (newline, carriage return, escape: terminal and OSC sequences) and DEL
  become `\\xNN`; C1 (U+0080-U+009F), bidirectional overrides and isolates, and the Unicode line
  and paragraph separators become `\\uNNNN`. The text stays on one line and reads as written.
- A `::` at the start of a line (GitHub's workflow commands: `::stop-commands::`, `::error`)
  becomes `\\x3a:`; as nothing above leaves a newline in the text, the start of the text is the
  only place a line can start (`neutral(..., line_start=False)` for text that follows other text).

`path` is the same for file names, and also writes a backslash as `\\\\`, so that the escaped form of
two different names is never the same (`a<U+0001>.tf` and a file literally named `a\\x01.tf`).
Every report module and the command line use these two functions; there is no second copy.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_KEEP_NEWLINES = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_PATH_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\\]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x5C:
        return "\\\\"
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a name that is not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


def neutral(text: str, line_start: bool = True, encoded_newlines: bool = False) -> str:
    """`text` on one line, without control characters, bidi overrides or a leading workflow command.

    `encoded_newlines`: CR and LF are left for the caller, whose format encodes them (GitHub's
    workflow commands write them `%0D`, `%0A`)."""
    out = (_UNSAFE_KEEP_NEWLINES if encoded_newlines else _UNSAFE).sub(_escape, text)
    if line_start and out.startswith("::"):
        out = "\\x3a" + out[1:]
    return out


def path(name: str, line_start: bool = True) -> str:
    """A file name as text any report can carry: `neutral`, with backslashes and the bytes of a
    name that is not UTF-8 escaped too (`\\xNN`, NN >= 80), so distinct names stay distinct."""
    name = _PATH_UNSAFE.sub(_escape, name)
    if line_start and name.startswith("::"):
        name = "\\x3a" + name[1:]
    return name
