"""Database ids that arrive from visitors. A page's primary key is a link to its Wagtail page
row, and Django hands such lookups to the database unchecked: SQLite raises OverflowError for a
number past 64 bits (a 500). So every id a visitor sends, in a URL, a form or JSON, is bounded
here before it reaches a query.

`<id:...>` in URLs takes at most 18 digits, which always fit; a longer one is no page (404).
Registered when the kb app is ready, before any URLconf is loaded."""

from django.urls import register_converter

ID_MAX = 2**63 - 1


def parse_id(value) -> int | None:
    """`value` as a database id, or None when it cannot be one (not a whole number, below 1
    or beyond a 64-bit column)."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= ID_MAX else None


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
