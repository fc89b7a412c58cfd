"""Blending the lexical channel (BM25) with the semantic one (cosine of sentence vectors).

Candidates come from both: every article the query's words reach, and the articles nearest in
meaning. Scores are blended after min-max normalisation over the candidates, so neither
channel's scale dominates. What is shown must be plausibly relevant: an article whose meaning
is far from the question and whose words barely match it is dropped, and when nothing is left
the engine says nothing. Calibrated on out-of-scope requests (clinc150 `oos`, train and val)
and techqa's unanswerable questions, checked on stackfaq. Nothing here knows Django.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class FusionParams:
    semantic_weight: float = 0.6  # share of the blended score that comes from meaning
    semantic_candidates: int = 30  # nearest articles by meaning that join the lexical ones
    # Plausible: at least this cosine with the question, or at least this relative BM25 score.
    plausible_similarity: float = 0.45
    plausible_relative: float = 0.45
    # A keystroke embeds at most this many tokens of the question: about 7 ms on one thread
    # (2 ms + 0.22 ms a token); a ticket's first sentence says what it is about.
    query_tokens: int = 24


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


def plausible(relative: np.ndarray, cosines: np.ndarray, params: FusionParams) -> np.ndarray:
    """Which candidates are plausibly relevant: near in meaning, or strongly matching in words."""
    return (cosines >= params.plausible_similarity) | (relative >= params.plausible_relative)


def confidence(
    relative: np.ndarray, cosines: np.ndarray, params: FusionParams, threshold: float
) -> np.ndarray:
    """How well each candidate answers, on the lexical engine's relative scale: `threshold`
    exactly where a candidate becomes plausible, by words or by meaning."""
    by_words = relative * (threshold / params.plausible_relative)
    by_meaning = cosines * (threshold / params.plausible_similarity)
    return np.maximum(by_words, by_meaning)
