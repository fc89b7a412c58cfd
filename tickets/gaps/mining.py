"""Mining knowledge-base gaps: tickets no article answered, grouped into articles to write.

Tickets are compared by kb/engine/similarity.py. With the semantic layer, they are grouped by
meaning (tickets/gaps/meaning.py: average linkage over their vectors). Without it, one pass by
words (TF-IDF, document frequencies from all tickets): each unanswered ticket is compared
only with the groups that share one of its strongest terms (an inverted index over group
signatures), and joins the most similar if it is similar enough, or starts a new group.
Groups persist as `ArticleRequest`s with their signature and mean vector, so the next run
continues where this one stopped.
Failed searches and abandoned contacts are weaker signals: they are counted beside the
tickets of a matching group but never start one.
"""

import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kb.engine import EngineParams
from kb.engine import similarity as meaning
from kb.engine.similarity import (
    WordVector,
    WordVectoriser,
    normalised,
    strongest,
    word_cosine,
)
from kb.models import FailedSearch
from tickets.gaps import meaning as gap_meaning
from tickets.models import ArticleRequest, ContactSession, Ticket

SIMILARITY = 0.25  # cosine of TF-IDF vectors above which a ticket joins a group
SIGNATURE_TERMS = 40  # a group's signature keeps its strongest terms only
LOOKUP_TERMS = 8  # a ticket looks for groups sharing one of its strongest terms
SUBJECTS_KEPT = 50  # subjects per new group considered for its proposed title
TEXT_CHARS = 600  # the subject and the start of the description say what it is about
BATCH = 2000
RECENCY_DAYS = 30  # a ticket's weight in the priority halves every ~3 weeks
WEAK_SIGNAL_WEIGHT = 0.25
NOTHING_GOOD = EngineParams().threshold  # the engine's "nothing answers this" line
RESOLVED = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)


@dataclass
class MiningReport:
    created: int = 0
    updated: int = 0
    tickets_assigned: int = 0
    sessions_counted: int = 0
    searches_counted: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class Group:
    request: ArticleRequest | None
    centroid: WordVector
    # Tickets filed after this moment may not join (its article is live and did not answer).
    closed_after: object = None
    new_tickets: list[int] = field(default_factory=list)
    new_sessions: list = field(default_factory=list)
    new_searches: list[int] = field(default_factory=list)
    subjects: list[tuple[str, dict]] = field(default_factory=list)
    categories: Counter = field(default_factory=Counter)
    members: int = 0  # tickets in the group, earlier runs included
    slot: int = -1  # position in Groups
    total: np.ndarray | None = None  # sum of its tickets' vectors (grouping by meaning)
    term_counts: Counter = field(default_factory=Counter)  # tickets using each term

    @property
    def touched(self) -> bool:
        return bool(self.new_tickets or self.new_sessions or self.new_searches)


def ticket_text(subject: str, description: str) -> str:
    return f"{subject}\n{description[:TEXT_CHARS]}"


def words_of_all_tickets() -> WordVectoriser:
    """Words weighed by how rare they are among all tickets, remembering their spellings."""
    vectoriser = WordVectoriser(spellings=True)
    vectoriser.learn(
        ticket_text(s, d)
        for s, d in Ticket.objects.values_list("subject", "description").iterator(BATCH)
    )
    return vectoriser


def candidate_tickets():
    """Resolved tickets marked as a gap, or resolved without an article after weak suggestions."""
    weak = Q(resolution="", resolved_article__isnull=True, top_relative__lt=NOTHING_GOOD)
    return Ticket.objects.filter(
        Q(resolution=Ticket.Resolution.KB_GAP) | weak,
        status__in=RESOLVED,
        gap_request__isnull=True,
    )


def candidate_sessions():
    """Contacts abandoned after seeing no suggestion worth showing."""
    return ContactSession.objects.filter(
        Q(top_relative__isnull=True) | Q(top_relative__lt=NOTHING_GOOD),
        outcome=ContactSession.Outcome.ABANDONED,
        gap_request__isnull=True,
    ).exclude(subject="")


