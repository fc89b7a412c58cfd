"""Triage at filing: follow-ups, priority, category, routing; merging and article replies."""

import uuid

import pytest
from django.core import mail
from django.test import Client

from kb.engine.similarity import word_cosine
from kb.services import category_get_or_create, kb_root_get
from tests.factories import (
    make_agent,
    make_category,
    make_ticket,
    make_user,
    signed_in,
)
from tickets import groups, services
from tickets.models import CategoryRoute, Organization, SupportSettings, Ticket, TicketMessage
from tickets.triage import routing

pytestmark = pytest.mark.django_db
Tier = Organization.Tier


def file(client, subject, description, **extra):
    data = {
        "subject": subject,
        "description": description,
        "action": "send",
        "submission": str(uuid.uuid4()),
        "session": str(uuid.uuid4()),
        **extra,
    }
    return client.post("/support/new/", data)


# --- priority -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tier, text, level, reason",
    [
        (None, "How do I change my avatar?", "normal", "normal: default"),
        (Tier.FREE, "How do I change my avatar?", "low", "low: free tier"),
        (Tier.ENTERPRISE, "Question about invoices", "high", "high: enterprise tier"),
        (
            Tier.PRO,
            "Our production is down since noon",
            "high",
            "high: 'production is down' (service down)",
        ),
        (
            Tier.ENTERPRISE,
            "Production down, urgent!",
            "urgent",
            "urgent: enterprise tier + 'production down' (service down) + 'urgent' (urgent)",
        ),
        (None, "I can't log in since the update", "high", "high: 'can't log in' (cannot log in)"),
        (
            None,
            "We lost all our data after the import",
            "high",
            "high: 'lost all our data' (data loss)",
        ),
    ],
)
def test_starting_priority_comes_from_tier_and_urgent_words_and_says_why(tier, text, level, reason):
    priority = routing.starting_priority(tier=tier, text=text)
    assert (priority.level, priority.reason) == (level, reason)


def test_a_new_ticket_gets_its_priority_from_the_customers_organization(customer):
    acme = Organization.objects.create(
        name="Acme", email_domain="example.com", tier=Tier.ENTERPRISE
    )
    acme.members.add(customer)
    ticket = make_ticket(customer, subject="Site is down", description="Nothing loads")
    assert ticket.organization.name == "Acme"
    assert ticket.priority == "urgent"
    assert ticket.priority_reason.startswith("urgent: enterprise tier + 'site is down'")


def test_a_typed_email_domain_alone_gives_no_tier_or_priority(customer, client):
    Organization.objects.create(name="Big", email_domain="big.example", tier=Tier.ENTERPRISE)
    file(client, "Question about reports", "How do I add a column?", email="anyone@big.example")
    signed_up = make_user("someone@big.example")
    make_ticket(signed_up, subject="Another question", description="Where is the export?")
    for ticket in Ticket.objects.all():
        assert ticket.organization is None
        assert ticket.priority == "normal" and ticket.priority_reason == "normal: default"


def test_assignment_by_membership_beats_the_email_domain(customer):
    Organization.objects.create(name="Domain", email_domain="example.com", tier=Tier.FREE)
    assigned = Organization.objects.create(name="Assigned", tier=Tier.PRO)
    assigned.members.add(customer)
    assert make_ticket(customer).organization == assigned


# --- category and routing --------------------------------------------------------------------


def test_a_strongly_matching_article_gives_the_ticket_its_category(demo_articles, customer):
    ticket = make_ticket(customer, subject="Forgot my password", description="Reset link needed")
    assert ticket.category.title == "Account" and ticket.auto_category == ticket.category


def test_otherwise_similar_resolved_tickets_vote_for_the_category(customer, agent):
    payroll = make_category("Payroll")
    for n in range(3):
        t = make_ticket(
            customer,
            subject=f"Overtime wrong in payroll run {n}",
            description="Overtime hours calculated wrong",
            category=payroll,
        )
        services.ticket_resolve(ticket=t, actor=agent, resolution=Ticket.Resolution.NOT_KB)
    ticket = make_ticket(customer, subject="Overtime calculated wrong", description="payroll run")
    assert ticket.auto_category == payroll


