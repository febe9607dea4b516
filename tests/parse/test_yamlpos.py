"""YAML -> positioned nodes: spans, implicit types, CloudFormation tags, hostile input, errors."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from jeplint.parse import yamlpos
from jeplint.parse.nodes import Mapping, ParseError, Scalar, Sequence, Span, Tagged, plain
from jeplint.parse.yamlpos import MAX_ALIAS_EXPANSION, MAX_DEPTH, load_yaml

PATH = "template.yaml"


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


def one(text: str) -> Mapping:
    docs = load_yaml(text, PATH)
    assert len(docs) == 1
    assert isinstance(docs[0], Mapping)
    return docs[0]


@pytest.fixture(params=["libyaml", "python"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with libyaml's parser and again with PyYAML's pure-Python fallback."""
    if request.param == "python":
        monkeypatch.setattr(yamlpos, "_Loader", yaml.SafeLoader)
    return request.param


TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: app
          PolicyDocument:
            Version: 2012-10-17
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, 's3:PutObject']
                Resource: !Sub "arn:${AWS::Partition}:s3:::bucket/*"
              - Effect: Allow
                Action: iam:PassRole
                Resource: [!Ref Foo, !GetAtt Role.Arn]

# trailing comment
"""


def statements(doc: Mapping) -> Sequence:
    policy = doc.items["Resources"].items["Role"].items["Properties"].items["Policies"].items[0]
    return policy.items["PolicyDocument"].items["Statement"]


def test_values(loader: str) -> None:
    assert plain(one(TEMPLATE))["Resources"]["Role"]["Properties"]["Policies"][0]["PolicyDocument"] == {
        "Version": "2012-10-17",  # a timestamp stays its source string
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::bucket/*"},
            },
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": [{"Ref": "Foo"}, {"Fn::GetAtt": ["Role", "Arn"]}],
            },
        ],
    }


def test_scalar_and_key_spans(loader: str) -> None:
    doc = one(TEMPLATE)
    assert doc.key_spans["Resources"] == at(TEMPLATE, "Resources")
    assert doc.items["AWSTemplateFormatVersion"].span == at(TEMPLATE, '"2010-09-09"')  # with its quotes
    first = statements(doc).items[0]
    assert first.key_spans["Action"] == at(TEMPLATE, "Action")
    assert [a.span for a in first.items["Action"].items] == [at(TEMPLATE, "s3:GetObject"), at(TEMPLATE, "'s3:PutObject'")]


def test_collection_spans(loader: str) -> None:
    doc = one(TEMPLATE)
    first = statements(doc).items[0]
    assert first.items["Action"].span == at(TEMPLATE, "[s3:GetObject, 's3:PutObject']")
    # A block collection runs from its first entry to the end of its last one (not to the comment).
    last = at(TEMPLATE, "[!Ref Foo, !GetAtt Role.Arn]")
    assert doc.span == Span(PATH, 1, 1, last.end_line, last.end_col)
    assert statements(doc).span == Span(PATH, 11, 15, last.end_line, last.end_col)
    sub = at(TEMPLATE, '!Sub "arn:${AWS::Partition}:s3:::bucket/*"')
    assert first.span == Span(PATH, 11, 17, sub.end_line, sub.end_col)


def test_cfn_short_forms_become_long_forms(loader: str) -> None:
    text = TEMPLATE
    first, second = statements(one(text)).items
    sub = first.items["Resource"]
    assert isinstance(sub, Mapping)
    assert sub.span == sub.key_spans["Fn::Sub"] == at(text, '!Sub "arn:${AWS::Partition}:s3:::bucket/*"')
    assert isinstance(sub.items["Fn::Sub"], Scalar)
    ref, getatt = second.items["Resource"].items
    assert plain(ref) == {"Ref": "Foo"}
    assert ref.span == ref.key_spans["Ref"] == ref.items["Ref"].span == at(text, "!Ref Foo")
    assert isinstance(getatt.items["Fn::GetAtt"], Sequence)
    assert getatt.span == getatt.key_spans["Fn::GetAtt"] == at(text, "!GetAtt Role.Arn")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("!Ref AWS::Region", {"Ref": "AWS::Region"}),
        ("!Condition IsProd", {"Condition": "IsProd"}),
        ("!GetAtt Bucket.Arn", {"Fn::GetAtt": ["Bucket", "Arn"]}),
        ("!GetAtt Db.Endpoint.Address", {"Fn::GetAtt": ["Db", "Endpoint.Address"]}),
        ("!GetAtt [Bucket, Arn]", {"Fn::GetAtt": ["Bucket", "Arn"]}),
        ("!Join ['', [a, !Ref B]]", {"Fn::Join": ["", ["a", {"Ref": "B"}]]}),
        ("!Select [0, !GetAZs '']", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
        ("!If [IsProd, !Ref A, !Ref AWS::NoValue]", {"Fn::If": ["IsProd", {"Ref": "A"}, {"Ref": "AWS::NoValue"}]}),
        ("!Not [!Equals [!Ref Env, prod]]", {"Fn::Not": [{"Fn::Equals": [{"Ref": "Env"}, "prod"]}]}),
        ("!FindInMap [M, !Ref K, v]", {"Fn::FindInMap": ["M", {"Ref": "K"}, "v"]}),
        ("!Base64 abc", {"Fn::Base64": "abc"}),
        ("!ImportValue shared-vpc", {"Fn::ImportValue": "shared-vpc"}),
        ("!Sub ['${A}', {A: !Ref B}]", {"Fn::Sub": ["${A}", {"A": {"Ref": "B"}}]}),
        ("!Ref 123", {"Ref": "123"}),  # an explicitly tagged scalar is never typed
    ],
)
def test_cfn_tags(source: str, expected: object) -> None:
    assert plain(one(f"x: {source}\n").items["x"]) == expected


def test_python_tags_stay_data_and_never_run(tmp_path: Path, loader: str) -> None:
    marker = tmp_path / "pwned"
    text = f'a: !!python/object/apply:os.system ["touch {marker}"]\nb: !!python/name:os.system\nc: !custom {{x: 1}}\n'
    doc = one(text)
    a = doc.items["a"]
    assert isinstance(a, Tagged)
    assert a.tag == "tag:yaml.org,2002:python/object/apply:os.system"
    assert plain(a.node) == [f"touch {marker}"]
    assert a.span == at(text, f'!!python/object/apply:os.system ["touch {marker}"]')
    assert isinstance(doc.items["b"], Tagged) and plain(doc.items["b"].node) == ""
    assert plain(doc.items["c"]) == {"!custom": {"x": 1}}
    assert not marker.exists()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1_000", 1000),
        ("0x1F", 31),
        ("-0x1f", -31),
        ("017", 15),  # YAML 1.1 octal
        ("0b101", 5),
        ("1:30", 90),  # YAML 1.1 base 60
        ("0o17", "0o17"),  # not an int in YAML 1.1: a string
        ("!!int 0o17", 15),
        ("!!int '12'", 12),
        ("!!int zz", "zz"),  # a failed conversion keeps the string
        ("!!bool maybe", "maybe"),
        ("1.5", 1.5),
        ("1_0.5", 10.5),
        ("-.inf", float("-inf")),
        ("1e3", "1e3"),  # YAML 1.1 floats need a dot
        ("yes", True),
        ("Off", False),
        ("~", None),
        ("null", None),
        ("", None),
        ("'1'", "1"),
        ('"true"', "true"),
        ("! 12", 12),  # as PyYAML resolves the non-specific tag
        ("!!str 12", "12"),
        ("2012-10-17", "2012-10-17"),
        ("<<", "<<"),
    ],
)
def test_implicit_and_explicit_types(source: str, expected: object) -> None:
    assert plain(one(f"x: {source}\n").items["x"]) == expected


def test_nan() -> None:
    assert math.isnan(plain(one("x: .NaN\n").items["x"]))


def test_keys() -> None:
    text = "base: &b {k: 1}\n<<: *b\n? [x, y]\n: z\n*b : w\n1: one\nnull: n\ndup: 1\ndup: 2\n"
    doc = one(text)
    # `<<: *b` is a merge key: it adds `k` (written under the anchor), it is not a key itself
    assert list(doc.items) == ["base", '["x", "y"]', '{"k": 1}', "1", "null", "dup", "k"]
    assert doc.key_spans["k"] == at(text, "k")
    assert plain(doc.items["dup"]) == 2
    assert doc.key_spans["dup"] == at(text, "dup", 1)
    assert doc.key_spans['["x", "y"]'] == at(text, "[x, y]")
    assert doc.key_spans['{"k": 1}'] == at(text, "*b", 1)


def test_only_a_plain_double_angle_key_merges() -> None:
    # A key whose text happens to be any other spelling of "<<" is an ordinary key (found by hypothesis:
    # a NUL-prefixed key once collided with the merge marker).
    assert plain(one('"\\0<<": 1\n"<<": 2\n')) == {"\x00<<": 1, "<<": 2}


def test_aliases_share_the_anchored_node() -> None:
    doc = one("a: &x [1, 2]\nb: *x\n")
    assert doc.items["a"] is doc.items["b"]


def test_billion_laughs_is_bounded(loader: str) -> None:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    start = time.perf_counter()
    with pytest.raises(ParseError) as caught:
        load_yaml("\n".join(lines) + "\n", PATH)
    assert time.perf_counter() - start < 2
    assert caught.value.reason == f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION} nodes"
    assert caught.value.line == 7


def test_many_aliases_within_the_limit() -> None:
    text = "a: &a [" + ", ".join(["x"] * 99) + "]\nb: [" + ", ".join(["*a"] * 1000) + "]\n"
    assert len(plain(one(text))["b"]) == 1000


DEEP = {
    "flow sequences": "[" * 50_000,
    "flow mappings": "{a: " * 50_000,
    "block sequences": "- " * 50_000 + "x",
    "explicit keys": "? " * 50_000 + "x",
    "indentation": "".join(" " * i + "a:\n" for i in range(3_000)) + " " * 3_000 + "b\n",
}


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
def test_deep_nesting_is_an_error_not_a_crash(text: str, loader: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ParseError) as caught:
        load_yaml(text, PATH)
    assert caught.value.reason == f"YAML nested deeper than {MAX_DEPTH} levels"
    assert caught.value.line is not None
    assert time.perf_counter() - start < 5


def test_nesting_below_the_limit_parses(loader: str) -> None:
    depth = MAX_DEPTH - 100
    (doc,) = load_yaml("- " * depth + "x", PATH)
    for _ in range(depth - 1):
        doc = doc.items[0]
    assert plain(doc) == ["x"]
    (doc,) = load_yaml("[" * depth + "]" * depth, PATH)
    assert isinstance(doc, Sequence)


def test_recursive_alias(loader: str) -> None:
    with pytest.raises(ParseError) as caught:
        load_yaml("a: &a [1, *a]\n", PATH)
    assert (caught.value.reason, caught.value.line, caught.value.col) == ("recursive YAML alias 'a'", 1, 11)


def test_undefined_alias_and_anchors_per_document(loader: str) -> None:
    with pytest.raises(ParseError) as caught:
        load_yaml("a: &a 1\n---\nb: *a\n", PATH)
    assert (caught.value.reason, caught.value.line, caught.value.col) == ("found undefined alias 'a'", 3, 4)


def test_multiple_documents_skip_empty_ones(loader: str) -> None:
    text = "---\n---\na: 1\n---\n# only a comment\n...\n--- ~\n---\n- x\n"
    docs = load_yaml(text, PATH)
    assert [plain(d) for d in docs] == [{"a": 1}, None, ["x"]]
    assert docs[0].span == Span(PATH, 3, 1, 3, 5)
    assert docs[2].span == Span(PATH, 9, 1, 9, 4)


@pytest.mark.parametrize("text", ["", "# nothing\n", "---\n...\n"])
def test_no_documents(text: str) -> None:
    assert load_yaml(text, PATH) == []


def test_crlf_line_endings_leave_columns_alone(loader: str) -> None:
    lf_docs = load_yaml(TEMPLATE, PATH)
    crlf_docs = load_yaml(TEMPLATE.replace("\n", "\r\n"), PATH)
    assert plain(lf_docs[0]) == plain(crlf_docs[0])
    lf, crlf = statements(lf_docs[0]), statements(crlf_docs[0])
    assert lf.span == crlf.span
    for a, b in zip(lf.items, crlf.items):
        assert a.span == b.span
        assert a.key_spans == b.key_spans
        assert [v.span for v in a.items.values()] == [v.span for v in b.items.values()]


@pytest.mark.parametrize(
    ("text", "reason", "line", "col"),
    [
        ("a: [1, 2\n", "did not find expected ',' or ']'", 2, 1),
        ("a: b\n  c: d\n", "mapping values are not allowed in this context", 2, 4),
        ("a: 'x\n", "found unexpected end of stream", 2, 1),
        ("a: 1\n- b\n", "did not find expected key", 2, 1),
    ],
)
def test_yaml_errors_carry_one_based_positions(text: str, reason: str, line: int, col: int) -> None:
    with pytest.raises(ParseError) as caught:
        load_yaml(text, PATH)
    assert (caught.value.reason, caught.value.line, caught.value.col) == (reason, line, col)


def test_yaml_error_positions_with_the_python_parser(loader: str) -> None:
    with pytest.raises(ParseError) as caught:
        load_yaml("a: 1\nb: [x,\n  y\nc: 2\n", PATH)
    assert caught.value.line == 4


@pytest.mark.parametrize("text", ["a: \x00\n", "a: \ud800\n", "a:\n\tb: 1\n", "\x85\x85: ["])
def test_other_failures_are_parse_errors(text: str, loader: str) -> None:
    with pytest.raises(ParseError):
        load_yaml(text, PATH)


def test_unacceptable_character_position() -> None:
    with pytest.raises(ParseError) as caught:
        load_yaml("a: 1\nb: x\x07y\n", PATH)
    assert caught.value.reason.startswith("unacceptable character #x0007")
    assert (caught.value.line, caught.value.col) == (2, 5)


# -- PyYAML parity -------------------------------------------------------------------------------

yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(value=yaml_values, flow=st.sampled_from([None, True, False]))
def test_agrees_with_safe_load(value: object, flow: bool | None) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    assert [plain(doc) for doc in load_yaml(text, PATH)] == [yaml.safe_load(text)]
