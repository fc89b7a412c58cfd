"""The product team's view of product signals in the Django admin, and its CSV and JSON exports."""

import csv
from datetime import timedelta

from django import forms
from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.gaps.product_signals import KINDS, SignalKind, example_excerpt, product_signals

PERMISSION = "tickets.view_product_signals"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """Customers' words as text: a spreadsheet must not run a subject starting with "=" as a
    formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class SignalsForm(forms.Form):
    days = forms.IntegerField(
        label=gettext_lazy("Filed in the last (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        initial=90,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("All kinds")), *[(k.value, k.label) for k in KINDS]],
        required=False,
    )

    def selector_arguments(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        days = data.get("days") or 90
        return {"since": timezone.now() - timedelta(days=days), "kind": data.get("kind") or None}


def _signals(request) -> tuple[SignalsForm, list[SignalKind]]:
    form = SignalsForm(request.GET or None)
    return form, product_signals(**form.selector_arguments())


@permission_required(PERMISSION, raise_exception=True)
def product_signals_view(request):
    form, kinds = _signals(request)
    context = {
        **admin.site.each_context(request),
        "title": _("Product signals"),
        "form": form,
        "kinds": kinds,
        "export_query": request.GET.urlencode(),
    }
    return TemplateResponse(request, "admin/tickets/product_signals.html", context)


def _rows(kinds: list[SignalKind]):
    for kind in kinds:
        for group in kind.groups:
            yield kind, group


def _example(request, ticket) -> dict:
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    return {
        "reference": ticket.reference,
        "subject": ticket.subject,
        "excerpt": example_excerpt(ticket),
        "created_at": ticket.created_at.isoformat(),
        "url": request.build_absolute_uri(url),
    }


@permission_required(PERMISSION, raise_exception=True)
def product_signals_json(request):
    _form, kinds = _signals(request)
    return JsonResponse(
        {
            "generated_at": timezone.now().isoformat(),
            "kinds": [
                {
                    "kind": kind.kind,
                    "label": kind.label,
                    "ticket_count": kind.ticket_count,
                    "groups": [
                        {
                            "title": group.title,
                            "ticket_count": group.ticket_count,
                            "tiers": group.tiers,
                            "first_seen": group.first_seen.isoformat(),
                            "last_seen": group.last_seen.isoformat(),
                            "key_terms": group.key_terms,
                            "examples": [_example(request, t) for t in group.examples],
                        }
                        for group in kind.groups
                    ],
                }
                for kind in kinds
            ],
        }
    )


@permission_required(PERMISSION, raise_exception=True)
def product_signals_csv(request):
    _form, kinds = _signals(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="product-signals-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "kind",
            "title",
            "tickets",
            "tiers",
            "first_seen",
            "last_seen",
            "key_terms",
            "example_tickets",
        ]
    )
    for kind, group in _rows(kinds):
        writer.writerow(
            [
                kind.kind,
                _cell(group.title),
                group.ticket_count,
                "; ".join(f"{tier or 'none'}={n}" for tier, n in group.tiers.items()),
                group.first_seen.isoformat(),
                group.last_seen.isoformat(),
                _cell("; ".join(group.key_terms)),
                "; ".join(f"{t.reference} {t.subject}" for t in group.examples),
            ]
        )
    return response
