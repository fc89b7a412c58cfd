"""Answer after filing: offer a new ticket's customer the article that confidently answers it.

Decided once per ticket, after the filing has committed (so filing never fails because of it),
by `answer_offer_after_filing`, which every channel's filing path (`ticket_submit`) and the
confirmation e-mail call; whichever comes first decides, the other finds the decision. Nothing
is closed until the customer clicks "This solved it"; the ticket stays in the agents' queue,
marked "answer offered", meanwhile.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.models import ArticlePage, CategoryPage
from kb.selectors import live_articles, suggest_articles
from tickets.models import AnswerOffer, SuggestionShown, Ticket, TicketEvent
from tickets.services.contact import suggestion_query
from tickets.services.lifecycle import event_record, ticket_resolve_self_service

logger = logging.getLogger(__name__)
CANDIDATES = 5  # the engine's first five: past them nothing is a confident answer


def confident_relative() -> float:
    """The relative score from which a match is confident enough to offer (see settings)."""
    return settings.ANSWER_OFFER_MIN_RELATIVE


def answer_offer_after_filing(*, ticket_id: int) -> AnswerOffer | None:
    """Decide the offer for a ticket just filed; any failure is logged, never raised."""
    try:
        ticket = Ticket.objects.select_related("category", "contact_session").get(pk=ticket_id)
        return answer_offer_decide(ticket=ticket)
    except Exception:  # noqa: BLE001  (an offer is a bonus: it must never break filing or e-mail)
        logger.exception("Could not decide the answer to offer ticket %s", ticket_id)
        return None


def answer_offer_decide(*, ticket: Ticket) -> AnswerOffer | None:
    """The ticket's offer: the one decided before, else the first confident article, if any."""
    existing = AnswerOffer.objects.filter(ticket=ticket).first()
    if existing is not None or not ticket.is_open:
        return existing
    if ticket.category_id and not ticket.category.offer_answer_after_filing:
        return None
    chosen = confident_answer_for(ticket)
    if chosen is None:
        return None
    article, relative = chosen
    try:
        with transaction.atomic():
            offer = AnswerOffer.objects.create(
                ticket=ticket, article=article, title=article.title[:255], relative=relative
            )
            event_record(ticket, TicketEvent.Kind.ANSWER_OFFERED, to_value=str(article.pk))
    except IntegrityError:  # the e-mail and the request decided at once: keep the first
        return AnswerOffer.objects.filter(ticket=ticket).first()
    return offer


def confident_answer_for(ticket: Ticket) -> tuple[ArticlePage, float] | None:
    """The first of the engine's suggestions that is confident, live, not rejected before
    filing and in a category that offers answers, with its relative score; None without one."""
    result = suggest_articles(
        suggestion_query(ticket.subject, ticket.description),
        user=ticket.customer,
        limit=CANDIDATES,
    )
    confident = [s for s in result.suggestions if s.relative >= confident_relative()]
    if not confident:
        return None
    rejected = rejected_before_filing(ticket)
    articles = live_articles().in_bulk([s.key for s in confident if s.key not in rejected])
    switched_off = list(
        CategoryPage.objects.filter(offer_answer_after_filing=False).values_list("path", flat=True)
    )
    for suggestion in confident:
        article = articles.get(suggestion.key)
        if article is None or any(article.path.startswith(path) for path in switched_off):
            continue
        return article, suggestion.relative
    return None


def rejected_before_filing(ticket: Ticket) -> set[int]:
    """Articles the customer opened from the contact form and then filed anyway: they said
    "No, I still need help" to them already, so offering one again would be silly."""
    if ticket.contact_session_id is None:
        return set()
    return set(
        SuggestionShown.objects.filter(
            session_id=ticket.contact_session_id, clicked_at__isnull=False, article__isnull=False
        ).values_list("article_id", flat=True)
    )


@transaction.atomic
def answer_offer_accept(*, offer: AnswerOffer) -> AnswerOffer:
    """ "This solved it — close my request": resolved by self-service after filing.

    A second click changes nothing; a ticket an agent already resolved or closed stays as the
    agent left it.
    """
    ticket = Ticket.objects.select_for_update().get(pk=offer.ticket_id)
    offer = AnswerOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.state == AnswerOffer.State.ACCEPTED:
        return offer
    if not ticket.is_open:
        raise ValidationError(_("This request is already resolved."))
    offer.state, offer.answered_at = AnswerOffer.State.ACCEPTED, timezone.now()
    offer.save(update_fields=["state", "answered_at"])
    event_record(
        ticket,
        TicketEvent.Kind.ANSWER_ACCEPTED,
        actor=ticket.customer,
        to_value=str(offer.article_id or ""),
    )
    offer.ticket = ticket_resolve_self_service(ticket=ticket, article_id=offer.article_id)
    return offer


@transaction.atomic
def answer_offer_decline(*, offer: AnswerOffer) -> AnswerOffer:
    """ "I still need help": the offer is cleared from the queue; the ticket stays open."""
    offer = AnswerOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.state != AnswerOffer.State.OFFERED:
        return offer
    offer.state, offer.answered_at = AnswerOffer.State.DECLINED, timezone.now()
    offer.save(update_fields=["state", "answered_at"])
    event_record(
        offer.ticket,
        TicketEvent.Kind.ANSWER_DECLINED,
        actor=offer.ticket.customer,
        to_value=str(offer.article_id or ""),
    )
    return offer
