#!/usr/bin/env python3
"""Precision of jeplint's findings on real public repositories, against hand-made labels (issue 18).

    /work/venv/bin/python bench/precision.py [--corpus DIR] [--from-json FILE] [--list]
                                             [--template FILE] [--rule JEP301]

The corpus is `../shared/corpus/real` (outside the repository, read in place); when it is absent the
script says so and exits 0. jeplint scans it once (`scan --format json --no-cache`, in a subprocess,
this checkout first on the path) unless `--from-json` gives the JSON report of such a scan.

Labels
------
`bench/labels/*.yaml`, one file per rule, each a list of entries:

    - rule: JEP105
      path: terragoat/terraform/aws/iam.tf        # relative to the corpus
      identity: role iam_for_lambda               # the subject the message names
      token: '"*"'                                # source text at the finding's location
      line: 12                                    # a hint only
      verdict: true                               # true = a finding a security engineer wants
      reason: one line, why

A label is keyed by (rule, path, identity, token), not by the message or the line, so it survives
rewording and lines moving; Terraform instance keys (`x["a"]`, `x[0]`) are dropped from the identity
so that expanding `for_each` / `count` keeps the label of the unexpanded block. When several findings
share a key, the label takes the one whose line is nearest its hint, and the rest are labelled too
(same cause, same verdict); when several labels share a key, they pair by nearest line. A label
whose key matches nothing follows a finding of the same rule, file and token within RENAME_LINES
lines of its hint: the subject was renamed (a policy the Terraform evaluator now attaches to its
user), the finding is the same.

Output: per rule, findings / labelled / true / false / precision, and overall; then the labels that no
longer match any finding (stale) and, with `--list`, every unlabelled finding. `--template FILE`
writes the unlabelled findings as label entries (verdict and reason left empty) to fill in.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LABELS = HERE / "labels"
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "real"

_SUBJECT = re.compile(
    r"^(?:the )?((?:IAM |Kubernetes |GCP |Azure )?"
    r"(?:role|user|group|service account|ServiceAccount|managed identity|principal|member|identity|"
    r"Role|ClusterRole|RoleBinding|ClusterRoleBinding|policy|binding|access key|key|"
    r"[A-Za-z ]*?(?:credential|secret|key|token|password))) "
    r"(\S+)"
)
_INSTANCE = re.compile(r"\[[^\]]*\]")
RENAME_LINES = 3  # how far from its line hint a label follows a finding whose subject was renamed


def identity_of(message: str) -> str:
    """The subject a message is about: its leading kind and name, without instance keys."""
    m = _SUBJECT.match(message)
    if m is None:
        return " ".join(message.split()[:2])
    return f"{m.group(1)} {_INSTANCE.sub('', m.group(2).rstrip(':,'))}"


def token_at(path: Path, loc: dict, cache: dict[Path, list[str]]) -> str:
    """The source text at a finding's location (its first line only, at most 80 characters)."""
    if path not in cache:
        try:
            cache[path] = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            cache[path] = []
    lines = cache[path]
    line, col = loc.get("line", 0), loc.get("column", 1)
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1]
    end = loc.get("end_column", len(text) + 1) if loc.get("end_line", line) == line else len(text) + 1
    return text[col - 1 : end - 1].strip()[:80]


@dataclass
class Finding:
    rule: str
    path: str
    identity: str
    token: str
    line: int
    level: str
    message: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.rule, self.path, self.identity, self.token)


