"""Template helpers of the terms: a document's text as blocks (headings, paragraphs, lists, tables)."""

from __future__ import annotations

from django import template

from kouiki.terms.selectors.rendering import Block, blocks

register = template.Library()


@register.filter
def terms_blocks(text: str) -> list[Block]:
    """``{% for block in document.body|terms_blocks %}``: see kouiki.terms.selectors.rendering."""
    return blocks(text or "")
