"""`.tf.json` documents -> the Blocks `.tf` files give, with JSON spans (templates included)."""

from __future__ import annotations

import pytest

from jeplint.parse.jsonpos import load_json
from jeplint.parse.nodes import Block, Expr, Mapping, ParseError, Scalar, Sequence, Span, plain
from jeplint.parse.tfjson import tfjson_blocks

PATH = "main.tf.json"


def at(text: str, needle: str, nth: int = 0) -> Span:
    """The span of the nth occurrence of `needle` in `text`."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    end = offset + len(needle)
    return Span(
        PATH,
        text.count("\n", 0, offset) + 1,
        offset - text.rfind("\n", 0, offset),
        text.count("\n", 0, end) + 1,
        end - text.rfind("\n", 0, end),
    )


def blocks(text: str) -> list[Block]:
    return tfjson_blocks(load_json(text, PATH), PATH)


DOC = """\
{
  "//": "generated",
  "resource": {
    "aws_iam_role_policy": {
      "app": {
        "role": "${aws_iam_role.app.name}",
        "name": "app-${var.env}",
        "policy": "${jsonencode({Statement = [{Action = [\\"s3:*\\"], Resource = \\"*\\"}]})}",
        "tags": {"team": "${local.team}", "literal": "$${kept}"},
        "lifecycle": {"ignore_changes": ["tags"]}
      }
    }
  },
  "data": {
    "aws_iam_policy_document": {
      "doc": [
        {
          "statement": [
            {"actions": ["s3:*", "iam:PassRole"], "resources": ["*"],
             "condition": {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}},
            {"effect": "Deny", "actions": ["*"]}
          ],
          "dynamic": {
            "statement": {"for_each": "${var.extra}", "content": {"actions": ["${statement.value}"]}}
          }
        }
      ]
    }
  },
  "locals": {"statement": {"actions": ["*"]}, "n": 1},
  "module": {"m": {"source": "./m", "rule": {"a": 1}}},
  "variable": {"v": {"default": {"statement": "x"}}},
  "provider": {"aws": [{"region": "eu-west-2"}, {"alias": "b", "assume_role": {"role_arn": "arn:x"}}]}
}
"""


class TestStructure:
    def test_top_level_blocks_in_order(self) -> None:
        got = [(b.type, [lab.value for lab in b.labels]) for b in blocks(DOC)]
        assert got == [
            ("resource", ["aws_iam_role_policy", "app"]),
            ("data", ["aws_iam_policy_document", "doc"]),
            ("locals", []),
            ("module", ["m"]),
            ("variable", ["v"]),
            ("provider", ["aws"]),
            ("provider", ["aws"]),
        ]

    def test_label_spans_are_the_keys(self) -> None:
        res = blocks(DOC)[0]
        assert res.labels[0].span == at(DOC, '"aws_iam_role_policy"')
        assert res.labels[1].span == at(DOC, '"app"')
        assert res.attr_spans["role"] == at(DOC, '"role"')
        assert res.span.line == 5 and res.span.end_line == 11

    def test_nested_blocks(self) -> None:
        res, doc = blocks(DOC)[:2]
        assert [b.type for b in res.blocks] == ["lifecycle"]
        assert "lifecycle" not in res.attrs and plain(res.blocks[0].attrs["ignore_changes"]) == ["tags"]
        statements = doc.blocks_of("statement")
        assert len(statements) == 2
        assert plain(statements[0].attrs["actions"]) == ["s3:*", "iam:PassRole"]
        assert statements[0].attrs["actions"].items[1].span == at(DOC, '"iam:PassRole"')
        (cond,) = statements[0].blocks_of("condition")
        assert plain(cond.attrs["values"]) == ["false"]
        assert statements[1].attrs["effect"].value == "Deny"

    def test_dynamic_block(self) -> None:
        doc = blocks(DOC)[1]
        (dyn,) = doc.blocks_of("dynamic")
        assert [lab.value for lab in dyn.labels] == ["statement"]
        assert dyn.labels[0].span == at(DOC, '"statement"', 1)
        assert dyn.attrs["for_each"].text == "var.extra"
        (content,) = dyn.blocks_of("content")
        (action,) = content.attrs["actions"].items
        assert isinstance(action, Expr) and action.text == "statement.value"

    def test_locals_and_module_bodies_are_attributes_only(self) -> None:
        local, module, variable = blocks(DOC)[2:5]
        assert local.blocks == [] and plain(local.attrs["statement"]) == {"actions": ["*"]}
        assert module.blocks == [] and plain(module.attrs["rule"]) == {"a": 1}
        assert variable.blocks == [] and plain(variable.attrs["default"]) == {"statement": "x"}

    def test_body_as_array_of_objects(self) -> None:
        providers = blocks(DOC)[5:]
        assert [plain(p.attrs.get("alias")) for p in providers] == [None, "b"]
        (assume,) = providers[1].blocks_of("assume_role")
        assert assume.attrs["role_arn"].value == "arn:x"

    def test_comment_keys_are_ignored(self) -> None:
        got = blocks('{"//": "x", "locals": {"//": "y", "a": 1}}')
        assert len(got) == 1 and list(got[0].attrs) == ["a"]

    def test_empty_document(self) -> None:
        assert blocks("{}") == []

    def test_block_key_with_a_scalar_value_is_an_attribute(self) -> None:
        (res,) = blocks('{"resource": {"t": {"n": {"rule": "x", "ingress": []}}}}')
        assert res.blocks == [] and plain(res.attrs["rule"]) == "x" and plain(res.attrs["ingress"]) == []

    def test_root_must_be_an_object(self) -> None:
        with pytest.raises(ParseError) as caught:
            blocks("[1]")
        assert caught.value.line == 1


class TestTemplates:
    def test_interpolation_alone_takes_the_string_span(self) -> None:
        role = blocks(DOC)[0].attrs["role"]
        assert isinstance(role, Expr) and role.op == "ref" and role.text == "aws_iam_role.app.name"
        assert role.span == at(DOC, '"${aws_iam_role.app.name}"')

    def test_template_parts_take_the_string_span(self) -> None:
        name = blocks(DOC)[0].attrs["name"]
        span = at(DOC, '"app-${var.env}"')
        assert isinstance(name, Expr) and name.op == "template" and name.text == "app-${var.env}"
        assert [(plain(p), p.span) for p in name.args] == [("app-", span), ("${var.env}", span)]
        assert name.span == span

    def test_jsonencode_in_a_string(self) -> None:
        policy = blocks(DOC)[0].attrs["policy"]
        assert isinstance(policy, Expr) and policy.op == "call" and policy.name == "jsonencode"
        (doc,) = policy.args
        assert plain(doc) == {"Statement": [{"Action": ["s3:*"], "Resource": "*"}]}
        span = at(DOC, '"${jsonencode(')
        string_span = Span(PATH, span.line, span.col, span.line, DOC.split("\n")[span.line - 1].rindex('"') + 2)
        assert policy.span == string_span
        (stmt,) = doc.items["Statement"].items
        assert stmt.items["Action"].items[0].span == string_span
        assert stmt.key_spans["Resource"] == string_span

    def test_nested_values_are_converted(self) -> None:
        tags = blocks(DOC)[0].attrs["tags"]
        assert isinstance(tags, Mapping)
        assert isinstance(tags.items["team"], Expr) and tags.items["team"].text == "local.team"
        assert tags.items["team"].span == at(DOC, '"${local.team}"')
        assert isinstance(tags.items["literal"], Scalar) and tags.items["literal"].value == "${kept}"
        assert tags.key_spans["team"] == at(DOC, '"team"')

    def test_plain_values_are_unchanged(self) -> None:
        doc = blocks(DOC)[1]
        resources = doc.blocks_of("statement")[0].attrs["resources"]
        assert isinstance(resources, Sequence) and resources.items[0].span == at(DOC, '"*"')

    def test_invalid_template_is_an_error_at_the_string(self) -> None:
        text = '{"locals": {\n  "a": "${var.a var.b}"\n}}'
        with pytest.raises(ParseError) as caught:
            blocks(text)
        assert (caught.value.line, caught.value.col) == (2, 8)
