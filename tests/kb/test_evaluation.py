"""The evaluation harness: records to documents, recall and MRR, typing, unanswerable tickets."""

import io
import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from kb.benchmark import format_bench, run_bench, synthetic_corpus, synthetic_queries
from kb.engine.suggest import Document
from kb.evaluation import (
    document_from_record,
    learned_phrases,
    ranking_metrics,
    read_jsonl,
    run_eval,
    threshold_tradeoff,
    typed,
)


def write_jsonl(path, records) -> str:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return str(path)


def articles(tmp_path) -> str:
    return write_jsonl(
        tmp_path / "articles.jsonl",
        [
            {"id": "a1", "title": "Reset your password", "body": "Use the forgotten link."},
            {"id": "a2", "title": "Download an invoice", "body": "Invoices are under Billing."},
            {"id": "a3", "title": "Connect a custom domain", "body": "Point your DNS records."},
            {"id": "a4", "title": "Cancel a subscription", "body": "Cancel from Billing."},
        ],
    )


def queries(tmp_path) -> str:
    return write_jsonl(
        tmp_path / "queries.jsonl",
        [
            {"id": "q1", "text": "I forgot my password", "relevant": ["a1"]},
            {"id": "q2", "text": "where can I download last month's invoice", "relevant": ["a2"]},
            {"id": "q3", "text": "how do I connect my domain", "relevant": ["a3"]},
            {"id": "q4", "text": "stop my subscription please", "relevant": ["a4"]},
        ],
    )


def test_a_record_is_seen_as_the_importer_would_store_it():
    record = {
        "id": "a1",
        "title": "Reset your password",
        "body": "Use **the link**.\n\nThen <sign in>.",
    }
    assert document_from_record(record) == Document(
        key="a1",
        title="Reset your password",
        summary="Use the link. Then <sign in>.",
        body="Use the link.\nThen <sign in>.",
    )


def test_a_record_may_carry_summary_tags_and_category():
    record = {
        "id": "a2",
        "title": "Invoices",
        "body": "Body.",
        "summary": "Where invoices are.",
        "tags": ["billing", "pdf"],
        "category": "Billing",
    }
    doc = document_from_record(record)
    assert (doc.summary, doc.tags, doc.category) == (
        "Where invoices are.",
        ("billing", "pdf"),
        "Billing",
    )


def test_typed_keeps_the_first_characters_only():
    assert typed("reset my password", 8) == "reset my"
    assert typed("reset my password", None) == "reset my password"


def test_ranking_metrics_count_hits_recall_at_one_and_five_and_reciprocal_rank():
    rankings = [["a", "b"], ["x", "y", "a"], ["x"] * 10]
    metrics = ranking_metrics(rankings, [{"a"}, {"a"}, {"a"}])
    assert metrics == pytest.approx(
        {"hit@5": 2 / 3, "recall@1": 1 / 3, "recall@5": 2 / 3, "mrr@10": (1 + 1 / 3) / 3}
    )


def test_hit_at_five_counts_a_question_answered_when_any_relevant_article_is_shown():
    metrics = ranking_metrics([["a", "x"]], [{"a", "b"}])
    assert (metrics["hit@5"], metrics["recall@5"]) == (1.0, 0.5)


def test_recall_counts_the_share_of_relevant_articles_found():
    assert ranking_metrics([["a", "x"]], [{"a", "b"}])["recall@5"] == 0.5


def test_run_eval_reports_recall_mrr_and_latency(tmp_path):
    report = run_eval(articles(tmp_path), queries(tmp_path))
    assert report["queries"] == 4
    assert report["recall@5"] == 1.0 and report["recall@1"] == 1.0 and report["mrr@10"] == 1.0
    assert 0 < report["p50_ms"] <= report["p99_ms"]


def test_run_eval_with_a_prefix_sees_only_what_was_typed_so_far(tmp_path):
    report = run_eval(articles(tmp_path), queries(tmp_path), prefix=3)
    assert report["recall@5"] < 1.0


def test_suggest_eval_measures_with_the_starter_synonyms_unless_told_otherwise(tmp_path):
    receipt = write_jsonl(
        tmp_path / "receipt.jsonl", [{"id": "q", "text": "my receipt ", "relevant": ["a2"]}]
    )
    statement = write_jsonl(
        tmp_path / "statement.jsonl", [{"id": "q", "text": "my statement ", "relevant": ["a2"]}]
    )
    none = tmp_path / "none.txt"
    none.write_text("", encoding="utf-8")
    own = tmp_path / "own.txt"
    own.write_text("# ours\ninvoice, statement\n", encoding="utf-8")

    def recall(questions, *options) -> float:
        # Words only: by meaning a statement is close to an invoice with or without synonyms.
        out = io.StringIO()
        command = ["--articles", articles(tmp_path), "--queries", questions, "--json", "--lexical"]
        command += options
        call_command("suggest_eval", *command, stdout=out)
        return json.loads(out.getvalue())["recall@5"]

    assert recall(receipt) == 1.0  # "invoice, receipt, bill" is a starter group
    assert recall(receipt, "--synonyms", str(none)) == 0.0
    assert recall(receipt, "--synonyms", str(own)) == 0.0  # the file replaces the starter set
    assert recall(statement, "--synonyms", str(own)) == 1.0


