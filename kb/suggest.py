"""The article-suggestion engine: BM25 over an inverted index, with completion and synonyms.

Scores are exactly those of rank_bm25's BM25Okapi over `document_tokens`: the weight of every
(term, document) pair is precomputed with the same floating-point expression, and a query adds
the rows of its terms, in query order, into a per-thread buffer. Nothing here knows Django.
"""

import io
import json
import math
import sys
import threading
from bisect import bisect_left
from collections import Counter
from collections.abc import Container, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from .analysis import (
    analyze,
    ends_mid_word,
    find_words,
    highlight,
    last_word_prefix,
    stem,
    surface_tokens,
)

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Document:
    key: int | str  # ArticlePage id in the portal; article id in the evaluation
    title: str
    summary: str = ""
    body: str = ""  # plain text
    tags: tuple[str, ...] = ()
    category: str = ""
    phrases: tuple[str, ...] = ()  # customer phrasings of tickets this article resolved
    url: str = ""
    restriction_ids: tuple[int, ...] = ()  # Wagtail view restrictions guarding the page


@dataclass(frozen=True, slots=True)
class Suggestion:
    key: int | str
    title: str
    url: str
    summary: str
    score: float  # raw BM25 score
    relative: float  # score / the best score any article could get for this query
    snippet: str  # HTML-escaped, matching words wrapped in <mark>


@dataclass(frozen=True, slots=True)
class SuggestResult:
    query: str
    suggestions: list[Suggestion]
    total: int  # articles above the threshold, for pagination
    top_score: float  # best visible match before the threshold; 0.0 if nothing matched
    top_relative: float


@dataclass(frozen=True, slots=True)
class EngineParams:
    """Ranking settings; the defaults were tuned on the techqa and stackfaq evaluation sets."""

    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25
    # Field boosts: how many times each field's tokens are repeated in the document.
    title_weight: int = 3
    summary_weight: int = 2
    tags_weight: int = 2
    category_weight: int = 1
    phrases_weight: int = 2
    body_weight: int = 1
    # Completion of the word being typed: prefixes of at least `completion_min_prefix`
    # characters expand to the `completion_max_terms` most common words they begin, which
    # share `completion_weight` (known literal) or `completion_weight_unknown` between them.
    completion_min_prefix: int = 2
    completion_max_terms: int = 5
    completion_weight: float = 0.5
    completion_weight_unknown: float = 1.0
    synonym_weight: float = 0.7
    threshold: float = 0.1  # minimum relative score shown to a customer
    snippet_width: int = 200
    snippet_body_chars: int = 500  # how much of each body is kept for snippets
    phrases_per_article: int = 20


def _field_tokens(doc: Document, params: EngineParams) -> list[tuple[list[str], int]]:
    """Surface tokens of each field with the number of times the field counts."""
    return [
        (surface_tokens(doc.title), params.title_weight),
        (surface_tokens(doc.summary), params.summary_weight),
        ([t for tag in doc.tags for t in surface_tokens(tag)], params.tags_weight),
        (surface_tokens(doc.category), params.category_weight),
        ([t for phrase in doc.phrases for t in surface_tokens(phrase)], params.phrases_weight),
        (surface_tokens(doc.body), params.body_weight),
    ]


def _stems(tokens: list[str]) -> list[str]:
    return [term for term in map(stem, tokens) if term is not None]


def document_tokens(doc: Document, params: EngineParams | None = None) -> list[str]:
    """The one token list BM25 sees for a document: analysed fields, repeated by their boost."""
    params = params or EngineParams()
    return [
        term for tokens, weight in _field_tokens(doc, params) for term in _stems(tokens) * weight
    ]


def _snippet_source(doc: Document, params: EngineParams) -> str:
    body = doc.body[: params.snippet_body_chars]
    if len(doc.body) > len(body) and " " in body:
        body = body[: body.rfind(" ")]
    return f"{doc.summary}\n{body}".strip()


@dataclass(slots=True)
class _Query:
    """Weighted term ids in query order and the best score a document could reach."""

    terms: list[tuple[int, float]] = field(default_factory=list)
    bound: float = 0.0