def test_the_customers_own_choice_of_category_is_kept(demo_articles, customer):
    billing = make_category("Billing")
    ticket = make_ticket(customer, subject="Forgot my password", description="x", category=billing)
    assert ticket.category == billing and ticket.auto_category is None


def test_an_agents_correction_counts_against_auto_category_accuracy(demo_articles, customer, agent):
    from django.utils import timezone

    from tickets.backlog.metrics import auto_category_accuracy

    kept = make_ticket(customer, subject="Forgot my password", description="Reset link")
    corrected = make_ticket(customer, subject="Reset password link", description="Forgot it")
    services.ticket_set_category(ticket=corrected, category=make_category("Billing"), actor=agent)
    result = auto_category_accuracy(since=timezone.now().replace(year=2000))
    assert (result["guessed"], result["kept"], result["accuracy"]) == (2, 1, 0.5)
    assert kept.category.title == "Account"


def test_a_category_can_route_new_tickets_to_a_default_agent(customer):
    account = make_category("Account")
    router = make_agent("router@example.com")
    CategoryRoute.objects.create(category=account, default_assignee=router)
    ticket = make_ticket(customer, subject="Anything", category=account)
    ticket.refresh_from_db()
    assert ticket.assignee == router


# --- follow-ups ------------------------------------------------------------------------------


def test_writing_again_about_an_open_ticket_adds_a_message_instead_of_a_ticket(customer):
    client = signed_in(customer)
    file(client, "Export to CSV fails", "The CSV export of timesheets fails with an error.")
    first = Ticket.objects.get()
    response = file(client, "CSV export of timesheets fails", "Still failing: the export errors.")
    html = response.content.decode()
    assert Ticket.objects.count() == 1
    assert f"We added this to {first.reference}" in html and 'data-testid="file-separately"' in html
    message = TicketMessage.objects.get(ticket=first)
    assert message.from_customer and "Still failing" in message.body


def test_file_it_separately_anyway(customer):
    client = signed_in(customer)
    file(client, "Export to CSV fails", "The CSV export of timesheets fails with an error.")
    file(client, "CSV export of timesheets fails", "Another account fails too.", separate="1")
    assert Ticket.objects.count() == 2


def test_a_different_topic_from_the_same_customer_is_a_new_ticket(customer):
    client = signed_in(customer)
    file(client, "Export to CSV fails", "The CSV export of timesheets fails with an error.")
    file(client, "Invite a new colleague", "How do I add someone to my workspace?")
    assert Ticket.objects.count() == 2


def test_the_follow_up_threshold_is_configurable():
    same = routing.ticket_words("Export to CSV fails", "The CSV export of timesheets fails.")
    reworded = routing.ticket_words("CSV export of timesheets broken", "Exporting errors out.")
    other = routing.ticket_words("Invite a colleague", "Add someone to the workspace")
    assert word_cosine(same, same) == pytest.approx(1.0)
    assert 0.3 < word_cosine(same, reworded) < 0.9
    assert word_cosine(same, other) == 0.0


def test_a_stricter_threshold_turns_a_reworded_follow_up_into_a_new_ticket(customer):
    SupportSettings.objects.update_or_create(pk=1, defaults={"follow_up_similarity": 0.99})
    client = signed_in(customer)
    file(client, "Export to CSV fails", "The CSV export of timesheets fails with an error.")
    file(client, "CSV export of timesheets fails", "Still failing: the export errors.")
    assert Ticket.objects.count() == 2


def test_anonymous_visitors_never_add_to_someone_elses_ticket(customer):
    make_ticket(customer, subject="Export to CSV fails", description="CSV export fails.")
    file(Client(), "Export to CSV fails", "CSV export fails.", email=customer.email)
    assert Ticket.objects.count() == 2
    assert not TicketMessage.objects.exists()


