"""Terraform (HCL2) text -> positioned `nodes`, every value keeping the span of its own tokens.

python-hcl2's Lark grammar and post-lexer do the parsing (the tables of `hcl2.parser.parser()`,
see `parser`); its transformer and dict output are not used. `_Converter` walks the Lark tree and
takes every position from the tokens:

- a body gives `Block`s and attributes (`attr_spans` hold the name token's span);
- a string without interpolation is a `Scalar` (escapes decoded, span includes the quotes);
  `"${expr}"` alone is `expr` itself; any other interpolation makes an `Expr("template")` whose
  args are the literal parts (Scalars) and the interpolated expressions;
- a heredoc is a `Heredoc` (its body, `<<-` indentation removed) or, with interpolations, a
  template; Lark gives a heredoc as one token, so `_TemplateScanner` finds its interpolations
  and each is parsed on its own, its positions mapped back into the file;
- `a.b[0].c` is `Expr("ref")`, `f(x)` is `Expr("call")`, a negative number literal a Scalar,
  anything else `Expr("other")` (text only). Template directives contribute their condition or
  collection to a template's args; `~` strip markers are not applied to the literal parts.

`parse_template` parses a template held in a string (a `.tf.json` value), giving every node one
fixed span. The converter recurses once per level of nesting of collections, calls and
interpolations (operators and traversals are read without recursion); input nested deeper than
Python's recursion limit allows is reported as a `ParseError`, never a crash.

Size: over the usual 400 lines on purpose: `_Converter` is one walk over one grammar, a method per
rule of python-hcl2's grammar; split across modules, each half would need the other's private
token helpers.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path
from typing import Any

# Lark imports the `regex` module when it is installed (python-hcl2 needs it) but uses it only for
# parsers made with `regex=True`, which jeplint never makes (`_NO_CALLABLES`): it is kept out of
# Lark's import (~6 ms of a one-file scan), and importable again right after.
_REGEX_KEPT_OUT = "regex" not in sys.modules
if _REGEX_KEPT_OUT:
    sys.modules["regex"] = None  # type: ignore[assignment]
try:
    from lark import Lark, Token, Tree
    from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken
    from lark.grammar import Rule
    from lark.lexer import TerminalDef
finally:
    if _REGEX_KEPT_OUT:
        del sys.modules["regex"]

from jeplint.parse import hcl_postlex  # noqa: E402
from jeplint.parse.nodes import Block, Expr, Mapping, Node, ParseError, Scalar, Sequence, Span  # noqa: E402

TOO_DEEP = "HCL nested too deeply"
MAX_DEPTH = 10_000  # brackets, braces, parentheses and interpolations open at once (see `_parse`)

_REF_STEPS = frozenset({"get_attr_expr_term", "index_expr_term", "attr_splat_expr_term", "full_splat_expr_term"})
_NAMES = frozenset({"identifier", "keyword", "literal_value"})  # what may name a block or attribute
_LITERALS = {"true": True, "false": False, "null": None}
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_HEX = frozenset("0123456789abcdefABCDEF")
_UNICODE_WIDTH = {"u": 4, "U": 8}
_SUB_PREFIX = "x=("  # an interpolation `${text}` is parsed as the file `x=(text\n)\n`


class Heredoc(Scalar):
    """A heredoc without interpolation. `value` is its body (for `<<-`, common indentation removed).

    Line i of `value` is line `body_line + i` of the file, shifted left by `indent` columns.
    """

    __slots__ = ("body_line", "indent")

    def __init__(self, value: str, span: Span, body_line: int, indent: int) -> None:
        super().__init__(value, span)
        self.body_line = body_line
        self.indent = indent

    def __repr__(self) -> str:
        return f"Heredoc({self.value!r})"


def load_hcl(text: str, path: str) -> list[Block]:
    """The top-level blocks of a `.tf` file, in source order."""
    return load_hcl_body(text, path).blocks


def load_hcl_body(text: str, path: str) -> Block:
    """A whole HCL file (`.tf`, `.tfvars`) as a synthetic root `Block` of type "" and no labels."""
    if text.startswith("\ufeff"):
        text = text[1:]  # a byte order mark is not content (as `decode` drops it with utf-8-sig)
    source = text + "\n"  # the grammar needs a final newline (as python-hcl2 itself adds)
    try:
        tree = _parse(source)
        attrs, attr_spans, blocks = _Converter(path, source).body(tree.children[0])
    except RecursionError:
        raise ParseError(TOO_DEEP) from None
    lines = text.count("\n")
    end_col = len(text) - text.rfind("\n")  # works for the first line too (rfind gives -1)
    return Block("", [], attrs, attr_spans, blocks, Span(path, 1, 1, lines + 1, end_col))


def parse_template(text: str, path: str, span: Span) -> Node:
    """A Terraform template held in a string (e.g. a `.tf.json` value); every node gets `span`.

    No interpolation gives a Scalar, `${expr}` alone the node of expr, anything else a template.
    """
    try:
        return _FixedConverter(path, "", span).template(text, 1, 1, 0, text, span)
    except RecursionError:
        raise ParseError(TOO_DEEP, span.line, span.col) from None


# -- parsing and errors -------------------------------------------------------------------------


_PARSER: list[Lark] = []  # this process's parser, once made (see `parser`)


def hcl2_file(name: str) -> Path:
    """A file of the installed python-hcl2 package (its grammar, its post-lexer), found without
    importing the package: its `__init__` imports its whole API."""
    spec = find_spec("hcl2")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("python-hcl2 is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / name


def post_lexer() -> Any:
    """python-hcl2's post-lexer: jeplint's copy (`hcl_postlex`) while the installed one is that same
    source, else python-hcl2's own."""
    try:
        same = hashlib.sha256(hcl2_file("postlexer.py").read_bytes()).hexdigest() == hcl_postlex.SOURCE_SHA256
    except (ImportError, OSError):
        same = False
    if same:
        return hcl_postlex.PostLexer()
    from hcl2.postlexer import PostLexer

    return PostLexer()


