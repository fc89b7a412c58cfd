"""Customers' ratings of resolved tickets: one per ticket, changeable, never reopening it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tickets.models import SatisfactionRating, Ticket

RATEABLE_STATUSES = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
COMMENT_MAX_LENGTH = 2000


def ticket_rateable(ticket: Ticket) -> bool:
    return ticket.status in RATEABLE_STATUSES


@transaction.atomic
def ticket_rate(*, ticket: Ticket, rating: str, comment: str = "") -> SatisfactionRating:
    """Record how it went; rating again replaces the rating (and the comment, if one is given).

    The ticket keeps its status: a bad rating is feedback, not a request to reopen (the customer
    replies for that).
    """
    if rating not in SatisfactionRating.Rating.values:
        raise ValidationError(_("Choose good or bad."))
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not ticket_rateable(ticket):
        raise ValidationError(_("You can rate a request once it is resolved."))
    comment = comment.strip()[:COMMENT_MAX_LENGTH]
    existing = SatisfactionRating.objects.filter(ticket=ticket).first()
    if existing is None:
        return SatisfactionRating.objects.create(
            ticket=ticket, rating=rating, comment=comment, agent=ticket.assignee
        )
    existing.rating = rating
    if comment:
        existing.comment = comment
    existing.save(update_fields=["rating", "comment", "updated_at"])
    return existing
