"""Reads of the support flow for customers' pages and the API."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from kb.engine.passages import Passage
from kb.passages import answer_passage

from .access import tickets_visible_to
from .links import answer_offer_token
from .models import (
    AnswerOffer,
    ArticleRequest,
    ContactSession,
    Notification,
    SuggestionShown,
    Ticket,
    TicketMessage,
)
from .services import browser_key_for, suggestion_query


def contact_session_for_visitor(*, session_id, user, browser_session_key) -> ContactSession | None:
    """The contact session with this id if this visitor started it, else None."""
    if not session_id:
        return None
    sessions = ContactSession.objects.filter(pk=session_id)
    if user is not None and user.is_authenticated:
        return sessions.filter(user=user).first()
    key = browser_key_for(browser_session_key)
    return sessions.filter(user__isnull=True, browser_key=key).first() if key else None


def ticket_list_for_customer(*, user, session) -> QuerySet[Ticket]:
    return tickets_visible_to(user=user, session=session).order_by("-created_at")


def ticket_for_customer(*, reference: str, user, session) -> Ticket | None:
    pk = Ticket.pk_from_reference(reference)
    if pk is None:
        return None
    return (
        tickets_visible_to(user=user, session=session)
        .select_related("resolved_article", "category", "satisfaction")
        .filter(pk=pk)
        .first()
    )


def public_thread(ticket: Ticket) -> QuerySet[TicketMessage]:
    """What the customer sees of the thread: every message but agents' internal notes."""
    return ticket.messages.filter(internal=False).select_related("author")


def deflection_rate(*, since) -> float | None:
    """Deflected contacts ÷ (deflected + ticket-filed contacts) since a moment; None if none."""
    outcomes = ContactSession.objects.filter(created_at__gte=since).aggregate(
        deflected=Count("pk", filter=Q(outcome=ContactSession.Outcome.DEFLECTED)),
        filed=Count("pk", filter=Q(outcome=ContactSession.Outcome.TICKET)),
    )
    total = outcomes["deflected"] + outcomes["filed"]
    return outcomes["deflected"] / total if total else None


def tickets_answered_by_articles(*, since) -> int:
    return Ticket.objects.filter(
        resolution=Ticket.Resolution.ANSWERED_BY_ARTICLE, resolved_at__gte=since
    ).count()


def _told_count():
    """Gap-article e-mails sent for the outer request, as a subquery (no join, no GROUP BY)."""
    sent = (
        Notification.objects.filter(article_request=OuterRef("pk"), state=Notification.State.SENT)
        .values("article_request")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sent, output_field=IntegerField()), 0)


def article_request_list(*, status: str | None, category_id: int | None):
    requests = ArticleRequest.objects.select_related("category", "article", "assignee").annotate(
        customers_told=_told_count()
    )
    if status:
        requests = requests.filter(status=status)
    if category_id:
        requests = requests.filter(category_id=category_id)
    return requests.order_by("-priority", "-last_seen_at", "pk")


def article_figures(*, article) -> list[tuple[str, int]]:
    """How the support flow used an article: shown, opened, deflections, tickets it resolved."""
    shown = SuggestionShown.objects.filter(article=article).aggregate(
        suggested=Count("pk"), clicked=Count("pk", filter=Q(clicked_at__isnull=False))
    )
    return [
        (_("Times suggested while customers typed"), shown["suggested"]),
        (_("Opened from a suggestion"), shown["clicked"]),
        (_("Deflections (“this solved it”)"), article.deflections.count()),
        (_("Tickets resolved with it"), article.resolved_tickets.count()),
    ]


def customers_told(request: ArticleRequest) -> dict:
    """How many addresses heard about the request's article, and how many e-mails are on the way."""
    return Notification.objects.filter(article_request=request).aggregate(
        told=Count("pk", filter=Q(state=Notification.State.SENT)),
        waiting=Count(
            "pk", filter=Q(state__in=[Notification.State.PENDING, Notification.State.SENDING])
        ),
    )


@dataclass(frozen=True)
class OfferedAnswer:
    """What the customer sees of an answer offered after filing, ready to render."""

    offer: AnswerOffer
    article_title: str
    article_url: str  # the article page, at the passage's block when there is one
    passage: Passage | None
    summary: str
    token: str  # the signed "This solved it" link's token


def offered_answer(*, ticket: Ticket) -> OfferedAnswer | None:
    """The answer still awaiting the customer's click on this open ticket, if any."""
    if not ticket.is_open:
        return None
    offer = (
        AnswerOffer.objects.filter(ticket=ticket, state=AnswerOffer.State.OFFERED)
        .select_related("article")
        .first()
    )
    article = offer.article.specific if offer and offer.article_id else None
    if article is None or not article.live:
        return None
    offer.ticket = ticket
    passage = answer_passage(
        article=article, query=suggestion_query(ticket.subject, ticket.description)
    )
    url = article.url or ""
    return OfferedAnswer(
        offer=offer,
        article_title=article.title,
        article_url=f"{url}#{passage.anchor}" if passage and passage.anchor else url,
        passage=passage,
        summary=article.summary,
        token=answer_offer_token(offer),
    )