def build_tables() -> tuple[dict[str, Any], dict[Any, Any]]:
    """python-hcl2's grammar compiled by Lark, as the plain data (`data`, `memo`) Lark serializes.

    Compiled from `hcl2.lark` itself, never through `hcl2.parser.parser()`: that keeps Lark's own
    grammar cache, a pickle. The post-lexer is an object, not data: `parser_from_tables` adds it."""
    grammar = Lark.open(
        "hcl2.lark", rel_to=str(hcl2_file("hcl2.lark")), parser="lalr", propagate_positions=False, postlex=post_lexer()
    )
    data, memo = grammar.memo_serialize([TerminalDef, Rule])
    data["options"] = {**data["options"], **_NO_CALLABLES}
    if sys.version_info >= (3, 11):  # possessive repetition
        for entry in memo.values():
            if isinstance(entry, dict) and entry.get("__type__") == "TerminalDef":
                _use_lean_pattern(entry["name"], entry["pattern"])
    return data, memo


# Options that name code (classes, callbacks, plugins): never taken from stored tables.
_NO_CALLABLES: dict[str, Any] = {
    "tree_class": None,
    "transformer": None,
    "postlex": None,
    "lexer_callbacks": {},
    "edit_terminals": None,
    "_plugins": {},
    "cache": False,
    "regex": False,
}


def parser_from_tables(data: dict[str, Any], memo: dict[Any, Any]) -> Lark:
    """The parser of `build_tables` data (fresh, or read back from the parse cache as plain data).

    Lark builds only its own grammar classes from it; options are plain values, and those that
    could name code are reset here whatever the tables say."""
    options = data.get("options")
    if not isinstance(options, dict) or not all(
        isinstance(v, (str, int, bool, list, type(None), dict)) for v in options.values()
    ):
        raise ValueError("parser tables: unexpected options")
    data = {**data, "options": {**options, **_NO_CALLABLES}}
    parser = Lark._load_from_dict(data, memo, propagate_positions=False, postlex=post_lexer())
    _rules_by_identity(parser)
    return parser


class _Rule(Rule):
    """Lark's `Rule`, compared and hashed by identity in C. Lark's LALR loop hashes every rule it
    reduces (to find its callback) and compares it with the end state (`assert arg != end_state`):
    2.5 million calls of `Rule.__hash__` and `Rule.__eq__` in Python on the real corpus, ~5% of a
    Terraform parse. In one parser each rule is one object (`_rules_by_identity` checks it), so
    identity is what equality meant there."""

    __slots__ = ()
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__


def _rules_by_identity(parser: Lark) -> None:
    """Make the rules of `parser`'s parse table `_Rule`s and key its callbacks by them, when every
    rule the table reduces is one of the callbacks' keys itself; otherwise leave it as it is."""
    inner = getattr(getattr(getattr(parser, "parser", None), "parser", None), "parser", None)
    table, callbacks = getattr(inner, "parse_table", None), getattr(inner, "callbacks", None)
    if inner is None or table is None or not isinstance(callbacks, dict):
        return
    keys = {id(key) for key in callbacks if isinstance(key, Rule)}
    reduced = {id(arg): arg for actions in table.states.values() for _, arg in actions.values() if isinstance(arg, Rule)}
    if not reduced or not keys >= reduced.keys() or any(type(rule) is not Rule for rule in reduced.values()):
        return
    rules = [key for key in callbacks if isinstance(key, Rule)]
    for rule in rules:
        rule.__class__ = _Rule
    inner.callbacks = {key: value for key, value in callbacks.items()}  # hashed again, by identity


