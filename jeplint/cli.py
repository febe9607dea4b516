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
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from jeplint.cli_args import EXIT_CLEAN, EXIT_FINDINGS, EXIT_TROUBLE, build_parser

if TYPE_CHECKING:
    from jeplint.baseline import Baseline
    from jeplint.config import Config
    from jeplint.run import Problem, ScanResult, Settings

FAIL_ORDER = {"error": 0, "warning": 1, "note": 2}
PROGRESS_MIN_FILES = 200  # fewer files than this parse too fast for a progress line to help


def _refuse_outside(paths: list[str], follow: bool) -> bool:
    """Print why, and return True, when a PATH leaves the working directory without --follow-outside."""
    from jeplint.neutral import path as shown
    from jeplint.output import outside

    refused = [] if follow else outside(paths)
    for arg in refused:
        sys.stderr.write(
            f"jeplint: error: {shown(arg, False)} leads outside the working directory (--follow-outside to scan it)\n"
        )
    return bool(refused)


def _emit(output: str | None, text: str) -> int:
    """Write a report to `output` (safely: `jeplint.output`) or stdout; EXIT_TROUBLE when it cannot be written."""
    if not output:
        sys.stdout.write(text)
        return EXIT_CLEAN
    from jeplint.neutral import path as shown
    from jeplint.output import OutputError, write_atomic

    try:
        write_atomic(output, text)
    except OutputError as exc:
        sys.stderr.write(f"jeplint: error: not written: {shown(str(exc), False)}\n")
        return EXIT_TROUBLE
    except OSError as exc:
        sys.stderr.write(f"jeplint: error: cannot write {shown(output, False)}: {exc.strerror or exc}\n")
        return EXIT_TROUBLE
    return EXIT_CLEAN


def _problem_lines(problems: list[Problem], levels: tuple[str, ...]) -> None:
    from jeplint.report.text import problem_line

    for p in problems:
        if p.level in levels:
            sys.stderr.write(problem_line(p) + "\n")


