"""The suggestion index every process shares: built once per change by a task, loaded on demand.

A change to what customers may find (publishing, unpublishing, moving or deleting an article,
a category's title, view restrictions, synonyms) bumps a generation counter in the database and
queues one build. The build stores the serialised index as a snapshot row; each web or worker
process notices a newer snapshot within SUGGEST_INDEX_CHECK_SECONDS and swaps it in, serving the
previous one meanwhile. No request ever builds an index itself.

The processes of a machine share one copy: each snapshot is also a file under DEFLECT_INDEX_DIR
(kb/engine/index_file.py) that every process maps read-only. The build writes it; a process
that finds none for the newest snapshot (another machine, a damaged file) writes it from the
database copy, one process at a time, and maps it. Only the current file and the one
before it are kept.

Article vectors (kb/engine) are cached by a hash of the text embedded. A build uses the cached
ones and stores the lexical index at once; the articles without one are embedded by a task
in small batches that queues itself again, and when the last is done the index is built once
more, with every vector. Publishing never waits for the model.
"""

import logging
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django_q.tasks import async_task
from wagtail.models import Page, PageViewRestriction

from kb.engine import (
    Document,
    SuggestIndex,
    article_text,
    article_vectors,
    clean_directory,
    embedding,
    parse_places,
    write_lock,
)
from kb.models import (
    ArticlePage,
    ArticleVector,
    SuggestIndexSnapshot,
    SuggestIndexState,
    SynonymGroup,
)

logger = logging.getLogger(__name__)
SNAPSHOTS_KEPT = 2
FILE_PREFIX = "suggest-"
BUILD_TASK = "kb.tasks.build_suggest_index"
EMBED_TASK = "kb.tasks.embed_articles"
EMBED_BATCH = 128  # articles per task run: ~10-20 s of one CPU, a few MB of memory
# A publish or two changes a few articles: they are embedded during the build (well under a
# second), so the index is built once and complete. More wait for the task, behind the
# lexical index.
EMBED_INLINE = 16
# An index whose vectors are this incomplete (a first build, a new model) stays lexical until
# the worker has embedded the rest: blending with missing vectors would hide those articles.
MOST_MISSING = 0.1
_LOOKUP_CHUNK = 500


@dataclass
class LoadedIndex:
    snapshot_id: int
    generation: int
    index: SuggestIndex
    restrictions: dict[int, PageViewRestriction] = field(default_factory=dict)


_lock = threading.Lock()
_loaded: LoadedIndex | None = None
_checked_at = float("-inf")
_deferral = threading.local()


def _check_interval() -> float:
    return settings.SUGGEST_INDEX_CHECK_SECONDS


# --- writing side: changes and builds -------------------------------------------------------


def content_changed() -> None:
    """Record that suggestions are out of date and queue a build once the change commits."""
    if getattr(_deferral, "depth", 0):
        _deferral.pending = True
        return
    updated = SuggestIndexState.objects.filter(pk=1).update(generation=F("generation") + 1)
    if not updated:
        SuggestIndexState.objects.get_or_create(pk=1, defaults={"generation": 1})
    transaction.on_commit(request_build)


@contextmanager
def rebuilds_deferred():
    """Collapse the changes made inside the block (an import, say) into one build request."""
    _deferral.depth = getattr(_deferral, "depth", 0) + 1
    try:
        yield
    finally:
        _deferral.depth -= 1
        if not _deferral.depth and getattr(_deferral, "pending", False):
            _deferral.pending = False
            content_changed()


def request_build() -> None:
    try:
        async_task(BUILD_TASK, task_name="build suggestion index", q_options={"max_attempts": 3})
    except Exception:  # noqa: BLE001  (the broker is down: the change that asked must not fail)
        # Every process that sees a generation newer than its index asks again (debounced).
        logger.exception("Could not queue a suggestion index build; it will be asked again")


def current_generation() -> int:
    return SuggestIndexState.objects.filter(pk=1).values_list("generation", flat=True).first() or 0


