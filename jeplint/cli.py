"""Command line: `jeplint scan`, `jeplint rules`, `jeplint explain`. Reads options, runs the pipeline, prints, exits.

Exit codes: 0 nothing at or above the fail level; 1 findings at or above it; 2 usage error or some
input could not be analysed (the findings of every other file are still reported).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from typing import TextIO

from jeplint import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_TROUBLE = 0, 1, 2
FAIL_ORDER = {"error": 0, "warning": 1, "note": 2}
PROGRESS_MIN_FILES = 200  # fewer files than this parse too fast for a progress line to help


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"jeplint: error: {message}\n")
        raise SystemExit(EXIT_TROUBLE)


def _rule_list(value: str) -> list[str]:
    items = [v.strip().upper() for v in value.split(",") if v.strip()]
    for item in items:
        if not item.startswith("JEP") or not item[3:].isdigit() and item != "JEP":
            raise argparse.ArgumentTypeError(f"not a rule id or prefix: {item!r} (expected e.g. JEP101 or JEP1)")
    return items


def _size(value: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    try:
        if value[-1:].lower() in units:
            return int(float(value[:-1]) * units[value[-1].lower()])
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {value!r} (e.g. 8M)") from None


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r} (e.g. 60; 0 = no limit)")
    return seconds


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="jeplint", description="Just-enough-privilege linter for Infrastructure as Code.")
    parser.add_argument("--version", action="version", version=f"jeplint {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    scan = sub.add_parser("scan", help="scan files and directories")
    scan.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)")
    scan.add_argument(
        "--format", "-f", choices=("text", "json", "sarif", "github"), default="text", help="github: workflow-command annotations"
    )
    scan.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (default: stdout)")
    scan.add_argument(
        "--select", type=_rule_list, default=None, metavar="IDS", help="only these rule ids or prefixes (JEP1,JEP204)"
    )
    scan.add_argument("--ignore", type=_rule_list, default=None, metavar="IDS", help="skip these rule ids or prefixes")
    scan.add_argument(
        "--fail-on",
        choices=("error", "warning", "note", "never"),
        default=None,
        help="exit 1 when a finding is at this level or above (default: warning)",
    )
    scan.add_argument("--config", metavar="FILE", help="read this configuration file instead of searching for one")
    scan.add_argument("--show-suppressed", action="store_true", help="also report suppressed findings, marked as such")
    scan.add_argument("--baseline", metavar="FILE", help="report only findings whose fingerprint is not in FILE")
    scan.add_argument(
        "--write-baseline", metavar="FILE", help="accept every current finding: write them to FILE, report nothing new"
    )
    scan.add_argument(
        "--context-dirs",
        action="store_true",
        help="for each named file, read the other files of its folder as context; report only the named files",
    )
    scan.add_argument(
        "--sarif-srcroot", action="store_true", help="record the absolute working directory as %%SRCROOT%% in SARIF"
    )
    scan.add_argument(
        "--max-file-size", type=_size, default=None, metavar="SIZE", help="skip (and report) files larger than this (default 8M)"
    )
    scan.add_argument(
        "--timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="report the files not parsed after this long (default 300; 0 = no limit)",
    )
    scan.add_argument("--jobs", "-j", type=int, default=0, help="parser processes (default: one per core)")
    scan.add_argument("--no-cache", action="store_true", help="neither read nor write cached parse results (~/.cache/jeplint)")
    sub.add_parser("rules", help="list every rule")
    explain = sub.add_parser("explain", help="print a rule's documentation and examples")
    explain.add_argument("rule", metavar="RULE", help="a rule id (JEP101) or name (full-wildcard-action)")
    graph = sub.add_parser("graph", help="print the permission graph: identities, effective grants, bindings, workloads")
    graph.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)")
    graph.add_argument("--format", "-f", choices=("json", "dot", "mermaid"), default="json")
    graph.add_argument("--output", "-o", metavar="FILE", help="write to FILE (default: stdout)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "rules":
            return _rules(sys.stdout)
        if args.command == "explain":
            return _explain(args.rule, sys.stdout)
        if args.command == "graph":
            return _graph(args)
        return _scan(args)
    except KeyboardInterrupt:
        sys.stderr.write("jeplint: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_TROUBLE


def _graph(args: argparse.Namespace) -> int:
    from jeplint.report import graph_report
    from jeplint.run import scan

    result = scan(args.paths)
    text = graph_report.dumps(result, args.format)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    for p in result.problems:
        if p.level == "error":
            sys.stderr.write(f"{p.path}:{p.line or 1}:{p.col or 1}: error: {p.reason}\n")
    return EXIT_TROUBLE if any(p.level == "error" for p in result.problems) else EXIT_CLEAN


def _rules(out: TextIO) -> int:
    from jeplint.rules import RULES

    for rule in RULES:
        meta = rule.meta
        out.write(f"{meta.id}  {meta.name:<28} {meta.level:<8} {meta.summary}\n")
    return EXIT_CLEAN


def _explain(rule: str, out: TextIO) -> int:
    from jeplint.rules.base import catalogue

    metas = catalogue()
    meta = metas.get(rule.upper()) or next((m for m in metas.values() if m.name == rule.lower()), None)
    if meta is None:
        sys.stderr.write(f'jeplint: error: no rule {rule!r} (see "jeplint rules")\n')
        return EXIT_TROUBLE
    out.write(meta.help_text())
    return EXIT_CLEAN


class _Progress:
    """`jeplint: parsing 1,200/5,000 files` on one terminal line of stderr, at most ten times a second."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last = 0.0
        self.shown = False

    @staticmethod
    def wanted(stream: TextIO) -> bool:
        """Only on a terminal; never in CI, under pre-commit (which gives hooks a terminal) or on a dumb one."""
        quiet = os.environ.get("CI") or os.environ.get("PRE_COMMIT") or os.environ.get("TERM") == "dumb"
        return stream.isatty() and not quiet

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if total < PROGRESS_MIN_FILES or (done < total and now - self.last < 0.1):
            return
        self.last = now
        text = f"parsing {done:,}/{total:,} files" if done < total else f"analysing {total:,} files"
        self.stream.write(f"\r\033[Kjeplint: {text}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _scan(args: argparse.Namespace) -> int:
    from jeplint import baseline, config
    from jeplint.parse import MAX_FILE_BYTES
    from jeplint.run import DEFAULT_TIMEOUT, Settings, scan

    try:
        conf = config.resolve(args.paths, args.config)
        accepted = baseline.load(args.baseline) if args.baseline and not args.write_baseline else None
    except (config.ConfigError, baseline.BaselineError) as exc:
        sys.stderr.write(f"jeplint: error: {exc}\n")
        return EXIT_TROUBLE
    settings = Settings(
        select=tuple(conf.select if args.select is None else args.select),
        ignore=tuple(conf.ignore if args.ignore is None else args.ignore),
        max_file_bytes=args.max_file_size or MAX_FILE_BYTES,
        jobs=args.jobs,
        options=config.options(conf),
        levels=conf.levels,
        exclude=conf.exclude,
        exclude_root=conf.root,
        context_dirs=args.context_dirs,
        baseline=accepted,
        cache=not args.no_cache,
        timeout=DEFAULT_TIMEOUT if args.timeout is None else args.timeout,
        keep_trees=False,
    )
    progress = _Progress(sys.stderr) if _Progress.wanted(sys.stderr) else None
    # This process ends after the report: its parsed trees and graph (millions of objects on a large
    # estate, no cycles worth collecting) live until then. Collection stays off (`scan` would turn it
    # back on, and the report's first passes would walk them all) and they are frozen, so that the
    # collection at interpreter exit does not walk them either.
    gc.disable()
    try:
        result = scan(args.paths, settings, progress)
    finally:
        if progress is not None:
            progress.close()
    gc.freeze()
    if args.write_baseline:
        try:
            written = baseline.write(args.write_baseline, result.findings)
        except OSError as exc:
            sys.stderr.write(f"jeplint: error: cannot write baseline {args.write_baseline}: {exc.strerror or exc}\n")
            return EXIT_TROUBLE
        result.findings, now_accepted = baseline.apply(result.findings, written)
        result.suppressed = sorted(result.suppressed + now_accepted, key=lambda s: s.finding.sort_key())
    out: TextIO = open(args.output, "w", encoding="utf-8", newline="\n") if args.output else sys.stdout
    try:
        if args.format == "text":
            from jeplint.report import text

            colour = out.isatty() and not os.environ.get("NO_COLOR")
            text.write(result, out, sys.stderr, colour, show_suppressed=args.show_suppressed)
        elif args.format == "json":
            from jeplint.report import json_report

            out.write(json_report.dumps(result, show_suppressed=args.show_suppressed))
        elif args.format == "github":
            from jeplint.report import github

            github.write(result, out)
        else:
            from jeplint.report import sarif

            srcroot = os.getcwd() if args.sarif_srcroot else None
            out.write(sarif.dumps(result, show_suppressed=args.show_suppressed, srcroot=srcroot))
    finally:
        if args.output:
            out.close()
    if args.format != "text":
        for p in result.problems:
            if p.level in ("error", "warning"):
                sys.stderr.write(f"{p.path}:{p.line or 1}:{p.col or 1}: {p.level}: {p.reason}\n")
    if any(p.level == "error" for p in result.problems):
        return EXIT_TROUBLE
    fail_on = args.fail_on or conf.fail_on or "warning"
    if fail_on != "never":
        limit = FAIL_ORDER[fail_on]
        if any(FAIL_ORDER[f.level] <= limit for f in result.findings):
            return EXIT_FINDINGS
    return EXIT_CLEAN
