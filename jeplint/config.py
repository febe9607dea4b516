"""Configuration files: `[tool.jeplint]` in `pyproject.toml`, or the same keys at the top of `.jeplint.toml`.

The file is searched from the first scanned path (a file's folder) upward, then from the working
directory upward; in each folder `.jeplint.toml` wins over `pyproject.toml`, and a `pyproject.toml`
without `[tool.jeplint]` is passed over. `jeplint scan --config FILE` names one explicitly.

    [tool.jeplint]
    select = ["JEP1", "JEP2"]          # rule ids or prefixes; empty or absent: every rule
    ignore = ["JEP105"]
    fail-on = "error"                  # error | warning | note | never
    exclude = ["legacy", "modules/**/examples", "*.generated.tf"]

    [tool.jeplint.levels]              # per rule id or prefix (the longest prefix wins)
    JEP102 = "error"

    [tool.jeplint.thresholds]          # any field of `jeplint.options.Options` but `now`
    max-secret-age = "30d"             # durations: 90d, 12h, 30m, 45s, 1h30m

    [tool.jeplint.purposes]            # declared purpose per identity name or key (JEP302)
    secrets-rotator = "secrets-rotation"
    reports-job = "dynamodb:data-read, s3:data-write"

Command-line options win over the file: `--select`, `--ignore` and `--fail-on` replace its values.

`exclude` globs are relative to the folder of the configuration file: `*` and `?` stay within one
path segment, `**` spans any number of them; a pattern matches a file or any folder above it, and a
pattern without `/` matches a file or folder name at any depth. Excluded files are not read at all,
named on the command line or not.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from jeplint.globmatch import Glob
from jeplint.options import Options
from jeplint.timeparse import parse_duration

CONFIG_FILE = ".jeplint.toml"
LEVELS = ("error", "warning", "note")
FAIL_ON = ("error", "warning", "note", "never")
KEYS = ("select", "ignore", "fail-on", "exclude", "levels", "thresholds", "purposes")


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Config:
    path: str | None = None  # the file read; None when there is none
    where: str = ""  # how messages name it: the path, and `[tool.jeplint]` in a pyproject.toml
    root: str = "."  # its folder: the base of `exclude`
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    exclude: tuple[str, ...] = ()
    levels: tuple[tuple[str, str], ...] = ()  # (rule id or prefix, level)
    thresholds: tuple[tuple[str, Any], ...] = ()  # (Options field, value), already converted


def find(paths: list[str], cwd: str | None = None) -> str | None:
    """The configuration file that applies to a scan of `paths`, or None."""
    starts = []
    if paths:
        first = os.path.abspath(paths[0])
        starts.append(first if os.path.isdir(first) else os.path.dirname(first))
    starts.append(os.path.abspath(cwd or os.getcwd()))
    for start in starts:
        folder = start
        while True:
            candidate = os.path.join(folder, CONFIG_FILE)
            if os.path.isfile(candidate):
                return candidate
            pyproject = os.path.join(folder, "pyproject.toml")
            if os.path.isfile(pyproject) and _has_section(pyproject):
                return pyproject
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    return None


def _has_section(pyproject: str) -> bool:
    try:
        return "jeplint" in _read(pyproject).get("tool", {})
    except ConfigError:
        return True  # a broken pyproject.toml that may hold our section: let `load` report it


def _read(path: str) -> dict[str, Any]:
    # imported here: a scan without a configuration file does not need a TOML reader (issue 16)
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib

    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def load(path: str) -> Config:
    """Read and check one configuration file."""
    data = _read(path)
    if os.path.basename(path) == "pyproject.toml":
        data = data.get("tool", {}).get("jeplint", {})
        where = f"{path}: [tool.jeplint]"
    else:
        where = path
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a table")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(KEYS)})")
    fail_on = data.get("fail-on")
    if fail_on is not None and fail_on not in FAIL_ON:
        raise ConfigError(f"{where}: fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    levels = _table(data, "levels", where)
    for rule, level in levels.items():
        _rule_ids([rule], f"{where}: levels")
        if level not in LEVELS:
            raise ConfigError(f"{where}: levels.{rule} must be one of {', '.join(LEVELS)}, not {level!r}")
    return Config(
        path=path,
        root=os.path.dirname(os.path.abspath(path)),
        select=_rule_ids(_strings(data, "select", where), f"{where}: select"),
        ignore=_rule_ids(_strings(data, "ignore", where), f"{where}: ignore"),
        fail_on=fail_on,
        exclude=tuple(_strings(data, "exclude", where)),
        levels=tuple((rule.strip(), level) for rule, level in levels.items()),
        where=where,
        thresholds=_thresholds(_table(data, "thresholds", where), where) + _purposes(_table(data, "purposes", where), where),
    )


def resolve(paths: list[str], explicit: str | None = None, cwd: str | None = None, isolated: bool = False) -> Config:
    """The configuration for a scan: the file named, else the one found, else the defaults.

    `isolated` (`--isolated`): no configuration is searched for in the scanned repository, whose
    contents the CI job does not trust; only a file named with `--config` (by the job) is read."""
    path = explicit or (None if isolated else find(paths, cwd))
    return load(path) if path else Config()


def describe(config: Config, isolated: bool = False) -> str:
    """Which configuration a scan used and what it disables or lowers (issue 20, item 5), for the
    run's summary: a repository's configuration can silence findings, and must say so."""
    if config.path is None:
        return "configuration: none (--isolated: repository configuration ignored)" if isolated else ""
    effects = []
    if config.select:
        effects.append(f"only rules {', '.join(config.select)}")
    if config.ignore:
        effects.append(f"ignores {', '.join(config.ignore)}")
    lowered = [f"{rule} to {level}" for rule, level in config.levels if level != "error"]
    if lowered:
        effects.append(f"sets level {', '.join(lowered)}")
    if config.exclude:
        effects.append(f"excludes {', '.join(config.exclude)}")
    if config.fail_on:
        effects.append(f"fail-on {config.fail_on} (unless given on the command line)")
    changed = sorted(name for name, _ in config.thresholds)
    if changed:
        effects.append(f"changes {', '.join(changed)}")
    shown = os.path.relpath(config.path)
    shown = config.path if shown.startswith("..") else shown.replace(os.sep, "/")
    return f"configuration: {shown}" + (f" ({'; '.join(effects)})" if effects else "")


def _strings(data: dict[str, Any], key: str, where: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key} must be a list of strings")
    return value


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {key} must be a table")
    return value


def _rule_ids(values: list[str], where: str) -> tuple[str, ...]:
    """Rule references as written (ids, prefixes, names); `jeplint.rules.ids` checks them against
    the catalogue (in the CLI: configuration sits below the rules and does not read them)."""
    ids = tuple(v.strip() for v in values)
    if any(not rule for rule in ids):
        raise ConfigError(f"{where}: an empty rule reference")
    return ids


# --- thresholds -----------------------------------------------------------------------------------


def _thresholds(table: dict[str, Any], where: str) -> tuple[tuple[str, Any], ...]:
    defaults = Options()
    fields = {f.name for f in dataclasses.fields(Options) if f.name != "now"}
    converted = []
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in fields:
            known = ", ".join(sorted(n.replace("_", "-") for n in fields)) or "none"
            raise ConfigError(f"{where}: unknown threshold {key!r} (known: {known})")
        converted.append((name, _convert(value, getattr(defaults, name), f"{where}: thresholds.{key}")))
    return tuple(converted)


def _purposes(table: dict[str, Any], where: str) -> tuple[tuple[str, Any], ...]:
    """`purposes` -> the `Options.purposes` field: ((identity name or key, purpose), ...)."""
    if not table:
        return ()
    if not all(isinstance(v, str) and v.strip() for v in table.values()):
        raise ConfigError(f'{where}: purposes values must be purposes (strings) such as "secrets-rotation"')
    return (("purposes", tuple(sorted(table.items()))),)


def _convert(value: Any, default: Any, where: str) -> Any:
    """`value` from TOML as the type of the field's default, or `ConfigError`."""
    if isinstance(default, timedelta):
        duration = parse_duration(value) if isinstance(value, str) else None
        if duration is None:
            raise ConfigError(f'{where} must be a duration such as "90d", "12h" or "1h30m", not {value!r}')
        return duration
    if isinstance(default, bool) or isinstance(value, bool):  # bool is an int: never mix them
        if isinstance(default, bool) and isinstance(value, bool):
            return value
    elif isinstance(default, int) and isinstance(value, int):
        return value
    elif isinstance(default, float) and isinstance(value, (int, float)):
        return float(value)
    elif isinstance(default, str) and isinstance(value, str):
        return value
    elif isinstance(default, (tuple, frozenset)) and isinstance(value, list):
        return type(default)(value)
    raise ConfigError(f"{where} must be {type(default).__name__} like the default {default!r}, not {value!r}")


def options(config: Config, base: Options | None = None) -> Options:
    """`base` (default: a fresh `Options`) with the configured thresholds."""
    return dataclasses.replace(base or Options(), **dict(config.thresholds))


# --- levels and exclusions ----------------------------------------------------------------------


def level_for(rule_id: str, levels: tuple[tuple[str, str], ...]) -> str | None:
    """The configured level of a rule: the entry with the longest matching prefix, or None."""
    matches = [(len(prefix), level) for prefix, level in levels if rule_id.startswith(prefix)]
    return max(matches)[1] if matches else None


def exclusion(patterns: tuple[str, ...], root: str) -> Callable[[str], bool]:
    """A predicate: is this file (a path to open) excluded by `patterns` relative to `root`?"""
    compiled = [Glob(p) for p in patterns if p.strip()]  # matched without backtracking
    base = os.path.abspath(root)

    def excluded(path: str) -> bool:
        relative = os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
        return not relative.startswith("../") and any(glob.match(relative) for glob in compiled)

    return excluded
