"""Writes of the support flow: contact sessions, deflections, tickets, replies and resolutions."""

import hashlib
from collections.abc import Sequence
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.models import ArticlePage, CategoryPage
from kb.selectors import live_articles, suggest_articles
from kb.services import learned_phrase_add

from . import notifications, sla, triage
from .gaps import without_contact_details
from .models import (
    ContactSession,
    Organization,
    SuggestionShown,
    Ticket,
    TicketEvent,
    TicketMessage,
)

QUERY_MAX_LENGTH = 1000
LEARNED_DESCRIPTION_WORDS = 30
ABANDON_AFTER = timedelta(hours=24)
Status, Resolution = Ticket.Status, Ticket.Resolution


def browser_key_for(session_key: str | None) -> str:
    return hashlib.sha256((session_key or "").encode()).hexdigest() if session_key else ""


def suggestion_query(subject: str, description: str) -> str:
    """What the engine is asked: the subject first, then as much description as fits."""
    text = f"{subject.strip()}\n{description.strip()}".strip()
    if len(text) <= QUERY_MAX_LENGTH:
        return text
    cut = text.rfind(" ", 0, QUERY_MAX_LENGTH)
    # Ending on a space tells the engine the last word is complete, not half-typed.
    return text[: cut if cut > 0 else QUERY_MAX_LENGTH] + " "


# --- contact sessions and deflections ---------------------------------------------------


def contact_session_get_or_start(
    *, session_id, user, browser_session_key: str | None, source_page: str = ""
) -> ContactSession:
    """The visitor's open contact session with this id, created on first use.

    An id belongs to the browser that started it: another browser presenting it gets a new one.
    """
    key = browser_key_for(browser_session_key)
    owner = {"user": user} if user and user.is_authenticated else {"browser_key": key}
    if session_id:
        existing = ContactSession.objects.filter(pk=session_id, **owner).first()
        if existing is not None:
            return existing
        if ContactSession.objects.filter(pk=session_id).exists():
            session_id = None  # someone else's id: never reuse it
    return ContactSession.objects.create(
        **({"pk": session_id} if session_id else {}),
        user=user if user and user.is_authenticated else None,
        browser_key=key,
        source_page=source_page[:500],
    )


def contact_session_suggest(
    *,
    session: ContactSession,
    subject: str,
    description: str,
    email: str = "",
    user=None,
    browser_session=None,
    limit: int = 5,
):
    """Suggest articles for what the visitor typed, remembering the text and what was shown."""
    result = suggest_articles(
        suggestion_query(subject, description), user=user, session=browser_session, limit=limit
    )
    with transaction.atomic():
        fields = {"subject": subject[:200], "description": description[:20000]}
        if email:
            fields["email"] = email[:254]
        if result.top_score or session.top_score is None:
            fields.update(top_score=result.top_score, top_relative=result.top_relative)
        ContactSession.objects.filter(pk=session.pk, outcome=ContactSession.Outcome.OPEN).update(
            updated_at=timezone.now(), **fields
        )
        _record_shown(session, result.suggestions)
    return result


def _record_shown(session: ContactSession, suggestions: Sequence) -> None:
    if not suggestions:
        return
    known = set(
        ArticlePage.objects.filter(pk__in=[s.key for s in suggestions]).values_list("pk", flat=True)
    )
    SuggestionShown.objects.bulk_create(
        [
            SuggestionShown(
                session=session, article_id=s.key, title=s.title[:255], rank=rank, score=s.score
            )
            for rank, s in enumerate(suggestions, start=1)
            if s.key in known
        ],
        ignore_conflicts=True,
    )


def contact_session_open_article(*, session: ContactSession, article: ArticlePage) -> None:
    """The visitor opened a suggested article from the contact flow."""
    now = timezone.now()
    updated = SuggestionShown.objects.filter(
        session=session, article=article, clicked_at__isnull=True
    ).update(clicked_at=now)
    if (
        not updated
        and not SuggestionShown.objects.filter(session=session, article=article).exists()
    ):
        SuggestionShown.objects.create(
            session=session,
            article=article,
            title=article.title[:255],
            rank=0,
            score=0,
            clicked_at=now,
        )
    ContactSession.objects.filter(pk=session.pk).update(updated_at=now)


@transaction.atomic
def deflection_record(*, session: ContactSession, article: ArticlePage) -> ContactSession:
    """The article answered the question: the contact ends here, with no ticket."""
    session = ContactSession.objects.select_for_update().get(pk=session.pk)
    if session.outcome == ContactSession.Outcome.DEFLECTED:
        return session
    if session.outcome == ContactSession.Outcome.TICKET:
        raise ValidationError(_("A ticket has already been filed for this request."))
    if not live_articles().filter(pk=article.pk).exists():
        raise ValidationError(_("That article is not available."))
    session.outcome = ContactSession.Outcome.DEFLECTED
    session.deflected_by = article
    session.ended_at = timezone.now()
    session.save(update_fields=["outcome", "deflected_by", "ended_at", "updated_at"])
    return session


