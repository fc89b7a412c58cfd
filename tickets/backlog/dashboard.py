"""The backlog dashboard for agents and managers, in the Django admin, and its CSV export."""

import csv
from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kb.forms import PageChoiceField
from kb.models import CategoryPage
from tickets.backlog import charts, metrics
from tickets.models import Organization, Ticket
from tickets.selectors import deflection_rate, saved_replies_most_used


class DashboardForm(forms.Form):
    weeks = forms.IntegerField(min_value=1, max_value=52, required=False, initial=12)
    by = forms.ChoiceField(
        choices=[("week", gettext_lazy("week")), ("day", gettext_lazy("day"))], required=False
    )
    category = PageChoiceField(queryset=CategoryPage.objects.all(), required=False)
    priority = forms.ChoiceField(choices=[("", "—"), *Ticket.Priority.choices], required=False)
    tier = forms.ChoiceField(choices=[("", "—"), *Organization.Tier.choices], required=False)

    def summary_arguments(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        segment = None
        if data.get("category"):
            segment = metrics.Segment("category", str(data["category"].pk))
        elif data.get("priority"):
            segment = metrics.Segment("priority", data["priority"])
        elif data.get("tier"):
            segment = metrics.Segment("tier", data["tier"])
        by = data.get("by") or "week"
        weeks = data.get("weeks") or (12 if by == "week" else 2)
        return {"weeks": weeks, "by": by, "segment": segment}


def period_phrase(*, weeks: int, by: str) -> str:
    """The dashboard's range in words: "last 12 weeks", "last 14 days"."""
    if by == "week":
        return ngettext("last week", "last %(n)d weeks", weeks) % {"n": weeks}
    days = weeks * 7
    return ngettext("last day", "last %(n)d days", days) % {"n": days}


def queue_url(**filters) -> str:
    """The agents' ticket list behind a number."""
    return reverse("admin:tickets_ticket_changelist") + "?" + urlencode(filters)


def _period_links(row: dict) -> dict:
    start, end = row["period"].start.isoformat(), row["period"].end.isoformat()
    return {
        "intake": queue_url(created_at__gte=start, created_at__lt=end),
        "burn": queue_url(resolved_at__gte=start, resolved_at__lt=end),
    }


def _charts(summary: dict) -> dict:
    rows = summary["flow"]
    labels = [row["period"].label for row in rows]
    age = summary["age"]
    period = _("Week starting") if summary["by"] == "week" else _("Day")
    return {
        "flow": charts.line_chart(
            title=_("Intake and burn by %(by)s") % {"by": summary["by"]},
            labels=labels,
            series=[
                (_("Intake"), [row["intake"] for row in rows], "intake"),
                (_("Burn"), [row["burn"] for row in rows], "burn"),
            ],
            x_label=period,
            y_label=_("Tickets"),
        ),
        "backlog": charts.line_chart(
            title=_("Backlog size"),
            labels=labels,
            series=[(_("Open tickets"), [row["backlog"] for row in rows], "backlog")],
            x_label=period,
            y_label=_("Open tickets at the end"),
        ),
        "age": charts.bar_chart(
            title=_("Age of open tickets"),
            labels=[str(label) for _key, label, _n in age["buckets"]],
            values=[n for _key, _label, n in age["buckets"]],
            name=_("Open tickets"),
            x_label=_("Age"),
            y_label=_("Open tickets"),
        ),
        "deflection": charts.line_chart(
            title=_("Deflection rate"),
            labels=labels,
            percent=True,
            x_label=period,
            y_label=_("Share of contacts deflected"),
            series=[
                (
                    _("Deflected"),
                    [row["rate"] for row in summary["deflection"]["rows"]],
                    "deflection",
                )
            ],
        ),
        "satisfaction": charts.line_chart(
            title=_("Customer satisfaction (CSAT): share of good ratings"),
            labels=labels,
            percent=True,
            x_label=period,
            y_label=_("Share of ratings that were good"),
            series=[
                (
                    _("Good ratings"),
                    [row["rate"] for row in summary["satisfaction"]["rows"]],
                    "satisfaction",
                )
            ],
        ),
    }


@permission_required("tickets.view_backlog", raise_exception=True)
def backlog_dashboard(request):
    form = DashboardForm(request.GET or None)
    summary = metrics.backlog_summary(**form.summary_arguments())
    zombies = list(summary["zombies"][:25])
    context = {
        **admin.site.each_context(request),
        "title": _("Backlog dashboard"),
        "form": form,
        "summary": summary,
        "flow": [{**row, "links": _period_links(row)} for row in summary["flow"]],
        "current": summary["flow"][-1],
        "current_links": _period_links(summary["flow"][-1]),
        "charts": _charts(summary),
        "zombies": zombies,
        "zombie_count": summary["zombies"].count(),
        # Rolling 7 days, the period of the Wagtail dashboard's figure (ArticleRequestsPanel).
        "deflection_last_7_days": deflection_rate(
            since=summary["generated_at"] - timedelta(days=7)
        ),
        "period": period_phrase(weeks=form.summary_arguments()["weeks"], by=summary["by"]),
        # What agents keep sending is what an article (or "answer after filing") should say.
        "top_replies": saved_replies_most_used(since=summary["flow"][0]["period"].start),
        "links": {
            "open": queue_url(queue="open"),
            "zombies": queue_url(queue="zombie"),
            "age": {key: queue_url(queue="open", age=key) for key, *_ in metrics.AGE_BUCKETS},
        },
        "csv_query": request.GET.urlencode(),
    }
    return TemplateResponse(request, "admin/tickets/backlog_dashboard.html", context)


@permission_required("tickets.view_backlog", raise_exception=True)
def backlog_csv(request):
    form = DashboardForm(request.GET or None)
    summary = metrics.backlog_summary(**form.summary_arguments())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(summary["generated_at"]).strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="backlog-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "period_start",
            "intake",
            "burn",
            "reopened",
            "net",
            "backlog_at_end",
            "deflected",
            "tickets_filed",
            "deflection_rate",
            "ratings_good",
            "ratings_bad",
            "csat",
        ]
    )
    for row, deflection, csat in zip(
        summary["flow"],
        summary["deflection"]["rows"],
        summary["satisfaction"]["rows"],
        strict=True,
    ):
        rate = deflection["rate"]
        writer.writerow(
            [
                timezone.localtime(row["period"].start).date().isoformat(),
                row["intake"],
                row["burn"],
                row["reopened"],
                row["net"],
                row["backlog"],
                deflection["deflected"],
                deflection["filed"],
                "" if rate is None else f"{rate:.4f}",
                csat["good"],
                csat["bad"],
                "" if csat["rate"] is None else f"{csat['rate']:.4f}",
            ]
        )
    return response