class Groups:
    """The groups known so far, findable by their strongest terms."""

    def __init__(self):
        self.groups: list[Group] = []
        self.by_term: dict[str, set[int]] = defaultdict(set)

    def add(self, group: Group) -> Group:
        group.slot = len(self.groups)
        self.groups.append(group)
        self._index(group.slot)
        return group

    def _index(self, g: int) -> None:
        for term in strongest(self.groups[g].centroid, LOOKUP_TERMS * 2):
            self.by_term[term].add(g)

    def best(self, vector: WordVector, *, filed_at=None) -> Group | None:
        found: set[int] = set()
        for term in strongest(vector, LOOKUP_TERMS):
            found |= self.by_term.get(term, set())
        best, best_score = None, SIMILARITY
        for g in found:
            group = self.groups[g]
            if group.closed_after is not None and (
                filed_at is None or filed_at > group.closed_after
            ):
                continue
            score = word_cosine(vector, group.centroid)
            if score >= best_score:
                best, best_score = group, score
        return best

    def join(self, group: Group, vector: WordVector) -> None:
        # The centroid is a running mean of unit vectors, renormalised and trimmed.
        weight = max(1, group.members)
        merged = Counter({t: w * weight for t, w in group.centroid.items()})
        merged.update(vector)
        group.centroid = normalised(dict(merged.most_common(SIGNATURE_TERMS)))
        self._index(group.slot)


TICKET_ROW = ("pk", "subject", "description", "created_at", "category_id")


def semantic_available() -> bool:
    return meaning.vectors(["probe"]) is not None


def group_tickets(groups: Groups, rows, vectoriser: WordVectoriser, *, semantic: bool) -> None:
    """Each ticket (a TICKET_ROW, oldest first) joins the group it is most like or starts one:
    by meaning with the semantic layer, else by words. Product signals group the same way."""
    if semantic:
        gap_meaning.group_tickets(groups, rows, vectoriser, new_group=lambda: Group(None, {}))
        return
    for pk, subject, description, created_at, category_id in rows:
        vector = vectoriser.vector(ticket_text(subject, description))
        if not vector:
            continue
        group = groups.best(vector, filed_at=created_at) or groups.add(Group(None, vector))
        if group.members:
            groups.join(group, vector)
        group.new_tickets.append(pk)
        group.members += 1
        if len(group.subjects) < SUBJECTS_KEPT:  # enough to pick a title from, memory bounded
            group.subjects.append((subject, vector))
        if category_id:
            group.categories[category_id] += 1


def _existing_groups() -> Groups:
    groups = Groups()
    for request in ArticleRequest.objects.select_related("article"):
        closed_after = None
        if request.status == ArticleRequest.Status.DONE:
            closed_after = request.done_at or request.updated_at
        group = Group(request, dict(request.signature), closed_after=closed_after)
        group.members = max(request.ticket_count, 1)
        mean = meaning.from_bytes(request.meaning)
        group.total = None if mean is None else mean * group.members
        groups.add(group)
    return groups


def mine_gaps(*, now=None) -> MiningReport:
    """Assign new gap candidates to articles to write; idempotent and incremental."""
    started = time.perf_counter()
    now = now or timezone.now()
    report = MiningReport()
    vectoriser = words_of_all_tickets()
    groups = _existing_groups()

    tickets = candidate_tickets().order_by("created_at", "pk")
    semantic = semantic_available()
    group_tickets(
        groups, tickets.values_list(*TICKET_ROW).iterator(BATCH), vectoriser, semantic=semantic
    )
    sessions = candidate_sessions().values_list("pk", "subject", "description", "updated_at")
    searches = FailedSearch.objects.filter(article_requests__isnull=True)
    if semantic:
        gap_meaning.count_weak_signals(groups, sessions, searches)
    else:
        for pk, subject, description, updated_at in sessions.iterator(BATCH):
            group = groups.best(
                vectoriser.vector(ticket_text(subject, description)), filed_at=updated_at
            )
            if group is not None:
                group.new_sessions.append(pk)
        for pk, query in searches.values_list("pk", "query").iterator(BATCH):
            group = groups.best(vectoriser.vector(query))
            if group is not None:
                group.new_searches.append(pk)

    with transaction.atomic():
        for group in groups.groups:
            if group.touched:
                _save(group, vectoriser, report)
        _reprioritise(now)
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def representative_subject(group: Group) -> str:
    """The subject closest to what the whole group is about."""
    if group.total is not None:
        subject, _ = max(group.subjects, key=lambda item: float(item[1] @ group.total))
    else:
        subject, _ = max(group.subjects, key=lambda item: word_cosine(item[1], group.centroid))
    return " ".join(subject.split())[:200]