def contact_sessions_abandon(*, now=None) -> int:
    """Sessions with no activity for 24 hours and no outcome become abandoned."""
    now = now or timezone.now()
    return ContactSession.objects.filter(
        outcome=ContactSession.Outcome.OPEN, updated_at__lt=now - ABANDON_AFTER
    ).update(outcome=ContactSession.Outcome.ABANDONED, ended_at=now)


# --- tickets -------------------------------------------------------------------------------


def _event(ticket, kind, *, actor=None, from_value="", to_value="") -> TicketEvent:
    event = TicketEvent.objects.create(
        ticket=ticket, kind=kind, actor=actor, from_value=from_value or "", to_value=to_value or ""
    )
    if actor is not None and actor.is_staff:
        # Zombie tickets are those agents stopped touching, whatever the customer does.
        ticket.last_agent_activity_at = event.created_at
        Ticket.objects.filter(pk=ticket.pk).update(last_agent_activity_at=event.created_at)
    return event


def customer_account_for(email: str):
    """The portal account with this (verified) e-mail address, if the customer has one."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(email__iexact=email, is_active=True).first()


def organization_for(*, user, email: str) -> Organization | None:
    """The customer's organization: assigned membership first, then the e-mail domain."""
    if user is not None and user.is_authenticated:
        assigned = user.organizations.order_by("pk").first()
        if assigned is not None:
            return assigned
    domain = email.rpartition("@")[2].strip().lower()
    return Organization.objects.filter(email_domain=domain).first() if domain else None


def ticket_create(
    *,
    user,
    email: str,
    subject: str,
    description: str,
    category: CategoryPage | None = None,
    source_page: str = "",
    session: ContactSession | None = None,
    idempotency_key: str | None = None,
) -> tuple[Ticket, bool]:
    """File a ticket; the same submission (idempotency key or contact session) files it once."""
    if idempotency_key:
        existing = Ticket.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            if session is not None:
                session = ContactSession.objects.select_for_update().get(pk=session.pk)
                if session.outcome == ContactSession.Outcome.TICKET:
                    return Ticket.objects.get(contact_session=session), False
            signed_in = user is not None and user.is_authenticated
            customer_email = (user.email if signed_in else email).strip().lower()
            ticket = Ticket.objects.create(
                customer=user if signed_in else None,
                customer_email=customer_email,
                organization=organization_for(user=user, email=customer_email),
                subject=subject.strip()[:200],
                description=description.strip()[:20000],
                category=category,
                source_page=(source_page or (session.source_page if session else ""))[:500],
                contact_session=session,
                top_score=session.top_score if session else None,
                top_relative=session.top_relative if session else None,
                idempotency_key=idempotency_key or None,
            )
            _event(ticket, TicketEvent.Kind.CREATED, actor=ticket.customer, to_value=Status.NEW)
            _triage(ticket)
            if session is not None:
                session.outcome = ContactSession.Outcome.TICKET
                session.ended_at = timezone.now()
                session.subject, session.description = ticket.subject, ticket.description
                session.save()
            notifications.queue(ticket, notifications.Kind.TICKET_RECEIVED)
    except IntegrityError:
        # A concurrent submission with the same key won the race: return its ticket.
        existing = Ticket.objects.filter(idempotency_key=idempotency_key).first()
        if idempotency_key and existing is not None:
            return existing, False
        raise
    return ticket, True


def learned_phrase_text(ticket: Ticket) -> str:
    """The subject and the first words of the description, without e-mail addresses."""
    words = ticket.description.split()
    opening = " ".join(words[:LEARNED_DESCRIPTION_WORDS])
    return without_contact_details(f"{ticket.subject}. {opening}")


def _triage(ticket: Ticket) -> None:
    """Starting priority, category, first assignee and SLA due times of a new ticket."""
    tier = ticket.organization.tier if ticket.organization_id else None
    priority = triage.starting_priority(tier=tier, text=f"{ticket.subject}\n{ticket.description}")
    ticket.priority, ticket.priority_reason = priority.level, priority.reason
    if ticket.category_id is None:
        suggestions = suggest_articles(
            suggestion_query(ticket.subject, ticket.description)
        ).suggestions
        ticket.category = ticket.auto_category = triage.guess_category(
            subject=ticket.subject, description=ticket.description, suggestions=suggestions
        )
    sla.apply_due_times(ticket)
    ticket.save(
        update_fields=["priority", "priority_reason", "category", "auto_category",
                       "first_response_due_at", "resolution_due_at", "sla_state"]
    )  # fmt: skip
    assignee = triage.default_assignee(ticket.category)
    if assignee is not None:
        ticket.assignee = assignee
        _event(ticket, TicketEvent.Kind.ASSIGNED, to_value=assignee.email[:64])
        ticket.save(update_fields=["assignee"])


