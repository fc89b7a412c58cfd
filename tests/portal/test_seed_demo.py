"""`make run` loads the demo: a live help centre, four accounts that sign in to their own pages,
four months of tickets behind the dashboard; running it again duplicates nothing."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from kb.demo import DEMO_DIR
from kb.models import ArticlePage, CategoryPage
from kb.selectors import suggest_articles
from portal.models import User
from tickets.models import ArticleRequest, Ticket

pytestmark = pytest.mark.django_db
DEMO_TITLES = [
    json.loads(line)["title"] for line in (DEMO_DIR / "articles.jsonl").read_text().splitlines()
]


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def seed_demo(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def printed_passwords(output: str) -> dict[str, str]:
    """The role, e-mail and password lines seed_demo prints for new accounts."""
    rows = re.findall(r"^\s+(\w+)\s+(\S+@\S+)\s+(\S+)$", output, flags=re.MULTILINE)
    return {role: (email, password) for role, email, password in rows}


def demo_counts() -> dict[str, int]:
    return {
        "articles": ArticlePage.objects.count(),
        "users": User.objects.count(),
        "tickets": Ticket.objects.count(),
        "article requests": ArticleRequest.objects.count(),
    }


def signed_in(email: str, password: str) -> Client:
    client = Client()
    assert client.login(username=email, password=password), email
    return client


def test_the_demo_help_centre_is_live_and_answers_questions(var_dir):
    output = seed_demo("--no-history")
    assert f"{len(DEMO_TITLES)} articles created" in output
    live = ArticlePage.objects.live()
    assert sorted(live.values_list("title", flat=True)) == sorted(DEMO_TITLES)

    visitor = Client()
    home = visitor.get("/").content.decode()
    for category in ["Getting started", "Billing &amp; plans", "Troubleshooting"]:
        assert category in home
    article = live.get(title="Reset your password")
    page = visitor.get(article.url)
    assert page.status_code == 200 and "Reset your password" in page.content.decode()
    # Suggestions work the moment the server starts: seed_demo built the index.
    suggested = [s.title for s in suggest_articles("i forgot my password").suggestions]
    assert "Reset your password" in suggested[:3]
    # The widget's demo shows billing articles on the product's billing pages.
    billing = CategoryPage.objects.get(title="Billing & plans")
    places = set(live.child_of(billing).values_list("help_places", flat=True))
    assert places == {"billing, /billing/*"}


def test_demo_accounts_sign_in_to_their_own_pages_and_a_second_run_duplicates_nothing(var_dir):
    output = seed_demo()
    assert "Demo history: 800 tickets over 120 days" in output
    accounts = printed_passwords(output)
    assert set(accounts) == {"customer", "agent", "editor", "admin"}

    customer = signed_in(*accounts["customer"])
    assert customer.get("/support/tickets/").status_code == 200
    assert customer.get("/django-admin/tickets/ticket/").status_code == 302  # not staff

    agent = signed_in(*accounts["agent"])
    queue = agent.get("/django-admin/tickets/ticket/", {"queue": "all"}).content.decode()
    assert re.search(r"SUP-\d+", queue)  # the seeded tickets

    editor = signed_in(*accounts["editor"])
    assert editor.get("/admin/pages/").status_code == 200  # Wagtail's editor
    assert editor.get("/django-admin/tickets/ticket/").status_code == 302  # tickets are closed

    admin = signed_in(*accounts["admin"])
    dashboard = admin.get("/django-admin/backlog/").content.decode()
    assert dashboard.count('<svg class="deflect-chart"') >= 4

    counts = demo_counts()
    assert counts["tickets"] == 800 and counts["article requests"] > 0

    again = seed_demo()
    assert "already has articles: demo content not loaded" in again
    assert printed_passwords(again) == {}  # no new account, no new password
    assert "demo-accounts.txt" in again
    assert demo_counts() == counts


def test_a_deleted_demo_account_comes_back_with_a_new_password_and_the_others_keep_theirs(
    tmp_path,
):
    from portal.services import demo_accounts_write, demo_users_create

    passwords = tmp_path / "demo-accounts.txt"
    demo_accounts_write(accounts=demo_users_create(), path=passwords)
    before = passwords.read_text()
    User.objects.get(email="agent@example.com").delete()

    (agent,) = demo_users_create()
    demo_accounts_write(accounts=[agent], path=passwords)
    rows = {line.split()[1]: line.split()[2] for line in passwords.read_text().splitlines()[1:]}
    assert len(rows) == 4 and rows["agent@example.com"] == agent.password
    for line in before.splitlines()[1:]:
        if "agent@example.com" not in line:
            assert line in passwords.read_text()
    assert (
        signed_in("agent@example.com", agent.password)
        .get("/django-admin/tickets/ticket/")
        .status_code
        == 200
    )
