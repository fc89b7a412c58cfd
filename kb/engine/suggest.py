"""The article-suggestion engine: BM25 over an inverted index, with completion and synonyms.

Scores are exactly those of rank_bm25's BM25Okapi over `document_tokens`: the weight of every
(term, document) pair is precomputed with the same floating-point expression, and a query adds
up the rows of its terms in query order. Completions, synonyms, typo corrections and word pairs
join the query with weights below one. With article vectors and an encoder (kb/engine), the
ranking blends in meaning and says nothing when nothing plausibly fits. Nothing here knows Django.
"""

import io
import json
import math
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Container, Iterable, Sequence
from dataclasses import asdict, fields
from itertools import repeat
from pathlib import Path

import numpy as np

from kb.engine.analysis import stem, stems
from kb.engine.bm25 import bm25_weights, postings, ranking_idf, top_k
from kb.engine.documents import (
    Document,
    EngineParams,
    Suggestion,
    SuggestResult,
    bigrams,
    document_fields,
    document_tokens,
    snippet_source,
    tokens_of_fields,
)
from kb.engine.embedding import Encoder
from kb.engine.index_file import CorruptIndexFile, StringTable, read_file, string_arrays, write_file
from kb.engine.places import Place, applies
from kb.engine.query import MIN_CORRECTED_LENGTH, QueryReading, analyse_synonyms
from kb.engine.semantic import SemanticReading

# Bumped whenever stored indexes stop matching the code, in layout or in analysis (3: British
# spellings count as American; 4: article vectors), so that an index stored before is rebuilt,
# not misread.
FORMAT_VERSION = 4
_STORED_ARRAYS = (
    "indptr",
    "doc_ids",
    "tf",
    "doc_len",
    "idf",
    "doc_group",
    "surface_stem",
    "title_indptr",
    "title_doc_ids",
    "title_tf",
    "title_doc_len",
    "title_idf",
)

__all__ = [
    "Document",
    "EngineParams",
    "Suggestion",
    "SuggestResult",
    "SuggestIndex",
    "bigrams",
    "document_tokens",
]


