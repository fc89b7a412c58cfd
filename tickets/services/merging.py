"""Follow-ups and merges: one conversation per problem, however often the customer writes."""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import notifications
from tickets.models import Ticket, TicketEvent, TicketMessage
from tickets.services.contact import filer_key_for
from tickets.services.lifecycle import (
    Status,
    _record_status,
    _set_status,
    _tell_assignee,
    event_record,
    touch,
)


def follow_up_key(*, author, key: str) -> str:
    """The stored key of a follow-up: the submission's key, scoped to its author."""
    return hashlib.sha256(f"{filer_key_for(user=author)}:{key}".encode()).hexdigest()


@transaction.atomic
def ticket_add_follow_up(
    *, ticket: Ticket, author, subject: str, description: str, idempotency_key: str | None = None
) -> TicketMessage:
    """A new request that continues an open ticket: added to its thread instead of a new ticket.

    The submission key is scoped to its author, as a ticket's is to its filer.
    """
    # The ticket's row lock first: a concurrent retry of the same submission waits, then finds it.
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if idempotency_key:
        idempotency_key = follow_up_key(author=author, key=idempotency_key)
        existing = TicketMessage.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    message = TicketMessage.objects.create(
        ticket=ticket,
        author=author,
        from_customer=True,
        idempotency_key=idempotency_key,
        body=f"{subject.strip()}\n\n{description.strip()}"[:20000],
    )
    event_record(ticket, TicketEvent.Kind.FOLLOW_UP, actor=author)
    if ticket.status == Status.PENDING:
        _set_status(ticket, Status.OPEN, actor=author)
    _tell_assignee(ticket, message)
    touch(ticket)
    return message


def _same_customer(a: Ticket, b: Ticket) -> bool:
    if a.customer_id and b.customer_id:
        return a.customer_id == b.customer_id
    return a.customer_email.lower() == b.customer_email.lower()


@transaction.atomic
def tickets_merge(*, source: Ticket, target: Ticket, actor) -> Ticket:
    """Fold `source` into `target`: every message moves, both customers hear, source closes.

    Between different customers the moved words become agents-only notes, so that neither
    customer reads the other's; the source's customer is told when the target is resolved.
    """
    if source.pk == target.pk:
        raise ValidationError(_("A ticket cannot be merged into itself."))
    source = Ticket.objects.select_for_update().get(pk=source.pk)
    target = Ticket.objects.select_for_update().get(pk=target.pk)
    if source.merged_into_id or target.merged_into_id:
        raise ValidationError(_("One of these tickets has already been merged."))
    same = _same_customer(source, target)
    TicketMessage.objects.create(
        ticket=target,
        author=None,
        from_customer=same,
        internal=not same,
        body=_("Merged from %(ref)s: %(subject)s")
        % {"ref": source.reference, "subject": source.subject}
        + f"\n\n{source.description}",
    )
    moved = source.messages.all()
    if same:
        moved.update(ticket=target)
    else:
        moved.update(ticket=target, internal=True)
    event_record(target, TicketEvent.Kind.MERGED, actor=actor, from_value=source.reference)
    event_record(source, TicketEvent.Kind.MERGED, actor=actor, to_value=target.reference)
    source.merged_into = target
    _record_status(source, Status.CLOSED, actor=actor)
    source.resolved_at = source.resolved_at or timezone.now()
    touch(source, "merged_into", "status", "resolved_at")
    touch(target)
    notifications.queue(source, notifications.Kind.TICKET_MERGED)
    if not same:
        notifications.queue(target, notifications.Kind.TICKET_MERGED)
    return target
