"""“Was this helpful?”: one vote per visitor session and article, changeable, with a comment."""

import pytest
from django.urls import reverse

from kb.models import ArticleFeedback
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def vote(client, article, helpful: str, comment: str = ""):
    return client.post(
        reverse("kb:feedback", args=(article.pk,)), {"helpful": helpful, "comment": comment}
    )


def test_a_vote_is_stored_and_thanked(client):
    article = make_article("Download invoices")
    response = vote(client, article, "yes")
    assert response.status_code == 302
    assert response["Location"].endswith("#feedback")
    assert ArticleFeedback.objects.get(article=article).helpful is True
    page = client.get(article.url).content.decode()
    assert "Thanks for your feedback." in page
    assert "You found this helpful." in page


def test_voting_twice_from_one_session_keeps_one_vote_with_the_latest_answer(client):
    article = make_article("Download invoices")
    vote(client, article, "yes")
    vote(client, article, "no", "The PDF link is missing")
    feedback = ArticleFeedback.objects.get(article=article)
    assert feedback.helpful is False
    assert feedback.comment == "The PDF link is missing"


def test_two_visitors_each_get_their_own_vote(client, django_user_model):
    from django.test import Client

    article = make_article("Download invoices")
    vote(client, article, "yes")
    vote(Client(), article, "no")
    assert ArticleFeedback.objects.filter(article=article).count() == 2


def test_a_vote_on_a_draft_article_is_refused(client):
    draft = make_article("Draft", publish=False)
    assert vote(client, draft, "yes").status_code == 404
    assert not ArticleFeedback.objects.exists()


def test_an_invalid_vote_or_overlong_comment_is_rejected_with_a_message(client):
    article = make_article("Download invoices")
    vote(client, article, "maybe")
    vote(client, article, "no", "x" * 1001)
    assert not ArticleFeedback.objects.exists()
    assert "Please choose Yes or No" in client.get(article.url).content.decode()


def test_feedback_needs_a_post_with_a_csrf_token():
    from django.test import Client

    article = make_article("Download invoices")
    strict = Client(enforce_csrf_checks=True)
    assert strict.get(reverse("kb:feedback", args=(article.pk,))).status_code == 405
    assert vote(strict, article, "yes").status_code == 403
