"""A workload that mounts a token nothing gives a use (JEP202's note): `automountServiceAccountToken:
false` is written into its pod spec, as the spec's first key, indented as that key is (a comment
above the spec's first key stays above the new line). Only in a YAML manifest whose pod spec is a
block mapping; a Terraform `kubernetes_*` workload or a flow-style spec gets the setting in words.
When the finding is certain is the rule's matter (see `rules/JEP202-credential-lifetime-too-long/`).
"""

from __future__ import annotations

from jeplint.edits import Edit, Fix
from jeplint.fix import syntax
from jeplint.fix import text as textedit
from jeplint.fix.attach import Context, Outcome
from jeplint.rules.base import Finding

SETTING = "automountServiceAccountToken: false"


def fix(finding: Finding, context: Context) -> Outcome:
    workload = next((w for w in context.graph.workloads if w.span == finding.span and w.token is not None), None)
    if workload is None or workload.token is None:
        return None
    token = workload.token
    path = token.spec.path
    if not syntax.is_yaml(path):
        return "set automount_service_account_token = false in its pod spec"
    text = context.text(path)
    advice = f"set {SETTING} in its pod spec"
    if text is None or token.first_key is None:
        return advice
    first = token.first_key
    indent = textedit.line_before(text, first.line, first.col)
    if indent.strip() or not indent:
        return advice  # a flow mapping, or a spec written on the line of its key
    edit = Edit(path, first.line, 1, first.line, 1, f"{indent}{SETTING}{textedit.newline_of(text)}")
    return Fix(f"Add {SETTING} to the pod spec of {workload.kind} {workload.name}", (edit,))
