#!/usr/bin/env python3
"""What the shipped AWS managed policy catalogue costs a scan (issue 14).

    /work/venv/bin/python bench/managed_cost.py [--runs N]

Three one-file Terraform scans, each in a fresh process (imports done before the clock starts, so
only `jeplint.run.scan` is timed): a role with an inline policy (no managed policy), the same role
with AdministratorAccess (hand-written, the archive stays closed), and with SecretsManagerReadWrite
(read from `jeplint/data/aws_managed_policies.zip`). It prints the median of each and the
differences; the target is <= 20 ms for one managed policy and nothing for none. It also checks that
the scan without a managed policy never opened the archive. Needs no corpus.
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
import jeplint.rules, jeplint.catalog.aws_actions
scan([sys.argv[2]], Settings())  # warm imports and the action catalogue on a file of the other folder
start = time.perf_counter()
scan([sys.argv[1]], Settings())
print(json.dumps({"ms": (time.perf_counter() - start) * 1000, "opened": aws_managed.catalogue.cache_info().currsize}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp, "warm")
        warm.mkdir()
        (warm / "main.tf").write_text(ROLE + CASES["none"])
        folders = {}
        for name, text in CASES.items():
            folders[name] = Path(tmp, name)
            folders[name].mkdir()
            (folders[name] / "main.tf").write_text(ROLE + text)
        times: dict[str, list[float]] = {name: [] for name in CASES}
        opened: dict[str, set[int]] = {name: set() for name in CASES}
        env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
        for _ in range(args.runs):
            for name, folder in folders.items():  # interleaved: load on the machine hits all alike
                out = subprocess.run(
                    [sys.executable, "-c", PROBE, str(folder), str(warm)], capture_output=True, text=True, check=True, env=env
                )
                got = json.loads(out.stdout)
                times[name].append(got["ms"])
                opened[name].add(got["opened"])
    median = {name: statistics.median(values) for name, values in times.items()}
    for name in CASES:
        print(f"{name:13} median {median[name]:7.1f} ms  (min {min(times[name]):.1f}, archive opened: {sorted(opened[name])})")
    extra = median["catalogue"] - median["none"]
    print(f"one managed policy from the catalogue adds {extra:.1f} ms (target <= 20 ms): {'met' if extra <= 20 else 'NOT MET'}")
    print(f"no managed policy opens the archive: {'never (met)' if opened['none'] == {0} else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