def key_terms(group: Group, vectoriser: WordVectoriser) -> list[str]:
    """What the group's new tickets are about, in the words customers spelled them with."""
    if group.total is not None:
        terms = gap_meaning.key_terms(
            group.term_counts, len(group.new_tickets), vectoriser.df, vectoriser.n
        )
    else:
        terms = strongest(group.centroid, 6)
    return [vectoriser.spelled(t) for t in terms]


def _save(group: Group, vectoriser: WordVectoriser, report: MiningReport) -> None:
    request = group.request
    if request is None:
        request = ArticleRequest(title=representative_subject(group))
        report.created += 1
    elif group.new_tickets:
        report.updated += 1
    if group.total is not None:
        request.meaning = meaning.to_bytes(group.total / max(group.members, 1))
        if group.term_counts:
            request.key_terms = key_terms(group, vectoriser)
    else:
        request.signature = group.centroid
        request.key_terms = key_terms(group, vectoriser)
    if group.categories and request.category_id is None:
        request.category_id = group.categories.most_common(1)[0][0]
    request.save()
    for start in range(0, len(group.new_tickets), BATCH):
        Ticket.objects.filter(pk__in=group.new_tickets[start : start + BATCH]).update(
            gap_request=request
        )
    for start in range(0, len(group.new_sessions), BATCH):
        ContactSession.objects.filter(pk__in=group.new_sessions[start : start + BATCH]).update(
            gap_request=request
        )
    if group.new_searches:
        request.searches.add(*group.new_searches)
    report.tickets_assigned += len(group.new_tickets)
    report.sessions_counted += len(group.new_sessions)
    report.searches_counted += len(group.new_searches)


def _decay(age: timedelta) -> float:
    return math.exp(-max(age.total_seconds(), 0) / 86400 / RECENCY_DAYS)


def _reprioritise(now) -> None:
    """Counts, first and last seen, and a priority favouring volume and recency."""
    figures: dict[int, dict] = defaultdict(
        lambda: {
            "tickets": 0,
            "sessions": 0,
            "searches": 0,
            "priority": 0.0,
            "first": None,
            "last": None,
        }
    )
    for request_id, created_at in (
        Ticket.objects.filter(gap_request__isnull=False)
        .values_list("gap_request_id", "created_at")
        .iterator(BATCH)
    ):
        f = figures[request_id]
        f["tickets"] += 1
        f["priority"] += _decay(now - created_at)
        f["first"] = created_at if f["first"] is None else min(f["first"], created_at)
        f["last"] = created_at if f["last"] is None else max(f["last"], created_at)
    for request_id, updated_at in (
        ContactSession.objects.filter(gap_request__isnull=False)
        .values_list("gap_request_id", "updated_at")
        .iterator(BATCH)
    ):
        figures[request_id]["sessions"] += 1
        figures[request_id]["priority"] += WEAK_SIGNAL_WEIGHT * _decay(now - updated_at)
    for request_id, count, day in ArticleRequest.searches.through.objects.values_list(
        "articlerequest_id", "failedsearch__count", "failedsearch__day"
    ):
        figures[request_id]["searches"] += count
        age = now.date() - day
        figures[request_id]["priority"] += WEAK_SIGNAL_WEIGHT * count * _decay(age)
    updates = []
    for request in ArticleRequest.objects.filter(pk__in=list(figures)):
        f = figures[request.pk]
        request.ticket_count, request.session_count = f["tickets"], f["sessions"]
        request.search_count, request.priority = f["searches"], round(f["priority"], 4)
        if f["first"] is not None:
            request.first_seen_at, request.last_seen_at = f["first"], f["last"]
        updates.append(request)
    ArticleRequest.objects.bulk_update(
        updates,
        [
            "ticket_count",
            "session_count",
            "search_count",
            "priority",
            "first_seen_at",
            "last_seen_at",
        ],
        batch_size=500,
    )
