"""Reads of the core: customers' tickets, zombies, saved replies to offer, searches that failed."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kb.engine import EngineParams, Passage
from kb.engine.similarity import word_cosine
from kb.models import FailedSearch
from kb.passages import answer_passage
from tickets.access import tickets_visible_to
from tickets.links import answer_offer_token
from tickets.models import (
    AnswerOffer,
    ArticleRequest,
    ContactSession,
    Notification,
    SavedReply,
    SavedReplyUse,
    SuggestionShown,
    SupportSettings,
    Ticket,
    TicketMessage,
)
from tickets.services import browser_key_for, suggestion_query
from tickets.triage.routing import NEIGHBOUR_SIMILARITY, NEIGHBOURS, RECENT_CANDIDATES, ticket_words


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


def zombie_tickets(*, now: datetime, settings: SupportSettings | None = None) -> QuerySet[Ticket]:
    """Open long, and nobody owns it or no agent has touched it lately."""
    settings = settings or SupportSettings.current()
    quiet_since = now - timedelta(days=settings.zombie_quiet_days)
    untouched = Q(last_agent_activity_at__isnull=True) | Q(last_agent_activity_at__lt=quiet_since)
    return (
        Ticket.objects.filter(
            status__in=Ticket.OPEN_STATUSES,
            created_at__lt=now - timedelta(days=settings.zombie_age_days),
        )
        .filter(Q(assignee__isnull=True) | untouched)
        .select_related("assignee", "category", "waiting_on_team")
        .order_by("created_at")
    )


def failed_searches(*, since: datetime, limit: int = 10) -> list[dict]:
    """What customers typed that found nothing good: KB searches and contact forms, together."""
    counts: dict[str, int] = {}
    for row in (
        FailedSearch.objects.filter(day__gte=timezone.localtime(since).date())
        .values("query")
        .annotate(n=Sum("count"))
    ):
        counts[row["query"]] = counts.get(row["query"], 0) + row["n"]
    weak = Q(top_relative__isnull=True) | Q(top_relative__lt=EngineParams().threshold)
    for row in (
        ContactSession.objects.filter(weak, created_at__gte=since)
        .exclude(subject="")
        .exclude(outcome=ContactSession.Outcome.DEFLECTED)
        .annotate(query=Lower("subject"))
        .values("query")
        .annotate(n=Count("pk"))
    ):
        counts[row["query"]] = counts.get(row["query"], 0) + row["n"]
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [{"query": query, "count": n} for query, n in ranked]


# Saved replies: which to offer on a ticket, and which are used most.
DONE = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
# A use counts as resolving the ticket when the ticket was resolved after it.
RESOLVED_AFTER_USE = Q(ticket__status__in=DONE, ticket__resolved_at__gte=F("used_at"))


@dataclass(frozen=True)
class OfferedReply:
    reply: SavedReply
    similar_resolved: int  # similar past tickets it was sent on that were then resolved
    best_similarity: float
    uses: int


def saved_replies_for_ticket(ticket: Ticket, *, limit: int = 10) -> list[OfferedReply]:
    """Active replies, those that resolved the tickets most like this one first, then most used.

    The neighbours are found as triage finds them for the category: the NEIGHBOURS most
    similar resolved tickets a saved reply was sent on, each voting with its similarity.
    """
    replies = list(SavedReply.objects.filter(active=True).annotate(n_uses=Count("uses")))
    if not replies:
        return []
    votes, counts, best = _neighbour_votes(ticket)
    offered = [OfferedReply(r, counts.get(r.pk, 0), best.get(r.pk, 0.0), r.n_uses) for r in replies]
    offered.sort(key=lambda o: (-votes.get(o.reply.pk, 0.0), -o.uses, o.reply.title))
    return offered[:limit]


def _neighbour_votes(ticket: Ticket) -> tuple[dict, dict, dict]:
    resolved = (
        Ticket.objects.filter(status__in=DONE, saved_reply_uses__isnull=False)
        .exclude(pk=ticket.pk)
        .distinct()
        .order_by("-resolved_at")
        .only("pk", "subject", "description")[:RECENT_CANDIDATES]
    )
    mine = ticket_words(ticket.subject, ticket.description)
    scored = sorted(
        ((word_cosine(mine, ticket_words(t.subject, t.description)), t.pk) for t in resolved),
        key=lambda pair: (-pair[0], -pair[1]),
    )
    neighbours = {pk: score for score, pk in scored[:NEIGHBOURS] if score >= NEIGHBOUR_SIMILARITY}
    votes, counts, best = defaultdict(float), defaultdict(int), defaultdict(float)
    uses = (
        SavedReplyUse.objects.filter(RESOLVED_AFTER_USE, ticket__in=neighbours.keys())
        .values_list("reply_id", "ticket_id")
        .distinct()
    )
    for reply_id, ticket_id in uses:
        score = neighbours[ticket_id]
        votes[reply_id] += score
        counts[reply_id] += 1
        best[reply_id] = max(best[reply_id], score)
    return votes, counts, best


def saved_replies_most_used(*, since, limit: int = 10) -> list[dict]:
    """The replies sent most since a moment, with the tickets they resolved: article candidates."""
    return list(
        SavedReplyUse.objects.filter(used_at__gte=since)
        .values("reply_id", "reply__title")
        .annotate(
            uses=Count("pk"),
            tickets=Count("ticket", distinct=True),
            resolved=Count("ticket", filter=RESOLVED_AFTER_USE, distinct=True),
        )
        .order_by("-uses", "reply__title")[:limit]
    )