def article_documents() -> list[Document]:
    """Every live article as the engine sees it, with the view restrictions that guard it."""
    restrictions = [(r.id, r.page.path) for r in PageViewRestriction.objects.select_related("page")]
    pages = list(
        ArticlePage.objects.live()
        .prefetch_related("tags", "learned_phrases")
        .only("id", "title", "summary", "body", "path", "url_path", "depth", "help_places")
        .order_by("path")
    )
    parent_paths = {page.path[: -Page.steplen] for page in pages}
    category_titles = dict(Page.objects.filter(path__in=parent_paths).values_list("path", "title"))
    return [
        Document(
            key=page.pk,
            title=page.title,
            summary=page.summary,
            body=page.body_text(),
            tags=tuple(tag.name for tag in page.tags.all()),
            phrases=tuple(phrase.text for phrase in page.learned_phrases.all()),
            category=category_titles.get(page.path[: -Page.steplen], ""),
            url=page.get_url() or "",
            restriction_ids=tuple(rid for rid, path in restrictions if page.path.startswith(path)),
            places=parse_places(page.help_places),
        )
        for page in pages
    ]


def synonym_groups() -> list[list[str]]:
    return [group.term_list() for group in SynonymGroup.objects.all()]


def build_and_store(*, force: bool = False) -> SuggestIndexSnapshot | None:
    """Build the index if the stored one is older than the content; None when already fresh."""
    generation = current_generation()
    latest = (
        SuggestIndexSnapshot.objects.order_by("-id")
        .only("id", "generation", "vectors_missing")
        .first()
    )
    if latest is not None and latest.generation >= generation and not force:
        if not latest.vectors_missing or ArticleVector.objects.filter(vector__isnull=True).exists():
            return None  # fresh, or its vectors are still being computed
    started = time.perf_counter()
    documents = article_documents()
    index = SuggestIndex.build(documents, synonyms=synonym_groups())
    missing = 0
    if embedding.encoder() is not None:
        vectors, missing = cached_article_vectors(documents)
        if 0 < missing <= EMBED_INLINE:
            embed_pending(batch=missing, then_build=False)
            vectors, missing = cached_article_vectors(documents)
        if missing <= MOST_MISSING * len(documents):
            index.attach_semantic(vectors, None)  # stored with the index, for every process
    snapshot = SuggestIndexSnapshot.objects.create(
        generation=generation,
        article_count=len(index),
        vectors_missing=missing,
        data=index.to_bytes(),
    )
    path = index_file(snapshot.pk, snapshot.built_at)
    try:
        with write_lock(path.parent):
            _write_index_file(index, path)
    except OSError:  # each process writes it from the database copy instead
        logger.exception("Could not write the suggestion index file %s", path)
    if missing:
        transaction.on_commit(request_embedding)
    stale = SuggestIndexSnapshot.objects.order_by("-id").values_list("id", flat=True)[
        SNAPSHOTS_KEPT:
    ]
    SuggestIndexSnapshot.objects.filter(id__in=list(stale)).delete()
    logger.info(
        "Built suggestion index %s: %d articles, generation %d, %.2fs",
        snapshot.pk,
        len(index),
        generation,
        time.perf_counter() - started,
    )
    return snapshot


def cached_article_vectors(documents: list[Document]) -> tuple[np.ndarray, int]:
    """Each article's cached vector (a zero row when there is none yet) and how many have none;
    those are queued for embedding, and vectors of texts no longer live are dropped."""
    texts = [article_text(doc) for doc in documents]
    hashes = [embedding.text_hash(text) for text in texts]
    found: dict[str, bytes] = {}
    for start in range(0, len(hashes), _LOOKUP_CHUNK):
        found.update(
            ArticleVector.objects.filter(
                text_hash__in=hashes[start : start + _LOOKUP_CHUNK], vector__isnull=False
            ).values_list("text_hash", "vector")
        )
    vectors = np.zeros((len(documents), embedding.DIMENSION), dtype=np.float32)
    pending = {}
    for i, (text, digest) in enumerate(zip(texts, hashes, strict=True)):
        if digest in found:
            vectors[i] = np.frombuffer(bytes(found[digest]), dtype="<f4")
        else:
            pending[digest] = ArticleVector(text_hash=digest, text=text)
    ArticleVector.objects.bulk_create(pending.values(), ignore_conflicts=True, batch_size=500)
    live = set(hashes)
    stale = [
        pk
        for pk, digest in ArticleVector.objects.values_list("pk", "text_hash")
        if digest not in live
    ]
    for start in range(0, len(stale), _LOOKUP_CHUNK):
        ArticleVector.objects.filter(pk__in=stale[start : start + _LOOKUP_CHUNK]).delete()
    return vectors, len(pending)


