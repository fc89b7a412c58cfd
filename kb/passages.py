"""The passage of an article that answers a question, for every page that shows suggestions.

A keystroke must not load article bodies: each article's passages, already analysed, are
cached under the suggestion index snapshot they were read for (a new snapshot means something
was published, so they are read again), and the bodies of the ones not cached yet are loaded
in one query. Each process also keeps the most recently shown articles' passages itself:
reading them back from a shared cache (a round trip and unpickling for every article on a
search page) cost more than ranking them.
"""

import threading
from collections import OrderedDict
from collections.abc import Sequence

from django.core.cache import cache

from kb.engine import (
    IndexedPassage,
    Passage,
    PassageQuery,
    Suggestion,
    best_passage,
    indexed,
    passages_from_blocks,
    plain_query,
)
from kb.models import ArticlePage
from kb.shared_index import LoadedIndex, current_index

__all__ = ["Passage", "answer_passage", "attach_passages"]

CACHE_SECONDS = 24 * 60 * 60
# Articles whose passages one process keeps (a spike sends everyone to the same few); emptied
# whenever the process loads another index, whatever its snapshot's id.
LOCAL_ARTICLES = 512
_local: OrderedDict[str, list[IndexedPassage]] = OrderedDict()
_local_for: LoadedIndex | None = None
_local_lock = threading.Lock()


def _cache_key(snapshot_id: int, article_id) -> str:
    return f"kb:passages:1:{snapshot_id}:{article_id}"


def _read_query(query: str, loaded: LoadedIndex | None) -> PassageQuery:
    return loaded.index.passage_query(query) if loaded is not None else plain_query(query)


def article_passages(*, article: ArticlePage) -> list[IndexedPassage]:
    """The article's steps, callouts and paragraphs, analysed for ranking."""
    return indexed(passages_from_blocks(article.body.raw_data))


def answer_passage(*, article: ArticlePage, query: str) -> Passage | None:
    """The passage of the article that best answers the query, its words marked; None when the
    article is not live and public (this has no visitor to ask) or has nothing to show."""
    if not query.strip():
        return None
    if not ArticlePage.objects.live().public().filter(pk=article.pk).exists():
        return None
    return best_passage(article_passages(article=article), _read_query(query, current_index()))


def attach_passages(
    suggestions: Sequence[Suggestion], *, query: str, loaded: LoadedIndex | None = None
) -> None:
    """Set each suggestion's `passage` for the query: at most one query, none once cached.
    The suggestions are those the visitor may see already (the index filters restrictions)."""
    loaded = loaded or current_index()
    if not suggestions or loaded is None or not query.strip():
        return
    keys = {s.key: _cache_key(loaded.snapshot_id, s.key) for s in suggestions}
    with _local_lock:
        _follow(loaded)
        found = {k: _local[k] for k in keys.values() if k in _local}
    shared = [k for k in keys.values() if k not in found]
    if shared:
        found.update(cache.get_many(shared))
    missing = [key for key, cache_key in keys.items() if cache_key not in found]
    if missing:
        pages = ArticlePage.objects.live().filter(pk__in=missing).only("id", "body")
        fresh = {keys[page.pk]: article_passages(article=page) for page in pages}
        cache.set_many(fresh, CACHE_SECONDS)
        found.update(fresh)
    _keep_locally(found, loaded)
    read = _read_query(query, loaded)
    for suggestion in suggestions:
        suggestion.passage = best_passage(found.get(keys[suggestion.key], []), read)


def _follow(loaded: LoadedIndex) -> None:
    global _local_for
    if _local_for is not loaded:
        _local.clear()
        _local_for = loaded


def _keep_locally(found: dict[str, list[IndexedPassage]], loaded: LoadedIndex) -> None:
    with _local_lock:
        _follow(loaded)
        for key, passages in found.items():
            _local[key] = passages
            _local.move_to_end(key)
        while len(_local) > LOCAL_ARTICLES:
            _local.popitem(last=False)
