"""The one measure of how alike two requests are by words (kb/engine/similarity.py)."""

import math
import subprocess
import sys

import pytest

from kb.engine.similarity import WordVectoriser, strongest, word_cosine


def test_without_a_corpus_every_word_weighs_the_same_a_cosine_of_sublinear_counts():
    words = WordVectoriser()
    # card x2, refus x1 against card x1, expir x1 ("my" and "is" are stop words, "help" filler)
    a = words.vector("card card refused, please help")
    b = words.vector("my card is expired")
    two = 1 + math.log(2)
    expected = two / (math.sqrt(two**2 + 1) * math.sqrt(2))
    assert word_cosine(a, b) == pytest.approx(expected)
    assert word_cosine(a, a) == pytest.approx(1.0)
    assert word_cosine(a, words.vector("invite a colleague")) == 0.0


def test_with_a_corpus_words_every_ticket_uses_weigh_less_than_rare_ones():
    words = WordVectoriser()
    words.learn(["invoice download", "invoice vat number", "invoice address", "password reset"])
    vector = words.vector("invoice vat")
    assert strongest(vector, 1) == ["vat"] and vector["vat"] > vector["invoic"]


def test_numbers_and_filler_do_not_make_two_requests_alike():
    words = WordVectoriser()
    assert word_cosine(words.vector("need help 2024"), words.vector("please help 2024")) == 0.0


def test_spellings_are_remembered_only_when_asked():
    plain, spelling = WordVectoriser(), WordVectoriser(spellings=True)
    plain.vector("Invoices")
    spelling.vector("Invoices")
    assert plain.spelled("invoic") == "invoic" and spelling.spelled("invoic") == "invoices"


def test_the_engine_compares_texts_without_importing_django():
    code = "import sys, kb.engine.similarity; print(any(m == 'django' for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
