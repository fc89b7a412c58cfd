"""A customer's personal data: what they can download, and how an admin erases it."""

from django.db import transaction
from django.utils import timezone

from tickets.models import ContactSession, Notification, SatisfactionRating, Ticket, TicketMessage

ERASED = "[erased]"


def customer_data_export(*, user) -> dict:
    """Everything the portal holds about a customer's requests, as plain JSON types."""
    tickets = (
        Ticket.objects.filter(customer=user)
        .select_related("satisfaction")
        .prefetch_related("messages")
        .order_by("pk")
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "name": user.get_full_name(),
            "joined": user.date_joined.isoformat(),
        },
        "tickets": [
            {
                "reference": t.reference,
                "subject": t.subject,
                "description": t.description,
                "status": t.status,
                "created_at": t.created_at.isoformat(),
                "source_page": t.source_page,
                "messages": [
                    {
                        "from_you": m.from_customer,
                        "body": m.body,
                        "created_at": m.created_at.isoformat(),
                    }
                    for m in t.messages.all()
                    if not m.internal
                ],
                "your_rating": _rating(t),
            }
            for t in tickets
        ],
        "contact_sessions": [
            {"typed": s.typed_text(), "outcome": s.outcome, "created_at": s.created_at.isoformat()}
            for s in ContactSession.objects.filter(user=user).order_by("created_at")
        ],
    }


def _rating(ticket: Ticket) -> dict | None:
    try:
        rating = ticket.satisfaction
    except SatisfactionRating.DoesNotExist:
        return None
    return {
        "rating": rating.rating,
        "comment": rating.comment,
        "rated_at": rating.created_at.isoformat(),
    }


@transaction.atomic
def customer_erase(*, user) -> int:
    """Remove a customer's personal data; the tickets stay, anonymous, for the statistics.

    Returns how many tickets were anonymised. The account itself is deleted.
    """
    tickets = Ticket.objects.filter(customer=user) | Ticket.objects.filter(
        customer_email__iexact=user.email
    )
    ids = list(tickets.values_list("pk", flat=True))
    placeholder = f"erased-{user.pk}@erased.invalid"
    Ticket.objects.filter(pk__in=ids).update(
        customer=None,
        customer_email=placeholder,
        subject=ERASED,
        description=ERASED,
        source_page="",
    )
    TicketMessage.objects.filter(ticket_id__in=ids, from_customer=True).update(body=ERASED)
    SatisfactionRating.objects.filter(ticket_id__in=ids).exclude(comment="").update(comment=ERASED)
    Notification.objects.filter(ticket_id__in=ids).update(recipient=placeholder, last_error="")
    ContactSession.objects.filter(user=user).update(
        user=None, subject=ERASED, description=ERASED, email=""
    )
    user.delete()
    return len(ids)