def test_submitting_a_follow_up_twice_adds_it_once(customer):
    client = signed_in(customer)
    file(client, "Export to CSV fails", "The CSV export of timesheets fails with an error.")
    data = {
        "subject": "CSV export fails",
        "description": "Still failing",
        "action": "send",
        "submission": str(uuid.uuid4()),
        "session": str(uuid.uuid4()),
    }
    client.post("/support/new/", data)
    client.post("/support/new/", data)
    assert TicketMessage.objects.count() == 1


# --- similar tickets and merging ------------------------------------------------------------


def test_agents_see_similar_open_tickets_of_other_customers(customer, other_customer, agent):
    mine = make_ticket(
        customer, subject="Calendar sync stopped", description="Google calendar sync"
    )
    theirs = make_ticket(other_customer, subject="Google calendar sync stopped", description="Sync")
    make_ticket(other_customer, subject="Invoice question", description="VAT number")
    html = signed_in(agent).get(f"/django-admin/tickets/ticket/{mine.pk}/change/").content.decode()
    assert theirs.reference in html and "Invoice question" not in html


def test_merging_moves_every_message_and_closes_the_merged_ticket(customer, agent, committed):
    target = make_ticket(customer, subject="Export fails", description="First report")
    source = make_ticket(customer, subject="Export still fails", description="Second report")
    services.ticket_reply(ticket=source, author=customer, body="More details")
    services.ticket_reply(ticket=source, author=agent, body="Looking")
    before = TicketMessage.objects.count()
    mail.outbox.clear()
    with committed():
        services.tickets_merge(source=source, target=target, actor=agent)
    source.refresh_from_db()
    assert source.merged_into == target and source.status == "closed"
    assert TicketMessage.objects.count() == before + 1  # the source's description, as a message
    assert not source.messages.exists()
    bodies = list(target.messages.values_list("body", flat=True))
    assert any("Second report" in b for b in bodies) and "More details" in bodies
    assert [m.to for m in mail.outbox] == [[customer.email]]


def test_merging_across_customers_keeps_each_customers_words_private(
    customer, other_customer, agent, committed
):
    target = make_ticket(customer, subject="Calendar sync stopped", description="Mine")
    source = make_ticket(
        other_customer, subject="Calendar sync broken", description="Theirs, secret"
    )
    mail.outbox.clear()
    with committed():
        services.tickets_merge(source=source, target=target, actor=agent)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([customer.email, other_customer.email])
    page = signed_in(customer).get(f"/support/tickets/{target.reference}/").content.decode()
    assert "Theirs, secret" not in page
    assert target.messages.get(body__contains="Theirs, secret").internal
    mail.outbox.clear()
    with committed():
        services.ticket_resolve(ticket=target, actor=agent, resolution=Ticket.Resolution.NOT_KB)
    assert other_customer.email in [m.to[0] for m in mail.outbox]


def test_agents_merge_from_the_ticket_page(customer, agent):
    target = make_ticket(customer, subject="Export fails")
    source = make_ticket(customer, subject="Export fails again")
    data = {
        "status": source.status,
        "priority": source.priority,
        "category": "",
        "assignee": "",
        "reply": "",
        "resolution": "",
        "merge_into": target.reference,
        "_save": "Save",
    }
    signed_in(agent).post(f"/django-admin/tickets/ticket/{source.pk}/change/", data)
    source.refresh_from_db()
    assert source.merged_into == target


def test_merged_tickets_are_not_knowledge_base_gaps(customer, agent):
    from tickets.gaps.mining import candidate_tickets

    target = make_ticket(customer, subject="Export fails")
    source = make_ticket(customer, subject="Export fails again")
    services.tickets_merge(source=source, target=target, actor=agent)
    assert not candidate_tickets().exists()


# --- replies from articles -------------------------------------------------------------------


