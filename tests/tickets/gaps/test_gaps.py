"""Gap mining: unanswered tickets become articles to write, grouped by topic, run after run."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from kb.models import FailedSearch
from tests.factories import make_article, make_ticket
from tickets import services
from tickets.gaps.article_requests import request_dismiss, request_link_article
from tickets.gaps.mining import mine_gaps
from tickets.models import ArticleRequest, ContactSession, Ticket

pytestmark = pytest.mark.django_db
Resolution = Ticket.Resolution

SNOWFLAKE = [
    ("Export shifts to Snowflake", "We need our shift data in our Snowflake warehouse."),
    ("Snowflake sync for timesheets", "Can timesheets sync into Snowflake every night?"),
    ("Is there a Snowflake connector?", "Our analysts want the data in Snowflake."),
]
BITCOIN = [
    ("Pay with bitcoin", "Can we pay our subscription with bitcoin?"),
    ("Bitcoin payments accepted?", "Our finance team wants to pay invoices in bitcoin."),
]
OTHER = [("Dark mode for the mobile app", "The app is too bright at night, please add dark mode.")]


# What a help desk hears every day: the background against which a gap's words stand out.
EVERYDAY = [
    "I can't log in to my account",
    "Forgot my password and the reset email never came",
    "How do I export my timesheets to CSV",
    "Charged twice this month",
    "Card declined at renewal",
    "Add a new employee to the schedule",
    "Change the time zone of my workspace",
    "Slack notifications stopped working",
    "Calendar sync shows old shifts",
    "Invoice for last month is missing",
    "Remove a person who left the team",
    "Two-factor code is not accepted",
    "Mobile app shows a blank screen",
    "Approve timesheets before payroll",
    "Download the receipts for our accountant",
    "Upgrade our plan to Business",
    "Cancel the subscription at the end of the month",
    "API returns 401 unauthorized",
    "Webhook events are not delivered",
    "Rename our workspace",
    "Shift swap request is stuck",
    "Overtime is calculated wrong",
    "Import employees from a file",
    "Set up single sign-on with Okta",
    "Export the data for an audit",
]


@pytest.fixture(autouse=True)
def by_words(settings):
    """These specify grouping by words, which runs when the semantic layer is off; grouping by
    meaning is specified in test_gaps_meaning.py."""
    settings.SUGGEST_SEMANTIC = False


@pytest.fixture(autouse=True)
def everyday_tickets(db):
    for subject in EVERYDAY:
        make_ticket(None, subject=subject, description=f"{subject}. Please help, thanks.")


def gap(agent, subject, description, *, resolution=Resolution.KB_GAP, **kw):
    ticket = make_ticket(None, subject=subject, description=description, **kw)
    services.ticket_resolve(ticket=ticket, actor=agent, resolution=resolution)
    return ticket


def requests_by_size():
    return sorted(ArticleRequest.objects.values_list("ticket_count", flat=True), reverse=True)


def test_tickets_on_one_topic_in_different_words_become_one_request(agent):
    for subject, description in SNOWFLAKE + BITCOIN + OTHER:
        gap(agent, subject, description)
    report = mine_gaps()
    assert report.created == 3 and report.tickets_assigned == 6
    assert requests_by_size() == [3, 2, 1]
    snowflake = ArticleRequest.objects.get(ticket_count=3)
    assert "snowflake" in [term.lower() for term in snowflake.key_terms]
    assert snowflake.title in [subject for subject, _ in SNOWFLAKE]
    assert set(snowflake.tickets.values_list("subject", flat=True)) == {s for s, _ in SNOWFLAKE}


def test_mining_again_creates_nothing_and_counts_nothing_twice(agent):
    for subject, description in SNOWFLAKE + BITCOIN:
        gap(agent, subject, description)
    mine_gaps()
    before = list(ArticleRequest.objects.order_by("pk").values("pk", "ticket_count", "title"))
    again = mine_gaps()
    assert (again.created, again.updated, again.tickets_assigned) == (0, 0, 0)
    assert (
        list(ArticleRequest.objects.order_by("pk").values("pk", "ticket_count", "title")) == before
    )


def test_a_new_look_alike_joins_the_open_request_instead_of_a_twin(agent):
    for subject, description in SNOWFLAKE[:2]:
        gap(agent, subject, description)
    mine_gaps()
    gap(agent, "Snowflake export please", "Please export shift data to Snowflake.")
    report = mine_gaps()
    assert (report.created, report.updated, report.tickets_assigned) == (0, 1, 1)
    assert requests_by_size() == [3]


def test_only_gaps_are_candidates(agent):
    article = make_article("Export timesheets to CSV", "Reports, Export, CSV.")
    gap(agent, "Export to Snowflake", "Snowflake warehouse please")
    gap(agent, "Snowflake again", "Snowflake warehouse", resolution=Resolution.NOT_KB)
    answered = make_ticket(None, subject="Snowflake export", description="Snowflake warehouse")
    services.ticket_resolve(
        ticket=answered, actor=agent, resolution=Resolution.ANSWERED_BY_ARTICLE, article=article
    )
    make_ticket(None, subject="Snowflake still open", description="Snowflake warehouse")
    assert mine_gaps().tickets_assigned == 1


def test_resolved_without_an_article_after_weak_suggestions_counts_as_a_gap(customer):
    ticket = make_ticket(customer, subject="Snowflake export", description="Snowflake warehouse")
    Ticket.objects.filter(pk=ticket.pk).update(top_relative=0.05)
    services.ticket_solved_by_customer(ticket=ticket, customer=customer)
    strong = make_ticket(customer, subject="Snowflake import", description="Snowflake warehouse")
    Ticket.objects.filter(pk=strong.pk).update(top_relative=0.9)
    services.ticket_solved_by_customer(ticket=strong, customer=customer)
    assert mine_gaps().tickets_assigned == 1


def test_a_dismissed_request_absorbs_look_alikes_and_stays_dismissed(agent, editor):
    gap(agent, *SNOWFLAKE[0])
    mine_gaps()
    request = ArticleRequest.objects.get()
    request_dismiss(request=request, editor=editor, reason="We will never support Snowflake")
    gap(agent, *SNOWFLAKE[1])
    report = mine_gaps()
    assert report.created == 0
    request.refresh_from_db()
    assert request.status == ArticleRequest.Status.DISMISSED and request.ticket_count == 2


def test_a_done_request_stops_collecting_and_new_unanswered_tickets_start_another(agent, editor):
    gap(agent, *SNOWFLAKE[0])
    mine_gaps()
    request = ArticleRequest.objects.get()
    article = make_article(
        "Export to Snowflake", "Use the CSV export, then load it into Snowflake."
    )
    request_link_article(request=request, article=article, editor=editor)
    request.refresh_from_db()
    assert request.status == ArticleRequest.Status.DONE

    gap(agent, *SNOWFLAKE[1])  # filed after the article went live, still a gap
    report = mine_gaps()
    assert report.created == 1
    request.refresh_from_db()
    assert request.ticket_count == 1
    assert ArticleRequest.objects.filter(status=ArticleRequest.Status.OPEN).count() == 1


def test_failed_searches_and_abandoned_contacts_count_beside_the_tickets_of_their_topic(agent):
    gap(agent, *SNOWFLAKE[0])
    gap(agent, *SNOWFLAKE[1])
    FailedSearch.objects.create(
        query="snowflake warehouse export", day=timezone.localdate(), count=4
    )
    FailedSearch.objects.create(query="holiday calendar colours", day=timezone.localdate())
    ContactSession.objects.create(
        subject="Snowflake",
        description="Export to Snowflake?",
        outcome="abandoned",
        top_relative=0.0,
    )
    report = mine_gaps()
    assert (report.created, report.searches_counted, report.sessions_counted) == (1, 1, 1)
    request = ArticleRequest.objects.get()
    assert (request.ticket_count, request.search_count, request.session_count) == (2, 4, 1)


def test_weak_signals_alone_do_not_make_a_request():
    FailedSearch.objects.create(query="snowflake", day=timezone.localdate(), count=9)
    assert mine_gaps().created == 0
    assert not ArticleRequest.objects.exists()


def test_priority_favours_volume_and_recency(agent):
    for subject, description in SNOWFLAKE:
        gap(agent, subject, description)
    old = [gap(agent, s, d) for s, d in BITCOIN]
    Ticket.objects.filter(pk__in=[t.pk for t in old]).update(
        created_at=timezone.now() - timedelta(days=120)
    )
    gap(agent, *OTHER[0])
    mine_gaps()
    ranked = list(
        ArticleRequest.objects.order_by("-priority").values_list("ticket_count", flat=True)
    )
    assert ranked == [3, 1, 2]  # two old tickets weigh less than one of this week


def test_the_command_prints_counts_and_json(agent, capsys):
    for subject, description in SNOWFLAKE:
        gap(agent, subject, description)
    call_command("mine_gaps")
    assert "1 requests created, 0 updated, 3 tickets assigned" in capsys.readouterr().out
    call_command("mine_gaps", "--json")
    assert '"created": 0' in capsys.readouterr().out


def test_the_gaps_benchmark_groups_labelled_tickets_and_leaves_the_database_as_it_was(tmp_path):
    import json
    from io import StringIO

    questions = [
        ("How do I export shifts to Snowflake?", "snowflake"),
        ("Snowflake export of shifts is missing", "snowflake"),
        ("Can shifts be exported into Snowflake", "snowflake"),
        ("Pay the invoice with bitcoin", "bitcoin"),
        ("Do you take bitcoin for invoices?", "bitcoin"),
        ("Bitcoin payment for my invoice", "bitcoin"),
    ]
    path = tmp_path / "queries.jsonl"
    path.write_text(
        "\n".join(json.dumps({"text": t, "relevant": [label]}) for t, label in questions)
    )
    before = (Ticket.objects.count(), ArticleRequest.objects.count())
    out = StringIO()
    call_command("gaps_bench", queries=path, tickets=60, as_json=True, stdout=out)
    result = json.loads(out.getvalue())
    assert result["tickets"] == 60 and result["mining"]["tickets_assigned"] == 60
    assert result["quality"]["topics"] == 2
    assert result["quality"]["purity"] == 1.0 and result["quality"]["completeness"] == 1.0
    assert (Ticket.objects.count(), ArticleRequest.objects.count()) == before
