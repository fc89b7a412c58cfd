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


def vote(
    neighbours: Sequence[tuple[object, float]], *, sharpness: float, extra: dict | None = None
) -> object | None:
    """The label most alike neighbours carry: each (label, cosine) votes cosine**sharpness,
    so one near neighbour outweighs several far ones; `extra` adds votes of its own."""
    votes: dict = dict(extra or {})
    for label, cosine in neighbours:
        if label is not None and cosine > 0:
            votes[label] = votes.get(label, 0.0) + float(cosine) ** sharpness
    return max(votes, key=votes.__getitem__) if votes else None
