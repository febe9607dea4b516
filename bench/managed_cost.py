#!/usr/bin/env python3
"""What the shipped AWS managed policy catalogue costs a scan (issue 14).

    /work/venv/bin/python bench/managed_cost.py [--runs N]

Three one-file Terraform scans, each case in a fresh process (imports and the action catalogue warmed
first, so only `jeplint.run.scan` is timed): a role with an inline policy (no managed policy), with
AdministratorAccess (hand-written: the archive stays closed) and with SecretsManagerReadWrite (read
from `jeplint/data/aws_managed_policies.bin`). Each case is scanned `--runs` times in pairs: once with
the archive closed (as a fresh process finds it) and once with it already open; the median of the
differences is what the data costs that scan. Targets: <= 20 ms for one catalogue policy, and the
archive never opened by a scan that attaches none. Needs no corpus.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROLE = (
    'resource "aws_iam_role" "app" {\n  name = "app"\n  assume_role_policy = jsonencode({ Version = "2012-10-17", '
    'Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })\n}\n'
)
CASES = {
    "none": 'resource "aws_iam_role_policy" "p" {\n  role = aws_iam_role.app.id\n  policy = jsonencode({ Version = "2012-10-17", '
    'Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::b/*" }] })\n}\n',
    "hand-written": 'resource "aws_iam_role_policy_attachment" "a" {\n  role = aws_iam_role.app.name\n'
    '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n',
    "catalogue": 'resource "aws_iam_role_policy_attachment" "a" {\n  role = aws_iam_role.app.name\n'
    '  policy_arn = "arn:aws:iam::aws:policy/SecretsManagerReadWrite"\n}\n',
}
PROBE = """
import json, sys, time
from jeplint.graph import aws_managed
from jeplint.run import Settings, scan
scan([sys.argv[2]], Settings())  # warm imports and the action catalogue on a file of another folder
opened_before = aws_managed.catalogue.cache_info().currsize
out = {"cold": [], "warm": []}
for _ in range(int(sys.argv[3])):
    aws_managed.catalogue.cache_clear()  # the archive as a fresh process finds it: closed
    start = time.perf_counter()
    scan([sys.argv[1]], Settings())
    out["cold"].append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    scan([sys.argv[1]], Settings())  # the same scan with the archive already open
    out["warm"].append((time.perf_counter() - start) * 1000)
out["opened"] = aws_managed.catalogue.cache_info().currsize
out["opened_before"] = opened_before
print(json.dumps(out))
"""


ISOLATED = """
import json, time
from jeplint.graph import aws_managed
from jeplint.graph.model import Graph
from jeplint.span import Span
span = Span("main.tf", 1, 1, 1, 2)
start = time.perf_counter()
aws_managed.managed_policy(Graph(), "arn:aws:iam::aws:policy/SecretsManagerReadWrite", span)
print(json.dumps((time.perf_counter() - start) * 1000))
"""


def isolated(runs: int) -> float:
    """The first catalogue lookup of a fresh process alone: read the index, find, decompress, build."""
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    times = [
        json.loads(subprocess.run([sys.executable, "-c", ISOLATED], capture_output=True, text=True, check=True, env=env).stdout)
        for _ in range(runs)
    ]
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp, "warm")
        warm.mkdir()
        (warm / "main.tf").write_text(ROLE + CASES["none"])
        results = {}
        for name, text in CASES.items():
            folder = Path(tmp, name)
            folder.mkdir()
            (folder / "main.tf").write_text(ROLE + text)
            env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
            out = subprocess.run(
                [sys.executable, "-c", PROBE, str(folder), str(warm), str(args.runs)],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            )
            results[name] = json.loads(out.stdout)
    for name, got in results.items():
        extra = [c - w for c, w in zip(got["cold"], got["warm"])]
        print(
            f"{name:13} scan median {statistics.median(got['warm']):6.1f} ms; catalogue closed -> open adds "
            f"{statistics.median(extra):5.1f} ms (median of {len(extra)}); catalogue read by the scan: {bool(got['opened'])}"
        )
    cost = statistics.median([c - w for c, w in zip(results["catalogue"]["cold"], results["catalogue"]["warm"])])
    alone = isolated(args.runs)
    print(f"the first catalogue lookup of a process, alone: {alone:.1f} ms (median of {args.runs} processes)")
    worst = max(cost, alone)
    print(f"one managed policy from the catalogue adds {worst:.1f} ms (target <= 20 ms): {'met' if worst <= 20 else 'NOT MET'}")
    untouched = not results["none"]["opened"] and not results["hand-written"]["opened"]
    print(f"a scan with no catalogue policy never reads the catalogue: {'met' if untouched else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
