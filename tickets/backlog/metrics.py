"""Backlog health: intake against burn, backlog size and age, zombies, segments, deflection.

Every figure is an aggregate query (counts grouped by period, percentiles by offset into an
ordered query), never a Python loop over tickets, so the dashboard stays fast at 100,000.
The backlog at any moment is reconstructed from history: tickets created so far, minus
moves out of the open statuses, plus moves back in (a reopened ticket counts again).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.models import CategoryPage
from tickets.models import ContactSession, SlaState, Ticket, TicketEvent
from tickets.selectors import failed_searches, zombie_tickets

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


def _per_period(queryset: QuerySet, periods: list[Period], field: str, **conditions) -> dict:
    """Counts per period and condition, in one grouped query.

    The period of a row is found by comparing its date with the boundaries computed here (a
    CASE), rather than by truncating dates in SQL: SQLite truncates with a Python function
    called for every row, which is many times slower.
    """
    window = queryset.filter(**{f"{field}__gte": periods[0].start, f"{field}__lt": periods[-1].end})
    period_of = Case(
        *[When(**{f"{field}__lt": p.end}, then=Value(i)) for i, p in enumerate(periods)],
        output_field=IntegerField(),
    )
    rows = (
        window.annotate(period_index=period_of)
        .values("period_index")
        .annotate(**{name: Count("pk", filter=condition) for name, condition in conditions.items()})
    )
    result = {name: [0] * len(periods) for name in conditions}
    for row in rows:
        for name in conditions:
            result[name][row["period_index"]] = row[name]
    return result


def flow(periods: list[Period], *, segment: Segment | None = None) -> list[dict]:
    """Per period: intake, burn (resolved), reopened, net flow and backlog at its end.

    The backlog is walked back from today's open tickets through the periods' net flows, which
    gives the same answer as replaying all history from the first ticket, reading far less.
    """
    intake = _per_period(_tickets(segment), periods, "created_at", intake=Q())["intake"]
    moves = _per_period(
        _moves(segment).filter(OUT | BACK), periods, "created_at", out=OUT, back=BACK
    )
    rows = [
        {
            "period": period,
            "intake": intake[i],
            "burn": moves["out"][i],
            "reopened": moves["back"][i],
            "net": intake[i] - moves["out"][i] + moves["back"][i],
        }
        for i, period in enumerate(periods)
    ]
    backlog = _open(segment).count()
    for row in reversed(rows):
        row["backlog"] = backlog
        backlog -= row["net"]
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


def _nth(queryset: QuerySet, order: str, fraction: float, field: str, *, count=None):
    """The value at `fraction` of an ordered query (nearest rank), fetched with one OFFSET."""
    n = queryset.count() if count is None else count
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
    median = _nth(tickets, "-created_at", 0.5, "created_at", count=counts["total"])
    p90 = _nth(tickets, "-created_at", 0.9, "created_at", count=counts["total"])
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


def segments(*, since: datetime) -> dict:
    """Volume since a moment and backlog now, by category, priority and customer tier."""
    result = {}
    recent, open_now = Ticket.objects.filter(created_at__gte=since), _open(None)
    for name, field in (
        ("category", "category_id"),
        ("priority", "priority"),
        ("tier", "organization__tier"),
    ):
        # Two indexed queries (recent tickets, open tickets) rather than one scanning all.
        volume = dict(recent.values_list(field).annotate(n=Count("pk")).values_list(field, "n"))
        backlog = dict(open_now.values_list(field).annotate(n=Count("pk")).values_list(field, "n"))
        rows = [
            {"value": value, "volume": volume.get(value, 0), "backlog": backlog.get(value, 0)}
            for value in volume.keys() | backlog.keys()
        ]
        rows.sort(key=lambda row: (-row["volume"], -row["backlog"], str(row["value"])))
        result[name] = rows
    titles = dict(
        CategoryPage.objects.filter(pk__in=[r["value"] for r in result["category"]]).values_list(
            "pk", "title"
        )
    )
    for row in result["category"]:
        row["id"], row["value"] = row["value"], titles.get(row["value"])
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


class SecondsBetween(Func):
    """end - start in seconds, with each database's native arithmetic (fast to sort by)."""

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="(strftime('%%%%s', %(expressions)s))",
            arg_joiner=") - strftime('%%s', ",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS double precision)",
            arg_joiner=" - ",
            **extra,
        )


def service_times(*, since: datetime) -> dict:
    """Median and 90th-percentile time to first response and to resolution."""
    tickets = Ticket.objects.filter(created_at__gte=since)
    result = {}
    for name, field in (("first_response", "first_response_at"), ("resolution", "resolved_at")):
        timed = tickets.filter(**{f"{field}__isnull": False}).annotate(
            took=SecondsBetween(F(field), F("created_at"))
        )
        count = timed.count()
        result[name] = {"count": count}
        # Sorted by the database; each rank is one row read at its OFFSET.
        ordered = timed.order_by("took").values_list("took", flat=True)
        for label, fraction in (("median", 0.5), ("p90", 0.9)):
            position = min(count - 1, int(fraction * (count - 1) + 0.5))
            result[name][label] = timedelta(seconds=float(ordered[position])) if count else None
    return result


