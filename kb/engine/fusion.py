"""Blending the lexical channel (BM25) with the semantic one (cosine of sentence vectors).

Candidates come from both: every article the query's words reach, and the articles nearest in
meaning. Scores are blended after min-max normalisation over the candidates, so neither
channel's scale dominates. What is shown must be plausibly relevant: plausibility is the cosine
plus a little of the relative BM25 score (capped: words alone never make a far-off article
plausible), and when the best candidate is not plausible the engine says nothing at all.
Calibrated on out-of-scope requests (clinc150 `oos` of train) and techqa's unanswerable
questions, checked on clinc150 val and on stackfaq. Nothing here knows Django.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class FusionParams:
    semantic_weight: float = 0.55  # share of the blended score that comes from meaning
    semantic_candidates: int = 30  # nearest articles by meaning that join the lexical ones
    # plausibility = cosine + words_weight * min(relative BM25, words_cap)
    words_weight: float = 0.4
    words_cap: float = 0.5
    plausible: float = 0.32  # nothing is shown unless the best candidate reaches this…
    tail_ratio: float = 0.7  # …and the ones after it need this share of it
    # A keystroke embeds at most this many tokens of the question: about 6.5 ms on one
    # thread (2 ms + 0.22 ms a token), which keeps a whole keystroke within 10 ms at 10,000
    # articles; a ticket's first sentence says what it is about (hit@5 at 20/22/24 tokens:
    # techqa .938/.935/.932, stackfaq .990/.992/.992).
    query_tokens: int = 20


def _min_max(values: np.ndarray) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    if high <= low:
        return np.ones_like(values) if high > 0 else np.zeros_like(values)
    return (values - low) / (high - low)


def blend(lexical: np.ndarray, cosines: np.ndarray, params: FusionParams) -> np.ndarray:
    """One score per candidate from its BM25 score and its cosine, each normalised over the
    candidates."""
    weight = params.semantic_weight
    return (1 - weight) * _min_max(lexical) + weight * _min_max(cosines)


def plausibility(relative: np.ndarray, cosines: np.ndarray, params: FusionParams) -> np.ndarray:
    """How plausibly each candidate is about the question: near in meaning, helped by words."""
    return cosines + params.words_weight * np.minimum(relative, params.words_cap)


def confidence(plausible: np.ndarray, params: FusionParams, threshold: float) -> np.ndarray:
    """Plausibility on the lexical engine's relative scale: `threshold` exactly where the best
    candidate becomes worth showing (the figure tickets and gap mining keep)."""
    return plausible * (threshold / params.plausible)
