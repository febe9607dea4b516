"""python-hcl2's post-lexer, so that a scan need not import python-hcl2 (its package imports its
whole API, about 12 ms of a one-file scan) to parse with the parser jeplint ships.

Copied from python-hcl2 8.1.4, `hcl2/postlexer.py` (MIT licence, Copyright (c) 2016 Amplify
Education; see NOTICE), unchanged but for this text and its type annotations. It is used only while
the installed python-hcl2's post-lexer is that same file (`SOURCE_SHA256`, checked by
`jeplint.parse.hcl.post_lexer`): any other version's own post-lexer is imported instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from lark import Token

SOURCE_SHA256 = "4947d4e03b7ac92b5f4b8bb02d54d820a1751c8579b781bc34a2fafbc7cf301c"  # python-hcl2 8.1.4

TokenStream = Iterator[Token]

# Operator token types that may legally follow a line-continuation newline. MINUS is excluded: it
# is also unary negation, and merging a newline into it would consume statement-separating
# newlines before negative literals ("a = 1\nb = -2").
OPERATOR_TYPES: frozenset[str] = frozenset(
    {
        "DOUBLE_EQ",
        "NEQ",
        "LT",
        "GT",
        "LEQ",
        "GEQ",
        "ASTERISK",
        "SLASH",
        "PERCENT",
        "DOUBLE_AMP",
        "DOUBLE_PIPE",
        "PLUS",
        "QMARK",
    }
)


class PostLexer:
    """Transform the token stream before it reaches the LALR parser."""

    def process(self, stream: TokenStream) -> TokenStream:
        """Chain all post-lexer passes over the token stream."""
        yield from self._merge_newlines_into_operators(stream)

    def _merge_newlines_into_operators(self, stream: TokenStream) -> TokenStream:
        """Merge NL_OR_COMMENT tokens into immediately following operator tokens: an LALR parser
        cannot tell a statement-ending newline from a line-continuation newline before a binary
        operator (or `?`)."""
        pending_nl: Token | None = None
        for token in stream:
            if token.type == "NL_OR_COMMENT":
                if pending_nl is not None:
                    yield pending_nl
                pending_nl = token
            else:
                if pending_nl is not None:
                    if token.type in OPERATOR_TYPES:
                        token = token.update(value=str(pending_nl) + str(token))
                    else:
                        yield pending_nl
                    pending_nl = None
                yield token
        if pending_nl is not None:
            yield pending_nl

    @property
    def always_accept(self) -> tuple[()]:
        """Terminal names the parser must accept even when not expected by LALR (none)."""
        return ()