def deflection(periods: list[Period]) -> dict:
    """Deflected ÷ (deflected + filed) per period, top deflecting articles, failed searches."""
    first, last = periods[0].start, periods[-1].end
    sessions = ContactSession.objects.filter(created_at__gte=first, created_at__lt=last)
    counts = _per_period(
        ContactSession.objects.all(),
        periods,
        "created_at",
        deflected=Q(outcome=ContactSession.Outcome.DEFLECTED),
        filed=Q(outcome=ContactSession.Outcome.TICKET),
    )
    rows = []
    for i, period in enumerate(periods):
        deflected, filed = counts["deflected"][i], counts["filed"][i]
        total = deflected + filed
        rows.append(
            {
                "period": period,
                "deflected": deflected,
                "filed": filed,
                "rate": deflected / total if total else None,
            }
        )
    deflected, filed = sum(counts["deflected"]), sum(counts["filed"])
    return {
        "rows": rows,
        "rate": deflected / (deflected + filed) if deflected + filed else None,
        "deflected": deflected,
        "filed": filed,
        "top_articles": list(
            sessions.filter(outcome=ContactSession.Outcome.DEFLECTED, deflected_by__isnull=False)
            .values("deflected_by", "deflected_by__title", "deflected_by__url_path")
            .annotate(n=Count("pk"))
            .order_by("-n", "deflected_by__title")[:10]
        ),
        "failed_searches": failed_searches(since=first),
    }


def service_levels(periods: list[Period], *, now: datetime) -> dict:
    """SLA breaches per period, and how the open tickets stand now."""
    breaches = _per_period(
        TicketEvent.objects.filter(kind=TicketEvent.Kind.ESCALATED),
        periods,
        "created_at",
        breaches=Q(),
    )["breaches"]
    standing = Ticket.objects.filter(status__in=OPEN).aggregate(
        at_risk=Count("pk", filter=Q(sla_state=SlaState.AT_RISK)),
        breached=Count("pk", filter=Q(sla_state=SlaState.BREACHED)),
    )
    return {"breaches": breaches, "breaches_total": sum(breaches), **standing}


def auto_category_accuracy(*, since: datetime) -> dict:
    """How often the category guessed at filing was kept by agents (their corrections count)."""
    guessed = Ticket.objects.filter(created_at__gte=since, auto_category__isnull=False).aggregate(
        guessed=Count("pk"), kept=Count("pk", filter=Q(category_id=F("auto_category_id")))
    )
    n = guessed["guessed"]
    return {**guessed, "accuracy": guessed["kept"] / n if n else None}


def contacts_by_page(*, since: datetime, limit: int = 10) -> list[dict]:
    """Which pages of the product customers asked for help from, and how those contacts ended."""
    rows = (
        ContactSession.objects.filter(created_at__gte=since)
        .exclude(source_page="")
        .values("source_page")
        .annotate(
            deflected=Count("pk", filter=Q(outcome=ContactSession.Outcome.DEFLECTED)),
            tickets=Count("pk", filter=Q(outcome=ContactSession.Outcome.TICKET)),
            contacts=Count("pk"),
        )
        .order_by("-contacts", "source_page")[:limit]
    )
    return [
        {
            "page": row["source_page"],
            "contacts": row["contacts"],
            "deflected": row["deflected"],
            "tickets": row["tickets"],
        }
        for row in rows
    ]


def backlog_summary(
    *, weeks: int = 12, by: str = "week", segment: Segment | None = None, now=None
) -> dict:
    """Everything the dashboard, the API, the CSV and the weekly report show."""
    from tickets.backlog.answer_offers import answers_after_filing  # built on this module's helpers
    from tickets.backlog.audit import (  # built on this module
        backlog_trend,
        handoffs,
        zombies_by_wait,
    )
    from tickets.backlog.satisfaction import satisfaction  # it builds on this module's helpers

    now = now or timezone.now()
    periods = make_periods(count=weeks if by == "week" else weeks * 7, by=by, now=now)
    rows = flow(periods, segment=segment)
    since = periods[0].start
    zombies = zombie_tickets(now=now)
    return {
        "generated_at": now,
        "by": by,
        "segment": segment,
        "flow": rows,
        "verdict": verdict(rows),
        "age": backlog_age(now=now, segment=segment),
        "zombies": zombies,
        "zombie_waits": zombies_by_wait(zombies),
        "trend": backlog_trend(now=now),
        "handoffs": handoffs(since=since),
        "segments": segments(since=since),
        "service_times": service_times(since=since),
        "deflection": deflection(periods),
        "satisfaction": satisfaction(periods, segment=segment),
        "answers_after_filing": answers_after_filing(periods, now=now),
        "sla": service_levels(periods, now=now),
        "auto_category": auto_category_accuracy(since=since),
        "pages": contacts_by_page(since=since),
    }
