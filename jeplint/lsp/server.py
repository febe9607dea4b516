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
        self.pending: dict[str, asyncio.Future[None]] = {}


server = JeplintServer()


def _path(uri: str) -> str | None:
    path = to_fs_path(uri)
    return path if path and file_format(path) in ("tf", "tf.json", "json", "yaml", "template") else None


def _diagnose(ls: JeplintServer, uri: str) -> types.PublishDiagnosticsParams | None:
    """Analyse the document at `uri` (its buffer, its folder as context); its diagnostics."""
    path = _path(uri)
    if path is None:
        return None
    document = ls.workspace.get_text_document(uri)
    try:
        ls.engine.open(path, document.source)
        analysis = ls.engine.analyse(path)
        diagnostics = convert.diagnostics(analysis)
    except Exception as exc:  # never a dead server: the failure is shown where the user looks
        logging.getLogger("jeplint").exception("analysis failed")
        analysis = Analysis(os.path.abspath(path))
        diagnostics = [convert.failure(f"jeplint could not analyse this file: {type(exc).__name__}: {exc}")]
    ls.results[uri] = analysis
    return types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=document.version)


def _analyse(ls: JeplintServer, uri: str) -> list[types.PublishDiagnosticsParams]:
    """Diagnostics of `uri`, then of the other open documents of its folder, whose context it is
    (in a worker thread; one analysis at a time)."""
    folder = os.path.dirname(to_fs_path(uri) or "")
    with ls.lock:
        first = _diagnose(ls, uri)
        if first is None:
            return []
        others = [u for u in ls.results if u != uri and os.path.dirname(to_fs_path(u) or "") == folder]
        return [first, *(p for p in (_diagnose(ls, u) for u in others) if p is not None)]


def _schedule(ls: JeplintServer, uri: str, delay: float) -> None:
    """Analyse `uri` after `delay` seconds, unless the document changes again before."""
    previous = ls.pending.pop(uri, None)
    if previous is not None:
        previous.cancel()
    ls.pending[uri] = asyncio.ensure_future(_later(ls, uri, delay))


async def _later(ls: JeplintServer, uri: str, delay: float) -> None:
    await asyncio.sleep(delay)
    ls.pending.pop(uri, None)
    published = await asyncio.get_running_loop().run_in_executor(None, _analyse, ls, uri)
    for params in published:  # from the event loop's thread
        ls.text_document_publish_diagnostics(params)


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
