"""`manage.py seed_history` invents a help desk's past for demos and benchmarks, and removes it
again without touching real tickets."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_article, make_ticket
from tickets.models import ContactSession, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def seed_history(*args) -> str:
    out = StringIO()
    call_command("seed_history", *args, stdout=out)
    return out.getvalue()


def test_seeding_fills_the_past_with_tickets_their_history_and_contacts(agent):
    article = make_article("Reset your password", "Click Forgot password on the sign-in page.")
    output = seed_history("--tickets", "120", "--days", "30")
    assert output.startswith("120 tickets, ")
    assert "no agents yet" not in output
    assert Ticket.objects.count() == 120
    oldest = Ticket.objects.order_by("created_at").first()
    newest = Ticket.objects.order_by("-created_at").first()
    assert 20 <= (newest.created_at - oldest.created_at).days <= 30  # spread over the period
    assert TicketEvent.objects.filter(ticket__in=Ticket.objects.all()).count() > 120
    deflected = ContactSession.objects.filter(outcome=ContactSession.Outcome.DEFLECTED)
    assert deflected.count() == 60 and {c.deflected_by for c in deflected} == {article}
    assert Ticket.objects.filter(assignee=agent).exists()


def test_without_agents_the_seeded_tickets_are_unassigned_and_it_says_so():
    output = seed_history("--tickets", "20", "--days", "7")
    assert "no agents yet: every ticket is unassigned" in output
    assert not Ticket.objects.filter(assignee__isnull=False).exists()


@pytest.mark.parametrize("args", [["--tickets", "0"], ["--days", "3"], ["--days", "4000"]])
def test_sizes_out_of_range_are_refused(args):
    with pytest.raises(CommandError, match="--tickets must be"):
        seed_history(*args)
    assert not Ticket.objects.exists()


def test_removing_the_seeded_history_keeps_real_customers_tickets(customer):
    real = make_ticket(customer, subject="A real problem")
    seed_history("--tickets", "50", "--days", "14")
    assert "Removed" in seed_history("--remove")
    assert list(Ticket.objects.all()) == [real]
    assert not ContactSession.objects.filter(subject="seeded contact").exists()
