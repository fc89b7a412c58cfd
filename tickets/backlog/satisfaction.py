"""Customer satisfaction (CSAT): the share of good ratings per period, per agent, per category.

Counted in SQL like the other backlog figures (grouped counts, no loop over ratings). A rating
belongs to the period it was first given in; changing it later changes its value, not its date.
"""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from tickets.backlog.metrics import Period, Segment, _per_period
from tickets.models import SatisfactionRating

GOOD = Q(rating=SatisfactionRating.Rating.GOOD)
BAD = Q(rating=SatisfactionRating.Rating.BAD)


def _share(good: int, bad: int) -> float | None:
    return good / (good + bad) if good + bad else None


def _ratings(segment: Segment | None) -> QuerySet[SatisfactionRating]:
    ratings = SatisfactionRating.objects.all()
    return ratings.filter(segment.q("ticket__")) if segment else ratings


def _grouped(ratings: QuerySet, *fields: str) -> list[dict]:
    return list(
        ratings.values(*fields)
        .annotate(good=Count("pk", filter=GOOD), bad=Count("pk", filter=BAD), total=Count("pk"))
        .order_by("-total", *fields)
    )


def satisfaction(periods: list[Period], *, segment: Segment | None = None) -> dict:
    """CSAT per period and over all the periods, by agent and by category."""
    ratings = _ratings(segment)
    counts = _per_period(ratings, periods, "created_at", good=GOOD, bad=BAD)
    rows = [
        {"period": period, "good": good, "bad": bad, "rate": _share(good, bad)}
        for period, good, bad in zip(periods, counts["good"], counts["bad"], strict=True)
    ]
    window = ratings.filter(created_at__gte=periods[0].start, created_at__lt=periods[-1].end)
    by_agent = [
        {
            "id": row["agent"],
            "agent": row["agent__email"] or _("Unassigned"),
            "good": row["good"],
            "bad": row["bad"],
            "rate": _share(row["good"], row["bad"]),
        }
        for row in _grouped(window, "agent", "agent__email")
    ]
    by_category = [
        {
            "id": row["ticket__category"],
            "category": row["ticket__category__title"] or _("No category"),
            "good": row["good"],
            "bad": row["bad"],
            "rate": _share(row["good"], row["bad"]),
        }
        for row in _grouped(window, "ticket__category", "ticket__category__title")
    ]
    good, bad = sum(counts["good"]), sum(counts["bad"])
    return {
        "rows": rows,
        "good": good,
        "bad": bad,
        "rate": _share(good, bad),
        "by_agent": by_agent,
        "by_category": by_category,
    }