def _apply_fixes(
    args: argparse.Namespace,
    result: ScanResult,
    settings: Settings,
    rescan: Callable[[], ScanResult],
    stdin: dict[str, str] | None = None,
) -> ScanResult | int:
    """`--diff`: print the diff, exit 1 when there is one. `--fix`: write the files, scan again.
    Without either, the findings still carry their fixes for the report. `stdin`: the text read
    from standard input, by the name it is reported under (fixes apply to it, never to a file)."""
    if args.fix and stdin:
        sys.stderr.write("jeplint: error: --fix cannot write standard input; use --diff\n")
        return EXIT_TROUBLE
    if result.findings:  # a clean scan imports no fix module
        from jeplint.fix.attach import attach_scan

        attach_scan(result, settings, stdin)
    if not (args.fix or args.diff):
        return result
    from jeplint.fix import apply

    outcome = apply.plan(result.findings, stdin)
    if not apply.carry_out(outcome, args.diff, sys.stdout, sys.stderr):
        return EXIT_TROUBLE
    if args.diff:
        _problem_lines(result.problems, ("error",))
        if any(p.level == "error" for p in result.problems):
            return EXIT_TROUBLE
        return EXIT_FINDINGS if outcome.changed else EXIT_CLEAN
    again = rescan()
    if again.findings:
        from jeplint.fix.attach import attach_scan

        attach_scan(again, settings)
    return again


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "rules":
            return _rules(sys.stdout)
        if args.command == "explain":
            return _explain(args.rule, sys.stdout)
        if args.command == "graph":
            return _graph(args)
        if args.command == "lsp":
            return _lsp()
        if args.command == "diff":
            from jeplint.diff.command import run_command

            return run_command(args)
        return _scan(args)
    except KeyboardInterrupt:
        sys.stderr.write("jeplint: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_TROUBLE


def _graph(args: argparse.Namespace) -> int:
    from jeplint import config
    from jeplint.neutral import neutral
    from jeplint.report import graph_report
    from jeplint.run import Settings, scan

    if _refuse_outside(args.paths, args.follow_outside):
        return EXIT_TROUBLE
    try:
        conf = config.resolve(args.paths, args.config)
    except config.ConfigError as exc:
        sys.stderr.write(f"jeplint: error: {neutral(str(exc), False)}\n")
        return EXIT_TROUBLE
    # The configuration's exclude and thresholds apply, as in `scan` (rule selection does not: the
    # graph is every identity's permissions, whatever rules run on it).
    result = scan(args.paths, Settings(exclude=conf.exclude, exclude_root=conf.root, options=config.options(conf)))
    written = _emit(args.output, graph_report.dumps(result, args.format))
    _problem_lines(result.problems, ("error",))
    return EXIT_TROUBLE if written or any(p.level == "error" for p in result.problems) else EXIT_CLEAN


def _lsp() -> int:
    try:
        from jeplint.lsp.server import main as serve  # pygls: imported only here
    except ImportError as exc:
        sys.stderr.write(f"jeplint: error: the language server needs pygls and lsprotocol (pip install 'jeplint[lsp]'): {exc}\n")
        return EXIT_TROUBLE
    return serve()


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
        from jeplint.rules.ids import closest

        near = closest(rule)
        hint = f"; did you mean {near} ({metas[near].name})?" if near else ' (see "jeplint rules")'
        sys.stderr.write(f"jeplint: error: no rule {rule!r}{hint}\n")
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


def _settings(args: argparse.Namespace, conf: Config, accepted: Baseline | None) -> Settings:
    from jeplint.run import settings_from

    unused = args.report_unused_suppressions
    return settings_from(
        conf,
        args,
        context_dirs=args.context_dirs,
        baseline=accepted,
        report_unused_suppressions=bool(os.environ.get("CI")) if unused is None else unused,
        display_as=args.stdin_filename,
        keep_lines=False,
        keep_trees=False,
    )


def _stdin_text(args: argparse.Namespace, paths: list[str]) -> dict[str, str] | None:
    """{reported name: text} of the file saved from standard input, or None."""
    if not args.stdin_filename or len(paths) != 1:
        return None
    with open(paths[0], encoding="utf-8", errors="replace", newline="") as handle:
        return {args.stdin_filename: handle.read()}


def _stdin_paths(args: argparse.Namespace, folder: str) -> list[str]:
    """With `-` and `--stdin-filename NAME`: standard input saved as `folder`/basename(NAME), to scan."""
    if "-" not in args.paths and args.stdin_filename is None:
        return args.paths
    if args.paths != ["-"] or not args.stdin_filename:
        raise _Usage("standard input is read with the path - and --stdin-filename NAME (its kind comes from NAME), alone")
    name = os.path.basename(args.stdin_filename.replace("\\", "/").rstrip("/")) or "stdin"
    path = os.path.join(folder, name)
    with open(path, "wb") as handle:
        handle.write(sys.stdin.buffer.read())
    return [path]


class _Usage(Exception):
    """A combination of arguments that cannot be run: exit 2 with the message."""


def _scan(args: argparse.Namespace) -> int:
    import tempfile

    if _refuse_outside(args.paths, args.follow_outside):
        return EXIT_TROUBLE
    with tempfile.TemporaryDirectory(prefix="jeplint-stdin-") as folder:
        try:
            paths = _stdin_paths(args, folder)
        except _Usage as exc:
            sys.stderr.write(f"jeplint: error: {exc}\n")
            return EXIT_TROUBLE
        return _scan_paths(args, paths)


def _scan_paths(args: argparse.Namespace, paths: list[str]) -> int:
    from jeplint import baseline, config
    from jeplint.neutral import neutral
    from jeplint.output import OutputError, check_target
    from jeplint.run import scan, selected_rules

    try:
        where = [args.stdin_filename] if args.stdin_filename else paths
        conf = _known_rules(config.resolve(where, args.config, isolated=args.isolated))
        accepted = baseline.load(args.baseline) if args.baseline and not args.write_baseline else None
        if args.write_baseline:
            check_target(args.write_baseline)
    except (config.ConfigError, baseline.BaselineError, OutputError) as exc:
        sys.stderr.write(f"jeplint: error: {neutral(str(exc), False)}\n")
        return EXIT_TROUBLE
    settings = _settings(args, conf, accepted)
    if not selected_rules(settings):
        sys.stderr.write(
            f"jeplint: error: no rule left to run: select {','.join(settings.select) or 'all'},"
            f" ignore {','.join(settings.ignore)}\n"
        )
        return EXIT_TROUBLE
    _say_inputs(conf, accepted, args.isolated)
    progress = _Progress(sys.stderr) if _Progress.wanted(sys.stderr) else None
    # This process ends after the report: its parsed trees and graph (millions of objects on a large
    # estate, no cycles worth collecting) live until then. Collection stays off (`scan` would turn it
    # back on, and the report's first passes would walk them all) and they are frozen, so that the
    # collection at interpreter exit does not walk them either.
    gc.disable()
    try:
        result = scan(paths, settings, progress)
    finally:
        if progress is not None:
            progress.close()
    gc.freeze()
    fixed = _apply_fixes(args, result, settings, lambda: scan(paths, settings), _stdin_text(args, paths))
    if isinstance(fixed, int):
        return fixed
    result = fixed
    if args.write_baseline:
        code = _write_baseline(args.write_baseline, result)
        if code:
            return code
    if args.output:
        import io

        buffer = io.StringIO()
        _render(result, args, buffer)
        if _emit(args.output, buffer.getvalue()):
            return EXIT_TROUBLE
    else:
        _render(result, args, sys.stdout)
    if args.format != "text":
        _problem_lines(result.problems, ("error", "warning"))
    if any(p.level == "error" for p in result.problems):
        return EXIT_TROUBLE
    fail_on = args.fail_on or conf.fail_on or "warning"
    if fail_on != "never":
        limit = FAIL_ORDER[fail_on]
        if any(FAIL_ORDER[f.level] <= limit for f in result.findings):
            return EXIT_FINDINGS
    return EXIT_CLEAN


def _say_inputs(conf: Config, accepted: Baseline | None, isolated: bool) -> None:
    """On stderr: the baseline entries rejected, and which configuration the run uses and what it
    disables or lowers (issue 20: a repository's configuration never silences a run unsaid)."""
    from jeplint import config
    from jeplint.neutral import neutral

    for why in accepted.rejected if accepted else ():
        sys.stderr.write(f"jeplint: warning: baseline {neutral(why, False)}\n")
    used = config.describe(conf, isolated)
    if used:
        sys.stderr.write(f"jeplint: {neutral(used, False)}\n")


def _known_rules(conf: Config) -> Config:
    """`conf` with its rule references (select, ignore, levels) as canonical ids or prefixes; a
    `ConfigError` naming the file, the key and the closest real rule when one names no rule."""
    import dataclasses

    from jeplint.config import ConfigError
    from jeplint.rules.ids import UnknownRule, resolve, resolve_all

    key = "select"
    try:
        select = resolve_all(conf.select)
        key = "ignore"
        ignore = resolve_all(conf.ignore)
        key = "levels"
        levels = tuple((resolve(rule), level) for rule, level in conf.levels)
    except UnknownRule as exc:
        raise ConfigError(f"{conf.where}: {key}: {exc}") from None
    return dataclasses.replace(conf, select=select, ignore=ignore, levels=levels)


def _write_baseline(path: str, result: ScanResult) -> int:
    """Replace the baseline at `path` by the current findings (entries that match nothing are pruned:
    said on stderr); accept them in `result`. Exit code 2 when it cannot be written, else 0."""
    from jeplint import baseline

    try:
        old = baseline.load(path) if os.path.isfile(path) else None
    except baseline.BaselineError:
        old = None
    try:
        written = baseline.write(path, result.findings)
    except OSError as exc:
        sys.stderr.write(f"jeplint: error: cannot write baseline {path}: {exc.strerror or exc}\n")
        return EXIT_TROUBLE
    result.findings, now_accepted = baseline.apply(result.findings, written)
    result.suppressed = sorted(result.suppressed + now_accepted, key=lambda s: s.finding.sort_key())
    if old is not None:
        pruned = baseline.unmatched(old, now_accepted)
        if pruned:
            sys.stderr.write(
                f"jeplint: {path}: removed {len(pruned):,} entr{'ies' if len(pruned) != 1 else 'y'} that matched no finding\n"
            )
    return EXIT_CLEAN


def _render(result: ScanResult, args: argparse.Namespace, out: TextIO) -> None:
    if args.format == "text":
        from jeplint.report import text

        colour = out.isatty() and not os.environ.get("NO_COLOR")
        text.write(result, out, sys.stderr, colour, show_suppressed=args.show_suppressed)
    elif args.format == "json":
        from jeplint.report import json_report

        json_report.write(result, out, show_suppressed=args.show_suppressed)
    elif args.format == "github":
        from jeplint.report import github

        github.write(result, out)
    elif args.format == "junit":
        from jeplint.report import junit

        out.write(junit.dumps(result))
    elif args.format == "gitlab":
        from jeplint.report import gitlab

        out.write(gitlab.dumps(result))
    else:
        from jeplint.report import sarif

        srcroot = os.getcwd() if args.sarif_srcroot else None
        out.write(sarif.dumps(result, show_suppressed=args.show_suppressed, srcroot=srcroot, category=args.sarif_category))
