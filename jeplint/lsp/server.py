"""The language server: diagnostics on open, change (debounced) and save; quick fixes as code
actions; hover on a finding with the effective permissions of its identities; `jeplint.explain`.

Analysis runs in a worker thread, one file at a time (`Engine` is not shared between threads);
a failure in it becomes a diagnostic at line 1 and a log message, never a dead server.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from jeplint import __version__
from jeplint.lsp import convert
from jeplint.lsp.engine import Analysis, Engine
from jeplint.parse import file_format

DEBOUNCE_SECONDS = 0.15  # after the last keystroke; open and save are analysed at once
EXPLAIN = "jeplint.explain"


class JeplintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("jeplint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.engine = Engine()
        self.results: dict[str, Analysis] = {}  # uri -> last analysis
        self.lock = threading.Lock()
        self.pending: dict[str, asyncio.TimerHandle] = {}


server = JeplintServer()


def _path(uri: str) -> str | None:
    path = to_fs_path(uri)
    return path if path and file_format(path) in ("tf", "tf.json", "json", "yaml", "template") else None


def _analyse(ls: JeplintServer, uri: str) -> None:
    """Analyse the document at `uri` now and publish its diagnostics (in a worker thread)."""
    path = _path(uri)
    if path is None:
        return
    document = ls.workspace.get_text_document(uri)
    with ls.lock:
        try:
            ls.engine.open(path, document.source)
            analysis = ls.engine.analyse(path)
        except Exception as exc:  # never a dead server: the failure is shown where the user looks
            logging.getLogger("jeplint").exception("analysis failed")
            analysis = Analysis(os.path.abspath(path))
            ls.results[uri] = analysis
            failure = convert.failure(f"jeplint could not analyse this file: {type(exc).__name__}: {exc}")
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[failure], version=document.version)
            )
            return
        ls.results[uri] = analysis
    diagnostics = convert.diagnostics(analysis)
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=document.version)
    )


def _schedule(ls: JeplintServer, uri: str, delay: float) -> None:
    loop = asyncio.get_running_loop()
    previous = ls.pending.pop(uri, None)
    if previous is not None:
        previous.cancel()

    def run() -> None:
        ls.pending.pop(uri, None)
        loop.run_in_executor(None, _analyse, ls, uri)

    ls.pending[uri] = loop.call_later(delay, run)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
async def did_open(ls: JeplintServer, params: types.DidOpenTextDocumentParams) -> None:
    _schedule(ls, params.text_document.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: JeplintServer, params: types.DidChangeTextDocumentParams) -> None:
    _schedule(ls, params.text_document.uri, DEBOUNCE_SECONDS)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: JeplintServer, params: types.DidSaveTextDocumentParams) -> None:
    _schedule(ls, params.text_document.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: JeplintServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    path = _path(uri)
    if path is not None:
        with ls.lock:
            ls.engine.close(path)
    ls.results.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
def code_action(ls: JeplintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    analysis = ls.results.get(params.text_document.uri)
    if analysis is None:
        return []
    return convert.code_actions(analysis, params.range, from_fs_path)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: JeplintServer, params: types.HoverParams) -> types.Hover | None:
    analysis = ls.results.get(params.text_document.uri)
    if analysis is None:
        return None
    return convert.hover(analysis, params.position)


@server.command(EXPLAIN)
def explain(ls: JeplintServer, *args: Any) -> str:
    """`jeplint.explain <rule id or name>`: the rule's documentation (also shown as a message)."""
    from jeplint.rules.base import catalogue

    wanted = str(args[0]) if args else ""
    metas = catalogue()
    meta = metas.get(wanted.upper()) or next((m for m in metas.values() if m.name == wanted.lower()), None)
    text = meta.help_markdown() if meta is not None else f"no rule {wanted!r}"
    ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Info, message=text))
    return text


def main() -> int:
    server.start_io()
    return 0