class SuggestIndex(QueryReading, SemanticReading):
    """An immutable index of articles; safe to share between threads.

    Everything large is a numpy array or a string table over arrays (`shared`), so that an
    index mapped from a file (`from_file`) is held once per machine, not once per process.
    """

    def __init__(self, shared: dict[str, np.ndarray], meta: dict, params: EngineParams) -> None:
        self.params = params
        self._arrays = shared
        self._terms = StringTable(_table(shared, "terms"))
        self._term_ids = self._terms.ids()
        self._titles = StringTable(_table(shared, "titles"))
        self._urls = StringTable(_table(shared, "urls"))
        self._summaries = StringTable(_table(shared, "summaries"))
        self._sources = StringTable(_table(shared, "sources"))
        self._surface = StringTable(_table(shared, "surface"))
        self._surface_ids = self._surface.ids()
        # Keys are a small list (28 bytes an article); numbers unless the documents said text.
        if "keys" in shared:
            self.keys: list[int | str] = shared["keys"].tolist()
        else:
            self.keys = list(StringTable(_table(shared, "key_strings")))
        self._restrictions: list[tuple[int, ...]] = [tuple(g) for g in meta["groups"]]
        self._places = {int(d): tuple(p) for d, p in meta.get("places", {}).items()}
        self._synonyms = [[tuple(member) for member in group] for group in meta["synonyms"]]
        self._synonym_starts: dict[str, list[tuple[int, int]]] = {}
        for g, group in enumerate(self._synonyms):
            for m, member in enumerate(group):
                self._synonym_starts.setdefault(member[0], []).append((g, m))
        # Scalar reads: a memoryview gives Python numbers as quickly as a list, and shares.
        self._indptr = memoryview(shared["indptr"])
        self._doc_ids = shared["doc_ids"]
        self._df = shared["df"]
        self._idf = memoryview(shared["rank_idf"])
        self._rank_weights = shared["rank_weights"]
        # Spellings of each term (surface words grouped by stem), for highlighting.
        self._forms_order = shared["forms_order"]
        self._forms_ptr = shared["forms_ptr"]
        self._forms_cache: dict[int, tuple[str, ...]] = {}
        self._surface_df = shared["surface_df"]
        self._surface_stem = memoryview(shared["surface_stem"])
        # Words the articles also write as two ("fixpack", "fix pack"): the one-word term and
        # the ids of the pair's two words, ordered by the one-word term.
        self._compound_terms = memoryview(shared["compound_term"])
        self._compound_pairs = shared["compound_pair"]
        # The most a word used by a single article could add: what an unknown word would.
        n = len(self.keys)
        self._unseen_most = (
            max(math.log(n - 1 + 0.5) - math.log(1.5), 0.0) * (params.k1 + 1) if n else 0.0
        )

    def _correctable(self, word: str) -> int | None:
        """The term of a word the articles use that is long enough to correct a typo into."""
        if len(word) < MIN_CORRECTED_LENGTH - 1 or not word.isalpha():
            return None
        found = self._surface_ids.get(word)
        return None if found is None else self._surface_stem[found]

    def _compound(self, t: int) -> tuple[int, int] | None:
        """The ids of the two words a one-word term is also written as, if any."""
        i = bisect_left(self._compound_terms, t)
        if i < len(self._compound_terms) and self._compound_terms[i] == t:
            first, second = self._compound_pairs[i].tolist()
            return first, second
        return None

    @staticmethod
    def _shared_arrays(arrays: dict[str, np.ndarray], meta: dict, params: EngineParams) -> dict:
        """Everything the index reads, computed once per snapshot: the stored arrays, the
        ranking weights and the string tables."""
        terms: list[str] = meta["terms"]
        shared = {name: arrays[name] for name in _STORED_ARRAYS}
        df = np.diff(arrays["indptr"])
        # Ranking uses rank_bm25's weights (bm25_scores) unless its idf is degenerate.
        idf = ranking_idf(arrays)
        weights = bm25_weights({**arrays, "idf": idf}, params)
        _add_title_channel(weights, arrays, df, params)
        forms_order = np.argsort(arrays["surface_stem"], kind="stable")
        forms_ptr = np.searchsorted(arrays["surface_stem"][forms_order], np.arange(len(terms) + 1))
        term_ids = {term: i for i, term in enumerate(terms)}
        compounds = sorted(
            (term_ids[first + second], term_ids[first], term_ids[second])
            for term in terms
            if " " in term
            for first, second in [term.split(" ")]
            if first + second in term_ids
        )
        shared.update(
            df=df,
            rank_idf=np.asarray(idf, dtype=np.float64),
            rank_weights=weights,
            forms_order=forms_order,
            forms_ptr=forms_ptr.astype(np.int64),
            surface_df=df[arrays["surface_stem"]].astype(np.float64),
            compound_term=np.array([c[0] for c in compounds], dtype=np.int64),
            compound_pair=np.array([c[1:] for c in compounds], dtype=np.int64).reshape(-1, 2),
        )
        tables = {
            "terms": (terms, True),
            "surface": (meta["surface"], True),
            "titles": (meta["titles"], False),
            "urls": (meta["urls"], False),
            "summaries": (meta["summaries"], False),
            "sources": (meta["sources"], False),
        }
        keys = meta["keys"]
        if all(isinstance(key, int) for key in keys):
            shared["keys"] = np.array(keys, dtype=np.int64)
        else:
            tables["key_strings"] = ([str(key) for key in keys], False)
        for name, (strings, hashed) in tables.items():
            for part, values in string_arrays(strings, hashed=hashed).items():
                shared[f"{name}.{part}"] = values
        return shared

    @classmethod
    def _assemble(cls, arrays: dict, meta: dict, params: EngineParams) -> "SuggestIndex":
        return cls(cls._shared_arrays(arrays, meta, params), meta, params)

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
            "keys": [],
            "titles": [],
            "urls": [],
            "summaries": [],
            "sources": [],
            "places": {},
        }
        groups: dict[tuple[int, ...], int] = {(): 0}  # restriction sets; 0 is public
        for d, doc in enumerate(documents):
            fields_of_doc = document_fields(doc, params)
            tokens = tokens_of_fields(fields_of_doc)
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
            meta["sources"].append(snippet_source(doc, params))
            restriction = tuple(sorted(set(doc.restriction_ids)))
            doc_group.append(groups.setdefault(restriction, len(groups)))
        # The words as customers spell them, for completing a half-typed one.
        spelled = {s: term_ids[t] for s in surface if (t := stem(s)) is not None}
        meta.update(
            terms=list(term_ids),
            groups=[list(g) for g in groups],
            surface=sorted(spelled),
            synonyms=analyse_synonyms(synonyms),
        )
        arrays = {
            **postings(rows, cols, tfs, doc_len, len(term_ids), params),
            **postings(
                title_rows, title_cols, title_tfs, title_len, len(term_ids), params, prefix="title_"
            ),
            "doc_group": np.array(doc_group, dtype=np.int32),
            "surface_stem": np.array([spelled[s] for s in meta["surface"]], dtype=np.int32),
        }
        return cls._assemble(arrays, meta, params)

    def to_bytes(self) -> bytes:
        """The index as an .npz archive: arrays plus one JSON member, nothing pickled."""
        meta = {
            "version": FORMAT_VERSION,
            "params": asdict(self.params),
            "terms": list(self._terms),
            "keys": self.keys,
            "titles": list(self._titles),
            "urls": list(self._urls),
            "summaries": list(self._summaries),
            "sources": list(self._sources),
            "groups": [list(g) for g in self._restrictions],
            "places": {str(d): list(p) for d, p in self._places.items()},
            "surface": list(self._surface),
            "synonyms": [[list(m) for m in group] for group in self._synonyms],
        }
        encoded = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8)
        stored = {name: self._arrays[name] for name in _STORED_ARRAYS}
        if self._vectors is not None:  # half precision: ranking is the same, storage halved
            stored["vectors"] = self._vectors.astype(np.float16)
        buffer = io.BytesIO()
        np.savez(buffer, meta=encoded, **stored)
        return buffer.getvalue()

    @classmethod
    def from_bytes(
        cls, data: bytes, *, encoder: Encoder | None = None, keep_vectors: bool = False
    ) -> "SuggestIndex":
        """The stored index; its article vectors are kept only for a process with an encoder
        (or when asked to, to write them to a file other processes map)."""
        vectors = None
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in _STORED_ARRAYS}
            meta = json.loads(archive["meta"].tobytes().decode())
            if (encoder is not None or keep_vectors) and "vectors" in archive.files:
                vectors = archive["vectors"].astype(np.float32)
        if meta.get("version") != FORMAT_VERSION:
            raise ValueError(f"Unsupported suggestion index format {meta.get('version')!r}")
        # The weights are recomputed, not stored: the same expression gives the same bits.
        index = cls._assemble(arrays, meta, _params_of(meta))
        index.attach_semantic(vectors, encoder if vectors is not None else None)
        return index

    def to_file(self, path: Path) -> None:
        """Write the index, weights and string tables included, where processes map it."""
        arrays = dict(self._arrays)
        if self._vectors is not None:
            arrays["vectors"] = self._vectors
        meta = {
            "version": FORMAT_VERSION,
            "params": asdict(self.params),
            "groups": [list(g) for g in self._restrictions],
            "places": {str(d): list(p) for d, p in self._places.items()},
            "synonyms": [[list(m) for m in group] for group in self._synonyms],
        }
        write_file(path, arrays, meta)

    @classmethod
    def from_file(cls, path: Path, *, encoder: Encoder | None = None) -> "SuggestIndex":
        """The index mapped read-only from `path`: its pages are shared by every process.

        FileNotFoundError when there is none; CorruptIndexFile (a ValueError) when it is
        damaged or was written by another version.
        """
        arrays, meta = read_file(path)
        if meta.get("version") != FORMAT_VERSION:
            raise CorruptIndexFile(f"{path.name}: index format {meta.get('version')!r}")
        try:
            index = cls(arrays, meta, _params_of(meta))
        except (KeyError, TypeError) as error:
            raise CorruptIndexFile(f"{path.name} lacks part of an index") from error
        vectors = arrays.get("vectors") if encoder is not None else None
        index.attach_semantic(vectors, encoder if vectors is not None else None)
        return index

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def nbytes(self) -> int:
        """Approximate memory the index's data takes, in bytes (mapped from a file, it is held
        once per machine; each process adds its key list and caches)."""
        arrays = [*self._arrays.values()]
        arrays += [] if self._vectors is None else [self._vectors]
        return sum(a.nbytes for a in arrays) + 36 * len(self.keys)

    @property
    def mapped(self) -> bool:
        """Whether the arrays are views of a shared mapping rather than this process's own."""
        weights = self._arrays["rank_weights"]
        return not weights.flags.owndata and not weights.flags.writeable

    def bm25_scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25Okapi scores of every document for analysed tokens, bit-for-bit as rank_bm25."""
        weights = bm25_weights(self._arrays, self.params)  # kept for checking, not ranking
        scores = np.zeros(len(self.keys))
        for token in tokens:
            t = self._term_ids.get(token)
            if t is not None:
                lo, hi = self._indptr[t], self._indptr[t + 1]
                scores[self._doc_ids[lo:hi]] += weights[lo:hi]
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
        threshold = self.params.threshold if threshold is None else threshold
        vector = self.query_vector(text)
        if vector is not None:
            return self._suggest_fused(
                text,
                query,
                vector,
                limit=limit,
                offset=offset,
                threshold=threshold,
                allowed_restriction_ids=allowed_restriction_ids,
                snippets=snippets,
                place=place,
            )
        if not query.terms or query.bound <= 0:
            return nothing
        # Once something answers, weaker articles may follow it, down to a lower floor.
        floor = threshold * self.params.tail_ratio * query.bound
        boosted = place is not None and bool(self._places)
        if boosted or len(self._restrictions) > 1:
            # Which articles pass depends on who asks and where: score them all first.
            candidates, scores, _ = self._accumulate(query.terms, 0.0)
            visible = self._visible(candidates, allowed_restriction_ids)
            if visible is not None:
                candidates, scores = candidates[visible], scores[visible]
            if not len(candidates):
                return nothing
            if boosted:
                scores = scores * (1 + self.params.place_boost * self._applying(candidates, place))
            top_score = float(scores.max())
            shown = scores >= floor
            candidates, scores = candidates[shown], scores[shown]
        else:
            candidates, scores, top_score = self._accumulate(query.terms, floor)
            if not top_score:
                return nothing
        if top_score < threshold * query.bound:  # nothing answers this well enough
            return SuggestResult(text, [], 0, top_score, top_score / query.bound)
        offset = max(offset, 0)
        chosen = top_k(scores, offset + limit)[offset:]
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
            )
            for d in docs.tolist()[:limit]
        ]

    def _accumulate(
        self, terms: list[tuple[int, float]], floor: float
    ) -> tuple[np.ndarray, np.ndarray, float]:
        """Documents scoring above zero and at least `floor`, in index order, their scores, and
        the best score of all."""
        indptr = self._indptr
        ids, weights = [], []
        for t, weight in terms:
            lo, hi = indptr[t], indptr[t + 1]
            ids.append(self._doc_ids[lo:hi])
            row = self._rank_weights[lo:hi]
            weights.append(row if weight == 1.0 else weight * row)
        ids, weights = np.concatenate(ids), np.concatenate(weights)
        # bincount adds each document's weights in the order given, term after term: the very
        # additions rank_bm25 makes. Many documents touched: count into all of them and scan;
        # few: number the touched ones first.
        if len(ids) * 32 > len(self.keys):
            scores = np.bincount(ids, weights, minlength=len(self.keys))
            # A mask first: nonzero() on floats is slow.
            candidates = (scores >= floor if floor > 0 else scores > 0).nonzero()[0]
            return candidates, scores[candidates], max(float(scores.max()), 0.0)
        candidates, position = np.unique(ids, return_inverse=True)
        scores = np.bincount(position, weights)
        kept = scores >= floor if floor > 0 else scores > 0
        return candidates[kept], scores[kept], max(float(scores.max()), 0.0)

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


def _table(shared: dict[str, np.ndarray], name: str) -> dict[str, np.ndarray]:
    return {
        part: shared[f"{name}.{part}"]
        for part in ("blob", "offsets", "slots")
        if f"{name}.{part}" in shared
    }


def _params_of(meta: dict) -> EngineParams:
    known = {f.name for f in fields(EngineParams)}
    return EngineParams(**{k: v for k, v in meta["params"].items() if k in known})


def _add_title_channel(
    weights: np.ndarray, arrays: dict[str, np.ndarray], df: np.ndarray, params: EngineParams
) -> None:
    """Folds the second BM25Okapi, over titles alone (`EngineParams.title_channel`), into the
    ranking weights. A title's terms are terms of its article, so each title weight lands on
    a posting that exists already, and a query still adds up one row per term."""
    title = {key.removeprefix("title_"): a for key, a in arrays.items() if key[:6] == "title_"}
    title_weights = params.title_channel * bm25_weights(
        {**title, "idf": ranking_idf(title)}, params
    )
    title_df = np.diff(title["indptr"])
    # Postings are ordered by (term, document): find each title posting's place among them.
    n = len(arrays["doc_len"])
    order = np.repeat(np.arange(len(df), dtype=np.int64) * n, df)
    order += arrays["doc_ids"]
    title_order = np.repeat(np.arange(len(title_df), dtype=np.int64) * n, title_df)
    title_order += title["doc_ids"]
    weights[np.searchsorted(order, title_order)] += title_weights
