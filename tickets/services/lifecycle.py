"""A ticket's life: filed (and triaged), answered, assigned, resolved, reopened, closed."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.models import ArticlePage, CategoryPage
from kb.selectors import live_articles, suggest_articles
from kb.services import learned_phrase_add
from tickets import notifications
from tickets.models import ContactSession, Organization, Ticket, TicketEvent, TicketMessage
from tickets.services.contact import filer_key_for, suggestion_query
from tickets.text import without_contact_details
from tickets.triage import routing, sla

LEARNED_DESCRIPTION_WORDS = 30
Status, Resolution = Ticket.Status, Ticket.Resolution


def event_record(ticket, kind, *, actor=None, from_value="", to_value="") -> TicketEvent:
    """One line of the ticket's history; the other service modules log through it too."""
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


def organization_for(*, user) -> Organization | None:
    """The organization an admin assigned the customer's account to, if any.

    Never the domain of an address: anyone can type one, and the tier sets priority and SLA.
    """
    if user is None or not user.is_authenticated:
        return None
    return user.organizations.order_by("pk").first()


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
    filer_key: str = "",
) -> tuple[Ticket, bool]:
    """File a ticket; the same submission (the filer's key, or contact session) files it once.

    A key is scoped to its filer (`filer_key`, by default from the account, the contact
    session's browser or the address): another filer's key finds nothing and files anew.
    """
    signed_in = user is not None and user.is_authenticated
    customer_email = (user.email if signed_in else email).strip().lower()
    filer_key = filer_key or filer_key_for(
        user=user, browser_key=session.browser_key if session else "", email=customer_email
    )
    idempotency_key = (idempotency_key or None) if filer_key else None
    existing = _filed_with_key(filer_key, idempotency_key)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            if session is not None:
                session = ContactSession.objects.select_for_update().get(pk=session.pk)
                if session.outcome == ContactSession.Outcome.TICKET:
                    return Ticket.objects.get(contact_session=session), False
            ticket = Ticket.objects.create(
                customer=user if signed_in else None,
                customer_email=customer_email,
                organization=organization_for(user=user),
                subject=subject.strip()[:200],
                description=description.strip()[:20000],
                category=category,
                source_page=(source_page or (session.source_page if session else ""))[:500],
                contact_session=session,
                top_score=session.top_score if session else None,
                top_relative=session.top_relative if session else None,
                idempotency_key=idempotency_key,
                filer_key=filer_key,
            )
            event_record(
                ticket, TicketEvent.Kind.CREATED, actor=ticket.customer, to_value=Status.NEW
            )
            _triage(ticket)
            if session is not None:
                session.outcome = ContactSession.Outcome.TICKET
                session.ended_at = timezone.now()
                session.subject, session.description = ticket.subject, ticket.description
                session.save()
            notifications.queue(ticket, notifications.Kind.TICKET_RECEIVED)
    except IntegrityError:
        # A concurrent submission of the same filer with the same key won: return its ticket.
        existing = _filed_with_key(filer_key, idempotency_key)
        if existing is not None:
            return existing, False
        raise
    return ticket, True


def _filed_with_key(filer_key: str, idempotency_key: str | None) -> Ticket | None:
    if not idempotency_key:
        return None
    return Ticket.objects.filter(filer_key=filer_key, idempotency_key=idempotency_key).first()


def learned_phrase_text(ticket: Ticket) -> str:
    """The subject and the first words of the description, without e-mail addresses."""
    words = ticket.description.split()
    opening = " ".join(words[:LEARNED_DESCRIPTION_WORDS])
    return without_contact_details(f"{ticket.subject}. {opening}")


