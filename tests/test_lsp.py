"""`jeplint lsp` end to end: a real server process over stdio, driven by pytest-lsp."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

ROLE = """resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
  tags = {
    "jeplint.io/purpose" = "object-storage-read"
  }
}
"""
POLICY = """resource "aws_iam_role_policy" "app" {
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "arn:aws:s3:::data/*"
    }]
  })
}
"""


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "jeplint", "lsp"]))
async def client(lsp_client: LanguageClient, tmp_path: Path):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("visual-studio-code"), root_uri=tmp_path.as_uri())
    )
    yield
    await lsp_client.shutdown_session()


async def _open(client: LanguageClient, path: Path, text: str, language: str = "terraform") -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text))
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


async def _change(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 30)


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.split("\n")
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = edit.range.start, edit.range.end
        head = "\n".join(lines[: start.line] + [lines[start.line][: start.character]])
        tail = "\n".join([lines[end.line][end.character :]] + lines[end.line + 1 :])
        lines = (head + edit.new_text + tail).split("\n")
    return "\n".join(lines)


@pytest.mark.asyncio
async def test_wildcard_diagnostic_code_action_and_fix(client: LanguageClient, tmp_path: Path):
    (tmp_path / "role.tf").write_text(ROLE)  # context from the folder, as in the pre-commit hook
    path = tmp_path / "policy.tf"
    path.write_text(POLICY)
    uri = await _open(client, path, POLICY)
    found = [d for d in client.diagnostics[uri] if d.code == "JEP101"]
    assert len(found) == 1
    assert found[0].range == types.Range(
        start=types.Position(line=6, character=17), end=types.Position(line=6, character=20)
    )  # the token "*" on line 7
    assert found[0].severity == types.DiagnosticSeverity.Error
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=found[0].range,
            context=types.CodeActionContext(diagnostics=found),
        )
    )
    assert [a.title for a in actions] == [
        "JEP101: Replace \"*\" by the 28 actions of purpose 'object-storage-read' (tag jeplint.io/purpose)"
    ]
    edits = actions[0].edit.changes[uri]
    fixed = _apply(POLICY, edits)
    assert '"s3:GetObject", "s3:GetObjectVersion"' in fixed and 'Action   = "*"' not in fixed
    await _change(client, uri, fixed, 2)
    codes = sorted(str(d.code) for d in client.diagnostics[uri])
    assert "JEP101" not in codes and "JEP102" not in codes
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=6, character=18))
    )
    assert hover is None  # the finding is gone: nothing to hover on


@pytest.mark.asyncio
async def test_hover_shows_effective_permissions(client: LanguageClient, tmp_path: Path):
    (tmp_path / "role.tf").write_text(ROLE)
    path = tmp_path / "policy.tf"
    path.write_text(POLICY)
    uri = await _open(client, path, POLICY)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=6, character=18))
    )
    assert hover is not None
    text = hover.contents.value
    assert text.startswith("**JEP101** role app can perform every AWS action")
    assert "**role app**:" in text and "effective actions in" in text


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("name", "language", "text", "line", "col"),
    [
        ("half.tf", "terraform", POLICY.replace('Action   = "*"', 'Action   = ["*"'), 7, 6),
        (
            "role.yaml",
            "yaml",
            'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\nrules:\n  - verbs: ["get"\n    resources: [pods]\n',
            6,
            4,
        ),
    ],
)
async def test_half_typed_input_gives_a_parse_diagnostic(
    client: LanguageClient, tmp_path: Path, name: str, language: str, text: str, line: int, col: int
):
    path = tmp_path / name
    path.write_text("")
    uri = await _open(client, path, text, language)
    parse = [d for d in client.diagnostics[uri] if d.code == "parse"]
    assert len(parse) == 1 and parse[0].severity == types.DiagnosticSeverity.Error
    assert (parse[0].range.start.line, parse[0].range.start.character) == (line, col)
    await _change(client, uri, POLICY if name.endswith(".tf") else text.replace('["get"', '["get"]'), 2)  # still alive
    assert not [d for d in client.diagnostics[uri] if d.code == "parse"]


@pytest.mark.asyncio
async def test_explain_command(client: LanguageClient):
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="jeplint.explain", arguments=["JEP101"])
    )
    assert result.startswith("**JEP101 full-wildcard-action**")


@pytest.mark.asyncio
async def test_an_edit_updates_the_other_open_files_of_its_folder(client: LanguageClient, tmp_path: Path):
    role, policy = tmp_path / "role.tf", tmp_path / "policy.tf"
    role.write_text(ROLE)
    policy.write_text(POLICY)
    role_uri = await _open(client, role, ROLE)
    assert [d.code for d in client.diagnostics[role_uri]] == ["JEP302"]  # "*" is outside its purpose
    policy_uri = await _open(client, policy, POLICY)
    narrowed = POLICY.replace('Action   = "*"', 'Action   = ["s3:GetObject"]')
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=policy_uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=narrowed)],
        )
    )

    for _ in range(1500):  # the edited file, then the other open file of its folder, are published again
        if not client.diagnostics[policy_uri] and not client.diagnostics[role_uri]:
            break
        await asyncio.sleep(0.02)
    assert list(client.diagnostics[policy_uri]) == []
    assert list(client.diagnostics[role_uri]) == []  # the unsaved edit of policy.tf is role.tf's context
