"""The passage of an article that answers a question, for every page that shows suggestions.

A keystroke must not load article bodies: each article's passages, already analysed (and
embedded, when suggestions are ranked by meaning), are cached under the suggestion index
snapshot they were read for (a new snapshot means something was published, so they are read
again), and the bodies of the ones not cached yet are loaded in one query and embedded in one
batch.
"""

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from django.core.cache import cache

from .engine.embedding import MODEL_NAME
from .engine.passages import (
    IndexedPassage,
    Passage,
    PassageQuery,
    best_passage,
    embedded,
    indexed,
    passages_from_blocks,
    plain_query,
)
from .index import LoadedIndex, current_index
from .models import ArticlePage
from .suggest import Suggestion

__all__ = ["Passage", "answer_passage", "attach_passages"]

CACHE_SECONDS = 24 * 60 * 60


def _cache_key(loaded: LoadedIndex, article_id) -> str:
    reading = MODEL_NAME if loaded.index.semantic else "words"
    return f"kb:passages:2:{loaded.snapshot_id}:{reading}:{article_id}"


def _read_query(query: str, loaded: LoadedIndex | None, vector: np.ndarray | None) -> PassageQuery:
    if loaded is None:
        return plain_query(query)
    return replace(loaded.index.passage_query(query), vector=vector)


def article_passages(*, article: ArticlePage) -> list[IndexedPassage]:
    """The article's steps, callouts and paragraphs, analysed for ranking."""
    return indexed(passages_from_blocks(article.body.raw_data))


def _ranked_passages(
    pages: Sequence[ArticlePage], loaded: LoadedIndex
) -> dict[str, list[IndexedPassage]]:
    """Cache key -> the passages of each page, embedded in one batch when the index ranks by
    meaning (a cold article's passages cost one model run, once per snapshot)."""
    found = {_cache_key(loaded, page.pk): article_passages(article=page) for page in pages}
    if loaded.index.semantic and found:
        flat = embedded([p for passages in found.values() for p in passages], loaded.index.encoder)
        start = 0
        for key, passages in found.items():
            found[key], start = flat[start : start + len(passages)], start + len(passages)
    return found


def answer_passage(*, article: ArticlePage, query: str) -> Passage | None:
    """The passage of the article that best answers the query, its words marked; None when the
    article is not live and public (this has no visitor to ask) or has nothing to show."""
    if not query.strip():
        return None
    if not ArticlePage.objects.live().public().filter(pk=article.pk).exists():
        return None
    loaded = current_index()
    if loaded is None:
        return best_passage(article_passages(article=article), plain_query(query))
    # Read from the page itself, not the cache: it may have changed since the snapshot. Its
    # passages' vectors and the question's are remembered by the encoder (embedding.py).
    (passages,) = _ranked_passages([article], loaded).values()
    vector = loaded.index.query_vector(query)
    return best_passage(passages, _read_query(query, loaded, vector))


def attach_passages(
    suggestions: Sequence[Suggestion],
    *,
    query: str,
    loaded: LoadedIndex | None = None,
    query_vector: np.ndarray | None = None,
) -> None:
    """Set each suggestion's `passage` for the query: at most one query, none once cached.
    The suggestions are those the visitor may see already (the index filters restrictions);
    `query_vector` is the one they were ranked on (SuggestResult.query_vector), if any."""
    loaded = loaded or current_index()
    if not suggestions or loaded is None or not query.strip():
        return
    keys = {s.key: _cache_key(loaded, s.key) for s in suggestions}
    found = cache.get_many(keys.values())
    missing = [key for key, cache_key in keys.items() if cache_key not in found]
    if missing:
        pages = ArticlePage.objects.live().filter(pk__in=missing).only("id", "body")
        fresh = _ranked_passages(list(pages), loaded)
        cache.set_many(fresh, CACHE_SECONDS)
        found.update(fresh)
    read = _read_query(query, loaded, query_vector)
    for suggestion in suggestions:
        suggestion.passage = best_passage(found.get(keys[suggestion.key], []), read)
