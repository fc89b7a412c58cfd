"""The suggestion engine: exact BM25, typing, synonyms, silence when unsure, access, paging."""

import random
import threading
import time

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from kb.engine.analysis import analyze
from kb.engine.suggest import (
    FORMAT_VERSION,
    Document,
    EngineParams,
    SuggestIndex,
    bigrams,
    document_tokens,
)


def article(key, title, body="", **fields) -> Document:
    return Document(key=key, title=title, body=body, url=f"/kb/{key}/", **fields)


def help_centre() -> list[Document]:
    return [
        article(1, "Reset your password", "Use the forgotten password link on the login page."),
        article(2, "Download an invoice", "Every invoice is under Billing, then Invoices."),
        article(3, "Connect a custom domain", "Point the domain's DNS records to us."),
        article(4, "Turn on two-factor authentication", "Protect your account with a code."),
        article(5, "Where to find the log files", "The log directory holds one log per day."),
        article(6, "Login problems", "If the login form rejects you, check caps lock."),
        article(7, "Login with Google", "Use your Google account for login."),
        article(8, "Cancel your subscription", "Cancel any time from the billing page."),
    ]


def random_corpus(seed: int, size: int) -> list[Document]:
    """Documents over a small vocabulary, so some words are in most of them (negative idf)."""
    rng = random.Random(seed)
    common = ["account", "page", "site", "settings"]
    rare = [f"word{i}" for i in range(60)]
    return [
        article(
            i,
            " ".join(rng.choices(common + rare, k=rng.randint(1, 6))),
            " ".join(rng.choices(common * 10 + rare, k=rng.randint(0, 60))),
            summary=" ".join(rng.choices(rare, k=rng.randint(0, 5))),
            tags=tuple(rng.choices(rare, k=rng.randint(0, 2))),
            category=rng.choice(["Billing", "Account settings", ""]),
            phrases=tuple(
                " ".join(rng.choices(common + rare, k=4)) for _ in range(rng.randint(0, 3))
            ),
        )
        for i in range(size)
    ]


# --- exact BM25 ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scores_equal_rank_bm25_bit_for_bit(seed):
    documents = random_corpus(seed, size=120)
    reference = BM25Okapi([document_tokens(doc) for doc in documents])
    index = SuggestIndex.build(documents)
    queries = [
        ["account"],  # in most documents: negative idf, floored at epsilon * average
        ["word3", "word7", "account", "page"],
        ["word5", "word5", "word5"],  # repeated tokens count each time
        ["unknown", "word1", "nothing"],  # unknown tokens add 0
        ["word2 word9", "word2"],  # adjacent pairs are ordinary tokens too
        [],
    ]
    for query in queries:
        assert np.array_equal(index.bm25_scores(query), reference.get_scores(query)), query


def test_common_terms_of_the_exactness_corpus_have_their_negative_idf_floored():
    reference = BM25Okapi([document_tokens(doc) for doc in random_corpus(0, size=120)])
    floor = reference.epsilon * reference.average_idf
    assert all(reference.idf[term] == floor for term in ("account", "page", "site", "set"))


def test_scores_stay_exact_after_a_round_trip_through_bytes():
    documents = random_corpus(3, size=80)
    reference = BM25Okapi([document_tokens(doc) for doc in documents])
    index = SuggestIndex.from_bytes(SuggestIndex.build(documents).to_bytes())
    query = ["word1", "account", "word4", "word1"]
    assert np.array_equal(index.bm25_scores(query), reference.get_scores(query))


@pytest.mark.parametrize("unrelated", [0, 8000], ids=["most-articles-match", "few-match"])
def test_suggestion_scores_are_bm25_when_every_query_weight_is_one(unrelated):
    # Scores are added up one way when the query touches much of the index, another when it
    # touches little of it: both must give rank_bm25's sums.
    documents = random_corpus(4, size=80)
    documents += [article(80 + i, "Unrelated", "Nothing in common.") for i in range(unrelated)]
    params = EngineParams(bigram_weight=1.0, title_channel=0.0, threshold=0)
    index = SuggestIndex.build(documents, params=params)
    text = "word1 word2 account word9 "  # ends in a space: no completion
    terms = analyze(text)
    expected = index.bm25_scores(terms + bigrams(terms))
    result = index.suggest(text, limit=len(documents))
    assert result.suggestions
    for suggestion in result.suggestions:
        assert suggestion.score == expected[index.keys.index(suggestion.key)]


