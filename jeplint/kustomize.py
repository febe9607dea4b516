"""Kustomize patches: files a `kustomization.yaml` lists under `patches`, `patchesStrategicMerge` or
`patchesJson6902` are fragments merged onto a base by `kustomize build`, not whole objects. Read
as objects they would be workloads without a ServiceAccount and roles with half their rules, so
they are not analysed, and each is named as such.

Only the files of the scan are compared with what a kustomization names: nothing it names is
opened, followed or fetched (a remote base, a file outside the scan).
"""

from __future__ import annotations

import os
import posixpath

from jeplint.parse import ParseError, read_text
from jeplint.parse.nodes import Mapping, Node, Scalar, Sequence

KUSTOMIZATION_FILES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
PATCH_FIELDS = ("patches", "patchesStrategicMerge", "patchesJson6902")


def patches(sources: list[tuple[str, str]], max_bytes: int) -> dict[str, str]:
    """(path to open, display path) of the scanned files -> {display path of a patch: why it is not
    analysed}. A kustomization that cannot be read names no patch (it is reported as what it is)."""
    by_path = {os.path.normpath(os.path.abspath(path)): display for path, display in sources}
    found: dict[str, str] = {}
    for path, display in sources:
        if os.path.basename(path) not in KUSTOMIZATION_FILES:
            continue
        from jeplint.parse.yamlpos import load_yaml  # imports PyYAML: only when there is a kustomization

        try:
            documents = load_yaml(read_text(path, max_bytes), display)
        except ParseError:
            continue
        folder = os.path.dirname(os.path.abspath(path))
        for field, written in _patch_paths(documents):
            target = os.path.normpath(os.path.join(folder, *posixpath.normpath(written).split("/")))
            patch = by_path.get(target)
            if patch is not None and patch != display:
                found.setdefault(
                    patch,
                    f"not analysed: a kustomize patch ({field} of {display}), merged onto its base by `kustomize build`, "
                    "not a whole object; scan the output of `kustomize build` to check the result",
                )
    return found


def _patch_paths(documents: list[Node]) -> list[tuple[str, str]]:
    """(field, relative path) of every patch file a kustomization lists (inline patches name none)."""
    out: list[tuple[str, str]] = []
    for doc in documents:
        if not isinstance(doc, Mapping):
            continue
        for field in PATCH_FIELDS:
            entries = doc.items.get(field)
            for entry in entries.items if isinstance(entries, Sequence) else []:
                written = entry.items.get("path") if isinstance(entry, Mapping) else entry
                if isinstance(written, Scalar) and isinstance(written.value, str) and written.value.strip():
                    out.append((field, written.value.strip()))
    return out
