"""Triage by meaning: categories, follow-ups and similar tickets found in the customer's words."""

import pytest

from tests.factories import make_category, make_ticket
from tests.tickets.triage.test_triage import file, signed_in
from tickets import services
from tickets.models import Ticket
from tickets.triage import routing

pytestmark = pytest.mark.django_db


def resolved(customer, agent, subject, description, category):
    ticket = make_ticket(customer, subject=subject, description=description, category=category)
    services.ticket_resolve(ticket=ticket, actor=agent, resolution=Ticket.Resolution.NOT_KB)


def test_a_ticket_gets_the_category_of_resolved_tickets_that_mean_the_same(customer, agent):
    payroll, billing = make_category("Payroll"), make_category("Billing")
    resolved(customer, agent, "Overtime calculated wrong", "Overtime hours are underpaid", payroll)
    resolved(customer, agent, "Holiday pay missing", "Payslip lacks the holiday hours", payroll)
    resolved(customer, agent, "Charged twice", "Our card was billed two times", billing)
    resolved(customer, agent, "Need an invoice copy", "Send last month's invoice", billing)
    ticket = make_ticket(customer, subject="Sunday shifts", description="Extra hours not in wages")
    assert ticket.auto_category == payroll


def test_a_follow_up_in_other_words_is_added_to_the_open_ticket(customer):
    client = signed_in(customer)
    file(client, "Calendar sync stopped", "Google calendar no longer shows my shifts.")
    file(client, "My shifts are missing from Google Calendar", "Since yesterday nothing syncs.")
    assert Ticket.objects.count() == 1


def test_similar_open_tickets_are_found_by_meaning(customer, other_customer):
    mine = make_ticket(customer, subject="App crashes on start", description="Android phone")
    theirs = make_ticket(
        other_customer, subject="Mobile app closes right after opening", description="On Android"
    )
    make_ticket(other_customer, subject="Invoice question", description="VAT number")
    assert [t for _, t in routing.similar_open_tickets(mine)] == [theirs]


def test_autocategory_eval_reads_labelled_tickets_and_leaves_out_of_scope_ones_out(
    tmp_path, capsys
):
    import json

    from django.core.management import call_command

    def write(name, rows):
        path = tmp_path / name
        path.write_text("\n".join(json.dumps({"text": t, "category": c}) for t, c in rows))
        return str(path)

    history = write(
        "train.jsonl",
        [
            ("what is my account balance", "balance"),
            ("how much money do I have", "balance"),
            ("freeze my card please", "freeze"),
            ("lock my credit card now", "freeze"),
            ("what is the weather", "oos"),
        ],
    )
    new = write(
        "val.jsonl",
        [
            ("how much is in my checking account", "balance"),
            ("block my card", "freeze"),
            ("sing me a song", "oos"),
        ],
    )
    call_command("autocategory_eval", "--queries", new, "--resolved", history, "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["queries"] == 2 and report["categories"] == 2
    assert report["rule"] == "meaning" and report["accuracy"] == 1.0
