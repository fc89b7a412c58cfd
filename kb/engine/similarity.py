"""How alike texts are, by meaning: the one measure the tickets side compares requests with.

A text's vector is the sentence embedding of kb/engine/embedding.py; two texts are as alike as
the cosine of their vectors (1: the same meaning; unrelated support requests score about
0.1-0.3). Vectors travel as bytes (float32, little-endian) so that they can be stored beside a
ticket. Without the model, `vectors()` is None and callers compare words instead.
"""

from collections.abc import Sequence

import numpy as np

from . import embedding

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
