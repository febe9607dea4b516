"""A missing end (JEP202): Azure AD client secrets without `end_date` and Key Vault secrets without
`expiration_date` get one, at the start of the day the limit ends (`Options.max_secret_age` from
`Options.now`): inside the limit on the day the fix is made, and a date the secret's rotation then
has to move. Certificates are left alone (their end is the certificate's), so is anything whose
block is not written `resource "type" "name" {` ... `}` with the brace on a line of its own.
"""

from __future__ import annotations

from datetime import datetime

from jeplint.edits import Edit, Fix
from jeplint.fix import text as textedit
from jeplint.fix.attach import Context, Outcome
from jeplint.fix.lifetime import credential_at
from jeplint.parse import parse_text
from jeplint.parse.nodes import Block, Span
from jeplint.rules.base import Finding
from jeplint.rules.common.expiry import limit_for

ATTRIBUTE = {
    "azuread_application_password": "end_date",
    "azuread_service_principal_password": "end_date",
    "azurerm_key_vault_secret": "expiration_date",
}


def _block(text: str, path: str, label: Span) -> Block | None:
    parsed = parse_text(text, path, path)
    for block in parsed.documents if parsed.error is None else []:
        if isinstance(block, Block) and len(block.labels) == 2 and block.labels[1].span == label:
            return block
    return None


def end_of(now: datetime, limit_days: float) -> str:
    """The RFC 3339 start of the day `limit_days` after `now` (UTC)."""
    from datetime import timedelta

    day = (now + timedelta(days=limit_days)).replace(hour=0, minute=0, second=0, microsecond=0)
    return day.strftime("%Y-%m-%dT%H:%M:%SZ")


def insertion(text: str, block: Block, line: str) -> Edit | None:
    """`line` as the block's last attribute, indented as its first one (None for a one-line block)."""
    closing = textedit.line_before(text, block.span.end_line, block.span.end_col - 1)
    if (
        closing.strip()
        or textedit.cut(
            text, Span(block.span.path, block.span.end_line, block.span.end_col - 1, block.span.end_line, block.span.end_col)
        )
        != "}"
    ):
        return None
    first = min(block.attr_spans.values(), key=lambda s: (s.line, s.col), default=None)
    indent = textedit.line_before(text, first.line, first.col) if first is not None else closing + "  "
    if indent.strip():
        return None
    name, _, value = line.partition(" = ")
    equals = {text.split("\n")[s.line - 1].find("=", s.col - 1) for s in block.attr_spans.values() if s.line == s.end_line}
    width = next(iter(equals)) - len(indent) if len(equals) == 1 else 0  # the block's aligned `=` column
    newline = textedit.newline_of(text)
    return Edit(
        block.span.path, block.span.end_line, 1, block.span.end_line, 1, f"{indent}{name.ljust(width - 1)} = {value}{newline}"
    )


def fix(finding: Finding, context: Context) -> Outcome:
    found = credential_at(finding, context)
    if found is None or found[1].written:
        return None
    credential, lifetime = found
    text = context.text(lifetime.span.path)
    block = _block(text, lifetime.span.path, lifetime.span) if text is not None else None
    attribute = ATTRIBUTE.get(str(block.labels[0].value)) if block is not None else None
    if text is None or block is None or attribute is None:
        return None
    limit = limit_for(credential, context.options)
    date = end_of(context.options.now, limit.total_seconds() / 86400)
    edit = insertion(text, block, f'{attribute} = "{date}"')
    if edit is None:
        return f'set {attribute} = "{date}" (within {limit.days} days), and rotate the secret before then'
    return Fix(f'Add {attribute} = "{date}" ({limit.days} days from today)', (edit,))
