"""Triage at filing time: starting priority, category, first assignee, and follow-up detection.

Requests are compared by kb/engine/similarity.py: by meaning (each ticket's vector is stored when
it is filed); where the semantic layer is off, by their words.
"""

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
from django.db.models import Q

from kb.engine import similarity as meaning
from kb.engine.similarity import WordVector, WordVectoriser, word_cosine
from kb.models import ArticlePage, CategoryPage
from tickets.models import CategoryRoute, Organization, Ticket, TicketVector

TIER_STEP = {Organization.Tier.FREE: -1, Organization.Tier.PRO: 0, Organization.Tier.ENTERPRISE: 1}
# What customers write when it is urgent, by how the reason reads on the ticket.
URGENT_WORDS = {
    "service down": r"\b(production|prod|site|app|service|system|everything)\s+(is\s+)?"
    r"(down|offline)\b|\boutage\b|\b(is|are|went)\s+down\b",
    "cannot log in": r"\b(can ?not|can't|cant|unable to)\s+(log|sign)\s*(in|on)\b|\blocked out\b",
    "data loss": r"\bdata loss\b|\blost (all |our |my )*(data|work|records)\b"
    r"|\b(deleted|wiped|gone)\b.{0,20}\b(data|records|everything)\b",
    "urgent": r"\burgent\b|\basap\b|\bemergency\b|\bcritical\b",
    "security": r"\bsecurity (breach|incident)\b|\bhacked\b|\bcompromised\b",
}
URGENCY_SIGNALS = [(re.compile(words, re.I), label) for label, words in URGENT_WORDS.items()]
STRONG_MATCH = 0.5  # a suggestion this good (relative score) says which category it is
NEIGHBOURS = 7
NEIGHBOUR_SIMILARITY = 0.2
RECENT_CANDIDATES = 1000  # similarity is computed in Python over this many recent tickets
# By meaning: each category of resolved tickets scores the cosine with their mean vector, plus
# NEIGHBOUR_WEIGHT x cosine**SHARPNESS per ticket among the MEANING_NEIGHBOURS nearest; a
# matching article adds ARTICLE_VOTE. Chosen on clinc150 (history: train, new tickets: val,
# 150 categories): .917 by means alone, .909 by neighbours alone, .933 both.
MEANING_NEIGHBOURS = 20
SHARPNESS = 8
NEIGHBOUR_WEIGHT = 0.1
ARTICLE_VOTE = 0.2
RECENT_VECTORS = 20_000  # resolved tickets compared by meaning: 30 MB, ~3 ms a filing
SIMILAR_OPEN_MEANING = 0.6  # cosine above which another customer's open ticket is "similar"


@dataclass(frozen=True)
class Priority:
    level: str
    reason: str


def starting_priority(*, tier: str | None, text: str) -> Priority:
    """Normal, a step down for free and up for enterprise customers, a step up per urgent signal."""
    step, reasons = 0, []
    if tier in TIER_STEP and TIER_STEP[tier]:
        step += TIER_STEP[tier]
        reasons.append(f"{Organization.Tier(tier).label.lower()} tier")
    for pattern, label in URGENCY_SIGNALS:
        match = pattern.search(text)
        if match:
            step += 1
            reasons.append(f"'{' '.join(match.group().split()).lower()}' ({label})")
    level = Ticket.Priority.stepped(Ticket.Priority.NORMAL, step)
    reason = " + ".join(reasons) if reasons else "default"
    return Priority(level, f"{level}: {reason}"[:200])


# No corpus at filing time: every word weighs the same (a plain cosine of sublinear counts).
_WORDS = WordVectoriser()


def ticket_words(subject: str, description: str) -> WordVector:
    """A request by its words; the subject says what it is about, so it counts twice."""
    return _WORDS.vector(f"{subject}\n{subject}\n{description[:1500]}")


def text_vector(subject: str, description: str) -> np.ndarray | None:
    """What a request means (None with the semantic layer off)."""
    vectors = meaning.vectors([meaning.ticket_text(subject, description)])
    return None if vectors is None else vectors[0]


def ticket_vectors(tickets: list[Ticket]) -> np.ndarray | None:
    """The tickets' stored vectors, computing (and storing) those filed without one."""
    stored = dict(
        TicketVector.objects.filter(ticket__in=[t.pk for t in tickets]).values_list(
            "ticket_id", "vector"
        )
    )
    found = {pk: meaning.from_bytes(data) for pk, data in stored.items()}
    missing = [t for t in tickets if found.get(t.pk) is None]
    if missing:
        computed = meaning.vectors([meaning.ticket_text(t.subject, t.description) for t in missing])
        if computed is None:
            return None
        for ticket, vector in zip(missing, computed, strict=True):
            found[ticket.pk] = vector
            TicketVector.objects.update_or_create(
                ticket=ticket, defaults={"vector": meaning.to_bytes(vector)}
            )
    return meaning.stack([found[t.pk] for t in tickets])


def remember_meaning(ticket: Ticket) -> np.ndarray | None:
    """Store a new ticket's vector, for triage now and for comparisons later."""
    vectors = ticket_vectors([ticket])
    return None if vectors is None else vectors[0]