def _touch(ticket: Ticket, *fields: str) -> None:
    ticket.last_activity_at = timezone.now()
    ticket.save(update_fields=[*fields, "last_activity_at", "updated_at"])


@transaction.atomic
def ticket_reply(*, ticket: Ticket, author, body: str, internal: bool = False) -> TicketMessage:
    """Add to the thread. An agent's public reply waits on the customer; theirs reopens it."""
    body = body.strip()
    if not body:
        raise ValidationError(_("Write a message first."))
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    from_customer = not (author and author.is_staff) or (
        ticket.customer_id is not None and author.pk == ticket.customer_id
    )
    if internal and from_customer:
        raise ValidationError(_("Only agents can add internal notes."))
    message = TicketMessage.objects.create(
        ticket=ticket,
        author=author if author and author.is_authenticated else None,
        from_customer=from_customer,
        body=body[:20000],
        internal=internal,
    )
    if internal:
        _event(ticket, TicketEvent.Kind.NOTE, actor=message.author)
        _touch(ticket)
        return message
    if from_customer:
        _event(ticket, TicketEvent.Kind.CUSTOMER_REPLIED, actor=message.author)
        if ticket.status != Status.NEW:
            _set_status(ticket, Status.OPEN, actor=message.author)
        if ticket.assignee and ticket.assignee.email:
            notifications.queue(
                ticket,
                notifications.Kind.CUSTOMER_REPLY,
                message=message,
                recipient=ticket.assignee.email,
            )
        _touch(ticket)
    else:
        _event(ticket, TicketEvent.Kind.REPLIED, actor=author)
        fields = []
        if ticket.first_response_at is None:
            ticket.first_response_at = timezone.now()
            fields.append("first_response_at")
        if ticket.status in (Status.NEW, Status.OPEN):
            _set_status(ticket, Status.PENDING, actor=author)
        notifications.queue(ticket, notifications.Kind.AGENT_REPLY, message=message)
        _touch(ticket, *fields)
    return message


def _set_status(ticket: Ticket, status: str, *, actor) -> None:
    if ticket.status == status:
        return
    previous = ticket.status
    ticket.status = status
    if status in (Status.NEW, Status.OPEN, Status.PENDING):
        ticket.resolved_at = None
    _event(ticket, TicketEvent.Kind.STATUS, actor=actor, from_value=previous, to_value=status)
    _touch(ticket, "status", "resolved_at")


@transaction.atomic
def ticket_set_status(*, ticket: Ticket, status: str, actor) -> Ticket:
    """Move a ticket between new/open/pending, or close a resolved one. Resolving is separate."""
    if status == Status.RESOLVED:
        raise ValidationError(_("Resolving a ticket needs a resolution."))
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if status == Status.CLOSED and ticket.status != Status.RESOLVED and not ticket.resolution:
        raise ValidationError(_("Resolve %(ref)s before closing it.") % {"ref": ticket.reference})
    _set_status(ticket, status, actor=actor)
    return ticket


@transaction.atomic
def ticket_resolve(
    *, ticket: Ticket, actor, resolution: str, article: ArticlePage | None = None
) -> Ticket:
    """Resolve with what answered it: an article, a knowledge-base gap, or not a KB question."""
    if resolution not in Resolution.values:
        raise ValidationError(_("Choose what resolved the ticket."))
    if resolution == Resolution.ANSWERED_BY_ARTICLE:
        if article is None:
            raise ValidationError(_("Choose the article that answered it."))
        if not live_articles().filter(pk=article.pk).exists():
            raise ValidationError(_("That article is not published."))
    else:
        article = None
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if article is not None and ticket.resolved_article_id != article.pk:
        # The customer's own words now lead the next customer to this article.
        learned_phrase_add(
            article=article, text=learned_phrase_text(ticket), source_ticket_id=ticket.pk
        )
    ticket.resolution, ticket.resolved_article = resolution, article
    ticket.resolved_at = timezone.now()
    ticket.save(update_fields=["resolution", "resolved_article", "resolved_at"])
    if ticket.status != Status.RESOLVED:
        previous = ticket.status
        ticket.status = Status.RESOLVED
        _event(
            ticket,
            TicketEvent.Kind.STATUS,
            actor=actor,
            from_value=previous,
            to_value=Status.RESOLVED,
        )
        notifications.queue(ticket, notifications.Kind.TICKET_RESOLVED)
        for merged in ticket.merged_tickets.all():
            merged.resolved_article = article
            merged.save(update_fields=["resolved_article"])
            notifications.queue(merged, notifications.Kind.TICKET_RESOLVED)
    _touch(ticket, "status")
    return ticket