def build_parser() -> Lark:
    """python-hcl2's parser (grammar, tables, post-lexer) without `propagate_positions`.

    Propagating positions into every tree node costs about 45% of the parse time; the converter
    takes positions from the tokens instead."""
    return parser_from_tables(*build_tables())


# Lark's patterns for strings, block comments and heredocs keep backtracking state for every
# character they match: an 8 MB string took 2 GB of memory to lex. These match exactly the same
# text (tests/test_hostile.py compares them) with possessive repetition, in constant memory; a
# heredoc is read line by line, each line checked for the closing marker. name -> (Lark's, lean).
LEAN_PATTERNS = {
    "STRING_CHARS": (
        r'(?:(?!\$\$\{)(?!\$\{)(?!%%\{)(?!%\{)[^"\\]|\\.|(?:\$(?!\$?\{))|(?:%(?!%?\{)))+',
        r'(?:[^"\\$%]++|\\.|\$(?!\$?\{)|%(?!%?\{))++',
    ),
    "NL_OR_COMMENT": (
        "(?:\\/\\*(.|\n)*?(\\*\\/)|\\/\\/.*\n|#.*\n|\n[ \t]*)",
        "(?:\\/\\*(?:[^*]++|\\*(?!\\/))*+\\*\\/|\\/\\/.*\n|#.*\n|\n[ \t]*)",
    ),
    "HEREDOC_TEMPLATE": (
        "<<(?P<heredoc>[a-zA-Z][a-zA-Z0-9._-]*)\r?\n(?:(?:.|\n)*?\r?\n)??\\s*(?P=heredoc)\r?\n",
        "<<(?P<heredoc>[a-zA-Z][a-zA-Z0-9._-]*)\r?\n(?:(?![^\\S\n]*(?P=heredoc)\r?\n)[^\n]*+\n)*+[^\\S\n]*(?P=heredoc)\r?\n",
    ),
    "HEREDOC_TEMPLATE_TRIM": (
        "<<-(?P<heredoc_trim>[a-zA-Z][a-zA-Z0-9._-]*)\r?\n(?:(?:.|\n)*?\r?\n)??\\s*(?P=heredoc_trim)\r?\n",
        (
            "<<-(?P<heredoc_trim>[a-zA-Z][a-zA-Z0-9._-]*)\r?\n"
            "(?:(?![^\\S\n]*(?P=heredoc_trim)\r?\n)[^\n]*+\n)*+[^\\S\n]*(?P=heredoc_trim)\r?\n"
        ),
    ),
}


def _use_lean_pattern(name: str, pattern: dict[str, Any]) -> None:
    """Swap a serialized terminal's pattern for its lean one when it is the pattern we know."""
    known = LEAN_PATTERNS.get(name)
    if known is not None and pattern.get("value") == known[0]:
        pattern["value"] = known[1]


def parser(make: Callable[[], Lark] = build_parser) -> Lark:
    """This process's parser, made by `make` on first use (a scan passes the parse cache's
    `hcl_parser`, which reads the tables as plain data instead of compiling the grammar)."""
    if not _PARSER:
        _PARSER.append(make())
    return _PARSER[0]


_OPENING = frozenset({"LPAR", "LSQB", "LBRACE", "INTERP_START", "DIRECTIVE_START"})
_CLOSING = frozenset({"RPAR", "RSQB", "RBRACE"})


def _parse(source: str) -> Tree:
    """Lark's tree of `source`, fed token by token to stop at the first bracket that opens more
    than `MAX_DEPTH` levels deep: Lark parses any depth, at about 1 KB of memory and 50 us per
    level (gigabytes for a file of brackets), into a tree the converter could not walk. (The
    converter's own limit is lower, a few hundred levels of collections, calls or interpolations;
    parentheses cost it nothing.)"""
    try:
        interactive = parser().parse_interactive(source)
        depth, token = 0, None
        for token in interactive.iter_parse():
            if token.type in _OPENING:
                depth += 1
                if depth > MAX_DEPTH:
                    raise ParseError(TOO_DEEP, token.line, token.column)
            elif token.type in _CLOSING:
                depth -= 1
        return interactive.feed_eof(token)
    except ParseError:
        raise
    except LarkError as exc:
        raise _lark_error(exc) from None
    except (RecursionError, MemoryError):
        raise
    except Exception as exc:  # python-hcl2's post-lexer runs inside Lark: contain anything it raises
        raise ParseError(f"HCL parser failed ({type(exc).__name__})") from None