def _triage(ticket: Ticket) -> None:
    """Starting priority, category, first assignee and SLA due times of a new ticket."""
    tier = ticket.organization.tier if ticket.organization_id else None
    priority = routing.starting_priority(tier=tier, text=f"{ticket.subject}\n{ticket.description}")
    ticket.priority, ticket.priority_reason = priority.level, priority.reason
    vector = routing.remember_meaning(ticket)
    if ticket.category_id is None:
        suggestions = suggest_articles(
            suggestion_query(ticket.subject, ticket.description)
        ).suggestions
        ticket.category = ticket.auto_category = routing.guess_category(
            subject=ticket.subject,
            description=ticket.description,
            suggestions=suggestions,
            vector=vector,
        )
    sla.apply_due_times(ticket)
    ticket.save(
        update_fields=[
            "priority",
            "priority_reason",
            "category",
            "auto_category",
            "first_response_due_at",
            "resolution_due_at",
            "sla_state",
        ]
    )
    assignee = routing.default_assignee(ticket.category)
    if assignee is not None:
        ticket.assignee = assignee
        event_record(ticket, TicketEvent.Kind.ASSIGNED, to_value=assignee.email[:64])
        ticket.save(update_fields=["assignee"])


def touch(ticket: Ticket, *fields: str) -> None:
    """Save these fields and mark the ticket active now."""
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
        event_record(ticket, TicketEvent.Kind.NOTE, actor=message.author)
        touch(ticket)
        return message
    if from_customer:
        event_record(ticket, TicketEvent.Kind.CUSTOMER_REPLIED, actor=message.author)
        if ticket.status != Status.NEW:
            _set_status(ticket, Status.OPEN, actor=message.author)
        _tell_assignee(ticket, message)
        touch(ticket)
    else:
        event_record(ticket, TicketEvent.Kind.REPLIED, actor=author)
        fields = []
        if ticket.first_response_at is None:
            ticket.first_response_at = timezone.now()
            fields.append("first_response_at")
        if ticket.status in (Status.NEW, Status.OPEN):
            _set_status(ticket, Status.PENDING, actor=author)
        notifications.queue(ticket, notifications.Kind.AGENT_REPLY, message=message)
        touch(ticket, *fields)
    return message


def _tell_assignee(ticket: Ticket, message: TicketMessage) -> None:
    """The customer wrote: the agent on the ticket hears of it by e-mail."""
    if ticket.assignee and ticket.assignee.email:
        notifications.queue(
            ticket,
            notifications.Kind.CUSTOMER_REPLY,
            message=message,
            recipient=ticket.assignee.email,
        )


def _record_status(ticket: Ticket, status: str, *, actor) -> bool:
    """Change the status in memory and log the move (the backlog is computed from the log)."""
    if ticket.status == status:
        return False
    event_record(
        ticket, TicketEvent.Kind.STATUS, actor=actor, from_value=ticket.status, to_value=status
    )
    ticket.status = status
    return True


def _set_status(ticket: Ticket, status: str, *, actor) -> None:
    if not _record_status(ticket, status, actor=actor):
        return
    if status in (Status.NEW, Status.OPEN, Status.PENDING):
        ticket.resolved_at = None
    touch(ticket, "status", "resolved_at")


@transaction.atomic
def ticket_set_status(*, ticket: Ticket, status: str, actor) -> Ticket:
    """Move a ticket between new/open/pending, or close it (ticket_close: resolved first)."""
    if status == Status.RESOLVED:
        raise ValidationError(_("Resolving a ticket needs a resolution."))
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if status == Status.CLOSED and ticket.status not in (Status.RESOLVED, Status.CLOSED):
        return ticket_close(ticket=ticket, actor=actor)  # which resolves it first
    _set_status(ticket, status, actor=actor)
    return ticket


@transaction.atomic
def ticket_resolve(
    *, ticket: Ticket, actor, resolution: str, article: ArticlePage | None = None
) -> Ticket:
    """Resolve with what answered it: an article, a knowledge-base gap, not a KB question, or
    a product signal (bug report, feature request, account action)."""
    if resolution not in Resolution.values or resolution == Resolution.SELF_SERVICE:
        # Self-service after filing is the customer's click (services/answer_offers.py).
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
    if _record_status(ticket, Status.RESOLVED, actor=actor):
        notifications.queue(ticket, notifications.Kind.TICKET_RESOLVED)
        for merged in ticket.merged_tickets.all():
            merged.resolved_article = article
            merged.save(update_fields=["resolved_article"])
            notifications.queue(merged, notifications.Kind.TICKET_RESOLVED)
    touch(ticket, "status")
    return ticket