def test_only_the_first_learned_phrasings_of_an_article_count():
    params = EngineParams(phrases_per_article=2)
    doc = article(1, "Plans", phrases=("stop plan", "end plan", "quit plan"))
    assert "quit" not in document_tokens(doc, params)


def test_title_counts_more_than_the_body():
    tokens = document_tokens(article(1, "Invoice", "invoice"))
    assert tokens.count("invoic") == EngineParams().title_weight + EngineParams().body_weight


def test_equal_scores_are_ranked_in_document_order():
    twins = [article(key, "Gift cards", "Buy a gift card.") for key in (30, 10, 20)]
    index = SuggestIndex.build([*help_centre(), *twins])
    assert [s.key for s in index.suggest("gift card ").suggestions] == [30, 10, 20]


def test_a_knowledge_base_of_one_or_two_articles_still_gets_suggestions():
    # BM25Okapi gives every term of one or two articles an idf of zero or less; ranking then
    # falls back to an always-positive idf, while bm25_scores stays exactly rank_bm25's.
    for documents in (help_centre()[:1], help_centre()[:2]):
        index = SuggestIndex.build(documents)
        assert index.suggest("reset password ").suggestions[0].key == 1
        reference = BM25Okapi([document_tokens(doc) for doc in documents])
        assert np.array_equal(index.bm25_scores(["password"]), reference.get_scores(["password"]))


# --- typing, synonyms ------------------------------------------------------------------------


def test_half_typed_word_finds_the_article():
    index = SuggestIndex.build(help_centre())
    assert index.suggest("I forgot my passw").suggestions[0].key == 1


def test_a_completed_word_is_not_drowned_by_longer_words():
    index = SuggestIndex.build(help_centre())
    assert index.suggest("where are the log").suggestions[0].key == 5


def test_a_half_typed_word_is_completed_to_what_follows_the_word_before_it():
    documents = [
        article(1, "Reset your password after forgetting it", "We e-mail you a link to follow."),
        article(2, "Reset two-factor", "Use a recovery code."),
        article(3, "Reset API key", "Old keys stop."),
        article(4, "Page paths", "Each page has a path and a pattern."),
        article(5, "Payment parts", "A payment has parts, a page and a pattern."),
        article(6, "Patterns of payment", "Paths and parts of a page."),
        *(article(10 + i, title) for i, title in enumerate(["Invite", "Export", "Language"])),
    ]
    index = SuggestIndex.build(documents)
    # Commoner words begin with "pa", but only "password" follows "reset" in a title.
    assert index.suggest("how do I reset pa").suggestions[0].key == 1


def test_text_ending_in_a_space_does_not_complete_the_last_word():
    index = SuggestIndex.build(help_centre())
    assert index.suggest("forgot my passw ").suggestions == []


def test_a_single_letter_is_not_completed():
    index = SuggestIndex.build(help_centre())
    assert index.suggest("p").top_score == 0.0


def test_the_first_letter_of_the_next_word_does_not_count_as_a_word():
    # "...invoice f" is the start of "for", "from", "format": not the key named F.
    documents = [*help_centre(), article(9, "Keyboard shortcuts", "Press F for full screen.")]
    index = SuggestIndex.build(documents)
    typed = index.suggest("where can I download an invoice f")
    assert [s.key for s in typed.suggestions] == [2]
    assert typed.top_score == index.suggest("where can I download an invoice").top_score


def test_a_synonym_finds_an_article_that_only_uses_the_other_word():
    index = SuggestIndex.build(help_centre(), synonyms=[["invoice", "receipt"]])
    assert index.suggest("where is my receipt?").suggestions[0].key == 2


def test_synonyms_may_be_phrases():
    synonyms = [["2fa", "two-factor", "two factor authentication"]]
    index = SuggestIndex.build(help_centre(), synonyms=synonyms)
    assert index.suggest("how do I enable 2FA?").suggestions[0].key == 4