def _lark_error(exc: LarkError) -> ParseError:
    line, col = getattr(exc, "line", None), getattr(exc, "column", None)
    if not isinstance(line, int) or line < 1:
        line = col = None
    elif not isinstance(col, int) or col < 1:
        col = None
    if isinstance(exc, UnexpectedToken):
        return ParseError(_unexpected_token(exc.token, exc.expected), line, col)
    if isinstance(exc, UnexpectedCharacters):
        return ParseError(f"unexpected character {exc.char!r}", line, col)
    if isinstance(exc, UnexpectedEOF):
        return ParseError("unexpected end of file", line, col)
    return ParseError(f"invalid HCL ({type(exc).__name__})", line, col)


def _unexpected_token(token: Token, expected: set[str]) -> str:
    kind, value = token.type, str(token.value)
    if kind == "$END":
        if "STRING_CHARS" in expected and "DBLQUOTE" in expected:
            return "unterminated string"
        if expected == {"RBRACE"}:
            return "unexpected end of file, expected '}'"
        return "unexpected end of file"
    if kind == "STRING_CHARS" and "STRING_CHARS" not in expected:
        # Lark's lexer falls back to string text when nothing else matches: the rest of the line.
        if value.startswith("<<"):
            return "unterminated heredoc (closing marker not found)"
        if value[:1] in ("\n", "\r"):
            return "unexpected end of line"
        value = value[:1]
    elif kind == "NL_OR_COMMENT":
        return "unexpected comment" if value.lstrip()[:1] in ("#", "/") else "unexpected newline"
    shown = value.strip().split("\n", 1)[0][:20] or value[:1]
    return f"unexpected {shown!r}"


# -- the tree walk ------------------------------------------------------------------------------


def _is_newline(child: Any) -> bool:
    return isinstance(child, Tree) and child.data == "new_line_or_comment"


def _first_token(tree: Tree) -> Token:
    node: Any = tree
    while isinstance(node, Tree):
        node = node.children[0]
    return node


def _last_token(tree: Tree) -> Token:
    """The last token of `tree`, not counting newlines and comments (a binary operation swallows
    the newline or comment after it)."""
    node: Any = tree
    while isinstance(node, Tree):
        kids = node.children
        i = len(kids) - 1
        while _is_newline(kids[i]):
            i -= 1
        node = kids[i]
    return node


def _trees(tree: Tree) -> list[Tree]:
    """Children that are sub-trees, without the newlines and comments."""
    return [c for c in tree.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]


def _name(tree: Tree) -> str:
    """The text of an identifier, keyword or literal_value (a one-token tree)."""
    return str(tree.children[0])


def _unescape(text: str) -> str:
    """Decode the escapes of a quoted HCL string."""
    if "\\" not in text:
        return text
    out: list[str] = []
    start = 0
    i = text.find("\\")
    while 0 <= i < len(text) - 1:
        out.append(text[start:i])
        decoded, start = _escape(text, i + 1)
        out.append(decoded)
        i = text.find("\\", start)
    out.append(text[start:])
    return "".join(out)


def _escape(text: str, at: int) -> tuple[str, int]:
    """The escape whose letter is at offset `at`: its value and the offset after it."""
    c = text[at]
    if c in _ESCAPES:
        return _ESCAPES[c], at + 1
    width = _UNICODE_WIDTH.get(c, 0)
    digits = text[at + 1 : at + 1 + width]
    if width and len(digits) == width and all(d in _HEX for d in digits):
        code = int(digits, 16)
        if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), at + 1 + width
    return "\\" + c, at + 1  # not an escape Terraform accepts: kept as written


def _unescape_template(text: str) -> str:
    """Decode `$${` and `%%{`, the only escapes of a heredoc or `.tf.json` template."""
    if "$${" in text:
        text = text.replace("$${", "${")
    if "%%{" in text:
        text = text.replace("%%{", "%{")
    return text


def _template_token(token: Token) -> str:
    """The literal text of one string_part token."""
    if token.type == "STRING_CHARS":
        return _unescape(token)
    return str(token)[1:]  # ESCAPED_INTERPOLATION `$${..}` / ESCAPED_DIRECTIVE `%%{..}`


# Lark rule -> the name of the `_Converter` method that reads it. Names, not bound methods: a table
# of bound methods on the converter would be a reference cycle (converter -> table -> converter)
# that only the garbage collector frees, and a scan runs with collection paused.
_HANDLERS = {
    "expr_term": "expr_term",
    "string": "string",
    "int_lit": "number",
    "float_lit": "number",
    "literal_value": "literal",
    "identifier": "traversal",
    "tuple": "sequence",
    "object": "mapping",
    "function_call": "call",
    "heredoc_template": "heredoc",
    "heredoc_template_trim": "heredoc",
    "template_string": "template_string",
    "unary_op": "unary",
    "conditional": "conditional",
    "binary_op": "binary",
    "for_tuple_expr": "for_expr",
    "for_object_expr": "for_expr",
    **{step: "traversal" for step in _REF_STEPS},
}


