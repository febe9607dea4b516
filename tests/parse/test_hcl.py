"""HCL -> positioned nodes: values, token-level spans, heredocs, templates, errors, limits."""

from __future__ import annotations

import pytest

from jeplint.parse.hcl import MAX_DEPTH, TOO_DEEP, Heredoc, load_hcl, load_hcl_body, parse_template
from jeplint.parse.nodes import Block, Expr, Mapping, ParseError, Scalar, Sequence, Span, plain

PATH = "main.tf"


def at(text: str, needle: str, nth: int = 0) -> Span:
    """The span of the nth occurrence of `needle` in `text` (a test oracle independent of the parser)."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    end = offset + len(needle)
    line = text.count("\n", 0, offset) + 1
    col = offset - text.rfind("\n", 0, offset)
    end_line = text.count("\n", 0, end) + 1
    end_col = end - text.rfind("\n", 0, end)
    return Span(PATH, line, col, end_line, end_col)


def one_block(text: str) -> Block:
    blocks = load_hcl(text, PATH)
    assert len(blocks) == 1
    return blocks[0]


def attr(text: str, name: str = "x") -> object:
    """The value of attribute `name` in a file of top-level attributes."""
    return load_hcl_body(text, PATH).attrs[name]


POLICY = """\
resource "aws_iam_policy" "app" {
  name   = "app"   # a comment
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:*", "iam:PassRole"]
      Resource = aws_s3_bucket.data.arn
    }]
  })
}