def test_an_agent_replies_with_an_article_and_resolves_with_it(
    demo_articles, customer, agent, committed
):
    ticket = make_ticket(customer, subject="Forgot my password", description="Cannot sign in")
    article = demo_articles["Reset your password"]
    client = signed_in(agent)
    page = client.get(f"/django-admin/tickets/ticket/{ticket.pk}/change/").content.decode()
    assert f'<option value="{article.pk}">Reset your password</option>' in page
    data = {
        "status": ticket.status,
        "priority": ticket.priority,
        "category": ticket.category_id or "",
        "assignee": "",
        "reply": "This should help:",
        "reply_article": article.pk,
        "resolve_with_article": "on",
        "resolution": "",
        "_save": "Save",
    }
    with committed():
        client.post(f"/django-admin/tickets/ticket/{ticket.pk}/change/", data)
    ticket.refresh_from_db()
    assert ticket.resolution == "answered_by_article" and ticket.resolved_article == article
    reply = ticket.messages.get()
    assert "This should help:" in reply.body and article.url in reply.body
    assert article.summary in reply.body
    assert any(article.url in m.body for m in mail.outbox)


def test_editors_and_customers_cannot_see_sla_policies_or_routes(customer, editor):
    assert signed_in(customer).get("/django-admin/tickets/slapolicy/").status_code == 302
    manager = make_user("boss@example.com", groups=[groups.MANAGERS], is_staff=True)
    assert signed_in(manager).get("/django-admin/tickets/slapolicy/").status_code == 200
    assert signed_in(manager).get("/django-admin/tickets/supportsettings/").status_code == 200


def test_categories_of_the_kb_are_there(kb_root):
    assert category_get_or_create(root=kb_root_get(), name="X").title == "X"


def test_autocategory_eval_measures_the_rule_on_labelled_questions(tmp_path, capsys):
    import json as json_module

    from django.core.management import call_command

    articles = tmp_path / "articles.jsonl"
    articles.write_text(
        "\n".join(
            json_module.dumps(a)
            for a in [
                {
                    "id": "a",
                    "title": "Reset your password",
                    "body": "Forgot password link.",
                    "category": "Account",
                },
                {
                    "id": "b",
                    "title": "Download invoices",
                    "body": "Invoices are PDFs.",
                    "category": "Billing",
                },
                {
                    "id": "c",
                    "title": "Card declined",
                    "body": "Your bank refused it.",
                    "category": "Billing",
                },
            ]
        )
    )
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        "\n".join(
            json_module.dumps(q)
            for q in [
                {"id": "1", "text": "I forgot my password", "relevant": ["a"]},
                {"id": "2", "text": "where are my invoices", "relevant": ["b"]},
                {"id": "3", "text": "my card was declined", "relevant": ["c"]},
            ]
        )
    )
    call_command(
        "autocategory_eval", "--articles", str(articles), "--queries", str(queries), "--json"
    )
    report = json_module.loads(capsys.readouterr().out)
    assert report["queries"] == 3 and report["categories"] == 2
    assert report["accuracy"] == 1.0


def test_a_ticket_cannot_be_merged_into_itself_nor_merged_twice(customer, agent):
    from django.core.exceptions import ValidationError

    target = make_ticket(customer, subject="Export fails")
    source = make_ticket(customer, subject="Export fails again")
    with pytest.raises(ValidationError, match="cannot be merged into itself"):
        services.tickets_merge(source=target, target=target, actor=agent)
    services.tickets_merge(source=source, target=target, actor=agent)
    third = make_ticket(customer, subject="Export fails a third time")
    for pair in [(source, third), (third, source)]:
        with pytest.raises(ValidationError, match="already been merged"):
            services.tickets_merge(source=pair[0], target=pair[1], actor=agent)
    third.refresh_from_db()
    assert third.merged_into is None and third.status == Ticket.Status.NEW
    assert target.messages.count() == 1  # the merged ticket, once