class _Converter:
    """Lark tree -> nodes for one source text (`text` is what Lark parsed, for source slices)."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text

    # positions

    def make_span(self, line: int, col: int, end_line: int, end_col: int) -> Span:
        return Span(self.path, line, col, end_line, end_col)

    def span(self, tree: Tree) -> Span:
        first, last = _first_token(tree), _last_token(tree)
        return self.make_span(first.line, first.column, last.end_line, last.end_column)  # type: ignore[arg-type]

    def source(self, tree: Tree) -> str:
        return self.text[_first_token(tree).start_pos : _last_token(tree).end_pos]

    def sub_converter(self, text: str, line: int, col: int) -> _Converter:
        """The converter for `text` (an interpolation) whose first character is at (line, col)
        of this converter's text."""
        at = self.make_span(line, col, line, col)
        return _ShiftedConverter(self.path, text, at.line, at.col)

    # bodies and blocks

    def body(self, tree: Tree) -> tuple[dict[str, Node], dict[str, Span], list[Block]]:
        attrs: dict[str, Node] = {}
        attr_spans: dict[str, Span] = {}
        blocks: list[Block] = []
        for child in tree.children:
            if not isinstance(child, Tree):
                continue
            if child.data == "attribute":
                name_tree, _eq, value = child.children
                name = _name(name_tree)
                attrs[name] = self.expr(value)
                attr_spans[name] = self.span(name_tree)
            elif child.data == "block":
                blocks.append(self.block(child))
        return attrs, attr_spans, blocks

    def block(self, tree: Tree) -> Block:
        kids = _trees(tree)
        labels = [self.label(t) for t in kids[1:-1]]
        attrs, attr_spans, blocks = self.body(kids[-1])
        return Block(_name(kids[0]), labels, attrs, attr_spans, blocks, self.span(tree))

    def label(self, tree: Tree) -> Scalar:
        if tree.data in _NAMES:
            return Scalar(_name(tree), self.span(tree))
        node = self.string(tree)
        if isinstance(node, Scalar):
            return node
        return Scalar(self.source(tree), self.span(tree))

    # expressions

    def expr(self, tree: Tree) -> Node:
        handler = _HANDLERS.get(tree.data)
        return getattr(self, handler)(tree) if handler is not None else self.other(tree)

    def other(self, tree: Tree) -> Expr:
        return Expr("other", self.source(tree), self.span(tree))

    def conditional(self, tree: Tree) -> Expr:
        """`cond ? a : b` -> Expr("conditional", args=[cond, a, b])."""
        try:
            parts = [self.expr(child) for child in _trees(tree) if child.data != "new_line_or_comment"]
        except RecursionError:  # a very long chain of conditionals: keep it as text
            return self.other(tree)
        if len(parts) != 3:
            return self.other(tree)
        return Expr("conditional", self.source(tree), self.span(tree), args=parts)

    def binary(self, tree: Tree) -> Expr:
        """`a != b` -> Expr("binary", name="!=", args=[a, b]) (comparisons and logic only)."""
        trees = [child for child in _trees(tree) if child.data != "new_line_or_comment"]
        if len(trees) != 2 or trees[1].data != "binary_term":
            return self.other(tree)
        term = [child for child in _trees(trees[1]) if child.data != "new_line_or_comment"]
        operator = "".join(str(t).strip() for t in term[0].children) if term and term[0].data == "binary_operator" else ""
        if operator not in ("==", "!=", "&&", "||") or len(term) != 2:
            return self.other(tree)
        try:
            args = [self.expr(trees[0]), self.expr(term[1])]
        except RecursionError:  # a very long chain of comparisons: keep it as text
            return self.other(tree)
        return Expr("binary", self.source(tree), self.span(tree), name=operator, args=args)

    def expr_term(self, tree: Tree) -> Node:
        while not isinstance(tree.children[0], Tree):  # ( expression ): the expression, unwrapped without recursion
            inner = [child for child in _trees(tree) if child.data != "new_line_or_comment"]
            if len(inner) != 1:
                return self.other(tree)
            tree = inner[0]
            if tree.data != "expr_term":
                return self.expr(tree)
        return self.expr(tree.children[0])

    def for_expr(self, tree: Tree) -> Node:
        """`[for k, v in coll : value if cond]` / `{for k, v in coll : key => value... if cond}` ->
        Expr("for", name="tuple:k,v" / "object:k,v" ("object...:" when grouping),
        args=[collection, key (objects only), value, condition or true])."""
        trees = [child for child in _trees(tree) if child.data != "new_line_or_comment"]
        intro, rest = trees[0], trees[1:]
        names = [_name(t) for t in _trees(intro) if t.data == "identifier"]
        collection = [t for t in _trees(intro) if t.data != "identifier" and t.data != "new_line_or_comment"]
        condition: Node = Scalar(True, self.span(tree))
        if rest and rest[-1].data == "for_cond":
            cond = [t for t in _trees(rest[-1]) if t.data != "new_line_or_comment"]
            condition, rest = self.expr(cond[0]), rest[:-1]
        if len(collection) != 1 or not 1 <= len(names) <= 2:
            return self.other(tree)
        grouping = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in tree.children)
        kind = "tuple" if tree.data == "for_tuple_expr" else ("object..." if grouping else "object")
        args = [self.expr(collection[0]), *(self.expr(t) for t in rest), condition]
        if len(args) != (3 if kind == "tuple" else 4):
            return self.other(tree)
        return Expr("for", self.source(tree), self.span(tree), f"{kind}:{','.join(names)}", args)

    def number(self, tree: Tree) -> Scalar:
        token = str(tree.children[0])
        value = int(token) if tree.data == "int_lit" else float(token)
        return Scalar(value, self.span(tree))

    def literal(self, tree: Tree) -> Scalar:
        return Scalar(_LITERALS[_name(tree)], self.span(tree))

    def unary(self, tree: Tree) -> Node:
        """`-1` is the number -1; any other unary operation is text only."""
        op, operand = tree.children
        inner = operand.children[0]
        if op == "-" and isinstance(inner, Tree) and inner.data in ("int_lit", "float_lit"):
            return Scalar(-self.number(inner).value, self.span(tree))
        return self.other(tree)

    def template_string(self, tree: Tree) -> Scalar:
        """`\\"text\\"`, a string written with escaped quotes inside a template directive."""
        return Scalar(_unescape(str(tree.children[0])[2:-2]), self.span(tree))

    def traversal(self, tree: Tree) -> Expr:
        """`name.attr[0].x`: a reference when it starts from a name, else text only."""
        node = tree
        while node.data != "identifier":
            if node.data == "expr_term":
                node = node.children[0]
                if not isinstance(node, Tree):
                    return self.other(tree)  # a parenthesised expression
            elif node.data in _REF_STEPS:
                node = node.children[0]
            else:
                return self.other(tree)
        text = self.source(tree)
        if " " in text or "\n" in text or "\t" in text:
            text = "".join(text.split())
        return Expr("ref", text, self.span(tree))

    def sequence(self, tree: Tree) -> Sequence:
        return Sequence([self.expr(t) for t in _trees(tree)], self.span(tree))

    def mapping(self, tree: Tree) -> Mapping:
        items: dict[str, Node] = {}
        key_spans: dict[str, Span] = {}
        for elem in _trees(tree):
            key_tree, _sep, value = elem.children
            key = self.object_key(key_tree)
            items[key] = self.expr(value)
            key_spans[key] = self.span(key_tree)
        return Mapping(items, key_spans, self.span(tree))

    def object_key(self, tree: Tree) -> str:
        inner = tree.children[0]
        if inner.data == "keyword":
            return _name(inner)
        if inner.data == "expr_term" and isinstance(inner.children[0], Tree):
            term = inner.children[0]
            if term.data == "identifier":
                return _name(term)
            if term.data == "string":
                node = self.string(term)
                if isinstance(node, Scalar):
                    return str(node.value)
        return self.source(tree)

    def call(self, tree: Tree) -> Expr:
        names: list[str] = []
        args: list[Node] = []
        for child in _trees(tree):
            if child.data == "identifier":
                names.append(_name(child))
            else:  # arguments
                args = [self.expr(t) for t in _trees(child)]
        return Expr("call", self.source(tree), self.span(tree), "::".join(names), args)

    # strings and templates

    def string(self, tree: Tree) -> Node:
        parts = [p.children[0] for p in tree.children if isinstance(p, Tree)]
        if all(isinstance(p, Token) for p in parts):
            return Scalar("".join(_template_token(p) for p in parts if isinstance(p, Token)), self.span(tree))
        if len(parts) == 1 and parts[0].data == "interpolation":
            return self.expr(parts[0].children[1])
        args: list[Node] = []
        run: list[Token] = []
        for part in parts:
            if isinstance(part, Token):
                run.append(part)
                continue
            self.flush_literal(run, args)
            if part.data in ("interpolation", "template_if_start", "template_for_start"):
                args.append(self.expr(_trees(part)[-1]))  # the interpolated / tested / iterated expression
        self.flush_literal(run, args)
        return Expr("template", self.source(tree), self.span(tree), args=args)

    def flush_literal(self, run: list[Token], args: list[Node]) -> None:
        if run:
            first, last = run[0], run[-1]
            span = self.make_span(first.line, first.column, last.end_line, last.end_column)  # type: ignore[arg-type]
            args.append(Scalar("".join(_template_token(t) for t in run), span))
            run.clear()

    def heredoc(self, tree: Tree) -> Node:
        """`<<EOF` / `<<-EOF`. Lark gives one token, from `<<` to the newline after the marker."""
        token = tree.children[0]
        assert isinstance(token, Token)
        raw = str(token)
        newline = 2 if raw.endswith("\r\n") else 1
        body_start = raw.index("\n") + 1
        marker_start = raw.rfind("\n", 0, len(raw) - 1) + 1
        body = raw[body_start:marker_start]
        end_col = len(raw) - newline - marker_start + 1
        span = self.make_span(token.line, token.column, token.end_line - 1, end_col)  # type: ignore[arg-type, operator]
        indent = _flush_indent(body) if tree.data == "heredoc_template_trim" else 0
        body_line = token.line + 1  # type: ignore[operator]
        node = self.template(body, body_line, 1, indent, raw[: len(raw) - newline], span)
        if isinstance(node, Scalar):
            return Heredoc(node.value, span, self.make_span(body_line, 1, body_line, 1).line, indent)
        return node

    def template(self, text: str, line: int, col: int, indent: int, source: str, span: Span) -> Node:
        """A template given as raw text starting at (line, col): `${...}` and `%{...}` are parsed,
        `indent` columns are removed from each non-blank line of its literal text."""
        if "${" not in text and "%{" not in text:
            return Scalar(_unescape_template(_dedent(text, indent, True, True)), span)
        args = _TemplateScanner(self, text, line, col, indent).parts()
        if len(args) == 1 and not isinstance(args[0], Scalar) and text.startswith("${"):
            return args[0]  # `${expr}` alone: no literal text, so the text is that interpolation
        if all(isinstance(a, Scalar) for a in args):
            return Scalar("".join(str(a.value) for a in args), span)  # type: ignore[attr-defined]
        return Expr("template", source, span, args=args)

    def sub_expression(self, text: str, line: int, col: int) -> Node:
        """Parse the expression `text` (an interpolation) found at (line, col)."""
        source = f"{_SUB_PREFIX}{text}\n)\n"
        sub = self.sub_converter(source, line, col)
        try:
            tree = _parse(source)
        except ParseError as exc:
            at = sub.make_span(exc.line or 1, exc.col or 1, exc.line or 1, exc.col or 1)
            raise ParseError(exc.reason, at.line, at.col) from None
        attribute = next(c for c in tree.children[0].children if isinstance(c, Tree) and c.data == "attribute")
        value = attribute.children[2]
        inner = _trees(value)
        if value.data != "expr_term" or len(inner) != 1 or str(value.children[-1]) != ")":
            at = sub.make_span(1, len(_SUB_PREFIX) + 1, 1, 1)
            raise ParseError("invalid interpolation", at.line, at.col)
        return sub.expr(inner[0])


