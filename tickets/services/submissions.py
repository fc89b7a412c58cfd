"""Filing from a channel (form, API, widget): each request files once, found only by its filer."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kb.models import CategoryPage
from tickets.models import ContactSession, SupportSettings, Ticket, TicketMessage
from tickets.services.answer_offers import answer_offer_after_filing
from tickets.services.contact import filer_key_for
from tickets.services.lifecycle import ticket_create
from tickets.services.merging import follow_up_key, ticket_add_follow_up
from tickets.triage import routing

DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)


def ticket_submit(
    *,
    user,
    email: str,
    subject: str,
    description: str,
    category: CategoryPage | None = None,
    source_page: str = "",
    session: ContactSession | None = None,
    submission: str | None = None,
) -> tuple[Ticket, bool]:
    """File what a customer sent; a retry or a double submit gets back the filer's own ticket.

    The same submission key, or the same subject and description within ten minutes, from the
    same filer (account, else browser, else address) is the same request. Someone else's key
    is just a key this filer has not used: it files a new ticket, never opens theirs.
    """
    filer = _filer_of(user=user, session=session, email=email)
    subject, description = subject.strip()[:200], description.strip()[:20000]
    if filer:
        duplicate = _recent_duplicate(filer_key=filer, subject=subject, description=description)
        if duplicate is not None:
            return duplicate, False
    ticket, created = ticket_create(
        user=user,
        email=email,
        subject=subject,
        description=description,
        category=category,
        source_page=source_page,
        session=session,
        # Without a key from the client, the words are the key within their ten-minute window,
        # so two posts racing each other still meet at the unique constraint.
        idempotency_key=submission or _words_key(subject, description),
        filer_key=filer,
    )
    if created:
        # After commit, so that filing never waits on or fails because of it; the confirmation
        # page that follows shows what was decided (the e-mail asks the same service).
        transaction.on_commit(partial(answer_offer_after_filing, ticket_id=ticket.pk))
    return ticket, created


def _recent_duplicate(*, filer_key: str, subject: str, description: str) -> Ticket | None:
    return (
        Ticket.objects.filter(
            filer_key=filer_key,
            subject=subject,
            description=description,
            created_at__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW,
        )
        .order_by("-created_at")
        .first()
    )


def _words_key(subject: str, description: str) -> str:
    digest = hashlib.sha256(f"{subject}\n{description}".encode()).hexdigest()[:40]
    window = int(timezone.now().timestamp() // DOUBLE_SUBMIT_WINDOW.total_seconds())
    return f"words:{digest}:{window}"


# --- one rule for every channel ----------------------------------------------------------------


class ContactOutcome(models.TextChoices):
    NEW_TICKET = "new_ticket", _("Filed as a new request")
    FOLLOW_UP = "follow_up", _("Added to the customer's open request")


@dataclass(frozen=True)
class ContactResult:
    """What became of a contact: the ticket it is in, and whether this request just put it there."""

    ticket: Ticket
    outcome: ContactOutcome
    repeated: bool  # a retry or double submit: nothing new was written


def contact_submit(
    *,
    user,
    email: str,
    subject: str,
    description: str,
    category: CategoryPage | None = None,
    source_page: str = "",
    session: ContactSession | None = None,
    submission: str | None = None,
    follow_up: bool = True,
) -> ContactResult:
    """What the form, the API and the widget do with a request: add it, file it, or neither.

    A retry or double submit of the filer's earlier request gets that request's answer. Then a
    signed-in customer writing again about one of their open tickets adds to it (unless
    `follow_up` is off: they insist it is separate); anything else files a new ticket. Guests
    never add to a ticket: an address anyone can type proves nothing about whose ticket it is.
    """
    signed_in = user is not None and user.is_authenticated
    subject, description = subject.strip()[:200], description.strip()[:20000]
    filer = _filer_of(user=user, session=session, email=email)
    key = submission or _words_key(subject, description)
    if filer:
        earlier = _earlier_answer(
            user=user,
            filer_key=filer,
            key=key,
            subject=subject,
            description=description,
            follow_up=follow_up,
        )
        if earlier is not None:
            return earlier
    if follow_up and signed_in:
        open_ticket = routing.follow_up_of(
            user=user,
            subject=subject,
            description=description,
            threshold=SupportSettings.current().follow_up_similarity,
        )
        if open_ticket is not None:
            with transaction.atomic():
                ticket_add_follow_up(
                    ticket=open_ticket,
                    author=user,
                    subject=subject,
                    description=description,
                    idempotency_key=key,
                )
                if session is not None:
                    _end_as_follow_up(session, subject=subject, description=description)
            return ContactResult(open_ticket, ContactOutcome.FOLLOW_UP, repeated=False)
    ticket, created = ticket_submit(
        user=user,
        email=email,
        subject=subject,
        description=description,
        category=category,
        source_page=source_page,
        session=session,
        submission=submission,
    )
    return ContactResult(ticket, ContactOutcome.NEW_TICKET, repeated=not created)


def _end_as_follow_up(session: ContactSession, *, subject: str, description: str) -> None:
    # Ended, so that it is not counted as abandoned tomorrow (nor mined as a gap); "file it
    # separately" may still turn it into a ticket of its own.
    ContactSession.objects.filter(pk=session.pk, outcome=ContactSession.Outcome.OPEN).update(
        outcome=ContactSession.Outcome.FOLLOW_UP,
        ended_at=timezone.now(),
        subject=subject,
        description=description,
        updated_at=timezone.now(),
    )


def _filer_of(*, user, session: ContactSession | None, email: str) -> str:
    """Who sent it, as submission keys are scoped: the account, else the browser, else the
    address typed."""
    browser_key = session.browser_key if session else ""
    return filer_key_for(user=user, browser_key=browser_key, email=email)


def _earlier_answer(
    *, user, filer_key: str, key: str, subject: str, description: str, follow_up: bool
) -> ContactResult | None:
    """The filer sent this before: the ticket it filed, or the ticket it was added to."""
    filed = Ticket.objects.filter(filer_key=filer_key, idempotency_key=key).first()
    if filed is None:
        filed = _recent_duplicate(filer_key=filer_key, subject=subject, description=description)
    if filed is not None:
        return ContactResult(filed, ContactOutcome.NEW_TICKET, repeated=True)
    # "File it separately" sends the same submission again: then an earlier follow-up is no answer.
    if follow_up and user is not None and user.is_authenticated:
        added = (
            TicketMessage.objects.filter(idempotency_key=follow_up_key(author=user, key=key))
            .select_related("ticket")
            .first()
        )
        if added is not None:
            return ContactResult(added.ticket, ContactOutcome.FOLLOW_UP, repeated=True)
    return None
