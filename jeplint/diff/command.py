"""`jeplint diff [--base REF] [PATH ...]`: the command line (its parser and its run).

Exit codes: 0 nothing new at or above `--fail-on` and no identity gains privilege at or above
`--fail-on-new-privilege`; 1 otherwise; 2 when the base cannot be read (not a git repository, an
unknown revision: one line on stderr), on a usage error, or when an input of the working tree
could not be analysed (as `jeplint scan`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from jeplint.diff.engine import DiffResult
    from jeplint.run import Settings

PRIVILEGE_CHOICES = ("permissions-management", "write", "any", "never")
EXIT_CLEAN, EXIT_FINDINGS, EXIT_TROUBLE = 0, 1, 2  # as `jeplint scan` (jeplint.cli)
FAIL_ORDER = {"error": 0, "warning": 1, "note": 2}

Convert = Callable[[str], Any]


def add_parser(sub: argparse._SubParsersAction, rule_list: Convert, size: Convert, seconds: Convert) -> None:
    """The `diff` subcommand; the value parsers are the command line's own (`jeplint.cli`)."""
    diff = sub.add_parser("diff", help="what a change gives each identity, compared with a git revision")
    diff.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)")
    diff.add_argument("--base", default="HEAD", metavar="REF", help="the git revision to compare with (default: HEAD)")
    diff.add_argument("--format", "-f", choices=("text", "markdown", "json", "sarif"), default="text")
    diff.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (default: stdout)")
    diff.add_argument("--summary", metavar="FILE", help="also append the markdown report to FILE ($GITHUB_STEP_SUMMARY)")
    diff.add_argument(
        "--fail-on",
        choices=("error", "warning", "note", "never"),
        default=None,
        help="exit 1 on a new finding at this level or above (default: warning)",
    )
    diff.add_argument(
        "--fail-on-new-privilege",
        choices=PRIVILEGE_CHOICES,
        default="permissions-management",
        help="exit 1 when an identity gains privilege at this level or above (default: permissions-management)",
    )
    diff.add_argument("--omit-absent", action="store_true", help="SARIF: leave out the findings the change fixes")
    diff.add_argument("--select", type=rule_list, default=None, metavar="IDS", help="only these rule ids or prefixes")
    diff.add_argument("--ignore", type=rule_list, default=None, metavar="IDS", help="skip these rule ids or prefixes")
    diff.add_argument("--config", metavar="FILE", help="read this configuration file instead of searching for one")
    diff.add_argument("--max-file-size", type=size, default=None, metavar="SIZE", help="skip files larger than this (default 8M)")
    diff.add_argument("--timeout", type=seconds, default=None, metavar="SECONDS", help="per side (default 300; 0 = no limit)")
    diff.add_argument(
        "--jobs", "-j", type=int, default=0, help="files parsed at once: this process and N-1 workers (default: one per core)"
    )
    diff.add_argument("--no-cache", action="store_true", help="neither read nor write cached parse results")
    what = diff.add_mutually_exclusive_group()
    what.add_argument("--fix", action="store_true", help="apply the fixes of the new and updated findings, then compare again")
    what.add_argument(
        "--diff", action="store_true", help="print those fixes as a unified diff instead of a report; change nothing"
    )


def run_command(args: argparse.Namespace) -> int:
    from jeplint import config
    from jeplint.diff.engine import run
    from jeplint.diff.gitbase import BaseError
    from jeplint.output import OutputError
    from jeplint.run import settings_from

    try:
        conf = config.resolve(args.paths, args.config)
    except config.ConfigError as exc:
        sys.stderr.write(f"jeplint: error: {exc}\n")
        return EXIT_TROUBLE
    settings = settings_from(conf, args)
    try:
        result = run(args.paths, args.base, settings)
        fixed = _fixes(result, settings, args)
        if isinstance(fixed, int):
            return fixed
        if args.fix:
            result = run(args.paths, args.base, settings)
            _fixes(result, settings, args, apply_them=False)
        _write(result, args)
    except BaseError as exc:
        sys.stderr.write(f"jeplint: error: {exc}\n")
        return EXIT_TROUBLE
    except BrokenPipeError:
        raise
    except OutputError as exc:
        sys.stderr.write(f"jeplint: error: not written: {exc}\n")
        return EXIT_TROUBLE
    except OSError as exc:
        sys.stderr.write(f"jeplint: error: cannot write {exc.filename or 'the report'}: {exc.strerror or exc}\n")
        return EXIT_TROUBLE
    from jeplint.neutral import neutral
    from jeplint.report.text import problem_line

    for p in result.head.problems:
        if p.level in ("error", "warning"):
            sys.stderr.write(problem_line(p) + "\n")
    for p in result.base.problems:
        sys.stderr.write(neutral(f"{p.path}:{p.line or 1}:{p.col or 1}: note: in {args.base}: {p.reason}") + "\n")
    if any(p.level == "error" for p in result.head.problems):
        return EXIT_TROUBLE
    return EXIT_FINDINGS if failing(result, args.fail_on or conf.fail_on or "warning", args.fail_on_new_privilege) else EXIT_CLEAN


def _fixes(result: DiffResult, settings: Settings, args: argparse.Namespace, apply_them: bool = True) -> int | None:
    """The fixes of the findings the change brings (new and updated), as `jeplint scan` gives its
    findings theirs (SARIF `fixes`, JSON `fix`). `--diff`: print them and return the exit code;
    `--fix`: write them (the caller compares again). None: the report follows."""
    brought = result.delta.of("new") + result.delta.of("updated")
    if brought:  # nothing new imports no fix module
        from jeplint.fix.attach import attach_scan

        attach_scan(result.head, settings, findings=brought)
    if not apply_them or not (args.fix or args.diff):
        return None
    from jeplint.fix import apply

    outcome = apply.plan(brought)
    if not apply.carry_out(outcome, args.diff, sys.stdout, sys.stderr):
        return EXIT_TROUBLE
    if not args.diff:
        return None
    from jeplint.report.text import problem_line

    errors = [p for p in result.head.problems if p.level == "error"]
    for p in errors:
        sys.stderr.write(problem_line(p) + "\n")
    return EXIT_TROUBLE if errors else EXIT_FINDINGS if outcome.changed else EXIT_CLEAN


def failing(result: DiffResult, fail_on: str, new_privilege: str) -> bool:
    from jeplint.diff.levels import THRESHOLDS

    if fail_on != "never" and any(FAIL_ORDER[f.level] <= FAIL_ORDER[fail_on] for f in result.delta.of("new")):
        return True
    threshold = THRESHOLDS[new_privilege]
    return threshold is not None and any(d.gained >= threshold for d in result.delta.identities)


def _write(result: DiffResult, args: argparse.Namespace) -> None:
    import io

    from jeplint.diff import json_out, markdown, sarif_out, text
    from jeplint.output import write_atomic

    # A file is written through a temporary file and a rename, never through a link (issue 20).
    out: TextIO = io.StringIO() if args.output else sys.stdout
    if args.format == "text":
        text.write(result, out)
    elif args.format == "markdown":
        out.write(markdown.render(result))
    elif args.format == "json":
        out.write(json_out.dumps(result))
    else:
        out.write(sarif_out.dumps(result, omit_absent=args.omit_absent))
    if args.output:
        write_atomic(args.output, out.getvalue())  # type: ignore[attr-defined]
    if args.summary:
        with open(args.summary, "a", encoding="utf-8", newline="\n") as summary:
            summary.write(markdown.render(result))
