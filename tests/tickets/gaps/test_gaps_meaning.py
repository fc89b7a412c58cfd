"""Gap mining by meaning: unanswered tickets grouped by what they ask, named in their own words."""

import pytest

from tests.factories import make_agent, make_ticket
from tickets import services
from tickets.gaps.mining import mine_gaps
from tickets.models import ArticleRequest, Ticket, TicketVector

pytestmark = pytest.mark.django_db

OVERTIME = [
    ("Overtime rules for weekend shifts", "How do I pay time and a half on Saturdays?"),
    ("Weekend overtime", "Hours worked on Sunday should count as overtime pay."),
    ("Extra pay for weekend work", "Can shifts on weekends be paid at an overtime rate?"),
]
DARK = [
    ("Dark mode please", "The app is far too bright at night."),
    ("Night theme for the app", "Could you add a dark theme? My eyes hurt in the evening."),
]


def gap(agent, subject, description):
    ticket = make_ticket(None, subject=subject, description=description)
    services.ticket_resolve(ticket=ticket, actor=agent, resolution=Ticket.Resolution.KB_GAP)
    return ticket


def test_unanswered_tickets_asking_the_same_thing_in_other_words_become_one_request():
    agent = make_agent()
    for subject, description in OVERTIME + DARK:
        gap(agent, subject, description)
    report = mine_gaps()
    assert (report.created, report.tickets_assigned) == (2, 5)
    overtime = ArticleRequest.objects.get(ticket_count=3)
    assert overtime.title in [subject for subject, _ in OVERTIME]
    assert "overtime" in [term.lower() for term in overtime.key_terms]
    assert set(overtime.tickets.values_list("subject", flat=True)) == {s for s, _ in OVERTIME}


def test_a_ticket_keeps_the_meaning_stored_when_it_was_filed():
    ticket = make_ticket(None, subject="Weekend overtime", description="Sunday hours")
    assert TicketVector.objects.filter(ticket=ticket).exists()


def test_mining_again_adds_a_look_alike_to_the_request_it_means():
    agent = make_agent()
    for subject, description in OVERTIME[:2] + DARK:
        gap(agent, subject, description)
    mine_gaps()
    gap(agent, *OVERTIME[2])
    report = mine_gaps()
    assert (report.created, report.updated) == (0, 1)
    assert sorted(ArticleRequest.objects.values_list("ticket_count", flat=True)) == [2, 3]


def test_demo_seed_texts_leak_into_no_key_terms_or_categories(agent):
    from tickets.seeding import GAP_TOPICS, seed_history

    seed_history(tickets=300, days=60, seed=2, agents=[agent])
    mine_gaps()
    requests = list(ArticleRequest.objects.all())
    assert requests
    words = {term.lower() for request in requests for term in request.key_terms}
    assert not words & {"blocks", "recently", "seed", "started", "team"}
    assert all(request.category is None for request in requests)
    topics = {request.title for request in requests}
    assert topics <= set(GAP_TOPICS)


def test_the_gaps_benchmark_reads_labelled_tickets_of_chosen_domains(tmp_path):
    import json
    from io import StringIO

    from django.core.management import call_command

    rows = [
        ("what is my account balance", "balance", "banking"),
        ("how much money is in my account", "balance", "banking"),
        ("freeze my card please", "freeze", "banking"),
        ("lock my card right now", "freeze", "banking"),
        ("play some jazz", "play_music", "music"),
    ]
    path = tmp_path / "val.jsonl"
    path.write_text(
        "\n".join(json.dumps({"text": t, "category": c, "domain": d}) for t, c, d in rows)
    )
    out = StringIO()
    call_command(
        "gaps_bench", queries=path, tickets=8, domains=["banking"], as_json=True, stdout=out
    )
    result = json.loads(out.getvalue())
    assert result["distinct_texts"] == 4 and result["quality"]["topics"] == 2
    assert result["mining"]["tickets_assigned"] == 8