def scan(corpus: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    cmd = [sys.executable, "-m", "jeplint", "scan", str(corpus), "--format", "json", "--no-cache"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if out.returncode not in (0, 1, 2):
        sys.exit(f"jeplint failed ({out.returncode}): {out.stderr[-2000:]}")
    return json.loads(out.stdout)


def findings_of(report: dict, corpus: Path) -> list[Finding]:
    cache: dict[Path, list[str]] = {}
    result = []
    for f in report["findings"]:
        loc = f["location"]
        path = Path(loc["path"])
        try:
            rel = path.resolve().relative_to(corpus.resolve()).as_posix()
        except ValueError:
            rel = path.as_posix()
        result.append(
            Finding(
                rule=f["rule_id"],
                path=rel,
                identity=identity_of(f["message"]),
                token=token_at(path, loc, cache),
                line=loc.get("line", 0),
                level=f["level"],
                message=f["message"],
            )
        )
    return result


def load_labels() -> list[dict]:
    labels: list[dict] = []
    for file in sorted(LABELS.glob("*.yaml")):
        for entry in yaml.safe_load(file.read_text(encoding="utf-8")) or []:
            entry["_file"] = file.name
            entry["identity"] = _INSTANCE.sub("", str(entry["identity"]))
            labels.append(entry)
    return labels


def match(findings: list[Finding], labels: list[dict]) -> tuple[dict[int, dict], list[dict]]:
    """Finding index -> label; and the labels that match no finding."""
    by_key: dict[tuple, list[int]] = defaultdict(list)
    for i, f in enumerate(findings):
        by_key[f.key].append(i)
    labels_by_key: dict[tuple, list[dict]] = defaultdict(list)
    for lab in labels:
        key = (lab["rule"], lab["path"], lab["identity"], str(lab.get("token", "")))
        labels_by_key[key].append(lab)
    assigned: dict[int, dict] = {}
    unmatched: list[dict] = []
    for key, labs in labels_by_key.items():
        idx = by_key.get(key, [])
        if not idx:
            unmatched.extend(labs)
            continue
        for i in idx:  # each finding takes the label whose line hint is nearest
            lab = min(labs, key=lambda lb: abs(int(lb.get("line", 0)) - findings[i].line))
            assigned[i] = lab
    # Second pass: the subject may have been renamed (a policy now attached to its role, an instance
    # address): the same rule, file and token within a few lines of the hint is the same finding.
    stale: list[dict] = []
    for lab in unmatched:
        near = [
            i
            for i, f in enumerate(findings)
            if i not in assigned
            and (f.rule, f.path, f.token) == (lab["rule"], lab["path"], str(lab.get("token", "")))
            and abs(f.line - int(lab.get("line", 0))) <= RENAME_LINES
        ]
        if near:
            assigned[min(near, key=lambda i: abs(findings[i].line - int(lab.get("line", 0))))] = lab
        else:
            stale.append(lab)
    return assigned, stale


def table(findings: list[Finding], assigned: dict[int, dict]) -> list[tuple]:
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for i, f in enumerate(findings):
        row = rows[f.rule]
        row[0] += 1
        if i in assigned:
            row[1 if assigned[i]["verdict"] else 2] += 1
    return [(rule, *rows[rule]) for rule in sorted(rows)]


def print_table(rows: list[tuple]) -> None:
    print(f"{'rule':8} {'findings':>8} {'labelled':>8} {'true':>5} {'false':>5} {'precision':>9}")
    total = [0, 0, 0]
    for rule, n, tp, fp in rows:
        total = [total[0] + n, total[1] + tp, total[2] + fp]
        prec = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
        print(f"{rule:8} {n:8} {tp + fp:8} {tp:5} {fp:5} {prec:>9}")
    n, tp, fp = total
    prec = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
    print(f"{'overall':8} {n:8} {tp + fp:8} {tp:5} {fp:5} {prec:>9}")


def write_template(path: Path, findings: list[Finding], assigned: dict[int, dict]) -> None:
    entries = []
    seen: set[tuple] = set()
    for i, f in enumerate(findings):
        if i in assigned or f.key in seen:
            continue
        seen.add(f.key)
        entries.append(
            {
                "rule": f.rule,
                "path": f.path,
                "identity": f.identity,
                "token": f.token,
                "line": f.line,
                "verdict": None,
                "reason": "",
                "message": f.message,
            }
        )
    path.write_text(yaml.safe_dump(entries, sort_keys=False, width=200), encoding="utf-8")
    print(f"{len(entries)} unlabelled finding keys written to {path}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--from-json", type=Path, help="a saved `scan --format json` report of the corpus")
    ap.add_argument("--list", action="store_true", help="list every unlabelled finding")
    ap.add_argument("--template", type=Path, help="write unlabelled findings as label entries")
    ap.add_argument("--rule", help="only this rule (in the listings)")
    args = ap.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus}: nothing measured")
        return 0
    report = json.loads(args.from_json.read_text()) if args.from_json else scan(args.corpus)
    findings = findings_of(report, args.corpus)
    assigned, stale = match(findings, load_labels())
    print_table(table(findings, assigned))
    unlabelled = [f for i, f in enumerate(findings) if i not in assigned]
    if args.rule:
        unlabelled = [f for f in unlabelled if f.rule == args.rule]
        stale = [s for s in stale if s["rule"] == args.rule]
    print(f"\n{len(unlabelled)} unlabelled findings; {len(stale)} labels match no finding")
    for lab in stale:
        verdict = "true" if lab["verdict"] else "false"
        print(f"  stale {lab['_file']}: {lab['rule']} {lab['path']}:{lab.get('line')} {lab['identity']} ({verdict})")
    if args.list:
        for f in unlabelled:
            print(f"  unlabelled {f.rule} {f.path}:{f.line} [{f.level}] {f.message[:160]}")
    if args.template:
        write_template(args.template, findings, assigned)
    return 0


if __name__ == "__main__":
    sys.exit(main())
