"""The article-suggestion engine: BM25 over an inverted index, with completion and synonyms.

Scores are exactly those of rank_bm25's BM25Okapi over `document_tokens`: the weight of every
(term, document) pair is precomputed with the same floating-point expression, and a query adds
the rows of its terms, in query order, into a per-thread buffer. Completions, synonyms, typo
corrections and word pairs join the query with weights below one. Nothing here knows Django.
"""

import io
import json
import math
import sys
import threading
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Container, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from itertools import repeat

import numpy as np

from .analysis import (
    analyze,
    ends_mid_word,
    find_words,
    highlight,
    last_word_prefix,
    one_edit_away,
    stem,
    stems,
    surface_tokens,
)
from .places import Place, applies

FORMAT_VERSION = 2
MAX_QUERY_TERMS = 256
MAX_CORRECTIONS = 3  # typo corrections per query: each costs ~50 µs
MIN_CORRECTED_LENGTH = 5
_STORED_ARRAYS = (
    "indptr", "doc_ids", "tf", "doc_len", "idf", "doc_group", "surface_stem",
    "title_indptr", "title_doc_ids", "title_tf", "title_doc_len", "title_idf",
)  # fmt: skip


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
    places: tuple[str, ...] = ()  # where in the customer's product it applies (kb/places.py)


@dataclass(frozen=True, slots=True)
class Suggestion:
    key: int | str
    title: str
    url: str
    summary: str
    score: float  # BM25 score
    relative: float  # score / the best score any article could reach for this query
    snippet: str  # HTML-escaped, matching words wrapped in <mark>


@dataclass(frozen=True, slots=True)
class SuggestResult:
    query: str
    suggestions: list[Suggestion]
    total: int  # visible articles shown for this query, for pagination
    top_score: float  # best visible match before the threshold; 0.0 if nothing matched
    top_relative: float


@dataclass(frozen=True, slots=True)
class EngineParams:
    """Ranking settings; defaults tuned on the techqa and stackfaq evaluation sets."""

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
    # A second BM25Okapi over titles alone, added to the score with this weight: in the main
    # index a title's words are diluted by long bodies (length normalisation), yet a title is
    # the article's own one-line answer to "what is this about".
    title_channel: float = 1.0
    # Adjacent word pairs of titles and summaries are indexed too ("reset password"); a pair
    # in the query counts this much.
    bigram_weight: float = 0.5
    # The word being typed, if at least `completion_min_prefix` characters long, also stands
    # for the `completion_max_terms` commonest words it begins; they share `completion_weight`
    # when what is typed is a word already, `completion_weight_unknown` when it is not.
    completion_min_prefix: int = 2
    completion_max_terms: int = 5
    completion_weight: float = 0.5
    completion_weight_unknown: float = 1.0
    synonym_weight: float = 0.7  # shared by the words of one synonym
    typo_weight: float = 0.7  # a known word one typo away from an unknown one
    unknown_word_weight: float = 1.0  # how much a word no article uses lowers relative scores
    relative_words: int = 8  # relative scores measure a match against this many words at most
    # Nothing is shown unless the best article reaches `threshold` relative score; the
    # articles after it need `threshold * tail_ratio`.
    threshold: float = 0.2
    tail_ratio: float = 0.5
    # An article that applies to the page the customer is on scores this much more (+50%).
    place_boost: float = 0.5
    snippet_width: int = 200
    snippet_body_chars: int = 500  # how much of each body is kept for snippets
    phrases_per_article: int = 20


def _fields(doc: Document, params: EngineParams) -> list[tuple[list[str], int, bool]]:
    """Each field's surface tokens, how many times it counts, and whether its pairs count."""
    return [
        (surface_tokens(doc.title), params.title_weight, True),
        (surface_tokens(doc.summary), params.summary_weight, True),
        ([t for tag in doc.tags for t in surface_tokens(tag)], params.tags_weight, False),
        (surface_tokens(doc.category), params.category_weight, False),
        (
            [t for p in doc.phrases[: params.phrases_per_article] for t in surface_tokens(p)],
            params.phrases_weight,
            False,
        ),
        (surface_tokens(doc.body), params.body_weight, False),
    ]


