"""Regenerate jeplint/data/aws_managed_policies.bin from a copy of the AWS managed policy documents.

Usage (from the repository root, with the development venv):

    /work/venv/bin/python scripts/refresh_aws_managed.py [SOURCE.json.gz]

SOURCE (default ../shared/knowledge/data/aws_managed_policies.json.gz) is
``{"source": "...", "policies": {name: {"arn", "deprecated", "version", "document"}}}``, as derived
from github.com/iann0036/iam-dataset ``aws/managedpolicies/`` (MIT, Copyright (c) 2021 Ian Mckay;
the documents are AWS's published managed-policy versions). To refresh: regenerate SOURCE from a
newer iam-dataset checkout (one JSON file per policy, same fields), run this script, update the
snapshot date in NOTICE, and run the tests.

The output is one file, built for a lookup that parses nothing it does not need:

- line 1: a small JSON header ``{"source": ..., "count": N, "index": K}``;
- K bytes of index, one line per policy, sorted: ``\nNAME\tPATH\tDEPRECATED(0|1)\tOFFSET\tLENGTH``;
- the documents, each its ``Statement`` list as compact JSON, zlib-compressed, at OFFSET (counted
  from the end of the index) for LENGTH bytes.

jeplint reads it only when a managed policy is attached (see jeplint/graph/aws_managed.py), finds a
name with one substring search of the index and decompresses only the documents it needs. AdministratorAccess and PowerUserAccess stay hand-written
in aws_managed.py (the dataset lacks them); any entry for them here is ignored.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "knowledge" / "data" / "aws_managed_policies.json.gz"
OUT = ROOT / "jeplint" / "data" / "aws_managed_policies.bin"
ARN = re.compile(r"^arn:aws:iam::aws:policy(?P<path>/(?:[\w+=,.@-]+/)*)(?P<name>[\w+=,.@-]+)$")


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else DEFAULT
    data = json.loads(gzip.decompress(source.read_bytes()))
    index: dict[str, list[object]] = {}
    documents: dict[str, str] = {}
    for entry in data["policies"].values():
        match = ARN.match(entry["arn"])
        if match is None:
            print(f"skipped, not a managed policy ARN: {entry['arn']}", file=sys.stderr)
            continue
        name = match.group("name")
        statements = entry["document"].get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        index[name] = [match.group("path"), bool(entry["deprecated"]), entry.get("version", "")]
        documents[name] = json.dumps(statements, separators=(",", ":"), sort_keys=True)
    blobs = b""
    lines = []
    for name in sorted(documents):
        blob = zlib.compress(documents[name].encode(), 9)
        path, deprecated, _ = index[name]
        lines.append(f"\n{name}\t{path}\t{int(deprecated)}\t{len(blobs)}\t{len(blob)}")
        blobs += blob
    table = "".join(lines).encode() + b"\n"
    header = {"source": data.get("source", str(source.name)), "count": len(index), "index": len(table)}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(json.dumps(header, separators=(",", ":")).encode() + b"\n" + table + blobs)
    print(f"{OUT.relative_to(ROOT)}: {len(index)} policies, {OUT.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