def follow_up_of(*, user, subject: str, description: str, threshold: float) -> Ticket | None:
    """The signed-in customer's open ticket this new request most resembles, if alike enough."""
    if user is None or not user.is_authenticated:
        return None  # an e-mail address typed by an anonymous visitor proves nothing
    tickets = list(
        Ticket.objects.filter(
            customer=user, status__in=Ticket.OPEN_STATUSES, merged_into__isnull=True
        ).order_by("-created_at")[:20]
    )
    if not tickets:
        return None
    vector = text_vector(subject, description)
    if vector is not None:
        scores = (ticket_vectors(tickets) @ vector).tolist()
    else:
        new = ticket_words(subject, description)
        scores = [word_cosine(new, ticket_words(t.subject, t.description)) for t in tickets]
    best, best_score = None, threshold
    for ticket, score in zip(tickets, scores, strict=True):
        if score >= best_score:
            best, best_score = ticket, score
    return best


def similar_open_tickets(ticket: Ticket, *, limit: int = 5, minimum: float = 0.3) -> list[tuple]:
    """Open tickets of any customer that look like this one: many at once is an incident."""
    candidates = list(
        Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES, merged_into__isnull=True)
        .exclude(pk=ticket.pk)
        .order_by("-created_at")
        .only("pk", "subject", "description", "customer_email", "created_at", "status")[
            :RECENT_CANDIDATES
        ]
    )
    vectors = ticket_vectors([ticket, *candidates])
    if vectors is not None:
        scores = (vectors[1:] @ vectors[0]).tolist()
        minimum = max(minimum, SIMILAR_OPEN_MEANING)
    else:
        mine = ticket_words(ticket.subject, ticket.description)
        scores = [word_cosine(mine, ticket_words(t.subject, t.description)) for t in candidates]
    scored = [(score, t) for score, t in zip(scores, candidates, strict=True) if score >= minimum]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].pk))
    return scored[:limit]


def _article_category(key):
    article = ArticlePage.objects.filter(pk=key).first()
    parent = article.get_parent().specific if article else None
    return parent.pk if isinstance(parent, CategoryPage) else None


def guess_category(
    *, subject: str, description: str, suggestions, vector: np.ndarray | None = None
) -> CategoryPage | None:
    """The category of the nearest resolved tickets by meaning, with the matching article's;
    without vectors, a strongly matching article's category, else similar tickets' by words."""
    if vector is not None:
        history = (
            TicketVector.objects.filter(
                ticket__status__in=[Ticket.Status.RESOLVED, Ticket.Status.CLOSED],
                ticket__category__isnull=False,
            )
            .order_by("-ticket__resolved_at")
            .values_list("vector", "ticket__category_id")[:RECENT_VECTORS]
        )
        rows = [(meaning.from_bytes(data), category) for data, category in history]
        rows = [(v, category) for v, category in rows if v is not None]
        category_id = choose_category_by_meaning(
            vector=vector,
            history=meaning.stack([v for v, _ in rows]),
            labels=[category for _, category in rows],
            suggestions=suggestions,
            article_category=_article_category,
        )
        return CategoryPage.objects.filter(pk=category_id).first() if category_id else None
    article_category = _article_category

    resolved = (
        Ticket.objects.filter(
            Q(status__in=[Ticket.Status.RESOLVED, Ticket.Status.CLOSED]), category__isnull=False
        )
        .order_by("-resolved_at")
        .only("subject", "description", "category_id")[:RECENT_CANDIDATES]
    )
    category_id = choose_category(
        mine=ticket_words(subject, description),
        suggestions=suggestions,
        article_category=article_category,
        resolved=((ticket_words(t.subject, t.description), t.category_id) for t in resolved),
    )
    return CategoryPage.objects.filter(pk=category_id).first() if category_id else None


def choose_category(*, mine: WordVector, suggestions, article_category, resolved):
    """The rule itself, free of the database so that `autocategory_eval` measures the same code.

    `resolved` yields (ticket_words, category) of resolved tickets; `article_category(key)` gives an
    article's category.
    """
    if suggestions and suggestions[0].relative >= STRONG_MATCH:
        category = article_category(suggestions[0].key)
        if category is not None:
            return category
    scored = sorted(
        ((word_cosine(mine, words), category) for words, category in resolved),
        key=lambda pair: -pair[0],
    )
    votes = Counter(
        category for score, category in scored[:NEIGHBOURS] if score >= NEIGHBOUR_SIMILARITY
    )
    return votes.most_common(1)[0][0] if votes else None


def choose_category_by_meaning(
    *, vector: np.ndarray, history: np.ndarray, labels: list, suggestions, article_category
):
    """The rule by meaning, free of the database so that `autocategory_eval` measures it:
    resolved tickets (`history` rows, their categories `labels`) alike in meaning, and a
    plausibly matching article (the engine shows only those) vote for their categories."""
    extra = {}
    if suggestions:
        category = article_category(suggestions[0].key)
        if category is not None:
            extra[category] = ARTICLE_VOTE
    return meaning.categorise(
        vector,
        history,
        labels,
        neighbours=MEANING_NEIGHBOURS,
        sharpness=SHARPNESS,
        neighbour_weight=NEIGHBOUR_WEIGHT,
        extra=extra,
    )


def default_assignee(category: CategoryPage | None):
    if category is None:
        return None
    route = (
        CategoryRoute.objects.filter(category=category).select_related("default_assignee").first()
    )
    return route.default_assignee if route and route.default_assignee.is_active else None
