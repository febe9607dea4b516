"""`${...}` placeholders found in one pass (issue 20, item 3).

The regular expressions this replaces (`\\$\\{([^}!][^}]*)\\}` and `\\$\\{[^}]*\\}`) restart at every
`${` and scan to the next `}`: on `${a${a${a...` without a closing brace that is quadratic (120 KB
took 16 s). A placeholder ends at the first `}` after its `${`, so `substitute` walks the text from
one `}` to the next, once, and gives exactly the regular expressions' matches.
"""

from __future__ import annotations

from collections.abc import Callable


def substitute(text: str, replace: Callable[[str, str], str], bang: bool = True) -> str:
    """`text` with each placeholder `${name}` replaced by `replace(name, "${name}")`.

    As `re.sub` with `\\$\\{([^}!][^}]*)\\}` (`bang=False`: a name starting with `!`, or an empty one,
    is no placeholder) or `\\$\\{[^}]*\\}` (`bang=True`: any name), in one pass."""
    if "${" not in text:
        return text
    out: list[str] = []
    pos = 0
    while True:
        close = text.find("}", pos)
        if close < 0:
            break
        start = text.find("${", pos, close)
        if not bang:
            while start >= 0 and (start + 2 == close or text[start + 2] == "!"):
                start = text.find("${", start + 1, close)
        if start < 0:
            out.append(text[pos : close + 1])
        else:
            out.append(text[pos:start])
            out.append(replace(text[start + 2 : close], text[start : close + 1]))
        pos = close + 1
    out.append(text[pos:])
    return "".join(out)
