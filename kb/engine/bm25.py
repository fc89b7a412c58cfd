"""BM25Okapi as rank_bm25 0.2.2 computes it, as a term-major sparse matrix of weights."""

import math
from array import array

import numpy as np

from kb.engine.documents import EngineParams


def postings(
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
        f"{prefix}idf": okapi_idf(df, len(doc_len), params),
    }


def okapi_idf(df: np.ndarray, corpus_size: int, params: EngineParams) -> np.ndarray:
    """BM25Okapi idf per term, summed in first-seen order exactly as rank_bm25 0.2.2 does."""
    idf = [math.log(corpus_size - freq + 0.5) - math.log(freq + 0.5) for freq in df.tolist()]
    if not idf:
        return np.zeros(0)
    idf_sum = 0.0
    for value in idf:
        idf_sum += value
    eps = params.epsilon * (idf_sum / len(idf))
    return np.array([eps if value < 0 else value for value in idf], dtype=np.float64)


def ranking_idf(arrays: dict[str, np.ndarray]) -> np.ndarray:
    """BM25Okapi's idf, except in a corpus so small or uniform that it averages zero or less (one
    or two articles): there every term would score nothing or less, so Lucene's always-positive
    idf stands in."""
    df = np.diff(arrays["indptr"])
    corpus_size = len(arrays["doc_len"])
    if len(df) and float((np.log(corpus_size - df + 0.5) - np.log(df + 0.5)).mean()) <= 0:
        return np.log1p((corpus_size - df + 0.5) / (df + 0.5))
    return arrays["idf"]


def bm25_weights(arrays: dict[str, np.ndarray], params: EngineParams) -> np.ndarray:
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


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best scores, best first; equal scores keep index (document) order."""
    n = len(scores)
    if k <= 0 or not n:
        return np.zeros(0, dtype=np.intp)
    if n <= max(64, 4 * k):
        return np.argsort(-scores, kind="stable")[:k]
    # Partition rather than sort everything; every score tied with the k-th best stays in the
    # pool so that the tie-break does not depend on how the partition ordered them.
    pool = (scores >= np.partition(scores, n - k)[n - k]).nonzero()[0]
    return pool[np.argsort(-scores[pool], kind="stable")[:k]]
