"""The audit a growing backlog needs: spike or steady growth, handoffs, who zombies wait on.

Read from the metrics' own data (intake per day, flow per week, the assignment history) with
grouped queries: Python sees a few dozen counts, never the tickets themselves.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.models import CategoryPage
from tickets.backlog import metrics
from tickets.models import Ticket, TicketEvent

BASELINE_WEEKS = 8  # "usual" is what the previous eight weeks looked like
RECENT_DAYS = 7
SPIKE_DAYS = 3  # recent days above the usual range that make a spike rather than a bad day
MAD_K = 3  # the usual range ends at median + MAD_K × MAD of the baseline days …
USUAL_PERCENTILE = 0.9  # … or at their 90th percentile, when days vary so little MAD is 0
GROWTH_WEEKS = 3  # complete weeks in a row of burn below intake that make steady growth
DRIVERS = 3


@dataclass(frozen=True)
class Driver:
    """A category taking in more than usual over the same span of days."""

    category_id: int | None
    category: str
    recent: int
    usual: float

    @property
    def excess(self) -> float:
        return self.recent - self.usual


@dataclass(frozen=True)
class BacklogTrend:
    """Whether intake spiked, the backlog grows steadily, both or neither, and who drives it."""

    spike: bool
    steady_growth: bool
    usual_high: float  # the most tickets a usual day takes in
    days_above: int  # recent days that took in more
    recent_days: int
    growth_weeks: int  # complete weeks in a row, latest first, in which burn was below intake
    growth_intake: int
    growth_burn: int
    drivers: tuple[Driver, ...]

    @property
    def kind(self) -> str:
        if self.spike:
            return "spike"
        return "steady_growth" if self.steady_growth else "neither"

    @property
    def sentence(self) -> str:
        """The verdict in words, with the categories driving it."""
        high = _number(self.usual_high)
        spike = _(
            "Spike: intake was above its usual range (a usual day takes in at most %(high)s) "
            "on %(days)d of the last %(n)d days."
        ) % {"high": high, "days": self.days_above, "n": self.recent_days}
        growth = _(
            "Steady growth: burn was below intake in each of the last %(weeks)d complete weeks "
            "(intake %(intake)d, burn %(burn)d)."
        ) % {"weeks": self.growth_weeks, "intake": self.growth_intake, "burn": self.growth_burn}
        if self.spike and self.steady_growth:
            text = f"{spike} {_('On top of it:')} {growth[:1].lower()}{growth[1:]}"
        elif self.spike:
            text = spike
        elif self.steady_growth:
            text = growth
        else:
            return _(
                "Neither a spike nor steady growth: daily intake is within its usual range and "
                "weekly burn keeps up with intake."
            )
        if self.drivers:
            text += " " + _("Driven by %(categories)s.") % {
                "categories": ", ".join(
                    _("%(category)s (%(recent)d, usually %(usual)s)")
                    % {"category": d.category, "recent": d.recent, "usual": _number(d.usual)}
                    for d in self.drivers
                )
            }
        return text


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _usual_high(days: list[int]) -> float:
    """The top of a usual day's intake: median + k·MAD, at least the 90th percentile."""
    if not days:
        return 0.0
    middle = median(days)
    mad = median(abs(n - middle) for n in days)
    ordered = sorted(days)
    p90 = ordered[min(len(ordered) - 1, int(USUAL_PERCENTILE * (len(ordered) - 1) + 0.5))]
    return float(max(middle + MAD_K * mad, p90))


def _drivers(*, recent: tuple[datetime, datetime], before: tuple[datetime, datetime]):
    """Categories whose intake in `recent` most exceeds their rate in `before`, in one query."""
    span = (recent[1] - recent[0]) / (before[1] - before[0])
    rows = (
        Ticket.objects.filter(created_at__gte=before[0], created_at__lt=recent[1])
        .values("category_id", "category__title")
        .annotate(
            recent=Count("pk", filter=Q(created_at__gte=recent[0])),
            before=Count("pk", filter=Q(created_at__lt=before[1])),
        )
        .order_by()
    )
    drivers = [
        Driver(
            row["category_id"],
            row["category__title"] or _("No category"),
            row["recent"],
            row["before"] * span,
        )
        for row in rows
    ]
    drivers = [d for d in drivers if d.excess > 0]
    drivers.sort(key=lambda d: (-d.excess, d.category))
    return tuple(drivers[:DRIVERS])


