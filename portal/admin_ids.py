"""Admin URLs that name a row by a number no id column can hold answer 404, never 500.

Django's admin and Wagtail's choosers hand the id in the URL to the database as it came: "x"
raised ValueError in Wagtail's chosen views, and a number past 64 bits raised OverflowError
where the primary key is a link to a Wagtail page row (SQLite). The view names its model (as a
ModelAdmin's view or a Wagtail viewset's view), so the id is checked against that model here,
before any view runs, for every admin URL including those added later."""

from django.apps import apps
from django.contrib.admin.utils import unquote
from django.db import models
from django.http import Http404
from wagtail.admin.views.generic.chooser import ChosenMultipleViewMixin

from kb.converters import parse_id

ID_ARGUMENTS = ("pk", "object_id")


def _view_model(view_func):
    model_admin = getattr(view_func, "model_admin", None)
    if model_admin is not None:
        return model_admin.model
    model = (getattr(view_func, "view_initkwargs", None) or {}).get("model")
    # Some viewsets name their model as "app_label.Model" (Wagtail's documents).
    return apps.get_model(model) if isinstance(model, str) else model


def _takes_integer_ids(model) -> bool:
    field = model._meta.pk
    while field.is_relation:
        field = field.target_field
    return isinstance(field, models.IntegerField)


def _ids_in_request(request, view_func, view_kwargs) -> list[str]:
    ids = [str(view_kwargs[name]) for name in ID_ARGUMENTS if name in view_kwargs]
    view_class = getattr(view_func, "view_class", None)
    if view_class is not None and issubclass(view_class, ChosenMultipleViewMixin):
        ids += request.GET.getlist("id")  # Wagtail's "chosen several" views take ?id=1&id=2
    return ids


class AdminIdMiddleware:
    """404 for an admin URL whose row id cannot be an id of the view's model."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        model = _view_model(view_func)
        if model is None or not _takes_integer_ids(model):
            return None
        for value in _ids_in_request(request, view_func, view_kwargs):
            if parse_id(unquote(value)) is None:
                raise Http404("No such row.")
        return None