class SuggestIndex:
    """An immutable index of articles; safe to share between threads."""

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict, params: EngineParams) -> None:
        self.params = params
        self._arrays = arrays
        self._terms: list[str] = meta["terms"]
        self._term_ids = {term: i for i, term in enumerate(self._terms)}
        self.keys: list[int | str] = meta["keys"]
        self._titles: list[str] = meta["titles"]
        self._urls: list[str] = meta["urls"]
        self._summaries: list[str] = meta["summaries"]
        self._sources: list[str] = meta["sources"]
        self._restriction_groups: list[tuple[int, ...]] = [tuple(g) for g in meta["groups"]]
        self._surface: list[str] = meta["surface"]
        self._synonyms: list[list[tuple[str, ...]]] = [
            [tuple(member) for member in group] for group in meta["synonyms"]
        ]
        self._synonym_starts: dict[str, list[tuple[int, int]]] = {}
        for g, group in enumerate(self._synonyms):
            for m, member in enumerate(group):
                self._synonym_starts.setdefault(member[0], []).append((g, m))
        self._indptr = arrays["indptr"]
        self._doc_ids = arrays["doc_ids"]
        self._idf = arrays["idf"]
        self._df = np.diff(self._indptr)
        self._doc_group = arrays["doc_group"]
        self._surface_stem = arrays["surface_stem"]
        self._weights = _bm25_weights(arrays, params)
        # Spellings of each term (surface words grouped by stem), for highlighting.
        self._forms_order = np.argsort(self._surface_stem, kind="stable")
        self._forms_ptr = np.searchsorted(
            self._surface_stem[self._forms_order], np.arange(len(self._terms) + 1)
        )
        self._local = threading.local()

    # --- building -------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        documents: Iterable[Document],
        *,
        synonyms: Iterable[Sequence[str]] = (),
        params: EngineParams | None = None,
    ) -> "SuggestIndex":
        params = params or EngineParams()
        term_ids: dict[str, int] = {}
        surface_seen: set[str] = set()
        rows, cols, tfs, doc_len = [], [], [], []
        meta: dict = {"keys": [], "titles": [], "urls": [], "summaries": [], "sources": []}
        groups: dict[tuple[int, ...], int] = {(): 0}
        doc_group = []
        for d, doc in enumerate(documents):
            field_tokens = _field_tokens(doc, params)
            tokens = [t for toks, weight in field_tokens for t in _stems(toks) * weight]
            # Counter keeps first-seen order, which is the order rank_bm25 sums the idfs in.
            counts = Counter(tokens)
            for term, tf in counts.items():
                rows.append(term_ids.setdefault(term, len(term_ids)))
                tfs.append(tf)
            cols.extend([d] * len(counts))
            doc_len.append(len(tokens))
            for toks, weight in field_tokens:
                if weight:
                    surface_seen.update(toks)
            meta["keys"].append(doc.key)
            meta["titles"].append(doc.title)
            meta["urls"].append(doc.url)
            meta["summaries"].append(doc.summary)
            meta["sources"].append(_snippet_source(doc, params))
            restriction = tuple(sorted(set(doc.restriction_ids)))
            doc_group.append(groups.setdefault(restriction, len(groups)))
        # The words as customers spell them, for completing a half-typed one.
        surface = {s: term_ids[t] for s in surface_seen if (t := stem(s)) is not None}
        meta["terms"] = list(term_ids)
        meta["groups"] = [list(g) for g in groups]
        meta["surface"] = sorted(surface)
        meta["synonyms"] = _analyse_synonyms(synonyms)
        rows_a = np.array(rows, dtype=np.int64)
        order = np.argsort(rows_a, kind="stable")  # by term, documents ascending within a term
        max_tf = max(tfs, default=0)
        df = np.bincount(rows_a, minlength=len(term_ids))
        arrays = {
            "indptr": np.concatenate(([0], np.cumsum(df))).astype(np.int64),
            "doc_ids": np.array(cols, dtype=np.int32)[order],
            "tf": np.array(tfs, dtype=np.uint16 if max_tf < 1 << 16 else np.uint32)[order],
            "doc_len": np.array(doc_len, dtype=np.int64),
            "idf": _okapi_idf(df, len(doc_len), params),
            "doc_group": np.array(doc_group, dtype=np.int32),
            "surface_stem": np.array([surface[s] for s in meta["surface"]], dtype=np.int32),
        }
        return cls(arrays, meta, params)

    # --- serialisation --------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The index as an .npz archive (arrays plus one JSON member); no pickle involved."""
        meta = {
            "version": FORMAT_VERSION,
            "params": asdict(self.params),
            "terms": self._terms,
            "keys": self.keys,
            "titles": self._titles,
            "urls": self._urls,
            "summaries": self._summaries,
            "sources": self._sources,
            "groups": [list(g) for g in self._restriction_groups],
            "surface": self._surface,
            "synonyms": [[list(m) for m in group] for group in self._synonyms],
        }
        meta_bytes = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8)
        stored = {name: a for name, a in self._arrays.items() if name in _STORED_ARRAYS}
        buffer = io.BytesIO()
        np.savez(buffer, meta=meta_bytes, **stored)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "SuggestIndex":
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in _STORED_ARRAYS}
            meta = json.loads(archive["meta"].tobytes().decode())
        if meta.get("version") != FORMAT_VERSION:
            raise ValueError(f"Unsupported suggestion index format {meta.get('version')!r}")
        known = {f.name for f in fields(EngineParams)}
        params = EngineParams(**{k: v for k, v in meta["params"].items() if k in known})
        return cls(arrays, meta, params)

    # --- size -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def nbytes(self) -> int:
        """Approximate memory held by the index, in bytes."""
        arrays = sum(a.nbytes for a in (*self._arrays.values(), self._weights, self._df))
        strings = [
            *self._terms, *self._titles, *self._urls, *self._summaries, *self._sources,
            *self._surface,
        ]  # fmt: skip
        objects = sum(map(sys.getsizeof, strings)) + sum(map(sys.getsizeof, self.keys))
        # Lists hold one pointer per item; the term dictionary about 100 bytes per entry.
        return arrays + objects + 8 * (len(strings) + len(self.keys)) + 100 * len(self._terms)

    # --- scoring --------------------------------------------------------------------------

    def bm25_scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25Okapi scores of every document for analysed tokens, bit-for-bit as rank_bm25."""
        scores = np.zeros(len(self.keys))
        for token in tokens:
            t = self._term_ids.get(token)
            if t is not None:
                lo, hi = self._indptr[t], self._indptr[t + 1]
                scores[self._doc_ids[lo:hi]] += self._weights[lo:hi]
        return scores

    def _buffer(self) -> np.ndarray:
        buffer = getattr(self._local, "buffer", None)
        if buffer is None:
            buffer = self._local.buffer = np.zeros(len(self.keys))
        return buffer

    def suggest(
        self,
        text: str,
        *,
        limit: int = 5,
        offset: int = 0,
        allowed_restriction_ids: Container[int] = frozenset(),
        threshold: float | None = None,
    ) -> SuggestResult:
        """The articles that best answer what has been typed so far, best first."""
        empty = SuggestResult(query=text, suggestions=[], total=0, top_score=0.0, top_relative=0.0)
        query = self._parse(text)
        if not query.terms or query.bound <= 0:
            return empty
        candidates, scores = self._accumulate(query.terms)
        allowed = self._allowed(candidates, allowed_restriction_ids)
        if allowed is not None:
            candidates, scores = candidates[allowed], scores[allowed]
        if not len(candidates):
            return empty
        top_score = float(scores.max())
        threshold = self.params.threshold if threshold is None else threshold
        above = scores >= threshold * query.bound
        candidates, scores = candidates[above], scores[above]
        offset = max(offset, 0)
        chosen = _top(scores, offset + limit)[offset:]
        forms = self._highlight_forms(query.terms)
        suggestions = [
            Suggestion(
                key=self.keys[d],
                title=self._titles[d],
                url=self._urls[d],
                summary=self._summaries[d],
                score=float(s),
                relative=float(s) / query.bound,
                snippet=self._snippet(d, forms),
            )
            for d, s in zip(candidates[chosen].tolist(), scores[chosen].tolist(), strict=True)
        ]
        return SuggestResult(
            query=text,
            suggestions=suggestions,
            total=len(candidates),
            top_score=top_score,
            top_relative=top_score / query.bound,
        )

    def _accumulate(self, terms: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
        """Documents with a positive score, in index order, and their scores."""
        buffer = self._buffer()
        touched = []
        for t, weight in terms:
            lo, hi = self._indptr[t], self._indptr[t + 1]
            ids = self._doc_ids[lo:hi]
            if weight == 1.0:
                buffer[ids] += self._weights[lo:hi]
            else:
                buffer[ids] += weight * self._weights[lo:hi]
            touched.append(ids)
        ids = np.concatenate(touched) if len(touched) > 1 else touched[0]
        if len(ids) * 8 > len(buffer):
            candidates = np.flatnonzero(buffer > 0)
            scores = buffer[candidates]
            buffer.fill(0.0)
        else:
            ids = np.unique(ids)
            scores = buffer[ids]
            buffer[ids] = 0.0
            positive = scores > 0
            candidates, scores = ids[positive], scores[positive]
        return candidates, scores

    def _allowed(self, candidates: np.ndarray, allowed_ids: Container[int]) -> np.ndarray | None:
        """Mask of candidates this visitor may see, or None when all of them are public."""
        if len(self._restriction_groups) == 1:
            return None
        groups = self._doc_group[candidates]
        restricted = np.unique(groups[groups > 0])
        if not len(restricted):
            return None
        visible = np.ones(len(self._restriction_groups), dtype=bool)
        for g in restricted.tolist():
            visible[g] = all(rid in allowed_ids for rid in self._restriction_groups[g])
        return visible[groups]

    # --- query parsing --------------------------------------------------------------------

    def _parse(self, text: str) -> _Query:
        """Weighted terms of the typed text: its words, their synonyms, the word being typed."""
        query = _Query()
        if not text or not self.keys:
            return query
        stems = analyze(text)
        unit = self.params.k1 + 1
        for term in stems:
            t = self._term_ids.get(term)
            if t is not None:
                query.terms.append((t, 1.0))
                query.bound += max(float(self._idf[t]), 0.0) * unit
        self._add_synonyms(query, stems)
        if ends_mid_word(text):
            self._add_completions(query, last_word_prefix(text))
        return query

    def _contribution(self, terms: list[tuple[int, float]]) -> float:
        unit = self.params.k1 + 1
        return sum(max(float(self._idf[t]), 0.0) * w * unit for t, w in terms)

    def _add_alternatives(
        self, query: _Query, present: float, alternatives: list[list[tuple[int, float]]]
    ) -> None:
        # An article usually says one of several equivalent things, so the best score still
        # possible grows by the best alternative beyond what the query said itself.
        best = max((self._contribution(a) for a in alternatives), default=0.0)
        query.bound += max(0.0, best - present)
        query.terms.extend(term for alternative in alternatives for term in alternative)

    def _add_synonyms(self, query: _Query, stems: list[str]) -> None:
        matched: dict[int, set[int]] = {}
        for i, term in enumerate(stems):
            for g, m in self._synonym_starts.get(term, ()):
                member = self._synonyms[g][m]
                if tuple(stems[i : i + len(member)]) == member:
                    matched.setdefault(g, set()).add(m)
        for g, members in matched.items():
            present = max(
                self._contribution(self._known(self._synonyms[g][m], 1.0)) for m in members
            )
            alternatives = [
                self._known(member, self.params.synonym_weight / len(member))
                for m, member in enumerate(self._synonyms[g])
                if m not in members
            ]
            self._add_alternatives(query, present, alternatives)

    def _known(self, terms: Iterable[str], weight: float) -> list[tuple[int, float]]:
        ids = (self._term_ids.get(term) for term in terms)
        return [(t, weight) for t in ids if t is not None]

    def _add_completions(self, query: _Query, prefix: str) -> None:
        params = self.params
        if len(prefix) < params.completion_min_prefix:
            return
        lo = bisect_left(self._surface, prefix)
        hi = bisect_left(self._surface, prefix + "\U0010ffff", lo)
        if lo == hi:
            return
        literal = stem(prefix)
        literal_id = self._term_ids.get(literal) if literal is not None else None
        stems = np.unique(self._surface_stem[lo:hi])
        if literal_id is not None:
            stems = stems[stems != literal_id]
        if not len(stems):
            return
        # The most common words are the likeliest completions (ties: first indexed).
        df = self._df[stems]
        chosen = stems[np.argsort(-df, kind="stable")[: params.completion_max_terms]]
        share = (
            params.completion_weight if literal_id is not None else params.completion_weight_unknown
        )
        df_chosen = self._df[chosen].astype(np.float64)
        weights = share * df_chosen / df_chosen.sum()
        present = self._contribution([(literal_id, 1.0)]) if literal_id is not None else 0.0
        alternatives = [[(int(t), float(w))] for t, w in zip(chosen, weights, strict=True)]
        self._add_alternatives(query, present, alternatives)

    def _highlight_forms(self, terms: list[tuple[int, float]]) -> dict[str, float]:
        """Every spelling of the query's terms seen in the articles, weighted by importance."""
        forms: dict[str, float] = {}
        for t, w in terms:
            weight = w * max(float(self._idf[t]), 1e-3)
            for i in self._forms_order[self._forms_ptr[t] : self._forms_ptr[t + 1]].tolist():
                form = self._surface[i]
                forms[form] = max(forms.get(form, 0.0), weight)
        return forms

    def _snippet(self, d: int, forms: dict[str, float]) -> str:
        source = self._sources[d]
        return highlight(source, find_words(source, forms), width=self.params.snippet_width)


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best scores, best first; equal scores keep index (document) order."""
    if k <= 0 or not len(scores):
        return np.zeros(0, dtype=np.intp)
    pool = np.arange(len(scores))
    if len(scores) > max(64, 4 * k):
        # Partition rather than sort everything; every score tied with the k-th best stays in
        # the pool so the tie-break below does not depend on how partitioning ordered them.
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        pool = np.flatnonzero(scores >= kth)
    return pool[np.argsort(-scores[pool], kind="stable")[:k]]


_STORED_ARRAYS = ("indptr", "doc_ids", "tf", "doc_len", "idf", "doc_group", "surface_stem")


def _okapi_idf(df: np.ndarray, corpus_size: int, params: EngineParams) -> np.ndarray:
    """BM25Okapi idf per term, summed in first-seen order exactly as rank_bm25 0.2.2 does."""
    idf = [math.log(corpus_size - freq + 0.5) - math.log(freq + 0.5) for freq in df.tolist()]
    if not idf:
        return np.zeros(0)
    idf_sum = 0
    for value in idf:
        idf_sum += value
    eps = params.epsilon * (idf_sum / len(idf))
    return np.array([eps if value < 0 else value for value in idf], dtype=np.float64)


def _bm25_weights(arrays: dict[str, np.ndarray], params: EngineParams) -> np.ndarray:
    """Each posting's BM25 weight, with rank_bm25's get_scores expression and operation order."""
    doc_len = arrays["doc_len"]
    if not len(doc_len):
        return np.zeros(0)
    avgdl = int(doc_len.sum()) / len(doc_len)
    k1, b = params.k1, params.b
    length_norm = k1 * (1 - b + b * doc_len / avgdl) if avgdl else np.full(len(doc_len), k1)
    tf = arrays["tf"].astype(np.int64)
    term_of_posting = np.repeat(np.arange(len(arrays["idf"])), np.diff(arrays["indptr"]))
    return arrays["idf"][term_of_posting] * (tf * (k1 + 1) / (tf + length_norm[arrays["doc_ids"]]))


def _analyse_synonyms(groups: Iterable[Sequence[str]]) -> list[list[list[str]]]:
    """Each group's members as stem sequences; members that analyse to nothing are dropped."""
    analysed = []
    for group in groups:
        members = []
        for member in group:
            terms = analyze(member)
            if terms and terms not in members:
                members.append(terms)
        if len(members) > 1:
            analysed.append(members)
    return analysed
