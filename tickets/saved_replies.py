"""Reads of saved replies: which to offer on a ticket, and which are used most."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Q

from kb.engine.similarity import word_cosine

from .models import SavedReply, SavedReplyUse, Ticket
from .triage import NEIGHBOUR_SIMILARITY, NEIGHBOURS, RECENT_CANDIDATES, ticket_words

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