def test_an_article_in_british_english_answers_a_question_in_american_english():
    documents = [
        article(1, "Renew your licence", "Renewals open a month before the licence ends."),
        article(2, "Transfer a license", "Move the license to another computer."),
        *help_centre(),
    ]
    index = SuggestIndex.build(documents)
    for question in ("my license ", "my licences "):
        assert {s.key for s in index.suggest(question).suggestions} == {1, 2}
    snippets = {s.key: s.snippet for s in index.suggest("license ").suggestions}
    assert "<mark>licence</mark> ends" in snippets[1]


def test_a_word_with_a_typo_finds_the_article():
    index = SuggestIndex.build(help_centre())
    assert index.suggest("I forgot my pasword!").suggestions[0].key == 1
    assert index.suggest("cancel my subscripton.").suggestions[0].key == 8


def test_a_negated_word_no_article_uses_finds_the_article_about_the_word():
    documents = [
        article(1, "Paid invoices", "An invoice is paid once the payment clears."),
        article(2, "Invoices and invoice e-mails", "Each invoice is e-mailed to the billing team."),
    ]
    index = SuggestIndex.build(documents)
    # No article says "unpaid"; the one about paid invoices answers it ("not paid yet").
    assert [s.key for s in index.suggest("invoices unpaid?").suggestions] == [1, 2]
    assert index.suggest("invoices unpaid?").top_relative > EngineParams().threshold


def test_words_no_article_uses_lower_the_relative_score():
    index = SuggestIndex.build(help_centre())
    plain = index.suggest("download invoice ").top_relative
    assert index.suggest("download invoice xylophone ").top_relative < plain
    # Order numbers and other codes are not evidence that the question is off-topic.
    assert index.suggest("download invoice 4471-b ").top_relative == plain


def test_a_word_read_several_ways_is_unknown_only_if_no_reading_is_known():
    index = SuggestIndex.build(help_centre())
    spaced = index.suggest("login page: reset my password ").top_relative
    # "LoginPage" is also read as "login" and "page", which articles use: no unknown word.
    assert index.suggest("LoginPage: reset my password ").top_relative == spaced
    # No article knows "WebPortal", "web" or "portal": still one unknown word, not three.
    one_word = index.suggest("webportal: reset my password ").top_relative
    assert index.suggest("WebPortal: reset my password ").top_relative == one_word
    assert one_word < index.suggest("reset my password ").top_relative
    # "Portal™" is "portaltm" in the whole text, but "PortalTM" (a CamelCase word) on its own:
    # however it is read, it stays one unknown word.
    plain = index.suggest("portaltm two-factor: reset my password ").top_relative
    assert index.suggest("Portal™ two-factor: reset my password ").top_relative == plain


def test_a_word_written_as_one_or_as_two_finds_either_spelling():
    documents = [
        article(1, "Sign up for an account", "Choose a plan, then sign up with your e-mail."),
        article(2, "Install the latest fixpack", "Each fixpack lists the problems it fixes."),
        article(3, "What a fix pack contains", "Every fix pack is cumulative."),
        article(4, "Close your account", "Account owners can close it from Settings."),
    ]
    index = SuggestIndex.build(documents)
    assert index.suggest("how do I signup?").suggestions[0].key == 1  # no article says "signup"
    found_by_one = [s.key for s in index.suggest("which fixpack?").suggestions]
    found_by_two = [s.key for s in index.suggest("which fix pack?").suggestions]
    assert set(found_by_one[:2]) == set(found_by_two[:2]) == {2, 3}


def test_two_words_find_the_article_that_writes_them_as_one_only_in_its_body():
    # Only titles' and summaries' word pairs are indexed: "web site" appears in none of them.
    documents = [*help_centre(), article(9, "Publish changes", "Your website shows them at once.")]
    index = SuggestIndex.build(documents)
    assert [s.key for s in index.suggest("my web site is not updated").suggestions] == [9]


def test_a_release_number_finds_the_article_that_writes_it_with_a_v():
    documents = [
        article(1, "What is new in V8.5.1.2", "The fix pack for release 8.5."),
        article(2, "What is new in V8.5", "The first release of 8.5."),
    ]
    index = SuggestIndex.build(documents)
    assert index.suggest("is 8.5.1.2 out?").suggestions[0].key == 1


def test_without_synonyms_an_unknown_word_finds_nothing():
    index = SuggestIndex.build(help_centre())
    assert index.suggest("where is my receipt?").suggestions == []


# --- knowing when there is nothing -----------------------------------------------------------