class _ShiftedConverter(_Converter):
    """Converter for an interpolation parsed on its own: maps its positions back into the file."""

    def __init__(self, path: str, text: str, line: int, col: int) -> None:
        super().__init__(path, text)
        self.line_shift = line - 1
        self.col_shift = col - len(_SUB_PREFIX) - 1  # applies on the first line only

    def make_span(self, line: int, col: int, end_line: int, end_col: int) -> Span:
        if line == 1:
            col += self.col_shift
        if end_line == 1:
            end_col += self.col_shift
        return Span(self.path, line + self.line_shift, col, end_line + self.line_shift, end_col)


class _FixedConverter(_Converter):
    """Converter whose every node gets one span (a template inside a `.tf.json` string)."""

    def __init__(self, path: str, text: str, span: Span) -> None:
        super().__init__(path, text)
        self.fixed = span

    def make_span(self, line: int, col: int, end_line: int, end_col: int) -> Span:
        return self.fixed

    def sub_converter(self, text: str, line: int, col: int) -> _Converter:
        return _FixedConverter(self.path, text, self.fixed)


def _flush_indent(body: str) -> int:
    """What `<<-` removes: the least leading whitespace of the non-blank lines (as Terraform)."""
    least = -1
    for line in body.split("\n"):
        stripped = line.lstrip()
        if stripped:
            width = len(line) - len(stripped)
            if least < 0 or width < least:
                least = width
    return max(least, 0)


