"""Regenerate jeplint/data/sam_policy_templates.json from AWS SAM's policy templates.

Usage (from the repository root, with the development venv):

    /work/venv/bin/python scripts/refresh_sam_templates.py PATH/TO/policy_templates.json RELEASE

The source is aws-sam-translator's ``samtranslator/policy_templates_data/policy_templates.json``
(Apache License 2.0, Copyright Amazon.com, Inc. or its affiliates), read as data: nothing of SAM is
imported or run. Each template becomes ``{name: [[actions, resources], ...]}`` with every
``Fn::Sub`` written as text whose variables are the template's parameters (``${TableName}``) or
pseudo parameters (``${AWS::Region}``). A template whose statements hold anything else (a
``Condition``, an ``Fn::If``, a ``Deny``, ``NotAction``) is left out: jeplint keeps it as a policy it
could not read, rather than a wider one than SAM makes. Update the release in NOTICE, run the tests.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "jeplint" / "data" / "sam_policy_templates.json"


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and list(value) == ["Fn::Sub"]:
        sub = value["Fn::Sub"]
        if isinstance(sub, str):
            return sub
        text, variables = sub
        for name, ref in variables.items():
            if not (isinstance(ref, dict) and list(ref) == ["Ref"]):
                return None
            text = text.replace("${" + name + "}", "${" + ref["Ref"] + "}")
        return str(text)
    return None


def _statements(definition: dict[str, Any]) -> list[list[list[str]]] | None:
    out = []
    for statement in definition["Statement"]:
        if set(statement) != {"Effect", "Action", "Resource"} or statement["Effect"] != "Allow":
            return None
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        listed = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        resources = [_text(r) for r in listed]
        if any(r is None for r in resources) or not all(isinstance(a, str) for a in actions):
            return None
        out.append([actions, resources])
    return out


def main(source: str) -> None:
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    templates = {}
    for name, template in sorted(data["Templates"].items()):
        statements = _statements(template["Definition"])
        if statements is not None:
            templates[name] = statements
    release = sys.argv[2] if len(sys.argv) > 2 else "?"
    payload = {"source": f"aws-sam-translator {release}, policy_templates.json", "templates": templates}
    lines = [f"{json.dumps(name)}: {json.dumps(statements)}" for name, statements in templates.items()]
    text = '{"source": ' + json.dumps(payload["source"]) + ', "templates": {\n' + ",\n".join(lines) + "\n}}\n"
    OUT.write_text(text, encoding="utf-8")
    print(f"{len(templates)} of {len(data['Templates'])} templates written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
