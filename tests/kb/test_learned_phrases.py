"""Resolved tickets teach the suggestions: customers' words become the article's phrases."""

import pytest

from kb.models import LearnedPhrase
from kb.selectors import suggest_articles
from kb.services import PHRASES_PER_ARTICLE, learned_phrase_add
from tests.factories import make_ticket
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def top_titles(text):
    return [s.title for s in suggest_articles(text).suggestions[:1]]


def test_an_article_resolving_a_ticket_learns_the_customers_words_and_then_ranks_for_them(
    demo_articles, agent, customer
):
    article = demo_articles["Set up two-factor authentication"]
    words = "lost handset"
    assert top_titles(words) != [article.title]
    ticket = make_ticket(
        customer,
        subject="Lost handset",
        description="New handset, no codes from my authenticator app",
    )
    services.ticket_resolve(
        ticket=ticket,
        actor=agent,
        resolution=Ticket.Resolution.ANSWERED_BY_ARTICLE,
        article=article,
    )
    phrase = LearnedPhrase.objects.get(article=article)
    assert (
        phrase.text.startswith("Lost handset. New handset") and phrase.source_ticket_id == ticket.pk
    )
    assert top_titles(words) == [article.title]


def test_removing_a_phrase_removes_what_it_taught(demo_articles):
    article = demo_articles["Connect Tandem to Slack"]
    phrase = learned_phrase_add(article=article, text="teams chat pings for rota changes")
    assert top_titles("rota pings") == [article.title]
    phrase.delete()
    assert top_titles("rota pings") == []


def test_phrases_are_deduplicated_bounded_and_stripped_of_email_addresses(demo_articles, agent):
    article = demo_articles["Reset your password"]
    learned_phrase_add(article=article, text="Locked  out")
    learned_phrase_add(article=article, text="locked out")
    assert LearnedPhrase.objects.filter(article=article).count() == 1
    for n in range(PHRASES_PER_ARTICLE + 5):
        learned_phrase_add(article=article, text=f"phrase number {n}")
    assert LearnedPhrase.objects.filter(article=article).count() == PHRASES_PER_ARTICLE
    ticket = make_ticket(None, subject="Help", description="I am jo@example.com and locked out")
    services.ticket_resolve(
        ticket=ticket,
        actor=agent,
        resolution=Ticket.Resolution.ANSWERED_BY_ARTICLE,
        article=article,
    )
    assert LearnedPhrase.objects.filter(article=article, text__contains="[e-mail]").exists()
    assert not LearnedPhrase.objects.filter(text__contains="jo@example.com").exists()


def test_editors_edit_and_remove_phrases_in_wagtail_admin(client, editor, demo_articles):
    from tests.factories import PASSWORD

    phrase = learned_phrase_add(article=demo_articles["Reset your password"], text="cant get in")
    client.login(username=editor.email, password=PASSWORD)
    edit = f"/admin/snippets/kb/learnedphrase/edit/{phrase.pk}/"
    assert client.get(edit).status_code == 200
    client.post(edit, {"text": "cannot get into my account"})
    phrase.refresh_from_db()
    assert phrase.text == "cannot get into my account"
    client.post(f"/admin/snippets/kb/learnedphrase/delete/{phrase.pk}/")
    assert not LearnedPhrase.objects.exists()