def _dedent(text: str, indent: int, at_line_start: bool, at_end: bool) -> str:
    """Remove `indent` leading columns from the lines of a literal run of a `<<-` heredoc.

    As Terraform: a whitespace-only line is left alone, unless an interpolation follows it (the
    run's last line when the run does not end the heredoc); a first line that does not start a
    line of the heredoc is never touched."""
    if not indent:
        return text
    lines = text.split("\n")
    last = len(lines) - 1
    for i in range(0 if at_line_start else 1, last + 1):
        if (i < last and lines[i].strip()) or (i == last and not at_end):
            lines[i] = lines[i][indent:]
    return "\n".join(lines)


class _TemplateScanner:
    """Splits raw template text into literal Scalars and parsed `${...}` / `%{...}` expressions."""

    def __init__(self, conv: _Converter, text: str, line: int, col: int, indent: int) -> None:
        self.conv = conv
        self.text = text
        self.indent = indent
        self.at, self.line, self.col = 0, line, col  # a position and its line/column

    def position(self, offset: int) -> tuple[int, int]:
        """Line and column of `offset` (never before the last one asked for)."""
        text = self.text
        newlines = text.count("\n", self.at, offset)
        if newlines:
            self.line += newlines
            self.col = offset - text.rfind("\n", self.at, offset)
        else:
            self.col += offset - self.at
        self.at = offset
        return self.line, self.col

    def parts(self) -> list[Node]:
        text = self.text
        args: list[Node] = []
        literal = 0  # start of the pending literal text
        i = 0
        while True:
            j = _next_opening(text, i)
            if j < 0:
                break
            end = _closing_brace(text, j + 2)
            if end < 0:
                line, col = self.position(j)
                at = self.conv.make_span(line, col, line, col)
                raise ParseError("unterminated template interpolation", at.line, at.col)
            self.literal(literal, j, args)
            inner = self.directive(j + 2, end) if text[j] == "%" else self.interpolation(j + 2, end)
            if inner is not None:
                args.append(inner)
            literal = i = end + 1
        self.literal(literal, len(text), args)
        return args

    def literal(self, start: int, end: int, args: list[Node]) -> None:
        if start >= end:
            return
        at_line_start = start == 0 or self.text[start - 1] == "\n"
        value = _dedent(self.text[start:end], self.indent, at_line_start, end == len(self.text))
        if value:  # not only indentation that `<<-` removes
            line, col = self.position(start)
            end_line, end_col = self.position(end)
            args.append(Scalar(_unescape_template(value), self.conv.make_span(line, col, end_line, end_col)))

    def interpolation(self, start: int, end: int) -> Node:
        """`${ expr }` (with optional `~` strip markers) between text offsets start and end."""
        if self.text.startswith("~", start):
            start += 1
        if end > start and self.text[end - 1] == "~":
            end -= 1
        line, col = self.position(start)
        return self.conv.sub_expression(self.text[start:end], line, col)

    def directive(self, start: int, end: int) -> Node | None:
        """`%{ if cond }` / `%{ for x in coll }`: the condition or collection; other directives: None."""
        text = self.text
        if text.startswith("~", start):
            start += 1
        body = text[start:end].rstrip("~")
        keyword = body.split(None, 1)[0] if body.strip() else ""
        offset = body.find(keyword) + len(keyword)
        if keyword == "for":
            found = _in_keyword(body, offset)
            if found < 0:
                return None
            offset = found + 2
        elif keyword != "if":
            return None
        line, col = self.position(start + offset)
        return self.conv.sub_expression(body[offset:], line, col)


