"""The index as a file every process maps: same answers as the index built in memory, shared
pages, written whole or not at all, refused when damaged."""

import fcntl
import mmap
import os

import numpy as np
import pytest

from kb.benchmark import synthetic_corpus, synthetic_queries
from kb.engine import index_file
from kb.engine.embedding import DIMENSION
from kb.engine.index_file import CorruptIndexFile, StringTable
from kb.engine.suggest import Document, SuggestIndex

TYPED = [
    "reset my pasword",  # a typo
    "how do i sign up for the web site",  # split and joined words
    "invoice downlo",  # a word being typed
    "unpaid invoice",  # a negated word
    "",
    "zzzz qqqq",
]


def corpus(n: int = 300) -> tuple[list[Document], list[str]]:
    rng = np.random.default_rng(7)
    documents, vocabulary = synthetic_corpus(n, rng)
    documents += [
        Document(key=n, title="Sign up for an account", body="Signup takes a minute."),
        Document(key=n + 1, title="Your website address", body="The web site is yours to name."),
        Document(key=n + 2, title="Reset your password", body="Use the password reset link."),
        Document(key=n + 3, title="Download an invoice", body="Paid and unpaid invoices."),
    ]
    return documents, synthetic_queries(documents, vocabulary, 60, rng) + TYPED


def answers(index: SuggestIndex, queries: list[str]) -> list:
    return [
        [(s.key, s.score, s.relative, s.title, s.url, s.snippet) for s in result.suggestions]
        + [result.total, result.top_score]
        for result in (index.suggest(text, limit=10) for text in queries)
    ]


def buffer_of(array: np.ndarray):
    """The memory an array is a view of, at the end of its chain of views."""
    while isinstance(array, np.ndarray) and array.base is not None:
        array = array.base
    return array.obj if isinstance(array, memoryview) else array


def test_a_mapped_index_answers_exactly_as_the_index_built_in_memory(tmp_path):
    documents, queries = corpus()
    built = SuggestIndex.build(documents, synonyms=[["invoice", "receipt"], ["sign up", "join"]])
    built.to_file(tmp_path / "index.idx")
    loaded = SuggestIndex.from_file(tmp_path / "index.idx")
    assert loaded.keys == built.keys
    assert answers(loaded, queries) == answers(built, queries)
    tokens = ["password", "reset", "invoic"]
    assert np.array_equal(loaded.bm25_scores(tokens), built.bm25_scores(tokens))
    # What the database stores can be read back from the mapped copy too.
    again = SuggestIndex.from_bytes(loaded.to_bytes())
    assert answers(again, queries) == answers(built, queries)


def test_a_mapped_index_keeps_text_keys_and_article_vectors(tmp_path):
    documents = [Document(key=f"swg-{i}", title=f"Article {i} about exports") for i in range(5)]
    built = SuggestIndex.build(documents)
    vectors = np.eye(5, DIMENSION, dtype=np.float32)
    built.attach_semantic(vectors, None)
    built.to_file(tmp_path / "index.idx")
    loaded = SuggestIndex.from_file(tmp_path / "index.idx", encoder=object())
    assert loaded.keys == [f"swg-{i}" for i in range(5)]
    assert np.array_equal(loaded.cosines(vectors[2]), built.cosines(vectors[2]))


def test_the_mapped_index_reads_the_files_pages_instead_of_copying_them(tmp_path):
    documents, _ = corpus(50)
    built = SuggestIndex.build(documents)
    assert not built.mapped
    built.to_file(tmp_path / "index.idx")
    loaded = SuggestIndex.from_file(tmp_path / "index.idx")
    assert loaded.mapped
    for name, array in loaded._arrays.items():
        assert not array.flags.owndata and not array.flags.writeable, name
        assert isinstance(buffer_of(array), mmap.mmap), name
    # Titles, snippets and the vocabulary are tables over those pages, not per-process lists.
    assert isinstance(loaded._titles, StringTable) and isinstance(loaded._terms, StringTable)


def test_words_are_found_in_a_table_without_a_dictionary():
    words = ["password", "reset", "pass word", "é", "", *(f"w{i}" for i in range(1000))]
    table = StringTable.of(words, hashed=True)
    assert [table.index_of(word) for word in words] == list(range(len(words)))
    assert table.index_of("passwor") is None and table.index_of("w1000") is None
    assert list(table) == words and table[-1] == "w999"


def test_a_writer_that_fails_midway_leaves_no_file_to_pick_up(tmp_path, monkeypatch):
    index = SuggestIndex.build(corpus(20)[0])

    def crash(descriptor):
        raise OSError("disk full")

    monkeypatch.setattr(index_file.os, "fsync", crash)
    with pytest.raises(OSError):
        index.to_file(tmp_path / "index.idx")
    assert os.listdir(tmp_path) == []


def test_what_a_killed_writer_left_behind_is_not_read_and_is_removed_by_the_next(tmp_path):
    index = SuggestIndex.build(corpus(20)[0])
    index.to_file(tmp_path / "whole.idx")
    left = tmp_path / f"{index_file.TEMP_PREFIX}12345-1-index.idx"
    left.write_bytes((tmp_path / "whole.idx").read_bytes()[:1000])
    os.utime(left, (1, 1))  # written long ago, by a writer that has gone since
    writing = tmp_path / f"{index_file.TEMP_PREFIX}12346-1-index.idx"
    writing.write_bytes(b"a writer still at work")
    os.utime(writing, (1, 1))
    with pytest.raises(FileNotFoundError):
        SuggestIndex.from_file(tmp_path / "index.idx")
    with open(writing, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        index.to_file(tmp_path / "index.idx")
    assert not left.exists() and writing.exists()
    assert SuggestIndex.from_file(tmp_path / "index.idx").keys == index.keys


@pytest.mark.parametrize("damage", ["truncated", "one byte changed", "garbage", "empty"])
def test_a_damaged_file_is_refused(tmp_path, damage):
    path = tmp_path / "index.idx"
    SuggestIndex.build(corpus(20)[0]).to_file(path)
    data = bytearray(path.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "one byte changed":
        data[len(data) // 2] ^= 0xFF
    elif damage == "garbage":
        data = bytearray(b"not an index" * 100)
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptIndexFile):
        SuggestIndex.from_file(path)
