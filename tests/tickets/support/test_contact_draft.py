"""The contact form's draft while the customer types fast: written once per window, nothing lost."""

import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tickets.support.test_contact_typing import send, type_into_the_form
from tickets.models import ContactSession, SuggestionShown, Ticket
from tickets.services import contact

pytestmark = pytest.mark.django_db
WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "SET LOCAL", "BEGIN")


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch, settings):
    settings.CONTACT_DRAFT_SAVE_SECONDS = 2
    clock = Clock()
    monkeypatch.setattr(contact, "time", clock)
    return clock


def writes_of(client, session_id, text) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = type_into_the_form(client, session_id, text)
    assert response.status_code == 200
    return [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith(WRITES)]


def draft(session_id) -> ContactSession:
    return ContactSession.objects.get(pk=session_id)


def test_keystrokes_within_the_window_write_nothing_and_the_next_window_writes_the_latest_text(
    client, demo_articles, clock
):
    session_id = uuid.uuid4()
    type_into_the_form(client, session_id, "forgot my password", "forgot my password")
    assert writes_of(client, session_id, "forgot my password") == []
    clock.now += 1
    assert writes_of(client, session_id, "forgot my passwor") == []
    assert draft(session_id).description == "forgot my password"
    clock.now += 1  # the next window
    assert writes_of(client, session_id, "forgot my passwo")
    assert draft(session_id).description == "forgot my passwo"


def test_an_article_shown_for_the_first_time_within_the_window_is_recorded_at_once(
    client, demo_articles, clock
):
    session_id = uuid.uuid4()
    type_into_the_form(client, session_id, "forgot my password", "forgot my password")
    text = "forgot my password and my invoice receipts"
    titles = [r["title"] for r in type_into_the_form(client, session_id, text).json()["results"]]
    shown = set(SuggestionShown.objects.values_list("article__title", flat=True))
    assert "Download invoices and receipts" in titles and set(titles) <= shown
    assert draft(session_id).description == text


def test_the_ticket_filed_after_fast_typing_carries_every_article_shown_and_the_final_text(
    client, demo_articles, clock
):
    session_id = uuid.uuid4()
    words = "forgot my password and my invoice receipts and my card was declined".split()
    seen = set()
    for n in range(1, len(words) + 1):  # every keystroke within one window
        response = type_into_the_form(client, session_id, " ".join(words[:n]))
        seen |= {r["title"] for r in response.json()["results"]}
    final = " ".join(words) + " twice"
    send(client, session_id, final)
    ticket = Ticket.objects.get()
    assert {s.title for s in ticket.contact_session.suggestions_shown.all()} >= seen
    assert ticket.description == final == draft(session_id).description


def test_a_cache_cleared_mid_typing_loses_nothing_and_records_nothing_twice(
    client, demo_articles, clock
):
    session_id = uuid.uuid4()
    type_into_the_form(client, session_id, "forgot my password", "forgot my password")
    cache.clear()  # or a restart: what the database holds is read again
    text = "forgot my password and my invoice receipts"
    type_into_the_form(client, session_id, text)
    shown = list(SuggestionShown.objects.values_list("article__title", flat=True))
    assert "Download invoices and receipts" in shown and len(shown) == len(set(shown))
    assert draft(session_id).description == text
    cache.clear()
    type_into_the_form(client, session_id, "forgot my password")  # nothing new, cache unknown
    assert draft(session_id).description == "forgot my password"


def test_a_better_match_within_the_window_is_kept_and_a_weaker_one_never_lowers_it(
    client, demo_articles, clock
):
    session_id = uuid.uuid4()
    type_into_the_form(client, session_id, "password", "password")
    weaker = draft(session_id).top_relative
    response = type_into_the_form(client, session_id, "forgot my password reset")
    strong = draft(session_id)
    assert response.json()["results"] and strong.top_relative > weaker
    type_into_the_form(client, session_id, "password")
    clock.now += 2
    type_into_the_form(client, session_id, "password qqqzzz")
    kept = draft(session_id)
    assert kept.description == "password qqqzzz"
    assert (kept.top_score, kept.top_relative) == (strong.top_score, strong.top_relative)
