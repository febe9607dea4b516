"""Rule references as users write them -> canonical rule ids or prefixes, or a clear error.

One resolver for `--select`, `--ignore`, configuration (`select`, `ignore`, `levels`) and
suppressions, so a typo is never an empty selection that passes in silence:

- an id or a prefix of ids (`JEP101`, `JEP1`, `JEP`) that names at least one real rule;
- a rule name (`service-wildcard-action`), which stands for its id;
- case does not matter (`jep101` is `JEP101`): ids are written upper-case in the catalogue, but
  nothing else in jeplint is case-sensitive about them, and a lower-case id is never a different rule.

Anything else raises `UnknownRule`, whose message names the reference and the closest real id.
"""

from __future__ import annotations

import re

from jeplint.rules.base import catalogue

_ID_OR_PREFIX = re.compile(r"JEP\d{0,3}")


class UnknownRule(ValueError):
    """A reference that names no rule; str() is the message to show."""


def resolve(reference: str) -> str:
    """The canonical id or prefix `reference` stands for (see the module docstring)."""
    text = reference.strip()
    metas = catalogue()
    upper = text.upper()
    if _ID_OR_PREFIX.fullmatch(upper) and any(rule_id.startswith(upper) for rule_id in metas):
        return upper
    by_name = {meta.name: rule_id for rule_id, meta in metas.items()}
    if text.lower() in by_name:
        return by_name[text.lower()]
    raise UnknownRule(f"unknown rule {text!r}{_hint(text)}")


def resolve_all(references: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(resolve(r) for r in references)


def closest(reference: str) -> str | None:
    """The real rule id closest to `reference` (by id, or by name), or None when nothing is close."""
    import difflib  # only for a reference that names no rule

    metas = catalogue()
    upper = reference.strip().upper()
    number = re.fullmatch(r"JEP(\d{1,3})", upper)
    if number:  # an id-shaped typo: the real id nearest in number (JEP999 -> JEP405, JEP5 -> JEP405)
        wanted = int(number.group(1).ljust(3, "0"))
        return min(metas, key=lambda rule_id: (abs(int(rule_id[3:]) - wanted), rule_id))
    by_id = difflib.get_close_matches(upper, list(metas), n=1, cutoff=0.6)
    if by_id:
        return by_id[0]
    by_name = {meta.name: rule_id for rule_id, meta in metas.items()}
    names = difflib.get_close_matches(reference.strip().lower(), list(by_name), n=1, cutoff=0.6)
    return by_name[names[0]] if names else None


def _hint(reference: str) -> str:
    near = closest(reference)
    if near is None:
        return ' (see "jeplint rules")'
    return f"; did you mean {near} ({catalogue()[near].name})?"
