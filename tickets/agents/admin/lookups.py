"""The admin's list filters, kept to ids a database can hold."""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db.models.constants import LOOKUP_SEP

from kb.converters import ID_MAX


class BoundedLookupsAdmin(admin.ModelAdmin):
    """Refuses (400) a filter that names a related row by a number no id column can hold.

    The list accepts any lookup on the model's own fields (`?category=...`), and Django does not
    range-check lookups through a link to a Wagtail page: on SQLite a number past 64 bits raised
    OverflowError, a 500, where "no such row" is the truth.
    """

    def lookup_allowed(self, lookup, value, request):
        if _through_relation(self.model, lookup) and _beyond_any_id(value):
            return False
        return super().lookup_allowed(lookup, value, request)


def _through_relation(model, lookup: str) -> bool:
    name = lookup.split(LOOKUP_SEP, 1)[0]
    try:
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return field.is_relation


def _beyond_any_id(value) -> bool:
    # `__in` lookups take comma-separated lists.
    for part in str(value).split(","):
        try:
            if abs(int(part.strip())) > ID_MAX:
                return True
        except ValueError:
            continue
    return False
