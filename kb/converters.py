"""`<id:...>` in URLs: the digits of a database id, at most 18 so that the number fits a
64-bit integer. A longer one is no page (404), not an overflow inside the query (500).
Registered when the kb app is ready, before any URLconf is loaded."""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
