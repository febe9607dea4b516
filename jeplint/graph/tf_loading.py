"""Terraform's reading order for one directory: variable files by precedence, override files last.

- Variable values (`tfvars_order`): `terraform.tfvars`, then `terraform.tfvars.json`, then every
  `*.auto.tfvars` / `*.auto.tfvars.json` in lexical order of file name; a later file wins. Other
  `.tfvars` files are only read with `-var-file`, which a scan cannot know: they are not applied.
- Override files (`override.tf`, `*_override.tf`, and their `.tf.json` forms) are merged after
  every other file (`apply_overrides`): a top-level block with the same type and labels takes each
  argument the override sets, and a nested block type the override writes replaces all the
  original's blocks of that type; `locals` and `variable` bodies merge by name the same way.
"""

from __future__ import annotations

import posixpath
import re

from jeplint.parse.nodes import Block

_OVERRIDE = re.compile(r"(^|_)override\.tf(\.json)?$")
_AUTO = re.compile(r"\.auto\.tfvars(\.json)?$")


def is_override(path: str) -> bool:
    return bool(_OVERRIDE.search(posixpath.basename(path)))


def tfvars_rank(path: str) -> tuple[int, str] | None:
    """Sort key of a variable file Terraform reads on its own, or None when it needs -var-file."""
    name = posixpath.basename(path)
    if name == "terraform.tfvars":
        return (0, name)
    if name == "terraform.tfvars.json":
        return (1, name)
    if _AUTO.search(name):
        return (2, name)
    return None


def _address(block: Block) -> tuple[str, ...]:
    return (block.type, *(str(label.value) for label in block.labels))


def merge_block(original: Block, override: Block) -> Block:
    """A copy of `original` with the arguments and nested block types `override` writes."""
    attrs = {**original.attrs, **override.attrs}
    spans = {**original.attr_spans, **override.attr_spans}
    replaced = {b.type for b in override.blocks}
    blocks = [b for b in original.blocks if b.type not in replaced] + list(override.blocks)
    return Block(original.type, original.labels, attrs, spans, blocks, original.span)


def apply_overrides(blocks: list[Block], overrides: list[Block]) -> list[Block]:
    """The directory's blocks with the override files' blocks merged in, in their file order."""
    out = list(blocks)
    for override in overrides:
        if override.type == "locals":
            out.append(override)  # a later `locals` value wins (see Module)
            continue
        for i, block in enumerate(out):
            if _address(block) == _address(override):
                out[i] = merge_block(block, override)
                break
        else:
            out.append(override)  # Terraform refuses an override of nothing; read it as written
    return out