def request_embedding() -> None:
    try:
        async_task(EMBED_TASK, task_name="embed articles", q_options={"max_attempts": 3})
    except Exception:  # noqa: BLE001  (the broker is down: the next build asks again)
        logger.exception("Could not queue embedding articles")


def embed_pending(*, batch: int = EMBED_BATCH, then_build: bool = True) -> int:
    """Embed up to `batch` articles still without a vector; queue the next batch, or the
    build that hands the vectors to every process when none is left. Returns how many."""
    encoder = embedding.encoder()
    if encoder is None:
        return 0
    rows = list(ArticleVector.objects.filter(vector__isnull=True).order_by("pk")[:batch])
    if rows:
        vectors = article_vectors(encoder, [row.text for row in rows])
        for row, vector in zip(rows, vectors, strict=True):
            row.vector, row.text = vector.astype("<f4").tobytes(), ""
        ArticleVector.objects.bulk_update(rows, ["vector", "text"])
    if then_build and ArticleVector.objects.filter(vector__isnull=True).exists():
        transaction.on_commit(request_embedding)
    elif then_build and rows:
        transaction.on_commit(request_build)
    return len(rows)


# --- reading side: each process ---------------------------------------------------------


def _request_build_once(generation: int) -> None:
    # Debounced so that a slow build is not asked for again on every check.
    if cache.add(f"kb:suggest-build-requested:{generation}", True, timeout=60):
        request_build()


def index_file(snapshot_id: int, built_at: datetime) -> Path:
    """Where a snapshot's file is: named by its id and build time, so that a database that
    starts its ids again (restored, recreated) never finds another index's file."""
    stamp = int(built_at.timestamp() * 1_000_000)
    return Path(settings.DEFLECT_INDEX_DIR) / f"{FILE_PREFIX}{snapshot_id}-{stamp}.idx"


def _write_index_file(index: SuggestIndex, path: Path) -> None:
    """Write the file (the caller holds the directory's write lock) and delete all but this
    one and the one before it."""
    index.to_file(path)
    clean_directory(path.parent, keep=[path], pattern=f"{FILE_PREFIX}*.idx", newest=1)


def _mapped(path: Path, encoder) -> SuggestIndex | None:
    try:
        return SuggestIndex.from_file(path, encoder=encoder)
    except FileNotFoundError:
        return None
    except OSError:  # unreadable: the database copy it is
        logger.exception("Could not read the suggestion index file %s", path)
        return None
    except ValueError:  # CorruptIndexFile: damaged, or written by another version
        logger.exception("Suggestion index file %s is damaged; writing it again", path)
        with suppress(OSError):
            path.unlink(missing_ok=True)
        return None


def _from_database(snapshot_id: int, path: Path, encoder) -> SuggestIndex | None:
    """Write the snapshot's file from the database copy, once per machine, and map it; None
    when the snapshot is gone or cannot be decoded (then a new one is built)."""
    built = index = None
    try:
        with write_lock(path.parent):
            # Another process may have written it while this one waited for the lock.
            index = _mapped(path, encoder)
            if index is not None:
                return index
            built = _decoded(snapshot_id, encoder=encoder, keep_vectors=True)
            if built is not None and built is not _UNUSABLE:
                _write_index_file(built, path)
                index = _mapped(path, encoder)
    except OSError:  # no writable disk: this process keeps its own copy, as before
        logger.exception("Could not write the suggestion index file %s", path)
        if built is None:
            built = _decoded(snapshot_id, encoder=encoder)
    if built is _UNUSABLE:
        # Outside the lock: the build (synchronous in tests) writes a file itself.
        SuggestIndexSnapshot.objects.filter(pk=snapshot_id).delete()
        request_build()
        return None
    return built if index is None else index


