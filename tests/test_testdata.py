"""The example estate scanned as a whole: cross-file references resolve, and every finding is the
one written next to its line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from conftest import TESTDATA, expectations

from jeplint.run import scan

EXAMPLES = TESTDATA / "examples"


def test_examples_match_annotations(in_root: Path) -> None:
    result = scan(["testdata/examples"])
    assert not result.problems
    expected: Counter[tuple[str, int, str]] = Counter()
    for path in sorted(EXAMPLES.rglob("*")):
        if path.is_file() and path.suffix in (".tf", ".yaml", ".json"):
            found, todo = expectations(path)
            assert not todo
            rel = path.relative_to(in_root).as_posix()
            expected.update({(rel, line, rule): n for (line, rule), n in found.items()})
    got = Counter((f.span.path, f.span.line, f.rule_id) for f in result.findings)
    assert got == expected, "\n".join(f"{f.span} {f.rule_id} {f.message}" for f in result.findings)


def test_policy_in_another_file_names_its_identities(in_root: Path) -> None:
    """policies.tf holds the documents, roles.tf the roles and attachments: one module."""
    result = scan(["testdata/examples/terraform"])
    by_line = {(f.span.path.rsplit("/", 1)[-1], f.span.line): f for f in result.findings}
    upload = by_line[("policies.tf", 48)]
    assert upload.message == (
        "role reports-job and user legacy-uploader can perform 2 write or permissions-management actions "
        '(1 permissions management) on every resource (Resource "*"): s3:PutObjectAcl, s3:PutObject '
        "through policy uploads, statement 1"
    )
    assert (upload.span.col, upload.span.end_col) == (19, 22)
    related = [(r.span.path.rsplit("/", 1)[-1], r.span.line, r.message) for r in upload.related]
    assert related == [
        ("policies.tf", 45, "statement 1 of policy uploads"),
        ("roles.tf", 33, "policy uploads is bound to user legacy-uploader by aws_iam_policy_attachment.uploads"),
        ("roles.tf", 34, "policy uploads is bound to role reports-job by aws_iam_policy_attachment.uploads"),
        ("roles.tf", 9, "role reports-job is declared here"),
        ("roles.tf", 17, "user legacy-uploader is declared here"),
    ]


def test_kubernetes_finding_carries_workloads(in_root: Path) -> None:
    result = scan(["testdata/examples/kubernetes"])
    rbac = next(f for f in result.findings if f.rule_id == "JEP104")
    assert (
        rbac.message
        == 'serviceaccount platform/sync can perform every verb ("*") on deployments in API group apps through ClusterRole sync, rule 1'
    )
    assert (rbac.span.line, rbac.span.col) == (16, 41)
    assert ("Deployment platform/sync runs as serviceaccount platform/sync") in [r.message for r in rbac.related]
    admin = next(f for f in result.findings if f.rule_id == "JEP106")
    # The CronJob has no serviceAccountName: it runs as the namespace's default account.
    assert "CronJob platform/cleanup runs as serviceaccount platform/default" in [r.message for r in admin.related]


def test_unattached_policy_says_so(in_root: Path) -> None:
    result = scan(["testdata/examples/policies/break-glass.json"])
    (finding,) = result.findings
    assert finding.message == (
        "policy document testdata/examples/policies/break-glass.json, statement 1 (BreakGlass) lets its holder "
        'perform every AWS action ("*:*") on every resource; it is attached to no identity in the scan'
    )
    assert (finding.span.line, finding.span.col, finding.span.end_col) == (7, 17, 22)
