"""Answer after filing on the dashboard: answers offered, accepted, and the agent time saved.

An offer counts in the period it was made, with whatever the customer answered since (a cohort),
so the acceptance rate of a period is its accepted offers over its offers.

Agent time saved = each accepted offer × the median handling time of *similar tickets*, here
the tickets of the same category that agents resolved in the 90 days before now (time from
filing to resolution: Deflect records no keyboard time, and this is the time such a ticket
keeps support busy). A category with fewer than MIN_SIMILAR such tickets uses all categories'
median. Tickets resolved by self-service are not similar tickets: they took no agent.
"""

from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet

from tickets.backlog.metrics import Period, SecondsBetween, _nth, _per_period
from tickets.models import AnswerOffer, Ticket

SIMILAR_WINDOW = timedelta(days=90)
MIN_SIMILAR = 5  # fewer resolved tickets than this in a category: its median says little
ACCEPTED = Q(state=AnswerOffer.State.ACCEPTED)
DECLINED = Q(state=AnswerOffer.State.DECLINED)


def _rate(accepted: int, offered: int) -> float | None:
    return accepted / offered if offered else None


def _handled_by_agents(*, now: datetime) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(resolved_at__gte=now - SIMILAR_WINDOW, resolved_at__lte=now)
        .exclude(resolution__in=["", Ticket.Resolution.SELF_SERVICE])
        .annotate(took=SecondsBetween(F("resolved_at"), F("created_at")))
    )


def _median_seconds(tickets: QuerySet[Ticket]) -> tuple[float | None, int]:
    count = tickets.count()
    return _nth(tickets, "took", 0.5, "took", count=count), count


def median_handling_seconds(*, category_ids: set, now: datetime) -> dict:
    """Median handling time (seconds) of similar tickets per category id; None: everywhere."""
    handled = _handled_by_agents(now=now)
    overall, _ = _median_seconds(handled)
    medians = {None: overall}
    for category_id in category_ids - {None}:
        median, count = _median_seconds(handled.filter(category_id=category_id))
        medians[category_id] = median if count >= MIN_SIMILAR else overall
    return medians


def answers_after_filing(periods: list[Period], *, now: datetime) -> dict:
    """Offered, accepted (count and rate), declined and agent time saved, per period and over
    all the periods."""
    offers = AnswerOffer.objects.all()
    counts = _per_period(
        offers, periods, "created_at", offered=Q(), accepted=ACCEPTED, declined=DECLINED
    )
    window = offers.filter(created_at__gte=periods[0].start, created_at__lt=periods[-1].end)
    accepted = list(
        window.filter(ACCEPTED).values_list("created_at", "ticket__category_id").order_by()
    )
    medians = median_handling_seconds(category_ids={c for _, c in accepted}, now=now)
    saved = [0.0] * len(periods)
    for created_at, category_id in accepted:
        index = next(i for i, p in enumerate(periods) if created_at < p.end)
        saved[index] += medians.get(category_id) or medians[None] or 0.0
    rows = [
        {
            "period": period,
            "offered": offered,
            "accepted": accepted_n,
            "declined": declined,
            "rate": _rate(accepted_n, offered),
            "time_saved": timedelta(seconds=seconds),
        }
        for period, offered, accepted_n, declined, seconds in zip(
            periods, counts["offered"], counts["accepted"], counts["declined"], saved, strict=True
        )
    ]
    offered, accepted_n = sum(counts["offered"]), sum(counts["accepted"])
    return {
        "rows": rows,
        "offered": offered,
        "accepted": accepted_n,
        "declined": sum(counts["declined"]),
        "rate": _rate(accepted_n, offered),
        "time_saved": timedelta(seconds=sum(saved)),
        "median_handling": None if medians[None] is None else timedelta(seconds=medians[None]),
        "top_articles": list(
            window.filter(ACCEPTED, article__isnull=False)
            .values("article", "title")
            .annotate(n=Count("pk"))
            .order_by("-n", "title")[:5]
        ),
    }
