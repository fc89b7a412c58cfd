"""The semantic side of SuggestIndex: article vectors, the query's vector, the fused ranking.

An index has a vector per article when the worker has embedded them (a zero row for one not
embedded yet: it is found by its words only) and an encoder when this process runs the
semantic layer; with either missing, suggestions are lexical, exactly as before.
"""

import numpy as np

from kb.engine import embedding
from kb.engine.bm25 import top_k
from kb.engine.documents import Document, Suggestion, SuggestResult
from kb.engine.embedding import DIMENSION, Encoder
from kb.engine.fusion import FusionParams, blend, confidence, plausibility
from kb.engine.places import Place

ARTICLE_BODY_CHARS = 1500  # the model reads 128 tokens (~500 characters) at most anyway
_PARTS = "\x1e"  # between the two texts an article's vector is made of


def article_text(doc: Document) -> str:
    """What an article's vector is computed from: its title and summary, the same followed by
    the start of its body (the mean of both ranked best on techqa and stackfaq), and the words
    of customers whose tickets it resolved (learned phrases), if any."""
    head = "\n".join(part for part in (doc.title, doc.summary) if part)
    parts = [head, f"{head}\n{doc.body[:ARTICLE_BODY_CHARS]}".strip()]
    if doc.phrases:
        parts.append(". ".join(doc.phrases))
    return _PARTS.join(parts)


def article_vectors(encoder: Encoder, texts: list[str]) -> np.ndarray:
    """Unit vectors of articles from their `article_text`s: the normalised sum of the parts'."""
    parts = [text.split(_PARTS) for text in texts]
    summed = np.zeros((len(texts), DIMENSION), dtype=np.float32)
    for k in range(max((len(p) for p in parts), default=0)):
        rows = [i for i, p in enumerate(parts) if len(p) > k and p[k]]
        if rows:
            summed[rows] += encoder.embed_many([parts[i][k] for i in rows])
    return summed / np.clip(np.linalg.norm(summed, axis=1, keepdims=True), 1e-12, None)


def query_text(text: str) -> str:
    return " ".join(text.split())


class SemanticReading:
    """Mixed into SuggestIndex: everything the lexical engine does, plus meaning."""

    _vectors: np.ndarray | None = None
    encoder: Encoder | None = None
    fusion: FusionParams = FusionParams()

    def attach_semantic(self, vectors: np.ndarray | None, encoder: Encoder | None) -> None:
        """Give the index its article vectors (rows in document order) and this process's
        encoder; without both, suggestions stay lexical."""
        if vectors is not None and vectors.shape != (len(self.keys), DIMENSION):
            raise ValueError(f"{vectors.shape} vectors for {len(self.keys)} articles")
        self._vectors = None if vectors is None else np.ascontiguousarray(vectors, np.float32)
        self.encoder = encoder

    @property
    def semantic(self) -> bool:
        """Whether suggestions blend in meaning: vectors, an encoder, and the layer turned on."""
        return (
            self._vectors is not None
            and self.encoder is not None
            and len(self.keys) > 0
            and embedding.enabled()
        )

    def query_vector(self, text: str) -> np.ndarray | None:
        if not self.semantic:
            return None
        text = query_text(text)
        return self.encoder.embed(text, max_tokens=self.fusion.query_tokens) if text else None

    def cosines(self, vector: np.ndarray) -> np.ndarray:
        """Cosine of every article with a unit vector (0 for articles not embedded yet)."""
        return self._vectors @ vector

    def _suggest_fused(
        self,
        text: str,
        query,
        vector: np.ndarray,
        *,
        limit: int,
        offset: int,
        allowed_restriction_ids,
        threshold: float,
        snippets: bool,
        place: Place | None,
    ) -> SuggestResult:
        """Candidates from words and from meaning, blended; only plausible ones are shown."""
        cosines = self.cosines(vector)
        nearest = top_k(cosines, max(self.fusion.semantic_candidates, offset + limit))
        if query.terms and query.bound > 0:
            by_words, word_scores, _ = self._accumulate(query.terms, 0.0)
        else:
            by_words, word_scores = np.zeros(0, dtype=np.int64), np.zeros(0)
        # Both channels' candidates in index order: a mask over all articles is quicker than
        # sorting the union (union1d) at every keystroke.
        chosen = np.zeros(len(self.keys), dtype=bool)
        chosen[by_words] = True
        chosen[nearest] = True
        candidates = chosen.nonzero()[0]
        all_scores = np.zeros(len(self.keys))
        all_scores[by_words] = word_scores
        scores = all_scores[candidates]
        visible = self._visible(candidates, allowed_restriction_ids)
        if visible is not None:
            candidates, scores = candidates[visible], scores[visible]
        if not len(candidates):
            return SuggestResult(text, [], 0, 0.0, 0.0)
        relative = scores / query.bound if query.bound > 0 else scores
        near = cosines[candidates].astype(np.float64)
        plausible = plausibility(relative, near, self.fusion)
        sure = confidence(plausible, self.fusion, self.params.threshold)
        top_sure = float(sure.max())
        # threshold=0 ranks everything (the evaluation's "never silent" figures).
        if threshold > 0 and plausible.max() < self.fusion.plausible:
            return SuggestResult(text, [], 0, float(scores.max()), top_sure)  # say nothing
        keep = plausible >= self.fusion.plausible * self.fusion.tail_ratio * (threshold > 0)
        blended = blend(scores, near, self.fusion)
        if place is not None and self._places:
            blended = blended * (1 + self.params.place_boost * self._applying(candidates, place))
        candidates, blended, sure = candidates[keep], blended[keep], sure[keep]
        chosen = top_k(blended, max(offset, 0) + limit)[max(offset, 0) :]
        forms = self._highlight_forms(query.terms) if snippets and len(chosen) else {}
        suggestions = [
            Suggestion(
                key=self.keys[d],
                title=self._titles[d],
                url=self._urls[d],
                summary=self._summaries[d],
                score=float(blended[i]),
                relative=float(sure[i]),
                snippet=self._snippet(d, forms) if snippets else "",
            )
            for i, d in zip(chosen.tolist(), candidates[chosen].tolist(), strict=True)
        ]
        return SuggestResult(
            query=text,
            suggestions=suggestions,
            total=len(candidates),
            top_score=float(blended.max()),
            top_relative=top_sure,
        )
