"""Kustomize patches are fragments merged onto a base, not whole objects (testdata/kustomize): they
are not read into the graph, and each is named as not analysed, with the kustomization listing it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from conftest import TESTDATA, expectations

from jeplint.run import scan

FOLDER = "testdata/kustomize"
REASON = (
    "not analysed: a kustomize patch ({field} of testdata/kustomize/overlays/prod/kustomization.yaml), merged onto "
    "its base by `kustomize build`, not a whole object; scan the output of `kustomize build` to check the result"
)


def test_patches_are_named_and_not_read_as_objects(in_root: Path) -> None:
    result = scan([FOLDER])
    expected: Counter[tuple[str, int, str]] = Counter()
    for path in sorted((TESTDATA / "kustomize").rglob("*.yaml")):
        found, _ = expectations(path)
        expected.update({(path.relative_to(in_root).as_posix(), line, rule): n for (line, rule), n in found.items()})
    assert Counter((f.span.path, f.span.line, f.rule_id) for f in result.findings) == expected
    assert [(p.path, p.level, p.reason) for p in result.problems] == [
        (f"{FOLDER}/overlays/prod/deployment-patch.yaml", "note", REASON.format(field="patchesStrategicMerge")),
        (f"{FOLDER}/overlays/prod/json-patch.yaml", "note", REASON.format(field="patchesJson6902")),
        (f"{FOLDER}/overlays/prod/role-patch.yaml", "note", REASON.format(field="patches")),
    ]
    roles = sorted(p.key for p in result.graph.policies if p.platform == "kubernetes")
    assert roles == ["Role:@apply/auditor", "Role:@apply/orders"]
    (orders,) = [p for p in result.graph.policies if p.key == "Role:@apply/orders"]
    assert orders.span is not None and orders.span.path == f"{FOLDER}/base/role.yaml"
    assert [w.identity.key for w in result.graph.workloads] == ["sa:@apply/orders"]  # not the patch's default account


def test_without_its_kustomization_a_patch_file_is_an_object(in_root: Path) -> None:
    """Scanned alone, nothing says the file is a patch: it is read as what it declares."""
    result = scan([f"{FOLDER}/overlays/prod/role-patch.yaml"])
    assert [f.rule_id for f in result.findings] == ["JEP104"]
    assert not result.problems


def test_editor_names_a_patch_and_reads_the_rest_of_its_folder(in_root: Path) -> None:
    from jeplint.lsp.engine import Engine

    folder = in_root / FOLDER / "overlays" / "prod"
    patch = Engine().analyse(str(folder / "role-patch.yaml"))
    assert patch.findings == []
    assert [(p.level, p.reason.split(" (", 1)[0]) for p in patch.problems] == [("note", "not analysed: a kustomize patch")]
    extra = Engine().analyse(str(folder / "extra-role.yaml"))
    assert [(f.rule_id, f.span.line) for f in extra.findings] == [("JEP104", 9)]
    assert not extra.problems
