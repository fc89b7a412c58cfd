"""Measuring suggestion quality on labelled tickets: hit rate, recall, MRR, latency, silence when
unsure."""

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from kb import markup
from kb.engine import (
    Document,
    EngineParams,
    Place,
    SuggestIndex,
    SuggestResult,
    article_text,
    article_vectors,
    embedding,
    parse_places,
)
from kb.synonyms import starter_groups

DEPTH = 10  # how many suggestions are ranked per query for MRR@10


def read_jsonl(path: str | Path) -> list[dict]:
    with Path(path).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def document_from_record(record: dict) -> Document:
    """An article as the engine sees it once `import_articles` has imported its record.

    The body goes through the importer's conversion and, lacking a summary, gets the one the
    importer derives, so that evaluating measures what the portal will serve.
    """
    body = markup.readable_text(record.get("body") or "")
    return Document(
        key=record["id"],
        title=record.get("title") or "",
        summary=record.get("summary") or markup.summarise(body),
        body=body,
        tags=tuple(record.get("tags") or ()),
        category=record.get("category") or "",
        url=record.get("url") or "",
    )


def learned_phrases(queries: Iterable[dict], *, per_article: int) -> dict[str, tuple[str, ...]]:
    """Texts of resolved tickets grouped by the articles that resolved them, deduplicated."""
    phrases: dict[str, dict[str, None]] = {}
    for query in queries:
        text = " ".join(query["text"].split())
        for article_id in query.get("relevant", ()):
            seen = phrases.setdefault(article_id, {})
            if len(seen) < per_article and text:
                seen[text] = None
    return {article_id: tuple(texts) for article_id, texts in phrases.items()}


def build_index(
    articles_path: str | Path,
    *,
    learn_path: str | Path | None = None,
    params: EngineParams | None = None,
    contexts: dict[str, str] | None = None,
    synonyms: Sequence[Sequence[str]] | None = None,
    semantic: bool = True,
) -> SuggestIndex:
    """The index the portal would build from these articles; synonyms are the starter groups
    a new knowledge base has unless others are given. With `semantic` and the model installed,
    the articles are embedded as the worker would."""
    params = params or EngineParams()
    documents = [document_from_record(record) for record in read_jsonl(articles_path)]
    if contexts:
        documents = [
            replace(doc, places=parse_places(contexts[str(doc.key)]))
            if str(doc.key) in contexts
            else doc
            for doc in documents
        ]
    if learn_path is not None:
        learned = learned_phrases(read_jsonl(learn_path), per_article=params.phrases_per_article)
        documents = [
            replace(doc, phrases=doc.phrases + learned.get(str(doc.key), ())) for doc in documents
        ]
    synonyms = starter_groups() if synonyms is None else synonyms
    index = SuggestIndex.build(documents, synonyms=synonyms, params=params)
    encoder = embedding.encoder() if semantic else None
    if encoder is not None:
        texts = [article_text(doc) for doc in documents]
        index.attach_semantic(article_vectors(encoder, texts), encoder)
    return index


def out_of_scope(rows: Iterable[dict]) -> list[dict]:
    """Questions no article answers: every row, or of labelled tickets only the `oos` ones."""
    return [row for row in rows if row.get("category", "oos") == "oos"]


def typed(text: str, prefix: int | None) -> str:
    """What the customer has typed so far: the first `prefix` characters, or everything."""
    return text if prefix is None else text[:prefix]


def _timed_suggest(index: SuggestIndex, text: str, **kwargs) -> tuple[SuggestResult, float]:
    started = time.perf_counter()
    result = index.suggest(text, **kwargs)
    return result, (time.perf_counter() - started) * 1000


def ranking_metrics(rankings: Sequence[Sequence], relevant: Sequence[set]) -> dict[str, float]:
    """Hit@5 (any relevant article among the five shown), recall@1, recall@5 (share of relevant
    articles found) and MRR@10, averaged over queries."""
    hit5, recall1, recall5, reciprocal = [], [], [], []
    for ranked, gold in zip(rankings, relevant, strict=True):
        hit5.append(float(bool(gold.intersection(ranked[:5]))))
        recall1.append(len(gold.intersection(ranked[:1])) / len(gold))
        recall5.append(len(gold.intersection(ranked[:5])) / len(gold))
        ranks = [i for i, key in enumerate(ranked[:DEPTH], start=1) if key in gold]
        reciprocal.append(1 / ranks[0] if ranks else 0.0)
    return {
        "hit@5": float(np.mean(hit5)) if hit5 else 0.0,
        "recall@1": float(np.mean(recall1)) if recall1 else 0.0,
        "recall@5": float(np.mean(recall5)) if recall5 else 0.0,
        "mrr@10": float(np.mean(reciprocal)) if reciprocal else 0.0,
    }