def backlog_trend(*, now: datetime | None = None) -> BacklogTrend:
    """Spike (several recent days above the usual range) or steady growth (weeks of burn below
    intake), from daily intake and weekly flow."""
    now = now or timezone.now()
    days = metrics.make_periods(count=RECENT_DAYS + BASELINE_WEEKS * 7, by="day", now=now)
    intake = metrics._per_period(Ticket.objects.all(), days, "created_at", intake=Q())["intake"]
    baseline, recent = intake[:-RECENT_DAYS], intake[-RECENT_DAYS:]
    usual_high = _usual_high(baseline)
    days_above = sum(1 for n in recent if n > usual_high)
    # Complete weeks only: the current one has had days of intake but not yet of burn.
    weeks = metrics.flow(metrics.make_periods(count=GROWTH_WEEKS + 1, by="week", now=now))[:-1]
    streak = 0
    for row in reversed(weeks):
        if row["burn"] >= row["intake"]:
            break
        streak += 1
    growing = weeks[len(weeks) - streak :]
    # Without weeks of history there is no usual range yet, and a first week is no spike.
    spike, steady = days_above >= SPIKE_DAYS and any(baseline), streak >= GROWTH_WEEKS
    drivers: tuple[Driver, ...] = ()
    if spike:
        start = days[-RECENT_DAYS].start
        drivers = _drivers(recent=(start, days[-1].end), before=(days[0].start, start))
    elif steady:
        start, end = growing[0]["period"].start, growing[-1]["period"].end
        drivers = _drivers(
            recent=(start, end), before=(start - timedelta(weeks=BASELINE_WEEKS), start)
        )
    return BacklogTrend(
        spike=spike,
        steady_growth=steady,
        usual_high=usual_high,
        days_above=days_above,
        recent_days=RECENT_DAYS,
        growth_weeks=streak,
        growth_intake=sum(row["intake"] for row in growing),
        growth_burn=sum(row["burn"] for row in growing),
        drivers=drivers,
    )


def handoff_q(prefix: str = "") -> Q:
    """A handoff: an owned ticket passed to another agent (or back to the pool), or to a team.

    The first assignment (nobody → someone, by routing or by hand) passes nothing on.
    """
    return (
        Q(**{f"{prefix}kind": TicketEvent.Kind.ASSIGNED}) & ~Q(**{f"{prefix}from_value": ""})
    ) | (Q(**{f"{prefix}kind": TicketEvent.Kind.WAITING_ON}) & ~Q(**{f"{prefix}to_value": ""}))


def handoffs(*, since: datetime, limit: int = 10) -> dict:
    """Handoffs per ticket resolved since a moment, and where they pile up.

    Read from the handoff events alone (a few per hundred tickets), grouped in SQL: joining
    every resolved ticket to all its events took half a second at 30,000 tickets.
    """
    resolved = Ticket.objects.filter(status__in=metrics.DONE, resolved_at__gte=since)
    events = TicketEvent.objects.filter(
        handoff_q(), ticket__status__in=metrics.DONE, ticket__resolved_at__gte=since
    )
    tickets_by_category = dict(
        resolved.values_list("category_id").annotate(n=Count("pk")).values_list("category_id", "n")
    )
    resolved_count = sum(tickets_by_category.values())
    total = events.count()
    per_ticket = events.values("ticket_id").annotate(n=Count("pk")).order_by("n")
    never = resolved_count - per_ticket.count()  # resolved tickets nobody handed on
    median = None
    if resolved_count:
        position = min(resolved_count - 1, int(0.5 * (resolved_count - 1) + 0.5))
        # The median lies among the zeros, or is read with one OFFSET among the others.
        median = 0 if position < never else per_ticket.values_list("n", flat=True)[position - never]

    def grouped(field: str, **conditions) -> list[dict]:
        return list(
            events.filter(**conditions)
            .values(field)
            .annotate(handoffs=Count("pk"))
            .order_by("-handoffs", field)[:limit]
        )

    by_category = grouped("ticket__category_id")
    titles = dict(
        CategoryPage.objects.filter(
            pk__in=[row["ticket__category_id"] for row in by_category]
        ).values_list("pk", "title")
    )
    return {
        "resolved": resolved_count,
        "handoffs": total,
        "average": total / resolved_count if resolved_count else None,
        "median": median,
        "by_category": [
            {
                "category": titles.get(row["ticket__category_id"]) or _("No category"),
                "tickets": tickets_by_category.get(row["ticket__category_id"], 0),
                "handoffs": row["handoffs"],
                "average": row["handoffs"] / tickets_by_category[row["ticket__category_id"]],
            }
            for row in by_category
        ],
        "by_agent": [
            {"agent": row["from_value"], "handoffs": row["handoffs"]}
            for row in grouped("from_value", kind=TicketEvent.Kind.ASSIGNED)
        ],
        "by_team": [
            {"team": row["to_value"], "handoffs": row["handoffs"]}
            for row in grouped("to_value", kind=TicketEvent.Kind.WAITING_ON)
        ],
    }


def zombies_by_wait(zombies: QuerySet[Ticket]) -> dict:
    """Zombies split by who they wait on: a named team, the customer, an agent, or nobody."""
    zombies = zombies.order_by()
    no_team = Q(waiting_on_team__isnull=True)
    on_customer = Q(status=Ticket.Status.PENDING)
    counts = zombies.aggregate(
        customer=Count("pk", filter=no_team & on_customer),
        unassigned=Count("pk", filter=no_team & ~on_customer & Q(assignee__isnull=True)),
        agent=Count("pk", filter=no_team & ~on_customer & Q(assignee__isnull=False)),
    )
    teams = (
        zombies.filter(waiting_on_team__isnull=False)
        .values("waiting_on_team__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "waiting_on_team__name")
    )
    return {
        **counts,
        "teams": [{"team": r["waiting_on_team__name"], "count": r["n"]} for r in teams],
    }