def bigrams(terms: Sequence[str]) -> list[str]:
    """Adjacent pairs of terms; the space keeps them apart from any single term."""
    return [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]


def document_tokens(doc: Document, params: EngineParams | None = None) -> list[str]:
    """The one token list BM25 sees for a document: analysed fields, repeated by their boost."""
    return _tokens(_fields(doc, params or EngineParams()))


def _tokens(fields_of_doc: list[tuple[list[str], int, bool]]) -> list[str]:
    tokens: list[str] = []
    for surface, weight, pairs in fields_of_doc:
        terms = stems(surface)
        tokens += terms * weight
        if pairs:
            tokens += bigrams(terms) * weight
    return tokens


def _snippet_source(doc: Document, params: EngineParams) -> str:
    body = doc.body[: params.snippet_body_chars]
    if len(doc.body) > len(body) and " " in body:
        body = body[: body.rfind(" ")]
    return f"{doc.summary}\n{body}".strip()


@dataclass(slots=True)
class _Query:
    """Weighted term ids in query order, and what each word could add to a score at most."""

    terms: list[tuple[int, float]] = field(default_factory=list)
    most: list[float] = field(default_factory=list)
    bound: float = 0.0

    def close(self, words: int) -> "_Query":
        # A long ticket says more than any one article covers, so the best score still
        # possible is reckoned on its most informative words only.
        self.bound = sum(sorted(self.most, reverse=True)[:words])
        return self


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
        self._restrictions: list[tuple[int, ...]] = [tuple(g) for g in meta["groups"]]
        self._places = {int(d): tuple(p) for d, p in meta.get("places", {}).items()}
        self._surface: list[str] = meta["surface"]
        self._synonyms = [[tuple(member) for member in group] for group in meta["synonyms"]]
        self._synonym_starts: dict[str, list[tuple[int, int]]] = {}
        for g, group in enumerate(self._synonyms):
            for m, member in enumerate(group):
                self._synonym_starts.setdefault(member[0], []).append((g, m))
        self._indptr = arrays["indptr"]
        self._doc_ids = arrays["doc_ids"]
        self._df = np.diff(self._indptr)
        self._weights = _bm25_weights(arrays, params)  # exactly rank_bm25's
        # Ranking uses the same weights, except in a corpus so small or uniform that
        # BM25Okapi's idf averages zero or less (one or two articles): there every term would
        # score nothing or less, so Lucene's always-positive idf stands in.
        idf = arrays["idf"]
        self._rank_weights = self._weights
        if _degenerate(self._df, len(arrays["doc_len"])):
            idf = np.log1p((len(arrays["doc_len"]) - self._df + 0.5) / (self._df + 0.5))
            self._rank_weights = _bm25_weights({**arrays, "idf": idf}, params)
        self._idf: list[float] = idf.tolist()
        title = {
            key.removeprefix("title_"): arrays[key] for key in arrays if key.startswith("title_")
        }
        self._title_indptr, self._title_doc_ids = title["indptr"], title["doc_ids"]
        title_idf = title["idf"]
        if _degenerate(np.diff(title["indptr"]), len(title["doc_len"])):
            df = np.diff(title["indptr"])
            title_idf = np.log1p((len(title["doc_len"]) - df + 0.5) / (df + 0.5))
        self._title_weights = params.title_channel * _bm25_weights(
            {**title, "idf": title_idf}, params
        )
        # Spellings of each term (surface words grouped by stem), for highlighting.
        self._forms_order = np.argsort(arrays["surface_stem"], kind="stable")
        self._forms_ptr = np.searchsorted(
            arrays["surface_stem"][self._forms_order], np.arange(len(self._terms) + 1)
        )
        self._forms_cache: dict[int, tuple[str, ...]] = {}
        self._surface_df = self._df[arrays["surface_stem"]].astype(np.float64)
        # Words long enough that one typo rarely turns one into another, for correcting typos.
        self._correctable = {
            word: t
            for word, t in zip(self._surface, arrays["surface_stem"].tolist(), strict=True)
            if len(word) >= MIN_CORRECTED_LENGTH - 1 and word.isalpha()
        }
        # The most a word used by a single article could add: what an unknown word would.
        n = len(self.keys)
        self._unseen_most = (
            max(math.log(n - 1 + 0.5) - math.log(1.5), 0.0) * (params.k1 + 1) if n else 0.0
        )
        self._local = threading.local()

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
        surface: set[str] = set()
        # Typed arrays, not lists: a list spends ~36 bytes on each of millions of postings.
        rows, cols, tfs = array("q"), array("i"), array("q")
        title_rows, title_cols, title_tfs, title_len = array("q"), array("i"), array("q"), []
        doc_len, doc_group = [], []
        meta: dict = {
            "keys": [], "titles": [], "urls": [], "summaries": [], "sources": [], "places": {}
        }  # fmt: skip
        groups: dict[tuple[int, ...], int] = {(): 0}  # restriction sets; 0 is public
        for d, doc in enumerate(documents):
            fields_of_doc = _fields(doc, params)
            tokens = _tokens(fields_of_doc)
            # Counter keeps first-seen order, the order in which rank_bm25 sums the idfs.
            counts = Counter(tokens)
            ids = list(map(term_ids.get, counts))
            if None in ids:
                for i, term in enumerate(counts):
                    if ids[i] is None:
                        ids[i] = term_ids[term] = len(term_ids)
            rows.extend(ids)
            tfs.extend(counts.values())
            cols.extend(repeat(d, len(counts)))
            doc_len.append(len(tokens))
            title_counts = Counter(stems(fields_of_doc[0][0]))  # every title term is a term
            title_rows.extend(map(term_ids.__getitem__, title_counts))
            title_tfs.extend(title_counts.values())
            title_cols.extend(repeat(d, len(title_counts)))
            title_len.append(sum(title_counts.values()))
            for surface_of_field, weight, _ in fields_of_doc:
                if weight:
                    surface.update(surface_of_field)
            if doc.places:
                meta["places"][str(d)] = list(doc.places)
            meta["keys"].append(doc.key)
            meta["titles"].append(doc.title)
            meta["urls"].append(doc.url)
            meta["summaries"].append(doc.summary)
            meta["sources"].append(_snippet_source(doc, params))
            restriction = tuple(sorted(set(doc.restriction_ids)))
            doc_group.append(groups.setdefault(restriction, len(groups)))
        # The words as customers spell them, for completing a half-typed one.
        spelled = {s: term_ids[t] for s in surface if (t := stem(s)) is not None}
        meta.update(
            terms=list(term_ids),
            groups=[list(g) for g in groups],
            surface=sorted(spelled),
            synonyms=_analyse_synonyms(synonyms),
        )
        arrays = {
            **_postings(rows, cols, tfs, doc_len, len(term_ids), params),
            **_postings(title_rows, title_cols, title_tfs, title_len, len(term_ids), params,
                        prefix="title_"),
            "doc_group": np.array(doc_group, dtype=np.int32),
            "surface_stem": np.array([spelled[s] for s in meta["surface"]], dtype=np.int32),
        }  # fmt: skip
        return cls(arrays, meta, params)

    def to_bytes(self) -> bytes:
        """The index as an .npz archive: arrays plus one JSON member, nothing pickled."""
        meta = {
            "version": FORMAT_VERSION,
            "params": asdict(self.params),
            "terms": self._terms,
            "keys": self.keys,
            "titles": self._titles,
            "urls": self._urls,
            "summaries": self._summaries,
            "sources": self._sources,
            "groups": [list(g) for g in self._restrictions],
            "places": {str(d): list(p) for d, p in self._places.items()},
            "surface": self._surface,
            "synonyms": [[list(m) for m in group] for group in self._synonyms],
        }
        encoded = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez(buffer, meta=encoded, **{name: self._arrays[name] for name in _STORED_ARRAYS})
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
        # The weights are recomputed, not stored: the same expression gives the same bits.
        return cls(arrays, meta, params)

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def nbytes(self) -> int:
        """Approximate memory held by the index, in bytes."""
        arrays = [*self._arrays.values(), self._weights, self._df, self._surface_df]
        arrays.append(self._title_weights)
        if self._rank_weights is not self._weights:
            arrays.append(self._rank_weights)
        arrays += [self._forms_order, self._forms_ptr]
        strings = [*self._terms, *self._titles, *self._urls, *self._summaries, *self._sources]
        strings += self._surface
        objects = sum(map(sys.getsizeof, strings)) + sum(map(sys.getsizeof, self.keys))
        # Lists hold a pointer per item, dictionaries ~100 bytes an entry, idf floats 24 bytes.
        containers = 8 * (len(strings) + len(self.keys)) + 124 * len(self._terms)
        containers += 100 * len(self._correctable)
        return sum(a.nbytes for a in arrays) + objects + containers

    def bm25_scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25Okapi scores of every document for analysed tokens, bit-for-bit as rank_bm25."""
        scores = np.zeros(len(self.keys))
        for token in tokens:
            t = self._term_ids.get(token)
            if t is not None:
                lo, hi = self._indptr[t], self._indptr[t + 1]
                scores[self._doc_ids[lo:hi]] += self._weights[lo:hi]
        return scores

    def suggest(
        self,
        text: str,
        *,
        limit: int = 5,
        offset: int = 0,
        allowed_restriction_ids: Container[int] = frozenset(),
        threshold: float | None = None,
        snippets: bool = True,
        place: Place | None = None,
    ) -> SuggestResult:
        """The articles that best answer what has been typed so far, best first.

        With a `place` (the page of the customer's product they are on), articles that apply
        there rank higher.
        """
        nothing = SuggestResult(
            query=text, suggestions=[], total=0, top_score=0.0, top_relative=0.0
        )
        query = self._parse(text).close(self.params.relative_words)
        if not query.terms or query.bound <= 0:
            return nothing
        candidates, scores = self._accumulate(query.terms)
        visible = self._visible(candidates, allowed_restriction_ids)
        if visible is not None:
            candidates, scores = candidates[visible], scores[visible]
        if not len(candidates):
            return nothing
        if place is not None and self._places:
            scores = scores * (1 + self.params.place_boost * self._applying(candidates, place))
        top_score = float(scores.max())
        threshold = self.params.threshold if threshold is None else threshold
        if top_score < threshold * query.bound:  # nothing answers this well enough
            return SuggestResult(text, [], 0, top_score, top_score / query.bound)
        # Once something answers, weaker articles may follow it, down to a lower floor.
        shown = scores >= threshold * self.params.tail_ratio * query.bound
        candidates, scores = candidates[shown], scores[shown]
        offset = max(offset, 0)
        chosen = _top(scores, offset + limit)[offset:]
        forms = self._highlight_forms(query.terms) if snippets and len(chosen) else {}
        suggestions = [
            Suggestion(
                key=self.keys[d],
                title=self._titles[d],
                url=self._urls[d],
                summary=self._summaries[d],
                score=score,
                relative=score / query.bound,
                snippet=self._snippet(d, forms) if snippets else "",
            )
            for d, score in zip(candidates[chosen].tolist(), scores[chosen].tolist(), strict=True)
        ]
        return SuggestResult(
            query=text,
            suggestions=suggestions,
            total=len(candidates),
            top_score=top_score,
            top_relative=top_score / query.bound,
        )

    def _applying(self, candidates: np.ndarray, place: Place) -> np.ndarray:
        """1.0 for each candidate that applies to the place, else 0.0."""
        mask = np.zeros(len(candidates))
        if self._places:
            position = {d: i for i, d in enumerate(candidates.tolist()) if d in self._places}
            for d, i in position.items():
                mask[i] = 1.0 if applies(self._places[d], place) else 0.0
        return mask

    def for_place(
        self,
        place: Place,
        *,
        limit: int = 5,
        allowed_restriction_ids: Container[int] = frozenset(),
    ) -> list[Suggestion]:
        """Articles for a page before anything is typed: context matches first, then paths."""
        ranked = sorted(
            (
                (-specificity, self._titles[d].casefold(), d)
                for d, places in self._places.items()
                if (specificity := applies(places, place))
            )
        )
        docs = np.array([d for *_, d in ranked], dtype=np.int64)
        visible = self._visible(docs, allowed_restriction_ids) if len(docs) else None
        if visible is not None:
            docs = docs[visible]
        return [
            Suggestion(
                key=self.keys[d],
                title=self._titles[d],
                url=self._urls[d],
                summary=self._summaries[d],
                score=0.0,
                relative=0.0,
                snippet="",
            )  # fmt: skip
            for d in docs.tolist()[:limit]
        ]

    def _accumulate(self, terms: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
        """Documents with a positive score, in index order, and their scores."""
        buffer = getattr(self._local, "buffer", None)
        if buffer is None:  # one per thread: queries running at once must not share it
            buffer = self._local.buffer = np.zeros(len(self.keys))
        touched = []
        for t, weight in terms:
            lo, hi = self._indptr[t], self._indptr[t + 1]
            ids = self._doc_ids[lo:hi]
            # add.at adds in place (no gather/scatter copies); a term's documents are distinct,
            # so each score gets exactly the additions rank_bm25 makes, in the same order.
            if weight == 1.0:
                np.add.at(buffer, ids, self._rank_weights[lo:hi])
            else:
                np.add.at(buffer, ids, weight * self._rank_weights[lo:hi])
            touched.append(ids)
            lo, hi = self._title_indptr[t], self._title_indptr[t + 1]
            if hi > lo:  # title docs are a subset of the term's docs: nothing new is touched
                np.add.at(buffer, self._title_doc_ids[lo:hi], weight * self._title_weights[lo:hi])
        ids = np.concatenate(touched) if len(touched) > 1 else touched[0]
        # With many documents touched, scanning the buffer beats sorting their ids.
        dense = len(ids) * 32 > len(buffer)
        if dense:
            candidates = (buffer > 0).nonzero()[0]  # a mask first: nonzero() on floats is slow
        else:
            ids = np.sort(ids)
            candidates = ids[np.concatenate(([True], ids[1:] != ids[:-1]))]
        scores = buffer[candidates]
        if dense:
            buffer.fill(0.0)
        else:
            buffer[candidates] = 0.0
        positive = scores > 0
        candidates, scores = candidates[positive], scores[positive]
        return candidates, scores

    def _visible(self, candidates: np.ndarray, allowed_ids: Container[int]) -> np.ndarray | None:
        """Which candidates this visitor may see; None when they are all public."""
        if len(self._restrictions) == 1:
            return None
        groups = self._arrays["doc_group"][candidates]
        restricted = np.unique(groups[groups > 0]).tolist()
        if not restricted:
            return None
        allowed = np.ones(len(self._restrictions), dtype=bool)
        for g in restricted:
            allowed[g] = all(rid in allowed_ids for rid in self._restrictions[g])
        return allowed[groups]

    def _parse(self, text: str) -> _Query:
        """Weighted terms of the typed text: its words and pairs, synonyms, the word being typed."""
        query = _Query()
        if not self.keys or not text:
            return query
        tokens = [token for token in surface_tokens(text) if stem(token)]
        typing = ends_mid_word(text)
        if len(tokens) > MAX_QUERY_TERMS:  # pasted logs or garbage: the opening is enough
            tokens, typing = tokens[:MAX_QUERY_TERMS], False
        terms = stems(tokens)
        corrections = 0
        for i, (token, term) in enumerate(zip(tokens, terms, strict=True)):
            if self._add_term(query, term, 1.0) or (typing and i == len(terms) - 1):
                continue  # known, or still being typed (completion below takes care of it)
            if corrections < MAX_CORRECTIONS and self._add_correction(query, token):
                corrections += 1
            elif token.isalpha():
                # A word no article uses is part of a question nothing answers; codes, versions
                # and names with digits or dots say nothing about that, so they are let be.
                query.most.append(self.params.unknown_word_weight * self._unseen_most)
        if self.params.bigram_weight:
            for pair in bigrams(terms):
                self._add_term(query, pair, self.params.bigram_weight)
        self._add_synonyms(query, terms)
        if typing:
            self._add_completions(query, last_word_prefix(text))
        return query

    def _add_term(self, query: _Query, term: str, weight: float) -> bool:
        t = self._term_ids.get(term)
        if t is not None:
            query.terms.append((t, weight))
            query.most.append(self._most(t, weight))
        return t is not None

    def _add_correction(self, query: _Query, token: str) -> bool:
        """Read an unknown word as the commonest known word one typo away from it, if any."""
        if not (MIN_CORRECTED_LENGTH <= len(token) <= 20 and token.isascii() and token.isalpha()):
            return False
        found = one_edit_away(token) & self._correctable.keys()
        if not found:
            return False
        best = min(found, key=lambda word: (-self._df[self._correctable[word]], word))
        query.terms.append((t := self._correctable[best], self.params.typo_weight))
        query.most.append(self._most(t, self.params.typo_weight))
        return True

    def _most(self, t: int, weight: float) -> float:
        """The most a term can add to a score: BM25's tf part tends to k1 + 1."""
        # The main index only: a title match is a bonus on top (relative scores may pass 1).
        return weight * max(self._idf[t], 0.0) * (self.params.k1 + 1)

    def _add_alternatives(
        self, query: _Query, present: float, alternatives: list[list[tuple[int, float]]]
    ) -> None:
        # An article usually says one of several equivalent things, so the best score still
        # possible grows by the best alternative beyond what the query said itself.
        best = max((sum(self._most(t, w) for t, w in a) for a in alternatives), default=0.0)
        query.most.append(max(0.0, best - present))
        query.terms += [term for alternative in alternatives for term in alternative]

    def _known(self, terms: Iterable[str], weight: float) -> list[tuple[int, float]]:
        ids = (self._term_ids.get(term) for term in terms)
        return [(t, weight) for t in ids if t is not None]

    def _add_synonyms(self, query: _Query, terms: list[str]) -> None:
        matched: dict[int, set[int]] = {}
        for i, term in enumerate(terms):
            for g, m in self._synonym_starts.get(term, ()):
                member = self._synonyms[g][m]
                if tuple(terms[i : i + len(member)]) == member:
                    matched.setdefault(g, set()).add(m)
        for g, members in matched.items():
            group = self._synonyms[g]
            present = max(
                sum(self._most(t, 1.0) for t, _ in self._known(group[m], 1.0)) for m in members
            )
            alternatives = [
                self._known(member, self.params.synonym_weight / len(member))
                for m, member in enumerate(group)
                if m not in members
            ]
            self._add_alternatives(query, present, alternatives)

    def _add_completions(self, query: _Query, prefix: str) -> None:
        params = self.params
        if len(prefix) < params.completion_min_prefix:
            return
        lo = bisect_left(self._surface, prefix)
        hi = bisect_left(self._surface, prefix + "\U0010ffff", lo)
        literal = stem(prefix)
        literal_id = self._term_ids.get(literal) if literal is not None else None
        # The commonest words are the likeliest completions (ties: alphabetical order).
        best = _top(self._surface_df[lo:hi], 4 * params.completion_max_terms)
        found = dict.fromkeys(self._arrays["surface_stem"][lo:hi][best].tolist())
        found.pop(literal_id, None)
        chosen = np.array(list(found)[: params.completion_max_terms], dtype=np.int64)
        if not len(chosen):
            return
        # A stopword ("the", "to") is a finished word far more often than the start of one.
        share = params.completion_weight_unknown
        if literal is None or literal_id is not None:
            share = params.completion_weight
        df = self._df[chosen].astype(np.float64)
        weights = (share * df / df.sum()).tolist()
        present = self._most(literal_id, 1.0) if literal_id is not None else 0.0
        alternatives = [[(t, w)] for t, w in zip(chosen.tolist(), weights, strict=True)]
        self._add_alternatives(query, present, alternatives)

    def _highlight_forms(self, terms: list[tuple[int, float]]) -> dict[str, float]:
        """Every spelling of the query's terms seen in the articles, weighted by importance."""
        forms: dict[str, float] = {}
        for t, w in terms:
            weight = w * max(self._idf[t], 1e-3)
            for form in self._spellings(t):
                forms[form] = max(forms.get(form, 0.0), weight)
        return forms

    def _spellings(self, t: int) -> tuple[str, ...]:
        spellings = self._forms_cache.get(t)
        if spellings is None:
            lo, hi = self._forms_ptr[t], self._forms_ptr[t + 1]
            spellings = tuple(self._surface[i] for i in self._forms_order[lo:hi].tolist())
            if len(self._forms_cache) < 100_000:  # bounded: a cache, not a copy of the index
                self._forms_cache[t] = spellings
        return spellings

    def _snippet(self, d: int, forms: dict[str, float]) -> str:
        source = self._sources[d]
        return highlight(source, find_words(source, forms), width=self.params.snippet_width)


def _postings(
    rows: array,
    cols: array,
    tfs: array,
    doc_len: list[int],
    n_terms: int,
    params: EngineParams,
    *,
    prefix: str = "",
) -> dict[str, np.ndarray]:
    """A term-major sparse matrix of term frequencies, with BM25Okapi idf per term."""
    term_of = np.frombuffer(rows, dtype=np.int64)
    order = np.argsort(term_of, kind="stable")  # by term, documents ascending within each
    df = np.bincount(term_of, minlength=n_terms)
    tf = np.frombuffer(tfs, dtype=np.int64)[order].astype(np.uint32)
    # Term frequencies are small: store them in the narrowest type that holds them.
    for narrow in (np.uint8, np.uint16):
        if len(tf) and tf.max() <= np.iinfo(narrow).max:
            tf = tf.astype(narrow)
            break
    return {
        f"{prefix}indptr": np.concatenate(([0], np.cumsum(df))).astype(np.int64),
        f"{prefix}doc_ids": np.frombuffer(cols, dtype=np.int32)[order],
        f"{prefix}tf": tf,
        f"{prefix}doc_len": np.array(doc_len, dtype=np.int64),
        f"{prefix}idf": _okapi_idf(df, len(doc_len), params),
    }


def _okapi_idf(df: np.ndarray, corpus_size: int, params: EngineParams) -> np.ndarray:
    """BM25Okapi idf per term, summed in first-seen order exactly as rank_bm25 0.2.2 does."""
    idf = [math.log(corpus_size - freq + 0.5) - math.log(freq + 0.5) for freq in df.tolist()]
    if not idf:
        return np.zeros(0)
    idf_sum = 0.0
    for value in idf:
        idf_sum += value
    eps = params.epsilon * (idf_sum / len(idf))
    return np.array([eps if value < 0 else value for value in idf], dtype=np.float64)


def _degenerate(df: np.ndarray, corpus_size: int) -> bool:
    """Whether BM25Okapi's average idf is zero or less, flooring every common term at or below 0."""
    if not len(df):
        return False
    idf = np.log(corpus_size - df + 0.5) - np.log(df + 0.5)
    return float(idf.mean()) <= 0


def _bm25_weights(arrays: dict[str, np.ndarray], params: EngineParams) -> np.ndarray:
    """Each posting's weight with rank_bm25's get_scores expression, operation for operation."""
    doc_len = arrays["doc_len"]
    if not len(doc_len) or not doc_len.sum():
        return np.zeros(len(arrays["doc_ids"]))
    avgdl = int(doc_len.sum()) / len(doc_len)
    k1, b = params.k1, params.b
    length_norm = k1 * (1 - b + b * doc_len / avgdl)
    tf = arrays["tf"].astype(np.int64)
    idf = np.repeat(arrays["idf"], np.diff(arrays["indptr"]))
    return idf * (tf * (k1 + 1) / (tf + length_norm[arrays["doc_ids"]]))


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best scores, best first; equal scores keep index (document) order."""
    if k <= 0 or not len(scores):
        return np.zeros(0, dtype=np.intp)
    pool = np.arange(len(scores))
    if len(scores) > max(64, 4 * k):
        # Partition rather than sort everything; every score tied with the k-th best stays in
        # the pool so that the tie-break does not depend on how the partition ordered them.
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        pool = np.flatnonzero(scores >= kth)
    return pool[np.argsort(-scores[pool], kind="stable")[:k]]


def _analyse_synonyms(groups: Iterable[Sequence[str]]) -> list[list[list[str]]]:
    """Each group's members as stem sequences; members that analyse to nothing are dropped."""
    analysed = []
    for group in groups:
        members: list[list[str]] = []
        for member in group:
            terms = analyze(member)
            if terms and terms not in members:
                members.append(terms)
        if len(members) > 1:
            analysed.append(members)
    return analysed
