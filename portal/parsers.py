"""The API's JSON parser: DRF's, refusing documents nested deeper than any request needs."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Every request body is one flat object; a little room for clients that wrap it.
MAX_DEPTH = 32


def nesting_depth(data) -> int:
    """How deeply lists and objects nest in parsed JSON (a scalar is 0), without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, depth)
            stack.extend((item, depth + 1) for item in value)
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            # Python's parser gives up near its recursion limit: a client error, not ours.
            raise ParseError(_("JSON nested too deeply.")) from error
        if nesting_depth(data) > MAX_DEPTH:
            raise ParseError(
                _("JSON nested too deeply: at most %(depth)d levels.") % {"depth": MAX_DEPTH}
            )
        return data