def test_an_irrelevant_query_shows_nothing_but_records_the_best_score():
    index = SuggestIndex.build(help_centre())
    result = index.suggest("my grandmother's cat ate the birthday cake at the page party")
    assert result.suggestions == [] and result.total == 0
    assert result.top_score > 0
    assert 0 < result.top_relative < EngineParams().threshold


def test_a_good_query_shows_suggestions_with_relative_scores():
    index = SuggestIndex.build(help_centre())
    result = index.suggest("how do I download an invoice?")
    assert result.suggestions[0].key == 2
    assert result.top_relative == result.suggestions[0].relative > EngineParams().threshold
    assert result.top_score == result.suggestions[0].score


def test_once_the_best_article_qualifies_weaker_ones_may_follow_it():
    index = SuggestIndex.build(help_centre())
    result = index.suggest("cancel billing")
    threshold = EngineParams().threshold
    assert result.suggestions[0].key == 8 and result.suggestions[0].relative >= threshold
    assert result.suggestions[1].key == 2  # mentions Billing only: weaker, still useful
    assert threshold * EngineParams().tail_ratio <= result.suggestions[1].relative < threshold


@pytest.mark.parametrize("unrelated", [0, 8000], ids=["most-articles-match", "few-match"])
def test_articles_below_the_floor_are_neither_shown_nor_counted(unrelated):
    documents = help_centre()
    documents += [article(100 + i, "Unrelated", "Nothing in common.") for i in range(unrelated)]
    index = SuggestIndex.build(documents)
    params = EngineParams()
    everything = index.suggest("download invoice account", threshold=0.0, limit=10)
    floor = params.threshold * params.tail_ratio
    above = [s.key for s in everything.suggestions if s.relative >= floor]
    assert len(above) < len(everything.suggestions)  # "account" alone is a weak match
    result = index.suggest("download invoice account", limit=10)
    assert [s.key for s in result.suggestions] == above and result.total == len(above)
    assert result.top_score == everything.top_score


def test_garbage_finds_nothing_and_records_zero():
    result = SuggestIndex.build(help_centre()).suggest("qwxz vbnm zzkx")
    assert (result.suggestions, result.top_score, result.top_relative) == ([], 0.0, 0.0)


def test_the_threshold_can_be_overridden_per_call():
    index = SuggestIndex.build(help_centre())
    text = "my grandmother's cat ate the birthday cake at the page party"
    assert index.suggest(text, threshold=0.0).suggestions


def test_twenty_thousand_characters_of_garbage_do_not_blow_up():
    rng = random.Random(0)
    garbage = "".join(rng.choice("abcdefghij klmnop-.'qrstuvwxyz0123456789") for _ in range(20_000))
    index = SuggestIndex.build(help_centre())
    started = time.perf_counter()
    index.suggest(garbage + "login")
    assert time.perf_counter() - started < 2.0


# --- access ----------------------------------------------------------------------------------


def restricted_centre() -> list[Document]:
    return [
        article(1, "Invoice for staff", restriction_ids=(7,)),
        article(2, "Invoice for partners", restriction_ids=(7, 8)),
        article(3, "Invoice for everyone"),
    ]


def test_restricted_articles_are_hidden_from_visitors_without_access():
    index = SuggestIndex.build(restricted_centre())
    result = index.suggest("invoice ")
    assert [s.key for s in result.suggestions] == [3] and result.total == 1


def test_an_article_needs_every_one_of_its_restrictions_allowed():
    index = SuggestIndex.build(restricted_centre())
    result = index.suggest("invoice ", allowed_restriction_ids=frozenset({7}))
    assert sorted(s.key for s in result.suggestions) == [1, 3]
    result = index.suggest("invoice ", allowed_restriction_ids={7, 8})
    assert sorted(s.key for s in result.suggestions) == [1, 2, 3]


# --- paging, empties, serialisation, snippets, threads ---------------------------------------


def test_offset_and_limit_page_through_the_results():
    documents = [article(i, f"Billing question {i}", "billing " * (i + 1)) for i in range(12)]
    index = SuggestIndex.build(documents)
    everything = [s.key for s in index.suggest("billing ", limit=12).suggestions]
    page = index.suggest("billing ", limit=5, offset=5)
    assert page.total == 12
    assert [s.key for s in page.suggestions] == everything[5:10]
    assert index.suggest("billing ", limit=5, offset=10).suggestions[-1].key == everything[-1]
    assert index.suggest("billing ", offset=50).suggestions == []


