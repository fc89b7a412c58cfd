"""How alike two requests are: the one measure triage, gap mining and saved replies compare with.

By meaning, where the semantic layer is on: a text's vector is the sentence embedding of
kb/engine/embedding.py; two texts are as alike as the cosine of their vectors (1: the same
meaning; unrelated support requests score about 0.1-0.3). Vectors travel as bytes (float32,
little-endian) so that they can be stored beside a ticket. Without the model, `vectors()` is None.

By words, where it is off: the cosine of sublinear TF-IDF weights over analysed words
(`WordVectoriser`), without the words people wrap every question in (`FILLER`). A vectoriser
that learned document frequencies from a corpus (gap mining) weighs rare words up; one that
learned nothing gives every word the same weight (triage at filing time: a plain cosine of
sublinear counts).
"""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from kb.engine import embedding
from kb.engine.analysis import stem, surface_tokens

TICKET_CHARS = 1500  # the model reads ~128 tokens; the subject and the opening say what it is


def ticket_text(subject: str, description: str) -> str:
    """The part of a ticket its meaning is read from."""
    return " ".join(f"{subject}. {description[:TICKET_CHARS]}".split())


def vectors(texts: Sequence[str]) -> np.ndarray | None:
    """Unit vectors of the texts, one row each; None when the semantic layer is off."""
    encoder = embedding.encoder()
    if encoder is None:
        return None
    if not texts:
        return np.zeros((0, embedding.DIMENSION), dtype=np.float32)
    return encoder.embed_many(list(texts))


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes | memoryview | None) -> np.ndarray | None:
    if not data:
        return None
    vector = np.frombuffer(bytes(data), dtype="<f4")
    return vector if vector.shape == (embedding.DIMENSION,) else None


def stack(rows: Sequence[np.ndarray]) -> np.ndarray:
    """Vectors as one matrix (no rows: an empty one)."""
    if not rows:
        return np.zeros((0, embedding.DIMENSION), dtype=np.float32)
    return np.vstack(rows).astype(np.float32, copy=False)


def nearest(vector: np.ndarray, matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of `matrix` most like `vector`, most alike first, with their cosines."""
    if not len(matrix) or k <= 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
    cosines = matrix @ vector
    k = min(k, len(cosines))
    best = np.argpartition(-cosines, k - 1)[:k]
    best = best[np.argsort(-cosines[best], kind="stable")]
    return best, cosines[best]


def categorise(
    vector: np.ndarray,
    history: np.ndarray,
    labels: Sequence,
    *,
    neighbours: int,
    sharpness: float,
    neighbour_weight: float,
    extra: dict | None = None,
):
    """The label of labelled texts (`history` rows) that `vector` most likely shares: each
    label scores its mean vector's cosine, plus `neighbour_weight` x cosine**`sharpness` for
    each of the nearest `neighbours` rows carrying it (a close neighbour outweighs several
    loose ones), plus `extra` votes. None without any history or votes."""
    scores: dict = dict(extra or {})
    if len(history):
        names = sorted(set(labels), key=str)
        position = {name: i for i, name in enumerate(names)}
        rows = np.fromiter((position[label] for label in labels), dtype=np.intp, count=len(labels))
        means = np.zeros((len(names), history.shape[1]), dtype=np.float32)
        np.add.at(means, rows, history)
        means /= np.clip(np.linalg.norm(means, axis=1, keepdims=True), 1e-12, None)
        for name, cosine in zip(names, (means @ vector).tolist(), strict=True):
            scores[name] = scores.get(name, 0.0) + cosine
        best, cosines = nearest(vector, history, neighbours)
        for row, cosine in zip(best.tolist(), cosines.tolist(), strict=True):
            name = labels[row]
            scores[name] += neighbour_weight * max(cosine, 0.0) ** sharpness
    return max(scores, key=scores.__getitem__) if scores else None


# --- By words -------------------------------------------------------------------------------

# What customers say around their question, whatever it is about: no help telling topics apart.
FILLER = frozenset(
    stem(word) or word
    for word in """need needs want wants wanted would like know tell help helps please thank thanks
    issue issues problem problems question questions way ways possible get got getting use using
    able make made try tried trying every also still already anyone someone team customer""".split()
)
# Pseudo-documents without the term, so that a young help desk with a handful of tickets
# does not give the words they share (the very topic) no weight at all.
PRIOR_DOCUMENTS = 100

WordVector = dict[str, float]  # a unit vector: term -> weight


class WordVectoriser:
    """Sublinear TF-IDF over analysed words, with document frequencies from `learn`ed texts;
    with `spellings`, it remembers how the words of the texts it weighs were spelled."""

    def __init__(self, *, spellings: bool = False):
        self.df: Counter = Counter()
        self.n = 0
        self.spellings = spellings
        self.surface: dict[str, Counter] = defaultdict(Counter)

    def learn(self, texts: Iterable[str]) -> None:
        for text in texts:
            self.df.update(set(self.terms(text)))
            self.n += 1

    def terms(self, text: str, *, remember_spelling: bool = False) -> list[str]:
        """The text's analysed words, without numbers and filler."""
        terms = []
        for token in surface_tokens(text):
            term = stem(token)
            if term and not term.isdigit() and term not in FILLER:
                terms.append(term)
                if remember_spelling:
                    self.surface[term][token] += 1
        return terms

    def vector(self, text: str) -> WordVector:
        counts = Counter(self.terms(text, remember_spelling=self.spellings))
        prior = self.n + PRIOR_DOCUMENTS + 1
        return normalised(
            {
                term: (1 + math.log(tf)) * math.log(prior / (self.df.get(term, 0) + 1))
                for term, tf in counts.items()
            }
        )

    def spelled(self, term: str) -> str:
        """The spelling customers used most for a term (as remembered by `vector`)."""
        spellings = self.surface.get(term)
        return spellings.most_common(1)[0][0] if spellings else term


def normalised(vector: Mapping[str, float]) -> WordVector:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {t: w / norm for t, w in vector.items() if w > 0} if norm else {}


def word_cosine(a: WordVector, b: WordVector) -> float:
    """How alike two unit word vectors are: 1 for the same words, 0 for none in common."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def strongest(vector: WordVector, n: int) -> list[str]:
    """The vector's n heaviest terms (ties alphabetically)."""
    return sorted(vector, key=lambda t: (-vector[t], t))[:n]
