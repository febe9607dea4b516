#!/usr/bin/env python3
"""Latency of the language server's diagnostics for one edited file, after the first scan of its folder.

    /work/venv/bin/python bench/lsp_latency.py [FOLDER] [--edits N] [--lsp]

FOLDER defaults to the largest Terraform folder of the real corpus
(`../shared/corpus/real/modernisation-platform/terraform/environments/core-logging`, 43 files; see
`../shared/corpus/MANIFEST.md`), read in place; without the corpus, a generated folder of 40
Terraform files is used. The edited file is the folder's largest `.tf` file (or the one named).

Measured, in this process (`jeplint.lsp.engine.Engine`, what the server runs per diagnostic pass):
  cold  the first analysis of the file (every file of the folder parsed, graph, rules, fixes);
  warm  N analyses after an edit of the buffer (a comment line added, a different one each time):
        one file re-parsed, the others' parses reused, graph + rules + fixes over the folder.
With `--lsp`, also end to end: `jeplint lsp` in a subprocess over stdio, a didChange notification
to the publishDiagnostics that answers it, minus the server's debounce (DEBOUNCE_SECONDS).

Target (issue 17): warm <= 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from jeplint.lsp.engine import Engine  # noqa: E402

CORPUS_FOLDER = os.path.join(
    ROOT, "..", "shared", "corpus", "real", "modernisation-platform", "terraform", "environments", "core-logging"
)
TARGET_MS = 300.0


def _generated(folder: str) -> str:
    for i in range(40):
        with open(os.path.join(folder, f"role{i}.tf"), "w", encoding="utf-8") as handle:
            handle.write(
                f'resource "aws_iam_role" "r{i}" {{\n  name = "r{i}"\n  assume_role_policy = "{{}}"\n}}\n'
                f'resource "aws_iam_role_policy" "p{i}" {{\n  role = aws_iam_role.r{i}.id\n'
                f'  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = ["s3:*"], Resource = "*" }}] }})\n}}\n'
            )
    return folder


def _target(folder: str) -> str:
    files = [os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".tf")]
    return max(files, key=os.path.getsize)


def _report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    print(
        f"{name:<6} n={len(samples):<3} median {statistics.median(samples):7.1f} ms   "
        f"p95 {p95:7.1f} ms   max {max(samples):7.1f} ms"
    )


def engine_latency(path: str, edits: int) -> list[float]:
    engine = Engine()
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    started = time.perf_counter()
    first = engine.analyse(path)
    cold = (time.perf_counter() - started) * 1000
    print(f"file   {os.path.relpath(path)} ({len(text):,} bytes; folder of {len(os.listdir(os.path.dirname(path)))} entries)")
    print(f"cold   {cold:7.1f} ms   ({len(first.findings)} findings, {len(first.problems)} problems)")
    samples = []
    for i in range(edits):
        engine.open(path, text + f"\n# edit {i}\n")
        started = time.perf_counter()
        engine.analyse(path)
        samples.append((time.perf_counter() - started) * 1000)
    _report("warm", samples)
    return samples


async def lsp_latency(path: str, edits: int) -> list[float]:
    from lsprotocol import types
    from pytest_lsp import client_capabilities, make_test_lsp_client

    from jeplint.lsp.server import DEBOUNCE_SECONDS

    client = make_test_lsp_client()
    await client.start_io(sys.executable, "-m", "jeplint", "lsp", cwd=ROOT)
    await client.initialize_session(types.InitializeParams(capabilities=client_capabilities("visual-studio-code")))
    uri = "file://" + os.path.abspath(path)
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="terraform", version=1, text=text))
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    samples = []
    for i in range(edits):
        started = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=i + 2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text + f"\n# edit {i}\n")],
            )
        )
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        samples.append((time.perf_counter() - started - DEBOUNCE_SECONDS) * 1000)
    await client.shutdown_session()
    await client.stop()
    _report("lsp", samples)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", help="a folder (or a file in it) to edit in")
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--lsp", action="store_true", help="also measure end to end through `jeplint lsp`")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        where = args.folder or (CORPUS_FOLDER if os.path.isdir(CORPUS_FOLDER) else _generated(scratch))
        if not args.folder and where == scratch:
            print("shared corpus absent: a generated folder of 40 Terraform files is used")
        path = where if os.path.isfile(where) else _target(where)
        samples = engine_latency(path, args.edits)
        if args.lsp:
            samples += asyncio.run(lsp_latency(path, args.edits))
    median = statistics.median(samples)
    print(f"target {TARGET_MS:.0f} ms (median of the warm passes): {'met' if median <= TARGET_MS else 'NOT met'}")
    return 0 if median <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