def test_an_empty_index_suggests_nothing():
    index = SuggestIndex.build([])
    assert len(index) == 0 and index.keys == []
    assert index.suggest("password").suggestions == []
    assert SuggestIndex.from_bytes(index.to_bytes()).suggest("password").total == 0


@pytest.mark.parametrize("text", ["", "   ", "?!", "the and of"])
def test_empty_or_stopword_only_text_suggests_nothing(text):
    result = SuggestIndex.build(help_centre()).suggest(text)
    assert (result.suggestions, result.total, result.top_score) == ([], 0, 0.0)


def test_a_round_trip_through_bytes_gives_identical_results():
    documents = [*help_centre(), *restricted_centre()[:2]]
    index = SuggestIndex.build(documents, synonyms=[["invoice", "receipt"]])
    loaded = SuggestIndex.from_bytes(index.to_bytes())
    assert loaded.keys == index.keys and len(loaded) == len(index)
    for text in ["receipt", "login prob", "two-factor", "invoice "]:
        for allowed in (frozenset(), frozenset({7, 8})):
            assert loaded.suggest(text, allowed_restriction_ids=allowed) == index.suggest(
                text, allowed_restriction_ids=allowed
            )


def test_string_keys_survive_a_round_trip():
    index = SuggestIndex.build([article("swg-21", "Queue manager will not start")])
    assert SuggestIndex.from_bytes(index.to_bytes()).keys == ["swg-21"]


def test_an_index_stored_by_an_older_version_is_refused(monkeypatch):
    # Its terms may come from another analysis: it is rebuilt, not misread.
    monkeypatch.setattr("kb.engine.suggest.FORMAT_VERSION", FORMAT_VERSION - 1)
    stored = SuggestIndex.build(help_centre()).to_bytes()
    monkeypatch.undo()
    with pytest.raises(ValueError, match="Unsupported suggestion index format"):
        SuggestIndex.from_bytes(stored)


def test_bytes_that_are_not_an_index_are_refused():
    with pytest.raises(Exception):  # noqa: B017  (numpy raises one of several errors)
        SuggestIndex.from_bytes(b"not an index")


def test_a_suggestion_carries_what_the_portal_shows():
    documents = [*help_centre()[:4], article(9, "Move a domain", summary="Use DNS records.")]
    suggestion = SuggestIndex.build(documents).suggest("move my domain").suggestions[0]
    assert (suggestion.key, suggestion.title, suggestion.url) == (9, "Move a domain", "/kb/9/")
    assert suggestion.summary == "Use DNS records."


def test_snippet_escapes_html_and_marks_the_matching_words():
    body = "Open <Settings> & choose Invoices to download any invoice."
    index = SuggestIndex.build([article(9, "Billing", body), *help_centre()[2:]])
    snippet = index.suggest("download invoice ").suggestions[0].snippet
    assert "&lt;Settings&gt; &amp;" in snippet
    assert "<mark>Invoices</mark>" in snippet and "<mark>download</mark>" in snippet
    assert "<Settings>" not in snippet


def test_snippets_come_from_the_summary_and_the_start_of_the_body():
    body = "Intro. " * 200 + "The word invoice appears only late in this body."
    billing = article(9, "Billing", body, summary="Invoices live here.")
    snippet = SuggestIndex.build([billing, *help_centre()[2:]]).suggest("invoice ").suggestions
    snippet = snippet[0].snippet
    assert snippet.startswith("<mark>Invoices</mark> live here.")


def test_concurrent_queries_from_many_threads_get_the_same_answers():
    index = SuggestIndex.build(random_corpus(5, size=300))
    texts = [f"word{i} word{i * 7 % 60} account" for i in range(60)]
    expected = [index.suggest(text) for text in texts]
    failures = []

    def run():
        for _ in range(5):
            if [index.suggest(text) for text in texts] != expected:
                failures.append(True)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


def test_the_index_reports_its_size():
    index = SuggestIndex.build(help_centre())
    assert len(index) == 8 and index.keys == list(range(1, 9))
    assert index.nbytes > 0