@transaction.atomic
def ticket_solved_by_customer(*, ticket: Ticket, customer) -> Ticket:
    """The customer says it's solved; agents still record the resolution when they review it."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.is_open:
        previous = ticket.status
        ticket.status, ticket.resolved_at = Status.RESOLVED, timezone.now()
        _event(
            ticket,
            TicketEvent.Kind.STATUS,
            actor=customer,
            from_value=previous,
            to_value=Status.RESOLVED,
        )
        _touch(ticket, "status", "resolved_at")
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, assignee, actor) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if assignee is not None and not assignee.is_staff:
        raise ValidationError(_("Tickets can only be assigned to agents."))
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return ticket
    previous = ticket.assignee.email if ticket.assignee else ""
    ticket.assignee = assignee
    _event(
        ticket,
        TicketEvent.Kind.ASSIGNED,
        actor=actor,
        from_value=previous[:64],
        to_value=(assignee.email if assignee else "")[:64],
    )
    if ticket.status == Status.NEW and assignee is not None:
        _set_status(ticket, Status.OPEN, actor=actor)
    _touch(ticket, "assignee")
    return ticket


@transaction.atomic
def ticket_set_priority(*, ticket: Ticket, priority: str, actor) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.priority != priority:
        _event(
            ticket,
            TicketEvent.Kind.PRIORITY,
            actor=actor,
            from_value=ticket.priority,
            to_value=priority,
        )
        ticket.priority = priority
        ticket.priority_reason = f"{priority}: {_('set by an agent')}"
        sla.apply_due_times(ticket)
        _touch(
            ticket, "priority", "priority_reason", "first_response_due_at", "resolution_due_at",
            "sla_state",
        )  # fmt: skip
    return ticket


@transaction.atomic
def ticket_set_category(*, ticket: Ticket, category: CategoryPage | None, actor) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.category_id != (category.pk if category else None):
        _event(
            ticket,
            TicketEvent.Kind.CATEGORY,
            actor=actor,
            from_value=str(ticket.category_id or ""),
            to_value=str(category.pk if category else ""),
        )
        ticket.category = category
        _touch(ticket, "category")
    return ticket


@transaction.atomic
def ticket_add_follow_up(
    *, ticket: Ticket, author, subject: str, description: str, idempotency_key: str | None = None
) -> TicketMessage:
    """A new request that continues an open ticket: added to its thread instead of a new ticket."""
    if idempotency_key:
        existing = TicketMessage.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    message = TicketMessage.objects.create(
        ticket=ticket, author=author, from_customer=True, idempotency_key=idempotency_key,
        body=f"{subject.strip()}\n\n{description.strip()}"[:20000],
    )  # fmt: skip
    _event(ticket, TicketEvent.Kind.FOLLOW_UP, actor=author)
    if ticket.status == Status.PENDING:
        _set_status(ticket, Status.OPEN, actor=author)
    if ticket.assignee and ticket.assignee.email:
        notifications.queue(
            ticket, notifications.Kind.CUSTOMER_REPLY, message=message,
            recipient=ticket.assignee.email,
        )  # fmt: skip
    _touch(ticket)
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
        ticket=target, author=None, from_customer=same, internal=not same,
        body=_("Merged from %(ref)s: %(subject)s")
        % {"ref": source.reference, "subject": source.subject}
        + f"\n\n{source.description}",
    )  # fmt: skip
    moved = source.messages.all()
    if same:
        moved.update(ticket=target)
    else:
        moved.update(ticket=target, internal=True)
    _event(target, TicketEvent.Kind.MERGED, actor=actor, from_value=source.reference)
    _event(source, TicketEvent.Kind.MERGED, actor=actor, to_value=target.reference)
    previous = source.status
    source.merged_into, source.status = target, Status.CLOSED
    if previous != Status.CLOSED:
        _event(
            source,
            TicketEvent.Kind.STATUS,
            actor=actor,
            from_value=previous,
            to_value=Status.CLOSED,
        )
    source.resolved_at = source.resolved_at or timezone.now()
    _touch(source, "merged_into", "status", "resolved_at")
    _touch(target)
    notifications.queue(source, notifications.Kind.TICKET_MERGED)
    if not same:
        notifications.queue(target, notifications.Kind.TICKET_MERGED)
    return target