data "aws_iam_policy_document" "doc" {
  statement {
    actions   = ["s3:*", "iam:PassRole"]
    resources = ["*"]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}
"""


class TestSpans:
    def test_action_strings_in_a_list(self) -> None:
        doc = load_hcl(POLICY, PATH)[1]
        actions = doc.blocks_of("statement")[0].attrs["actions"]
        assert isinstance(actions, Sequence)
        assert [a.value for a in actions.items] == ["s3:*", "iam:PassRole"]
        assert actions.items[0].span == Span(PATH, 15, 18, 15, 24) == at(POLICY, '"s3:*"', 1)
        assert actions.items[1].span == Span(PATH, 15, 26, 15, 40) == at(POLICY, '"iam:PassRole"', 1)
        assert actions.span == at(POLICY, '["s3:*", "iam:PassRole"]', 1)

    def test_labels_and_block_span(self) -> None:
        res = load_hcl(POLICY, PATH)[0]
        assert res.type == "resource"
        assert [label.value for label in res.labels] == ["aws_iam_policy", "app"]
        assert res.labels[0].span == Span(PATH, 1, 10, 1, 26)
        assert res.labels[1].span == at(POLICY, '"app"')
        assert res.span == Span(PATH, 1, 1, 11, 2)

    def test_attribute_name_spans(self) -> None:
        res = load_hcl(POLICY, PATH)[0]
        assert res.attr_spans["name"] == Span(PATH, 2, 3, 2, 7)
        assert res.attr_spans["policy"] == at(POLICY, "policy", 1) == Span(PATH, 3, 3, 3, 9)
        assert res.attrs["name"].span == Span(PATH, 2, 12, 2, 17)

    def test_nested_blocks(self) -> None:
        doc = load_hcl(POLICY, PATH)[1]
        (stmt,) = doc.blocks_of("statement")
        (cond,) = stmt.blocks_of("condition")
        assert cond.type == "condition" and cond.labels == []
        assert plain(cond.attrs["values"]) == ["false"]
        assert cond.attr_spans["variable"] == at(POLICY, "variable")
        assert stmt.span.line == 14 and stmt.span.end_line == 22

    def test_jsonencode_keeps_the_spans_of_the_object(self) -> None:
        policy = load_hcl(POLICY, PATH)[0].attrs["policy"]
        assert isinstance(policy, Expr) and policy.op == "call" and policy.name == "jsonencode"
        assert policy.text.startswith("jsonencode({") and policy.text.endswith("})")
        (doc,) = policy.args
        assert isinstance(doc, Mapping)
        assert doc.key_spans["Statement"] == at(POLICY, "Statement")
        (stmt,) = doc.items["Statement"].items
        assert stmt.items["Action"].items[0].span == at(POLICY, '"s3:*"')
        assert stmt.items["Action"].items[1].span == Span(PATH, 7, 27, 7, 41)
        assert stmt.key_spans["Effect"] == at(POLICY, "Effect")
        resource = stmt.items["Resource"]
        assert isinstance(resource, Expr) and resource.op == "ref" and resource.text == "aws_s3_bucket.data.arn"
        assert resource.span == at(POLICY, "aws_s3_bucket.data.arn")

    def test_multiline_string_token(self) -> None:
        text = 'x = "a"\ny = "b"\n'
        assert attr(text, "y").span == Span(PATH, 2, 5, 2, 8)


class TestValues:
    def test_literals(self) -> None:
        body = load_hcl_body("a = 1\nb = 2.5\nc = true\nd = false\ne = null\nf = -3\ng = 1e3\n", PATH)
        assert {k: plain(v) for k, v in body.attrs.items()} == {
            "a": 1,
            "b": 2.5,
            "c": True,
            "d": False,
            "e": None,
            "f": -3,
            "g": 1000.0,
        }
        assert isinstance(body.attrs["a"].value, int) and isinstance(body.attrs["b"].value, float)
        assert body.attrs["f"].span == Span(PATH, 6, 5, 6, 7)

    def test_string_escapes(self) -> None:
        text = r'x = "a\nb \"q\" back\\slash \u00e9 \U0001F600 \t"' + "\n"
        node = attr(text)
        assert node.value == 'a\nb "q" back\\slash \u00e9 \U0001f600 \t'
        assert node.span == Span(PATH, 1, 5, 1, len(text))

    def test_escaped_interpolation_is_literal(self) -> None:
        node = attr('x = "$${not.a.ref} 100%"\n')
        assert isinstance(node, Scalar) and node.value == "${not.a.ref} 100%"

    def test_empty_string(self) -> None:
        node = attr('x = ""\n')
        assert node.value == "" and node.span == Span(PATH, 1, 5, 1, 7)

    def test_object_keys(self) -> None:
        text = 'x = {\n  plain = 1\n  "quoted key" = 2\n  (var.k) = 3\n  colon: 4,\n  in = 5\n}\n'
        node = attr(text)
        assert isinstance(node, Mapping)
        assert list(node.items) == ["plain", "quoted key", "(var.k)", "colon", "in"]
        assert node.key_spans["quoted key"] == at(text, '"quoted key"')
        assert node.key_spans["(var.k)"] == at(text, "(var.k)")
        assert node.items["colon"].span == at(text, "4")

    def test_tuple_with_newlines_and_trailing_comma(self) -> None:
        node = attr('x = [\n  "a", # one\n  "b",\n]\n')
        assert plain(node) == ["a", "b"]

    def test_block_label_forms(self) -> None:
        block = one_block('thing unquoted "quoted" {\n}\n')
        assert [(lab.value, lab.span) for lab in block.labels] == [
            ("unquoted", Span(PATH, 1, 7, 1, 15)),
            ("quoted", Span(PATH, 1, 16, 1, 24)),
        ]
        assert block.attrs == {} and block.blocks == []

    def test_one_line_block(self) -> None:
        block = one_block("lifecycle { ignore_changes = [tags] }\n")
        assert plain(block.attrs["ignore_changes"]) == ["${tags}"]


class TestExpressions:
    @pytest.mark.parametrize(
        "source, text",
        [
            ("aws_iam_role.app.name", "aws_iam_role.app.name"),
            ("aws_iam_role.app[0].arn", "aws_iam_role.app[0].arn"),
            ("aws_iam_role.app[ 0 ].arn", "aws_iam_role.app[0].arn"),
            ("data.aws_iam_policy_document.x.json", "data.aws_iam_policy_document.x.json"),
            ("var.name", "var.name"),
            ("local.policy", "local.policy"),
            ("each.value", "each.value"),
            ('aws_iam_role.app["k"].arn', 'aws_iam_role.app["k"].arn'),
            ("aws_iam_role.app[*].arn", "aws_iam_role.app[*].arn"),
            ("aws_iam_role.app.*.arn", "aws_iam_role.app.*.arn"),
            ("module.m.outputs[var.i]", "module.m.outputs[var.i]"),
            ("count", "count"),
        ],
    )
    def test_references(self, source: str, text: str) -> None:
        node = attr(f"x = {source}\n")
        assert isinstance(node, Expr) and node.op == "ref" and node.text == text
        assert node.span == Span(PATH, 1, 5, 1, 5 + len(source))

    @pytest.mark.parametrize(
        "source",
        [
            "!var.enabled",
            "-var.n",
            "(var.x).y",
            "f(1).y",
        ],
    )
    def test_other_expressions_keep_their_source(self, source: str) -> None:
        node = attr(f"x = {source}\n")
        assert isinstance(node, Expr) and node.op == "other" and node.text == source
        assert node.span == Span(PATH, 1, 5, 1, 5 + len(source))

    @pytest.mark.parametrize(
        ("source", "operator", "left"),
        [
            ("var.a + 1", "+", "var.a"),
            ("length(var.users) > 0", ">", "length(var.users)"),
            ("var.n * 2 >= 10", ">=", "var.n * 2"),  # precedence: the product is the left operand
            ("var.a == 1 && var.b", "&&", "var.a == 1"),
        ],
    )
    def test_comparisons_and_arithmetic_are_binary_expressions(self, source: str, operator: str, left: str) -> None:
        node = attr(f"x = {source}\n")
        assert isinstance(node, Expr) and node.op == "binary" and node.name == operator and node.text == source
        assert node.args[0].text == left  # type: ignore[attr-defined]
        assert node.span == Span(PATH, 1, 5, 1, 5 + len(source))

    def test_a_spread_argument_is_said_in_the_function_name(self) -> None:
        node = attr("x = merge([{ a = 1 }]...)\n")
        assert isinstance(node, Expr) and node.op == "call" and node.name == "merge..." and len(node.args) == 1
        plain = attr("x = merge({ a = 1 })\n")
        assert isinstance(plain, Expr) and plain.name == "merge"

    def test_parentheses_are_the_expression_inside_even_over_several_lines(self) -> None:
        node = attr('x = (\n  var.create\n  ? "a"\n  : "b"\n)\n')
        assert isinstance(node, Expr) and node.op == "conditional"
        assert node.span == Span(PATH, 2, 3, 4, 8)
        assert attr("x = (var.x)\n").text == "var.x"  # type: ignore[attr-defined]

    def test_for_expressions_keep_their_parts(self) -> None:
        node = attr("x = {for k, v in var.map : k => upper(v) if v != null}\n")
        assert isinstance(node, Expr) and node.op == "for" and node.name == "object:k,v"
        collection, key, value, condition = node.args
        assert (collection.text, key.text, value.text, condition.text) == (  # type: ignore[attr-defined]
            "var.map",
            "k",
            "upper(v)",
            "v != null",
        )
        listed = attr("x = [for s in var.list : s]\n")
        assert isinstance(listed, Expr) and listed.name == "tuple:s" and len(listed.args) == 3
        grouped = attr("x = {for r in var.roles : r.team => r...}\n")
        assert isinstance(grouped, Expr) and grouped.name == "object...:r"

    def test_conditional_and_logic_keep_their_operands(self) -> None:
        node = attr('x = var.a == "x" && var.b ? var.c : null\n')
        assert isinstance(node, Expr) and node.op == "conditional" and node.text == 'var.a == "x" && var.b ? var.c : null'
        condition, then, otherwise = node.args
        assert isinstance(condition, Expr) and (condition.op, condition.name) == ("binary", "&&")
        left, right = condition.args
        assert isinstance(left, Expr) and (left.op, left.name, left.text) == ("binary", "==", 'var.a == "x"')
        assert isinstance(right, Expr) and right.text == "var.b"
        assert isinstance(then, Expr) and then.text == "var.c"
        assert isinstance(otherwise, Scalar) and otherwise.value is None
        assert node.span == Span(PATH, 1, 5, 1, 41)

    def test_operator_span_stops_before_a_trailing_comment(self) -> None:
        text = "x = var.a + var.b # sum\ny = 1\n"
        node = attr(text)
        assert node.text == "var.a + var.b" and node.span == at(text, "var.a + var.b")
        assert plain(attr(text, "y")) == 1

    def test_multiline_operator(self) -> None:
        text = "x = var.a ||\n  var.b\ny = 2\n"
        node = attr(text)
        assert node.text == "var.a ||\n  var.b" and node.span == Span(PATH, 1, 5, 2, 8)

    def test_function_calls(self) -> None:
        text = 'x = concat(var.a, ["s3:GetObject"], local.b...)\n'
        node = attr(text)
        # `local.b...` spreads its elements as arguments: the name says so (not concat of local.b itself)
        assert isinstance(node, Expr) and node.op == "call" and node.name == "concat..."
        assert node.text == 'concat(var.a, ["s3:GetObject"], local.b...)'
        assert [type(a).__name__ for a in node.args] == ["Expr", "Sequence", "Expr"]
        assert node.args[1].items[0].span == at(text, '"s3:GetObject"')
        empty = attr("x = timestamp()\n")
        assert empty.op == "call" and empty.name == "timestamp" and empty.args == []

    def test_provider_function(self) -> None:
        node = attr('x = provider::aws::arn_parse("arn:aws:iam::1:root")\n')
        assert node.op == "call" and node.name == "provider::aws::arn_parse" and len(node.args) == 1


class TestTemplates:
    def test_interpolation_alone_is_the_expression(self) -> None:
        text = 'x = "${aws_iam_role.app.arn}"\n'
        node = attr(text)
        assert isinstance(node, Expr) and node.op == "ref" and node.text == "aws_iam_role.app.arn"
        assert node.span == at(text, "aws_iam_role.app.arn")

    def test_template_parts(self) -> None:
        text = 'x = "arn:aws:s3:::${var.bucket}/*"\n'
        node = attr(text)
        assert isinstance(node, Expr) and node.op == "template"
        assert node.text == '"arn:aws:s3:::${var.bucket}/*"' and node.span == at(text, node.text)
        first, ref, last = node.args
        assert (first.value, first.span) == ("arn:aws:s3:::", at(text, "arn:aws:s3:::"))
        assert (ref.op, ref.text, ref.span) == ("ref", "var.bucket", at(text, "var.bucket"))
        assert (last.value, last.span) == ("/*", at(text, "/*"))

    def test_template_with_call_and_escape(self) -> None:
        node = attr('x = "${upper(var.a)}\\n${var.b}"\n')
        assert [type(a).__name__ for a in node.args] == ["Expr", "Scalar", "Expr"]
        assert node.args[0].op == "call" and node.args[1].value == "\n"

    def test_template_directives(self) -> None:
        node = attr('x = "%{ if var.on }yes%{ else }no%{ endif }"\n')
        assert node.op == "template"
        assert [plain(a) for a in node.args] == ["${var.on}", "yes", "no"]


HEREDOC = """\
locals {
  plain = <<EOF
{
  "Action": "s3:*"
}
EOF
  trimmed = <<-POLICY
    {
      "Action": "iam:PassRole"

    }
    POLICY
  empty = <<EOT
EOT
}
"""


class TestHeredocs:
    def test_plain_heredoc(self) -> None:
        node = one_block(HEREDOC).attrs["plain"]
        assert isinstance(node, Heredoc)
        assert node.value == '{\n  "Action": "s3:*"\n}\n'
        assert node.span == Span(PATH, 2, 11, 6, 4)
        assert (node.body_line, node.indent) == (3, 0)

    def test_indented_heredoc(self) -> None:
        node = one_block(HEREDOC).attrs["trimmed"]
        assert isinstance(node, Heredoc)
        assert node.value == '{\n  "Action": "iam:PassRole"\n\n}\n'
        assert node.span == Span(PATH, 7, 13, 12, 11)
        assert (node.body_line, node.indent) == (8, 4)
        lines = HEREDOC.split("\n")
        for i, line in enumerate(node.value.split("\n")[:-1]):
            if line:
                assert lines[node.body_line - 1 + i][node.indent :] == line

    def test_whitespace_only_lines_are_kept(self) -> None:
        node = attr("x = <<-EOT\n    a\n      \n    b\n  EOT\n")
        assert node.value == "a\n      \nb\n" and node.indent == 4

    def test_empty_heredoc(self) -> None:
        node = one_block(HEREDOC).attrs["empty"]
        assert isinstance(node, Heredoc) and node.value == "" and node.span == Span(PATH, 13, 11, 14, 4)

    def test_heredoc_at_end_of_file_without_newline(self) -> None:
        node = attr("x = <<EOF\nbody\nEOF")
        assert node.value == "body\n" and node.span == Span(PATH, 1, 5, 3, 4)

    def test_heredoc_template(self) -> None:
        text = "x = <<-EOT\n    arn:${var.partition}:s3\n      ${local.b}\n    EOT\n"
        node = attr(text)
        assert isinstance(node, Expr) and node.op == "template"
        assert node.span == Span(PATH, 1, 5, 4, 8) and node.text.endswith("EOT")
        arn, partition, middle, local_b, tail = node.args
        assert arn.value == "arn:" and arn.span == at(text, "    arn:")
        assert (partition.text, partition.span) == ("var.partition", at(text, "var.partition"))
        assert middle.value == ":s3\n  "
        assert (local_b.text, local_b.span) == ("local.b", at(text, "local.b"))
        assert tail.value == "\n"

    def test_heredoc_escaped_interpolation(self) -> None:
        node = attr('x = <<EOF\necho "$${HOME}"\nEOF\n')
        assert isinstance(node, Heredoc) and node.value == 'echo "${HOME}"\n'

    def test_heredoc_with_a_brace_in_a_nested_string(self) -> None:
        node = attr('x = <<EOF\n${join("}", var.l)} end\nEOF\n')
        assert node.args[0].op == "call" and node.args[0].text == 'join("}", var.l)'
        assert node.args[1].value == " end\n"

    def test_heredoc_with_a_multiline_interpolation(self) -> None:
        text = "x = <<EOF\n${merge(\n  var.a,\n  var.b)}\nEOF\n"
        call = attr(text).args[0]
        assert call.op == "call" and call.span == Span(PATH, 2, 3, 4, 9)
        assert call.args[1].span == at(text, "var.b")


class TestLineEndings:
    def test_crlf_file(self) -> None:
        text = POLICY.replace("\n", "\r\n")
        doc = load_hcl(text, PATH)[1]
        actions = doc.blocks_of("statement")[0].attrs["actions"]
        assert [a.value for a in actions.items] == ["s3:*", "iam:PassRole"]
        assert actions.items[1].span == Span(PATH, 15, 26, 15, 40)
        assert doc.blocks_of("statement")[0].attr_spans["resources"] == Span(PATH, 16, 5, 16, 14)

    def test_crlf_heredoc(self) -> None:
        text = HEREDOC.replace("\n", "\r\n")
        block = one_block(text)
        plain_doc, trimmed = block.attrs["plain"], block.attrs["trimmed"]
        assert plain_doc.value == '{\r\n  "Action": "s3:*"\r\n}\r\n'
        assert plain_doc.span == Span(PATH, 2, 11, 6, 4)
        assert trimmed.value == '{\r\n  "Action": "iam:PassRole"\r\n\r\n}\r\n'
        assert (trimmed.body_line, trimmed.indent, trimmed.span) == (8, 4, Span(PATH, 7, 13, 12, 11))

    def test_byte_order_mark(self) -> None:
        body = load_hcl_body("\ufeffx = 1\n", PATH)
        assert body.attrs["x"].span == Span(PATH, 1, 5, 1, 6)


class TestFiles:
    def test_empty_file(self) -> None:
        assert load_hcl("", PATH) == []
        assert load_hcl("\n\n", PATH) == []

    def test_comments_only(self) -> None:
        assert load_hcl("# one\n// two\n/* three\n four */\n", PATH) == []
        assert load_hcl("# no newline at the end", PATH) == []

    def test_tfvars_body(self) -> None:
        root = load_hcl_body('region = "eu-west-2"\ntags = { a = "b" }\n', "x.tfvars")
        assert root.type == "" and root.labels == [] and root.blocks == []
        assert plain(root.attrs["tags"]) == {"a": "b"}
        assert root.attr_spans["tags"] == Span("x.tfvars", 2, 1, 2, 5)
        assert root.span == Span("x.tfvars", 1, 1, 3, 1)

    def test_blocks_in_order(self) -> None:
        text = 'variable "a" {}\nresource "t" "b" {}\noutput "c" {\n  value = 1\n}\n'
        assert [(b.type, [lab.value for lab in b.labels]) for b in load_hcl(text, PATH)] == [
            ("variable", ["a"]),
            ("resource", ["t", "b"]),
            ("output", ["c"]),
        ]


class TestErrors:
    @pytest.mark.parametrize(
        "text, reason, line",
        [
            ('x = "abc\n', "unterminated string", 1),
            ('resource "a" "b" {\n  x = 1\n', "unexpected end of file, expected '}'", 3),
            ("x = 1\n}\n", "unexpected '}'", 2),
            ("x = [1,\n}\n", "unexpected '}'", 2),
            ("x = 1 2\n", "unexpected '2'", 1),
            ("a = 1\nb = = 2\n", "unexpected '='", 2),
            ("x = @\n", "unexpected '@'", 1),
            ("x = <<EOF\nbody\n", "unterminated heredoc (closing marker not found)", 1),
            ("x = \\\n", "unexpected character '\\\\'", 1),
            ("x = <<EOF\n  ${var.a\nEOF\n", "unterminated template interpolation", 2),
            ("x = <<EOF\n  ${var.a var.b}\nEOF\n", "unexpected 'var'", 2),
        ],
    )
    def test_reason_and_line(self, text: str, reason: str, line: int) -> None:
        with pytest.raises(ParseError) as caught:
            load_hcl(text, PATH)
        assert (caught.value.reason, caught.value.line) == (reason, line)

    def test_error_column_inside_a_heredoc_interpolation(self) -> None:
        with pytest.raises(ParseError) as caught:
            load_hcl("x = <<EOF\n  ${var.a var.b}\nEOF\n", PATH)
        assert caught.value.col == 11

    @pytest.mark.parametrize(
        "text",
        [
            "x = " + "[" * 20000 + "]" * 20000,
            "x = " + "{a = " * 5000 + "1" + "}" * 5000,
            "x = " + "f(" * 5000 + ")" * 5000,
            "b {\n" * 3000 + "}\n" * 3000,
            'x = "' + '${"' * 3000 + '"}' * 3000 + '"',
        ],
        ids=["tuples", "objects", "calls", "blocks", "interpolations"],
    )
    def test_deep_nesting_is_an_error_not_a_crash(self, text: str) -> None:
        with pytest.raises(ParseError) as caught:
            load_hcl(text, PATH)
        assert caught.value.reason == TOO_DEEP

    def test_deep_unterminated_nesting(self) -> None:
        with pytest.raises(ParseError) as caught:
            load_hcl("x = " + "[" * 500, PATH)
        assert caught.value.reason == "unexpected end of file" and caught.value.line == 1
        with pytest.raises(ParseError) as caught:  # stopped at the first bracket past the limit
            load_hcl("x = " + "[" * 20000, PATH)
        assert (caught.value.reason, caught.value.line, caught.value.col) == (TOO_DEEP, 1, 5 + MAX_DEPTH)

    @pytest.mark.parametrize(
        "text",
        [
            "x = " + " + ".join(["var.a"] * 5000),
            "x = var.a" + "[0]" * 5000,
            "x = " + "(" * 5000 + "1" + ")" * 5000,
            "x = " + "var.a ? 1 : " * 2000 + "2",
        ],
        ids=["operators", "index-chain", "parentheses", "conditionals"],
    )
    def test_long_flat_chains_parse(self, text: str) -> None:
        node = attr(text)
        if text.startswith("x = (("):  # parentheses are the expression inside: the literal 1
            assert isinstance(node, Scalar) and node.value == 1 and node.span.col == 5005
        else:
            assert isinstance(node, Expr) and node.span.line == 1

    def test_moderate_nesting_parses(self) -> None:
        node = attr("x = " + "[" * 100 + "]" * 100)
        depth = 0
        while isinstance(node, Sequence) and node.items:
            node, depth = node.items[0], depth + 1
        assert depth == 99


class TestParseTemplate:
    SPAN = Span("main.tf.json", 4, 17, 4, 40)

    def test_literal(self) -> None:
        node = parse_template("plain $${x}", "main.tf.json", self.SPAN)
        assert isinstance(node, Scalar) and node.value == "plain ${x}" and node.span == self.SPAN

    def test_interpolation_alone(self) -> None:
        node = parse_template("${aws_iam_role.app.arn}", "main.tf.json", self.SPAN)
        assert (node.op, node.text, node.span) == ("ref", "aws_iam_role.app.arn", self.SPAN)

    def test_every_node_gets_the_string_span(self) -> None:
        node = parse_template('${jsonencode({Action = ["s3:*"]})} and ${var.x}', "main.tf.json", self.SPAN)
        assert node.op == "template"
        call, middle, ref = node.args
        assert call.op == "call" and middle.value == " and " and ref.text == "var.x"
        action = call.args[0].items["Action"]
        assert {call.span, middle.span, ref.span, call.args[0].span, action.span, action.items[0].span} == {self.SPAN}
        assert call.args[0].key_spans["Action"] == self.SPAN

    def test_error_is_reported_at_the_string(self) -> None:
        with pytest.raises(ParseError) as caught:
            parse_template("${var.a var.b}", "main.tf.json", self.SPAN)
        assert (caught.value.line, caught.value.col) == (4, 17)