@transaction.atomic
def ticket_resolve_self_service(*, ticket: Ticket, article_id: int | None) -> Ticket:
    """The customer's "this solved it" on the answer offered after filing: resolved by
    self-service with that article. No "resolved" e-mail: they have just said so themselves,
    and no learned phrase: an agent did not confirm the article."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    ticket.resolution, ticket.resolved_article_id = Resolution.SELF_SERVICE, article_id
    ticket.resolved_at = timezone.now()
    _record_status(ticket, Status.RESOLVED, actor=ticket.customer)
    touch(ticket, "status", "resolution", "resolved_article", "resolved_at")
    return ticket


@transaction.atomic
def ticket_close(
    *, ticket: Ticket, actor, resolution: str = "", article: ArticlePage | None = None
) -> Ticket:
    """Close a ticket; one not resolved yet is resolved first, with what resolved it.

    `resolution` (and `article`) default to what the ticket was last resolved with, so that a
    reopened ticket closes as it was resolved; a ticket never resolved needs them.
    """
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status == Status.CLOSED:
        return ticket
    if ticket.status != Status.RESOLVED:
        if not resolution:
            resolution, article = ticket.resolution, ticket.resolved_article
        if not resolution:
            raise ValidationError(
                _("Resolve %(ref)s before closing it.") % {"ref": ticket.reference}
            )
        # Resolving records the resolution, e-mails the customer and moves merged tickets along.
        ticket = ticket_resolve(ticket=ticket, actor=actor, resolution=resolution, article=article)
    return ticket_set_status(ticket=ticket, status=Status.CLOSED, actor=actor)


@transaction.atomic
def ticket_solved_by_customer(*, ticket: Ticket, customer) -> Ticket:
    """The customer says it's solved; agents still record the resolution when they review it."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.is_open:
        _record_status(ticket, Status.RESOLVED, actor=customer)
        ticket.resolved_at = timezone.now()
        touch(ticket, "status", "resolved_at")
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
    event_record(
        ticket,
        TicketEvent.Kind.ASSIGNED,
        actor=actor,
        from_value=previous[:64],
        to_value=(assignee.email if assignee else "")[:64],
    )
    if ticket.status == Status.NEW and assignee is not None:
        _set_status(ticket, Status.OPEN, actor=actor)
    touch(ticket, "assignee")
    return ticket


@transaction.atomic
def ticket_set_priority(
    *, ticket: Ticket, priority: str, actor, reason: str = "", replan_sla: bool = True
) -> Ticket:
    """Change the priority, logged in history; the SLA due times follow it unless `replan_sla`
    is off (an escalation: due times re-planned from a higher priority would breach at once).

    `reason` says why, when it is not an agent's judgement.
    """
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.priority == priority:
        return ticket
    event_record(
        ticket,
        TicketEvent.Kind.PRIORITY,
        actor=actor,
        from_value=ticket.priority,
        to_value=priority,
    )
    ticket.priority = priority
    ticket.priority_reason = f"{priority}: {reason or _('set by an agent')}"[:200]
    fields = ["priority", "priority_reason"]
    if replan_sla:
        sla.apply_due_times(ticket)
        fields += ["first_response_due_at", "resolution_due_at", "sla_state"]
    touch(ticket, *fields)
    return ticket


@transaction.atomic
def ticket_set_category(*, ticket: Ticket, category: CategoryPage | None, actor) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.category_id != (category.pk if category else None):
        event_record(
            ticket,
            TicketEvent.Kind.CATEGORY,
            actor=actor,
            from_value=str(ticket.category_id or ""),
            to_value=str(category.pk if category else ""),
        )
        ticket.category = category
        touch(ticket, "category")
    return ticket
