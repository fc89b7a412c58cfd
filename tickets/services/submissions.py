"""Filing from a channel (form, API, widget): each request files once, found only by its filer."""

import hashlib
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from kb.models import CategoryPage

from ..models import ContactSession, Ticket
from .answer_offers import answer_offer_after_filing
from .contact import filer_key_for
from .lifecycle import ticket_create

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
    signed_in = user is not None and user.is_authenticated
    filer = filer_key_for(
        user=user,
        browser_key=session.browser_key if session else "",
        email=user.email if signed_in else email,
    )
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