def run_eval(
    articles_path: str | Path,
    queries_path: str | Path,
    *,
    prefix: int | None = None,
    unanswerable_path: str | Path | None = None,
    learn_path: str | Path | None = None,
    params: EngineParams | None = None,
    contexts: dict[str, str] | None = None,
    synonyms: Sequence[Sequence[str]] | None = None,
    semantic: bool = True,
) -> dict:
    """Quality and latency of suggestions as customers would see them (threshold applied).

    With `contexts` (article id -> context key), each article applies to its context, and each
    question is asked from the context of its (first) relevant article: a customer asking on
    the page of the product area the answer belongs to.
    """
    index = build_index(
        articles_path,
        learn_path=learn_path,
        params=params,
        contexts=contexts,
        synonyms=synonyms,
        semantic=semantic,
    )
    queries = [q for q in read_jsonl(queries_path) if q.get("relevant")]
    rankings, latencies = [], []
    for query in queries:
        place = None
        if contexts and str(query["relevant"][0]) in contexts:
            place = Place(context=contexts[str(query["relevant"][0])])
        result, ms = _timed_suggest(index, typed(query["text"], prefix), limit=DEPTH, place=place)
        rankings.append([s.key for s in result.suggestions])
        latencies.append(ms)
    report: dict = ranking_metrics(rankings, [set(q["relevant"]) for q in queries])
    unsilenced = [
        [s.key for s in index.suggest(typed(q["text"], prefix), limit=5, threshold=0.0).suggestions]
        for q in queries
    ]
    report["hit@5_unsilenced"] = ranking_metrics(unsilenced, [set(q["relevant"]) for q in queries])[
        "hit@5"
    ]
    report["semantic"] = index.semantic
    report["queries"] = len(queries)
    report["p50_ms"] = float(np.percentile(latencies, 50)) if latencies else 0.0
    report["p99_ms"] = float(np.percentile(latencies, 99)) if latencies else 0.0
    if unanswerable_path is not None:
        unanswerable = out_of_scope(read_jsonl(unanswerable_path))
        silent = [
            not index.suggest(typed(q["text"], prefix), limit=1).suggestions for q in unanswerable
        ]
        report["unanswerable"] = len(silent)
        report["unanswerable_suppressed"] = float(np.mean(silent)) if silent else 0.0
    return report


def threshold_tradeoff(
    articles_path: str | Path,
    queries_path: str | Path,
    unanswerable_path: str | Path,
    thresholds: Sequence[float],
    *,
    prefix: int | None = None,
    params: EngineParams | None = None,
) -> list[dict]:
    """Per threshold: recall@5 of answerable queries, share of unanswerable ones silenced."""
    index = build_index(articles_path, params=params)
    queries = [q for q in read_jsonl(queries_path) if q.get("relevant")]
    unanswerable = read_jsonl(unanswerable_path)
    # Rank once without a threshold, then apply each one as suggest() would.
    answered = [index.suggest(typed(q["text"], prefix), limit=5, threshold=0.0) for q in queries]
    others = [index.suggest(typed(q["text"], prefix), threshold=0.0) for q in unanswerable]
    tail_ratio = index.params.tail_ratio
    rows = []
    for threshold in thresholds:
        rankings = [
            [s.key for s in result.suggestions if s.relative >= threshold * tail_ratio]
            if result.top_relative >= threshold
            else []
            for result in answered
        ]
        metrics = ranking_metrics(rankings, [set(q["relevant"]) for q in queries])
        rows.append(
            {
                "threshold": threshold,
                "recall@5": metrics["recall@5"],
                "answerable_silenced": float(np.mean([not r for r in rankings])),
                "unanswerable_suppressed": float(
                    np.mean([r.top_relative < threshold for r in others])
                ),
            }
        )
    return rows