_UNUSABLE = object()  # a snapshot that cannot be decoded


def _decoded(snapshot_id: int, **options):
    """The snapshot read from the database; None when it is gone, _UNUSABLE when corrupt."""
    data = (
        SuggestIndexSnapshot.objects.filter(pk=snapshot_id).values_list("data", flat=True).first()
    )
    if data is None:
        return None
    try:
        return SuggestIndex.from_bytes(bytes(data), **options)
    except Exception:  # noqa: BLE001  (any decoding failure means the snapshot is unusable)
        logger.exception(
            "Suggestion index snapshot %s is corrupt or from an older version; rebuilding",
            snapshot_id,
        )
        return _UNUSABLE


def _load(snapshot_id: int) -> LoadedIndex | None:
    row = (
        SuggestIndexSnapshot.objects.filter(pk=snapshot_id)
        .values_list("generation", "built_at")
        .first()
    )
    if row is None:
        return None
    generation, built_at = row
    encoder = embedding.encoder()
    path = index_file(snapshot_id, built_at)
    index = _mapped(path, encoder)
    if index is None:
        index = _from_database(snapshot_id, path, encoder)
    if index is None:
        return None
    restrictions = {r.id: r for r in PageViewRestriction.objects.prefetch_related("groups")}
    return LoadedIndex(snapshot_id, generation, index, restrictions)


def current_index() -> LoadedIndex | None:
    """The newest built index, or None while the first one is being built."""
    global _loaded, _checked_at
    now = time.monotonic()
    if _loaded is not None and now - _checked_at < _check_interval():
        return _loaded
    with _lock:
        if _loaded is not None and now - _checked_at < _check_interval():
            return _loaded
        _checked_at = now
        try:
            latest = (
                SuggestIndexSnapshot.objects.order_by("-id").values_list("id", "generation").first()
            )
            generation = current_generation()
            if latest is None or latest[1] < generation:
                _request_build_once(generation)
                if latest is None or settings.Q_CLUSTER.get("sync"):
                    latest = (
                        SuggestIndexSnapshot.objects.order_by("-id")
                        .values_list("id", "generation")
                        .first()
                    )
            if latest is not None and (_loaded is None or _loaded.snapshot_id != latest[0]):
                if _loaded is None or not settings.SUGGEST_INDEX_LOAD_IN_BACKGROUND:
                    _loaded = _load(latest[0]) or _loaded
                else:
                    _load_in_background(latest[0])
        except Exception:  # noqa: BLE001  (suggestions degrade to none, never to an error page)
            logger.exception("Could not check the suggestion index")
    return _loaded


_loading: set[int] = set()


def _load_in_background(snapshot_id: int) -> None:
    """Swap in a newer index when it has loaded; requests keep the current one meanwhile."""
    if snapshot_id in _loading:
        return
    _loading.add(snapshot_id)

    def load():
        global _loaded
        try:
            fresh = _load(snapshot_id)
            with _lock:
                if fresh is not None and (_loaded is None or _loaded.snapshot_id < snapshot_id):
                    _loaded = fresh
        except Exception:  # noqa: BLE001  (the next check tries again)
            logger.exception("Could not load suggestion index %s", snapshot_id)
        finally:
            _loading.discard(snapshot_id)
            connection.close()  # this thread's own connection

    threading.Thread(target=load, name=f"load-suggest-index-{snapshot_id}", daemon=True).start()


def reset_for_tests() -> None:
    global _loaded, _checked_at
    with _lock:
        _loaded, _checked_at = None, float("-inf")