def _next_opening(text: str, start: int) -> int:
    """Offset of the next unescaped `${` or `%{` from `start`, or -1."""
    while True:
        dollar, percent = text.find("${", start), text.find("%{", start)
        j = min(dollar, percent) if dollar >= 0 and percent >= 0 else max(dollar, percent)
        if j <= 0 or text[j - 1] != text[j]:
            return j
        start = j + 2  # `$${` / `%%{`: an escaped, literal opening


def _closing_brace(text: str, start: int) -> int:
    """Offset of the `}` closing an interpolation whose expression starts at `start`, or -1.

    Tracks braces and quoted strings (which may hold interpolations of their own)."""
    stack = ["{"]  # "{": inside an expression; '"': inside a quoted string
    i, n = start, len(text)
    while i < n:
        c = text[i]
        if stack[-1] == '"':
            if c == "\\":
                i += 1
            elif c == '"':
                stack.pop()
            elif c == "$" and text.startswith("${", i):
                stack.append("{")
                i += 1
        elif c == '"':
            stack.append('"')
        elif c == "{":
            stack.append("{")
        elif c == "}":
            stack.pop()
            if not stack:
                return i
        i += 1
    return -1


def _in_keyword(body: str, start: int) -> int:
    """Offset of the `in` keyword of a `for` directive (whitespace on both sides), or -1."""
    i = body.find("in", start)
    while i >= 0:
        if i > 0 and body[i - 1].isspace() and i + 2 < len(body) and body[i + 2].isspace():
            return i
        i = body.find("in", i + 2)
    return -1
