"""The HCL parser shipped in the package, ready made: `jeplint/data/hcl-parser.pickle`.

Making python-hcl2's parser means compiling its grammar (1-3 s) or rebuilding Lark's objects from
its tables (~35 ms, Lark's generic deserializer: the largest part of a one-file scan). The package
therefore ships the parser itself, as Lark builds it from the tables (`hcl.build_parser`), pickled:
read in ~7 ms (not compressed, which took 1.5 ms more: git and wheels compress it). It is part of
the package, as trusted as its code, and is still read with care:

- it is used only when it was made from the grammar file, post-lexer and Lark installed here (`tables_key`)
  and its SHA-256 matches (a damaged file is refused before it is read);
- the unpickler makes only Lark's own classes, python-hcl2's post-lexer (jeplint's copy of it), `functools.partial`,
  `hcl._Rule` and the two references below (`_action`, `_re`); anything else refuses the file.

Nothing is ever pickled to or read from the cache folder: when the shipped parser does not fit the
installed python-hcl2 or Lark, the scan reads the plain-data tables of the cache folder or compiles
(`jeplint.cache.ParseCache.hcl_parser`). `python scripts/build_hcl_tables.py` rewrites the file.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import re
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lark import Lark

SHIPPED_PARSER = "hcl-parser.pickle"  # in jeplint/data: `<key>\n<sha-256 of body>\n<body>` (git and wheels compress it)
SHIPPED_FORMAT = (
    4  # part of the key: bump when what is pickled changes (2: marshal tables; 3: the parser; 4: its post-lexer copied)
)

# What the shipped parser may be made of: Lark's classes (found by name in these modules) and these.
_LARK_MODULES = frozenset(
    {
        "lark.common",
        "lark.grammar",
        "lark.lark",
        "lark.lexer",
        "lark.parse_tree_builder",
        "lark.parser_frontends",
        "lark.parsers.lalr_analysis",
        "lark.parsers.lalr_parser",
        "lark.tree",
    }
)
_OTHERS = frozenset(
    {
        ("jeplint.parse.hcl_postlex", "PostLexer"),  # python-hcl2's, copied (`hcl.post_lexer`)
        ("functools", "partial"),
        ("jeplint.parse.hcl", "_Rule"),  # Lark's Rule compared by identity (`hcl._rules_by_identity`)
        (__name__, "_action"),
        (__name__, "_re"),
    }
)


def tables_key() -> str:
    """What the parser is made from: python-hcl2's grammar file and post-lexer, Lark's version,
    whether the lean (possessive) patterns apply and `SHIPPED_FORMAT`. The shipped parser is used
    only when it matches. Read without importing python-hcl2 (`hcl.hcl2_file`)."""
    import lark

    from jeplint.parse.hcl import hcl2_file

    grammar = hcl2_file("hcl2.lark").read_bytes() + b"\0" + hcl2_file("postlexer.py").read_bytes()
    lean = "lean" if sys.version_info >= (3, 11) else "plain"
    return hashlib.sha256(grammar + f"\0{lark.__version__}\0{lean}\0{SHIPPED_FORMAT}".encode()).hexdigest()


def _action(name: str) -> object:
    """Lark's `Shift` or `Reduce` (the parser compares them by identity: never a copy)."""
    from lark.parsers import lalr_analysis

    if name not in ("Shift", "Reduce"):
        raise pickle.UnpicklingError(f"not a parser action: {name!r}")
    return getattr(lalr_analysis, name)


def _re() -> types.ModuleType:
    """The `re` module, which Lark's lexer holds (a module is not pickled)."""
    return re


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        from lark.parsers.lalr_analysis import Reduce, Shift

        if obj is Shift or obj is Reduce:
            return _action, (str(obj),)
        if obj is re:
            return _re, ()
        if isinstance(obj, types.ModuleType):
            raise pickle.PicklingError(f"the parser holds the module {obj.__name__}")
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _OTHERS:
            return super().find_class(module, name)
        if module in _LARK_MODULES:
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"not part of a parser: {module}.{name}")


def dump_shipped_parser(parser: Lark) -> bytes:
    """The file `shipped_parser` reads (written by scripts/build_hcl_tables.py), from a parser not
    used yet (its lexers compile their patterns on first use, in the process that uses them)."""
    out = io.BytesIO()
    _Pickler(out, 5).dump(parser)
    body = out.getvalue()
    header = f"{tables_key()}\n{hashlib.sha256(body).hexdigest()}\n".encode("ascii")
    return header + body


def shipped_parser() -> Lark | None:
    """The HCL parser shipped with jeplint, when it was made from the grammar and Lark installed
    here; None otherwise (the caller reads the cache folder's tables, or compiles)."""
    from jeplint.datafiles import data_file

    try:
        return read_shipped_parser(data_file(SHIPPED_PARSER).read_bytes())
    except OSError:  # absent: the cache folder's tables, or compile
        return None


def read_shipped_parser(data: bytes) -> Lark | None:
    """The parser of `dump_shipped_parser` bytes; None when damaged, for another grammar or Lark, or
    made of anything but a parser's classes."""
    from lark import Lark

    try:
        key, digest, body = data.split(b"\n", 2)
        if key.decode("ascii") != tables_key() or hashlib.sha256(body).hexdigest().encode("ascii") != digest:
            return None
        parser = _Unpickler(io.BytesIO(body)).load()
    except (ValueError, EOFError, TypeError, AttributeError, ImportError, IndexError, pickle.UnpicklingError):
        return None
    return parser if isinstance(parser, Lark) else None
