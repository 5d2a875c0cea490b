"""A document's text as blocks for the template: headings, paragraphs, lists and tables.

The texts are plain Markdown-like files (seed 000 came that way): `#` headings, `- ` items,
tab-separated table rows, `**` emphasis. Nothing in them is trusted as HTML: tags are dropped and
the template escapes every string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.html import strip_tags

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_ITEM = re.compile(r"^\s*[-*]\s+(.*)$")
_RULE = re.compile(r"^\s*-{3,}\s*$")


@dataclass
class Block:
    kind: str  # "heading", "paragraph", "list", "table"
    level: int = 0  # heading level for the page: 2..4 (the page title is the h1)
    lines: list[str] = field(default_factory=list)  # paragraph lines or list items
    rows: list[list[str]] = field(default_factory=list)  # table rows, the first is the header


def _clean(text: str) -> str:
    return strip_tags(text).replace("**", "").strip()


def blocks(text: str) -> list[Block]:
    """Split a text into blocks; consecutive lines of the same kind stay together."""
    result: list[Block] = []

    def open_block(kind: str) -> Block:
        if not result or result[-1].kind != kind:
            result.append(Block(kind=kind))
        return result[-1]

    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip() or _RULE.match(line):
            result.append(Block(kind="break"))
            continue
        if heading := _HEADING.match(line):
            level = min(len(heading[1]) + 1, 4)
            result.append(Block(kind="heading", level=level, lines=[_clean(heading[2])]))
        elif "\t" in line:
            open_block("table").rows.append([_clean(cell) for cell in line.split("\t")])
        elif item := _ITEM.match(line):
            open_block("list").lines.append(_clean(item[1]))
        else:
            open_block("paragraph").lines.append(_clean(line))
    return [block for block in result if block.kind != "break" and (block.lines or block.rows)]
