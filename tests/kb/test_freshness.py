"""Suggestions follow publishing within seconds, in every process, from one build per change."""

import time

import pytest

from kb import shared_index
from kb.models import SuggestIndexSnapshot
from kb.selectors import suggest_articles
from tests.factories import make_article
from tests.kb.second_process import SecondProcess


def suggested_ids(text: str) -> list[int]:
    return [s.key for s in suggest_articles(text).suggestions]


@pytest.mark.django_db
def test_publishing_unpublishing_and_moving_are_reflected_in_suggestions():
    article = make_article("Connect Slack", "Post shift changes to a Slack channel.")
    assert suggested_ids("slack channel") == [article.pk]

    article.unpublish()
    assert suggested_ids("slack channel") == []

    article.save_revision().publish()
    assert suggested_ids("slack channel") == [article.pk]

    integrations = make_article("Other", category="Integrations").get_parent()
    article.move(integrations, pos="last-child")
    article.refresh_from_db()
    result = suggest_articles("slack channel").suggestions
    assert result[0].url == article.url and "/integrations/" in article.url


@pytest.mark.django_db
def test_deleting_an_article_removes_it_from_suggestions():
    article = make_article("Connect Slack", "Post shift changes to a Slack channel.")
    assert suggested_ids("slack") == [article.pk]
    article.delete()
    assert suggested_ids("slack") == []


@pytest.mark.django_db
def test_a_build_happens_once_per_change_not_once_per_request():
    make_article("Connect Slack", "Post shift changes to a Slack channel.")
    suggested_ids("slack")
    builds = SuggestIndexSnapshot.objects.count()
    for _ in range(5):
        suggested_ids("slack")
    assert shared_index.build_and_store() is None  # already fresh: nothing to do
    assert SuggestIndexSnapshot.objects.count() == builds


def test_another_process_sees_a_published_article_within_ten_seconds(committed_db):
    make_article("Connect Slack", "Post shift changes to a Slack channel.")
    suggested_ids("slack")
    with SecondProcess("suggest_probe.py", SUGGEST_INDEX_CHECK_SECONDS="2") as probe:
        assert probe.ask("quickbooks payroll") == []
        article = make_article("Export to QuickBooks", "Send approved payroll hours to QuickBooks.")
        deadline = time.monotonic() + 10
        while probe.ask("quickbooks payroll") != [article.pk]:
            assert time.monotonic() < deadline, "the other process never saw the new article"
            time.sleep(0.25)
        article.unpublish()
        deadline = time.monotonic() + 10
        while probe.ask("quickbooks payroll") != []:
            assert time.monotonic() < deadline, "the other process kept an unpublished article"
            time.sleep(0.25)