def test_run_eval_reports_the_share_of_unanswerable_tickets_left_without_suggestions(tmp_path):
    unanswerable = write_jsonl(
        tmp_path / "unanswerable.jsonl",
        [
            {"id": "u1", "text": "my cat likes tuna", "relevant": []},
            {"id": "u2", "text": "password", "relevant": []},
        ],
    )
    report = run_eval(articles(tmp_path), queries(tmp_path), unanswerable_path=unanswerable)
    assert report["unanswerable_suppressed"] == 0.5


def test_the_threshold_tradeoff_runs_from_showing_everything_to_showing_nothing(tmp_path):
    unanswerable = write_jsonl(
        tmp_path / "unanswerable.jsonl", [{"id": "u1", "text": "password", "relevant": []}]
    )
    everything, nothing = threshold_tradeoff(
        articles(tmp_path), queries(tmp_path), unanswerable, [0.0, 10.0]
    )
    assert everything == {
        "threshold": 0.0,
        "recall@5": 1.0,
        "answerable_silenced": 0.0,
        "unanswerable_suppressed": 0.0,
    }
    assert nothing["recall@5"] == 0.0 and nothing["unanswerable_suppressed"] == 1.0


def test_learned_tickets_become_phrases_of_the_articles_that_resolved_them(tmp_path):
    learned = [
        {"id": "t1", "text": "stop  billing me", "relevant": ["a4"]},
        {"id": "t2", "text": "stop billing me", "relevant": ["a4"]},
        {"id": "t3", "text": "end my plan", "relevant": ["a4", "a2"]},
        {"id": "t4", "text": "quit", "relevant": ["a4"]},
    ]
    assert learned_phrases(learned, per_article=2) == {
        "a4": ("stop billing me", "end my plan"),
        "a2": ("end my plan",),
    }


def test_learned_phrasings_help_a_ticket_that_shares_no_word_with_the_article(tmp_path):
    ticket = [{"id": "q9", "text": "terminate my plan", "relevant": ["a4"]}]
    query_path = write_jsonl(tmp_path / "ticket.jsonl", ticket)
    learn = [{"id": "t1", "text": "how to terminate the plan", "relevant": ["a4"]}]
    learn_path = write_jsonl(tmp_path / "learn.jsonl", learn)
    # Words only: what the phrases teach, apart from what meaning finds by itself.
    assert run_eval(articles(tmp_path), query_path, semantic=False)["recall@5"] == 0.0
    learned = run_eval(articles(tmp_path), query_path, learn_path=learn_path, semantic=False)
    assert learned["recall@5"] == 1.0


def test_read_jsonl_skips_blank_lines(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": 1}\n\n{"id": 2}\n', encoding="utf-8")
    assert read_jsonl(path) == [{"id": 1}, {"id": 2}]


def test_a_small_benchmark_runs_and_formats_for_people():
    result = run_bench(300, queries=20, naive_queries=5, seed=1, rounds=2)
    assert result["articles"] == 300 and result["queries"] == 20
    assert result["suggest_p50_ms"] > 0 and result["naive_p50_ms"] > 0
    assert result["ranking_speedup_p50"] > 0 and result["speedup_p50"] > 0
    assert "rank_bm25" in format_bench(result)
    assert "best of 2 rounds" in format_bench(result)
    assert "20 queries of 4-20 words" in format_bench(result)


def test_benchmark_queries_have_as_many_words_as_asked():
    rng = np.random.default_rng(3)
    documents, vocabulary = synthetic_corpus(50, rng)
    queries = synthetic_queries(documents, vocabulary, 30, rng, words=(12, 15))
    assert all(12 <= len(query.split()) <= 15 for query in queries)
    assert {len(query.split()) for query in queries} == {12, 13, 14, 15}


@pytest.mark.parametrize("words", [("5", "2"), ("0", "3")])
def test_benchmark_refuses_impossible_query_lengths(words):
    with pytest.raises(CommandError, match="--words"):
        call_command("suggest_bench", "--articles", "10", "--words", *words)
