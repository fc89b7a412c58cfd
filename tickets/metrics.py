"""Backlog health: intake against burn, backlog size and age, zombies, segments, deflection.

Every figure is an aggregate query (counts grouped by period, percentiles by offset into an
ordered query), never a Python loop over tickets, so the dashboard stays fast at 100,000.
The backlog at any moment is reconstructed from history: tickets created so far, minus
moves out of the open statuses, plus moves back in (a reopened ticket counts again).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Lower, TruncDay, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.suggest import EngineParams

from .models import BacklogSettings, ContactSession, Ticket, TicketEvent

OPEN = list(Ticket.OPEN_STATUSES)
DONE = [Ticket.Status.RESOLVED, Ticket.Status.CLOSED]
SEGMENT_FIELDS = {"category": "category_id", "priority": "priority", "tier": "organization__tier"}
AGE_BUCKETS = [
    ("lt1d", _("< 1 day"), None, timedelta(days=1)),
    ("1-3d", _("1–3 days"), timedelta(days=1), timedelta(days=3)),
    ("3-7d", _("3–7 days"), timedelta(days=3), timedelta(days=7)),
    ("7-30d", _("7–30 days"), timedelta(days=7), timedelta(days=30)),
    ("gt30d", _("> 30 days"), timedelta(days=30), None),
]
TOP_SHARE = 0.8  # the top categories: the fewest that make up this share of the volume


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        return timezone.localtime(self.start).strftime("%d %b")


@dataclass(frozen=True)
class Segment:
    """An optional filter: tickets of one category, priority or customer tier."""

    field: str
    value: str

    def q(self, prefix: str = "") -> Q:
        return Q(**{prefix + SEGMENT_FIELDS[self.field]: self.value})


def make_periods(*, count: int = 12, by: str = "week", now: datetime | None = None) -> list[Period]:
    """The last `count` weeks (Monday to Monday, local time) or days, the current one last."""
    now = timezone.localtime(now or timezone.now())
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    step = timedelta(days=7 if by == "week" else 1)
    current = start_of_day - timedelta(days=now.weekday()) if by == "week" else start_of_day
    starts = [current - step * n for n in range(count - 1, -1, -1)]
    # Re-localise each boundary so a daylight-saving change does not shift it by an hour.
    tz = timezone.get_current_timezone()
    starts = [timezone.make_aware(s.replace(tzinfo=None), tz) for s in starts]
    ends = [*starts[1:], timezone.make_aware((starts[-1] + step).replace(tzinfo=None), tz)]
    return [Period(s, e) for s, e in zip(starts, ends, strict=True)]


def _tickets(segment: Segment | None) -> QuerySet[Ticket]:
    return Ticket.objects.filter(segment.q()) if segment else Ticket.objects.all()


def _moves(segment: Segment | None) -> QuerySet[TicketEvent]:
    moves = TicketEvent.objects.filter(kind=TicketEvent.Kind.STATUS)
    return moves.filter(segment.q("ticket__")) if segment else moves


OUT = Q(from_value__in=OPEN, to_value__in=DONE)
BACK = Q(from_value__in=DONE, to_value__in=OPEN)


def flow(periods: list[Period], *, segment: Segment | None = None) -> list[dict]:
    """Per period: intake, burn (resolved), reopened, net flow and backlog at its end."""
    first, last = periods[0].start, periods[-1].end
    trunc = TruncWeek if periods[0].end - periods[0].start >= timedelta(days=7) else TruncDay
    tz = timezone.get_current_timezone()
    intake = dict(
        _tickets(segment)
        .filter(created_at__gte=first, created_at__lt=last)
        .annotate(p=trunc("created_at", tzinfo=tz))
        .values("p")
        .annotate(n=Count("pk"))
        .values_list("p", "n")
    )
    moves = {
        row["p"]: row
        for row in _moves(segment)
        .filter(created_at__gte=first, created_at__lt=last)
        .annotate(p=trunc("created_at", tzinfo=tz))
        .values("p")
        .annotate(out=Count("pk", filter=OUT), back=Count("pk", filter=BACK))
    }
    before = (
        _moves(segment)
        .filter(created_at__lt=first)
        .aggregate(out=Count("pk", filter=OUT), back=Count("pk", filter=BACK))
    )
    created_before = _tickets(segment).filter(created_at__lt=first).count()
    backlog = created_before - before["out"] + before["back"]
    rows = []
    for period in periods:
        key = period.start
        created = intake.get(key, 0)
        moved = moves.get(key, {"out": 0, "back": 0})
        backlog += created - moved["out"] + moved["back"]
        rows.append(
            {
                "period": period,
                "intake": created,
                "burn": moved["out"],
                "reopened": moved["back"],
                "net": created - moved["out"] + moved["back"],
                "backlog": backlog,
            }
        )
    return rows


def verdict(rows: list[dict]) -> str:
    """One plain sentence on the latest complete or current period."""
    row = rows[-1]
    if row["net"] > 0:
        text = _("Backlog grew by %(n)d this week") % {"n": row["net"]}
    elif row["net"] < 0:
        text = _("Backlog shrank by %(n)d this week") % {"n": -row["net"]}
    else:
        text = _("Backlog held steady this week")
    detail = _("intake %(intake)d, burn %(burn)d") % row
    if row["reopened"]:
        detail += _(", %(n)d reopened") % {"n": row["reopened"]}
    return f"{text}: {detail}."


def _open(segment: Segment | None) -> QuerySet[Ticket]:
    return _tickets(segment).filter(status__in=OPEN)


def _nth(queryset: QuerySet, order: str, fraction: float, field: str):
    """The value at `fraction` of an ordered query (nearest rank), fetched with one OFFSET."""
    n = queryset.count()
    if not n:
        return None
    position = min(n - 1, int(fraction * (n - 1) + 0.5))
    return queryset.order_by(order).values_list(field, flat=True)[position]


def backlog_age(*, now: datetime, segment: Segment | None = None) -> dict:
    """Open tickets by age bucket, with their median and 90th-percentile age."""
    tickets = _open(segment)
    counts = tickets.aggregate(
        **{
            key: Count("pk", filter=_age_q(now, youngest, oldest))
            for key, _label, youngest, oldest in AGE_BUCKETS
        },
        total=Count("pk"),
    )
    median = _nth(tickets, "-created_at", 0.5, "created_at")
    p90 = _nth(tickets, "-created_at", 0.9, "created_at")
    return {
        "buckets": [(key, label, counts[key]) for key, label, *_ in AGE_BUCKETS],
        "open": counts["total"],
        "median": now - median if median else None,
        "p90": now - p90 if p90 else None,
    }


def _age_q(now: datetime, youngest: timedelta | None, oldest: timedelta | None) -> Q:
    q = Q()
    if youngest is not None:
        q &= Q(created_at__lte=now - youngest)
    if oldest is not None:
        q &= Q(created_at__gt=now - oldest)
    return q


def zombie_tickets(*, now: datetime, settings: BacklogSettings | None = None) -> QuerySet[Ticket]:
    """Open long, and nobody owns it or no agent has touched it lately."""
    settings = settings or BacklogSettings.current()
    quiet_since = now - timedelta(days=settings.zombie_quiet_days)
    untouched = Q(last_agent_activity_at__isnull=True) | Q(last_agent_activity_at__lt=quiet_since)
    return (
        Ticket.objects.filter(
            status__in=OPEN, created_at__lt=now - timedelta(days=settings.zombie_age_days)
        )
        .filter(Q(assignee__isnull=True) | untouched)
        .select_related("assignee", "category")
        .order_by("created_at")
    )


def segments(*, since: datetime) -> dict:
    """Volume since a moment and backlog now, by category, priority and customer tier."""
    result = {}
    for name, field in (("category", "category__title"), ("priority", "priority"),
                        ("tier", "organization__tier")):  # fmt: skip
        rows = (
            Ticket.objects.values(field)
            .annotate(
                volume=Count("pk", filter=Q(created_at__gte=since)),
                backlog=Count("pk", filter=Q(status__in=OPEN)),
            )
            .filter(Q(volume__gt=0) | Q(backlog__gt=0))
            .order_by("-volume", "-backlog")
        )
        result[name] = [
            {"value": row[field], "volume": row["volume"], "backlog": row["backlog"]}
            for row in rows
        ]
    total = sum(row["volume"] for row in result["category"])
    top, running = [], 0
    for row in result["category"]:
        if total and running >= TOP_SHARE * total:
            break
        top.append(row)
        running += row["volume"]
    result["top_categories"] = top
    result["top_share"] = running / total if total else 0.0
    return result


def service_times(*, since: datetime) -> dict:
    """Median and 90th-percentile time to first response and to resolution."""
    tickets = Ticket.objects.filter(created_at__gte=since)
    result = {}
    for name, field in (("first_response", "first_response_at"), ("resolution", "resolved_at")):
        timed = tickets.filter(**{f"{field}__isnull": False}).annotate(
            took=ExpressionWrapper(F(field) - F("created_at"), output_field=DurationField())
        )
        result[name] = {
            "count": timed.count(),
            "median": _nth(timed, "took", 0.5, "took"),
            "p90": _nth(timed, "took", 0.9, "took"),
        }
    return result


def deflection(periods: list[Period]) -> dict:
    """Deflected ÷ (deflected + filed) per period, top deflecting articles, failed searches."""
    first, last = periods[0].start, periods[-1].end
    trunc = TruncWeek if periods[0].end - periods[0].start >= timedelta(days=7) else TruncDay
    sessions = ContactSession.objects.filter(created_at__gte=first, created_at__lt=last)
    by_period = {
        row["p"]: row
        for row in sessions.annotate(p=trunc("created_at", tzinfo=timezone.get_current_timezone()))
        .values("p")
        .annotate(
            deflected=Count("pk", filter=Q(outcome=ContactSession.Outcome.DEFLECTED)),
            filed=Count("pk", filter=Q(outcome=ContactSession.Outcome.TICKET)),
        )
    }
    rows = []
    for period in periods:
        row = by_period.get(period.start, {"deflected": 0, "filed": 0})
        total = row["deflected"] + row["filed"]
        rows.append(
            {
                "period": period,
                "deflected": row["deflected"],
                "filed": row["filed"],
                "rate": row["deflected"] / total if total else None,
            }
        )
    totals = sessions.aggregate(
        deflected=Count("pk", filter=Q(outcome=ContactSession.Outcome.DEFLECTED)),
        filed=Count("pk", filter=Q(outcome=ContactSession.Outcome.TICKET)),
    )
    all_contacts = totals["deflected"] + totals["filed"]
    return {
        "rows": rows,
        "rate": totals["deflected"] / all_contacts if all_contacts else None,
        "deflected": totals["deflected"],
        "filed": totals["filed"],
        "top_articles": list(
            sessions.filter(outcome=ContactSession.Outcome.DEFLECTED, deflected_by__isnull=False)
            .values("deflected_by", "deflected_by__title", "deflected_by__url_path")
            .annotate(n=Count("pk"))
            .order_by("-n", "deflected_by__title")[:10]
        ),
        "failed_searches": failed_searches(since=first),
    }


def failed_searches(*, since: datetime, limit: int = 10) -> list[dict]:
    """What customers typed that found nothing good: KB searches and contact forms, together."""
    from kb.models import FailedSearch

    counts: dict[str, int] = {}
    for row in (
        FailedSearch.objects.filter(day__gte=timezone.localtime(since).date())
        .values("query")
        .annotate(n=Sum("count"))
    ):
        counts[row["query"]] = counts.get(row["query"], 0) + row["n"]
    weak = Q(top_relative__isnull=True) | Q(top_relative__lt=EngineParams().threshold)
    for row in (
        ContactSession.objects.filter(weak, created_at__gte=since)
        .exclude(subject="")
        .exclude(outcome=ContactSession.Outcome.DEFLECTED)
        .annotate(query=Lower("subject"))
        .values("query")
        .annotate(n=Count("pk"))
    ):
        counts[row["query"]] = counts.get(row["query"], 0) + row["n"]
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [{"query": query, "count": n} for query, n in ranked]


def backlog_summary(
    *, weeks: int = 12, by: str = "week", segment: Segment | None = None, now=None
) -> dict:
    """Everything the dashboard, the API, the CSV and the weekly report show."""
    now = now or timezone.now()
    periods = make_periods(count=weeks if by == "week" else weeks * 7, by=by, now=now)
    rows = flow(periods, segment=segment)
    since = periods[0].start
    return {
        "generated_at": now,
        "by": by,
        "segment": segment,
        "flow": rows,
        "verdict": verdict(rows),
        "age": backlog_age(now=now, segment=segment),
        "zombies": zombie_tickets(now=now),
        "segments": segments(since=since),
        "service_times": service_times(since=since),
        "deflection": deflection(periods),
    }
