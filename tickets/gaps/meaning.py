"""Grouping unanswered tickets by meaning, for the gap miner (tickets/gaps/mining.py).

Average-linkage clustering of ticket vectors at cosine distance DISTANCE: a ticket joins a group
when its mean cosine with the group's tickets, which is its cosine with the mean of their
vectors, is at least 1 - DISTANCE. Tickets go in chunks: each first joins the most alike
existing group (the groups of earlier runs and chunks) and the rest are clustered among
themselves with scipy, so memory stays bounded (CHUNK² distances) however many there are.
Key terms are words a group's tickets use far more often than tickets in general, so that
what every request says ("it started recently") never names a group.
"""

import math
from collections import Counter

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

from kb.engine import similarity as meaning
from tickets.models import TicketVector

DISTANCE = 0.5  # measured on clinc150 banking + credit cards: purity .86, completeness .75
CHUNK = 2000
KEY_TERMS = 6
MIN_LIFT = 2.0  # a key term is at least this many times commoner in the group than overall
MIN_SHARE = 0.5
SUBJECTS_KEPT = 50  # subjects per new group considered for its proposed title
BATCH = 2000


def cluster(vectors: np.ndarray) -> np.ndarray:
    """Average-linkage cluster labels (0, 1, …) of unit vectors cut at DISTANCE."""
    if len(vectors) == 0:
        return np.zeros(0, dtype=np.intp)
    if len(vectors) == 1:
        return np.zeros(1, dtype=np.intp)
    tree = linkage(vectors.astype(np.float64), method="average", metric="cosine")
    return fcluster(tree, t=DISTANCE, criterion="distance") - 1


def nearest_group(vectors: np.ndarray, means: np.ndarray, allowed: np.ndarray | None = None):
    """For each vector, the group whose mean it is most alike and how alike (-inf: none);
    `allowed` (vectors x groups, bool) excludes pairs."""
    if not len(means) or not len(vectors):
        return np.full(len(vectors), -1), np.full(len(vectors), -np.inf)
    alike = vectors @ means.T
    if allowed is not None:
        alike = np.where(allowed, alike, -np.inf)
    best = alike.argmax(axis=1)
    return best, alike[np.arange(len(vectors)), best]


def joins(alike: float) -> bool:
    return alike >= 1 - DISTANCE


def key_terms(group_terms: Counter, members: int, df: Counter, documents: int) -> list[str]:
    """The terms that say what sets this group apart: used by at least half of its tickets and
    at least MIN_LIFT times more often than by tickets in general (PRIOR_DOCUMENTS pseudo-tickets
    without them stand in for a young help desk's missing history)."""
    scored = []
    for term, count in group_terms.items():
        share = count / max(members, 1)
        overall = (df.get(term, 0) + 1) / (documents + meaning.PRIOR_DOCUMENTS + 1)
        lift = share / overall
        if share >= MIN_SHARE and lift >= MIN_LIFT:
            scored.append((share * math.log(lift), term))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [term for _, term in scored[:KEY_TERMS]]


def chunks(rows, size: int):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _stored_vectors(pks: list[int], texts: list[str]) -> np.ndarray:
    """The tickets' vectors stored at filing; those filed without one are embedded now."""
    stored = dict(TicketVector.objects.filter(ticket__in=pks).values_list("ticket_id", "vector"))
    found = [meaning.from_bytes(stored.get(pk)) for pk in pks]
    missing = [i for i, vector in enumerate(found) if vector is None]
    if missing:
        computed = meaning.vectors([texts[i] for i in missing])
        TicketVector.objects.bulk_create(
            [
                TicketVector(ticket_id=pks[i], vector=meaning.to_bytes(v))
                for i, v in zip(missing, computed, strict=True)
            ],
            ignore_conflicts=True,
        )
        for i, vector in zip(missing, computed, strict=True):
            found[i] = vector
    return meaning.stack(found)


def _means(groups) -> tuple[list, np.ndarray]:
    usable = [g for g in groups.groups if g.total is not None]
    return usable, meaning.stack([g.total / max(g.members, 1) for g in usable])


def group_tickets(groups, rows, vectoriser, *, new_group) -> None:
    """Each chunk of tickets joins the most alike groups, the rest cluster into new ones."""
    for chunk in chunks(rows, CHUNK):
        texts = [meaning.ticket_text(subject, description) for _, subject, description, *_ in chunk]
        vectors = _stored_vectors([row[0] for row in chunk], texts)
        usable, means = _means(groups)
        allowed = np.array(
            [
                [g.closed_after is None or filed_at <= g.closed_after for g in usable]
                for _, _, _, filed_at, _ in chunk
            ],
            dtype=bool,
        ).reshape(len(chunk), len(usable))
        best, alike = nearest_group(vectors, means, allowed)
        placed: list = [usable[b] if joins(a) else None for b, a in zip(best, alike, strict=True)]
        rest = [i for i, group in enumerate(placed) if group is None]
        new: dict = {}
        for i, label in zip(rest, cluster(vectors[rest]).tolist(), strict=True):
            if label not in new:
                new[label] = groups.add(new_group())
            placed[i] = new[label]
        for (pk, subject, _, _, category_id), group, vector, text in zip(
            chunk, placed, vectors, texts, strict=True
        ):
            group.total = vector.copy() if group.total is None else group.total + vector
            group.new_tickets.append(pk)
            group.members += 1
            if len(group.subjects) < SUBJECTS_KEPT:
                group.subjects.append((subject, vector))
            group.term_counts.update(set(vectoriser.terms(text, remember_spelling=True)))
            if category_id:
                group.categories[category_id] += 1


def count_weak_signals(groups, sessions, searches) -> None:
    """Abandoned contacts and failed searches count beside the group they mean, if any."""
    usable, means = _means(groups)
    for chunk in chunks(sessions.iterator(BATCH), CHUNK):
        vectors = meaning.vectors([meaning.ticket_text(s, d) for _, s, d, _ in chunk])
        allowed = np.array(
            [[g.closed_after is None or at <= g.closed_after for g in usable] for *_, at in chunk],
            dtype=bool,
        ).reshape(len(chunk), len(usable))
        best, alike = nearest_group(vectors, means, allowed)
        for (pk, *_), b, a in zip(chunk, best, alike, strict=True):
            if joins(a):
                usable[b].new_sessions.append(pk)
    for chunk in chunks(searches.values_list("pk", "query").iterator(BATCH), CHUNK):
        best, alike = nearest_group(meaning.vectors([q for _, q in chunk]), means)
        for (pk, _), b, a in zip(chunk, best, alike, strict=True):
            if joins(a):
                usable[b].new_searches.append(pk)
