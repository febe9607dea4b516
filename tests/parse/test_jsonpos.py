"""JSON -> positioned nodes: spans, offsets, strict syntax errors, escapes, depth limit, json.loads parity."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jeplint.parse.jsonpos import MAX_DEPTH, load_json
from jeplint.parse.nodes import Mapping, Node, ParseError, Scalar, Sequence, Span, plain

PATH = "policy.json"


def at(text: str, needle: str, nth: int = 0) -> Span:
    """The span of the nth occurrence of `needle` in `text` (an oracle independent of the parser)."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    end = offset + len(needle)
    line = text.count("\n", 0, offset) + 1
    col = offset - text.rfind("\n", 0, offset)
    end_line = text.count("\n", 0, end) + 1
    end_col = end - text.rfind("\n", 0, end)
    return Span(PATH, line, col, end_line, end_col)


POLICY = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:*", "iam:PassRole"], "Resource": "*"},
    {"Effect": "Deny", "NotAction": "iam:*", "Priority": -1.5e2, "Enabled": true, "Note": null}
  ]
}
"""


def test_values_are_plain_json() -> None:
    assert plain(load_json(POLICY, PATH)) == json.loads(POLICY)


def test_string_and_key_spans_include_quotes() -> None:
    doc = load_json(POLICY, PATH)
    assert isinstance(doc, Mapping)
    assert doc.key_spans["Version"] == at(POLICY, '"Version"')
    assert doc.items["Version"].span == at(POLICY, '"2012-10-17"')
    first = doc.items["Statement"].items[0]
    assert first.key_spans["Action"] == at(POLICY, '"Action"')
    assert [a.span for a in first.items["Action"].items] == [at(POLICY, '"s3:*"'), at(POLICY, '"iam:PassRole"')]


def test_scalar_spans_of_numbers_and_literals() -> None:
    second = load_json(POLICY, PATH).items["Statement"].items[1]
    assert second.items["Priority"].span == at(POLICY, "-1.5e2")
    assert second.items["Enabled"].span == at(POLICY, "true")
    assert second.items["Note"].span == at(POLICY, "null")


def test_container_spans_run_from_bracket_to_after_bracket() -> None:
    doc = load_json(POLICY, PATH)
    assert doc.span == Span(PATH, 1, 1, 7, 2)
    statements = doc.items["Statement"]
    assert isinstance(statements, Sequence)
    assert statements.span == Span(PATH, 3, 16, 6, 4)
    assert statements.items[0].span == at(POLICY, '{"Effect": "Allow", "Action": ["s3:*", "iam:PassRole"], "Resource": "*"}')
    assert statements.items[0].items["Action"].span == at(POLICY, '["s3:*", "iam:PassRole"]')


def test_empty_containers() -> None:
    doc = load_json('{"a": {}, "b": [ ]}', PATH)
    assert plain(doc) == {"a": {}, "b": []}
    assert doc.items["a"].span == Span(PATH, 1, 7, 1, 9)
    assert doc.items["b"].span == Span(PATH, 1, 16, 1, 19)


def test_numbers_become_int_or_float() -> None:
    values = plain(load_json("[0, -7, 12345678901234567890, 1.5, 1e3, -0.0, 2E-2]", PATH))
    assert values == [0, -7, 12345678901234567890, 1.5, 1000.0, -0.0, 0.02]
    assert [type(v) for v in values] == [int, int, int, float, float, float, float]


def test_escapes_including_surrogate_pairs() -> None:
    text = r'["\"\\\/\b\f\n\r\t", "\u00e9\u4e2d", "\ud83d\ude00", "\ud800x", "\udc00\ud800", "a\u0000b"]'
    expected = json.loads(text)
    expected[3:5] = ["\ufffdx", "\ufffd\ufffd"]  # lone surrogates become U+FFFD: no report could write them
    assert plain(load_json(text, PATH)) == expected
    assert plain(load_json(text, PATH))[2] == "\U0001f600"


def test_escaped_key() -> None:
    doc = load_json('{"a\\"b": 1}', PATH)
    assert list(doc.items) == ['a"b']
    assert doc.key_spans['a"b'] == Span(PATH, 1, 2, 1, 8)


def test_duplicate_keys_last_wins() -> None:
    text = '{"a": 1, "b": 2, "a": 3}'
    doc = load_json(text, PATH)
    assert plain(doc) == json.loads(text) == {"a": 3, "b": 2}
    assert doc.key_spans["a"] == at(text, '"a"', 1)
    assert doc.items["a"].span == at(text, "3")


def test_crlf_line_endings_leave_columns_alone() -> None:
    lf = '{\n  "a": [1,\n    "x"]\n}\n'
    crlf = lf.replace("\n", "\r\n")
    a, b = load_json(lf, PATH), load_json(crlf, PATH)
    assert plain(a) == plain(b)
    assert a.span == b.span
    assert a.key_spans == b.key_spans
    assert [n.span for n in a.items["a"].items] == [n.span for n in b.items["a"].items]


def test_offset_shifts_only_the_first_line() -> None:
    text = '{"a": 1,\n "b": "x"}'
    doc = load_json(text, "main.tf", line=10, col=15)
    assert doc.key_spans["a"] == Span("main.tf", 10, 16, 10, 19)
    assert doc.items["a"].span == Span("main.tf", 10, 21, 10, 22)
    assert doc.key_spans["b"] == Span("main.tf", 11, 2, 11, 5)
    assert doc.span == Span("main.tf", 10, 15, 11, 11)


def test_indent_shifts_the_later_lines() -> None:
    """A `<<-` heredoc body lost `indent` columns on every line."""
    text = '{"a": 1,\n"b": "x"}'
    doc = load_json(text, "main.tf", line=4, col=5, indent=4)
    assert doc.key_spans["a"] == Span("main.tf", 4, 6, 4, 9)
    assert doc.key_spans["b"] == Span("main.tf", 5, 5, 5, 8)
    assert doc.span == Span("main.tf", 4, 5, 5, 14)


def test_error_positions_follow_the_offset() -> None:
    with pytest.raises(ParseError) as caught:
        load_json('{"a": 1,\n "b" 2}', "main.tf", line=10, col=15)
    assert (caught.value.reason, caught.value.line, caught.value.col) == ("expected ':' after object key", 11, 6)


@pytest.mark.parametrize(
    ("text", "reason", "line", "col"),
    [
        ("", "empty document", 1, 1),
        ("  \n\t", "empty document", 2, 2),
        ('{"a": 1 "b": 2}', "expected ',' or '}' after object member", 1, 9),
        ('{"a": 1]', "expected ',' or '}' after object member", 1, 8),
        ("[1 2]", "expected ',' or ']' after array element", 1, 4),
        ('["a": 1]', "expected ',' or ']' after array element", 1, 5),
        ("[1,]", "expected a JSON value", 1, 4),
        ("[,1]", "expected a JSON value", 1, 2),
        ('{"a": 1,}', "expected a string object key", 1, 9),
        ("{a: 1}", "expected a string object key", 1, 2),
        ('{"a" 1}', "expected ':' after object key", 1, 6),
        ('{"a":}', "expected a JSON value", 1, 6),
        ('{"a": 1', "unexpected end of input: expected ',' or '}' after object member", 1, 8),
        ("[\n", "unexpected end of input: expected a JSON value", 2, 1),
        ('["abc', "unterminated string", 1, 2),
        ('["abc\n"]', "unterminated string", 1, 2),
        ('"a\\x"', "invalid escape sequence in string", 1, 3),
        ('"\\u12G4"', "invalid escape sequence in string", 1, 2),
        ('"a\tb"', "control character in string (must be escaped)", 1, 3),
        ("[1] [2]", "extra data after JSON value", 1, 5),
        ("{}\n\n  x", "extra data after JSON value", 3, 3),
        ("01", "extra data after JSON value", 1, 2),
        ("[NaN]", "expected a JSON value", 1, 2),
        ("[True]", "expected a JSON value", 1, 2),
        ("'a'", "expected a JSON value", 1, 1),
        ("[1}", "expected ',' or ']' after array element", 1, 3),
        ("[}", "expected a JSON value", 1, 2),
        ("1" * 5000, "number too large", 1, 1),
    ],
)
def test_errors(text: str, reason: str, line: int, col: int) -> None:
    with pytest.raises(ParseError) as caught:
        load_json(text, PATH)
    assert (caught.value.reason, caught.value.line, caught.value.col) == (reason, line, col)


def test_nesting_up_to_the_limit_parses() -> None:
    doc = load_json("[" * MAX_DEPTH + "]" * MAX_DEPTH, PATH)
    depth = 0
    while isinstance(doc, Sequence) and doc.items:
        doc, depth = doc.items[0], depth + 1
    assert depth == MAX_DEPTH - 1


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_very_deep_nesting_is_an_error_not_a_crash(opener: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ParseError) as caught:
        load_json(opener * 100_000, PATH)
    assert caught.value.reason == "JSON nested deeper than 2000 levels"
    assert (caught.value.line, caught.value.col) == (1, MAX_DEPTH * len(opener) + 1)
    assert time.perf_counter() - start < 2


def test_no_recursion_limit_below_max_depth() -> None:
    text = '{"a":' * (MAX_DEPTH - 1) + "[]" + "}" * (MAX_DEPTH - 1)
    assert isinstance(load_json(text, PATH), Mapping)


# -- json.loads parity ---------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)


def _strings(node: Node) -> list[Scalar]:
    """Every string Scalar under `node` (iterative: the tree can be deep)."""
    found, todo = [], [node]
    while todo:
        n = todo.pop()
        if isinstance(n, Scalar) and isinstance(n.value, str):
            found.append(n)
        elif isinstance(n, (Mapping, Sequence)):
            todo.extend(n.items.values() if isinstance(n, Mapping) else n.items)
    return found


def _source(text: str, span: Span) -> str:
    """The text a single-line span covers."""
    assert span.line == span.end_line
    line = text.split("\n")[span.line - 1]
    return line[span.col - 1 : span.end_col - 1]


@settings(max_examples=300, deadline=None)
@given(
    value=json_values,
    indent=st.sampled_from([None, 0, 2, "\t"]),
    ensure_ascii=st.booleans(),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_agrees_with_json_loads(value: object, indent: object, ensure_ascii: bool, newline: str) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii).replace("\n", newline)
    doc = load_json(text, PATH)
    assert plain(doc) == json.loads(text)
    for scalar in _strings(doc):  # each string's span is exactly its quoted source
        assert json.loads(_source(text, scalar.span)) == scalar.value


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_rejects_what_json_loads_rejects(text: str) -> None:
    try:
        expected = json.loads(text)
    except ValueError:
        with pytest.raises(ParseError):
            load_json(text, PATH)
        return
    if "NaN" in text or "Infinity" in text:  # json.loads extensions, not RFC 8259
        return
    assert plain(load_json(text, PATH)) == expected
