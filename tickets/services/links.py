"""A customer without an account asks for a fresh personal link: the old ones stop working."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tickets import access, notifications
from tickets.models import Notification, Ticket

NEW_LINKS_PER_TICKET_PER_HOUR = 3


@transaction.atomic
def ticket_link_resend(*, reference: str, email: str) -> bool:
    """E-mail a fresh link to the ticket's own address and revoke every earlier one.

    False when nothing matches, or the ticket already had its new links this hour (so nobody
    can flood a customer's mailbox); the page says the same either way and reveals nothing.
    """
    pk = Ticket.pk_from_reference(reference)
    if pk is None:
        return False
    ticket = (
        Ticket.objects.select_for_update()
        .filter(pk=pk, customer__isnull=True, customer_email=email.strip().lower())
        .first()
    )
    if ticket is None:
        return False
    sent_lately = Notification.objects.filter(
        ticket=ticket,
        kind=Notification.Kind.NEW_LINK,
        created_at__gte=timezone.now() - timedelta(hours=1),
    ).count()
    if sent_lately >= NEW_LINKS_PER_TICKET_PER_HOUR:
        return False
    access.links_revoke(ticket)
    notifications.queue(ticket, notifications.Kind.NEW_LINK)
    return True
