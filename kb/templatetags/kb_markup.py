"""Template filters for article bodies: rich text shown only within the allow-list."""

from django import template
from django.utils.safestring import mark_safe
from wagtail.rich_text import RichText, expand_db_html

from kb import markup
from kb.engine import block_anchor as anchor_for

register = template.Library()


@register.filter
def sanitised_richtext(value) -> str:
    """Like Wagtail's `richtext`, then sanitised: rich text stored before the importer sanitised
    every block (or written some other way) still shows no tag outside the allow-list."""
    source = value.source if isinstance(value, RichText) else str(value or "")
    # Sanitise after expanding: expansion turns page and document references into links.
    return mark_safe(markup.sanitise_html(expand_db_html(source)))


@register.filter
def block_anchor(block_id) -> str:
    """The fragment id an article block is shown with, so a passage's link lands on it."""
    return anchor_for(str(block_id) if block_id else None)
