"""A realistic year of support history for demos and benchmarks (`seed_history`).

Weekday/weekend rhythm, a slow growth trend, a launch spike, a long tail of categories, tiers,
reopened tickets, zombies, deflected contacts and failed searches. Everything is bulk-inserted
with its event history, so the metrics see exactly what a year of real use would leave.
"""

import math
import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kb.models import ArticlePage, CategoryPage, FailedSearch
from kb.services import category_get_or_create, kb_root_get
from tickets.models import (
    ContactSession,
    Organization,
    SlaPolicy,
    SlaState,
    SupportSettings,
    Team,
    Ticket,
    TicketEvent,
)
from tickets.triage.sla import apply_due_times

TEAMS = ["Engineering", "Billing operations"]  # teams seeded tickets are handed to
SEED_DOMAIN = "seed.example"  # every seeded customer's e-mail ends here, so seeds can be removed
CATEGORIES = [
    "Billing",
    "Account & security",
    "Integrations",
    "Troubleshooting",
    "Getting started",
    "Mobile app",
    "Reports",
    "Data & privacy",
    "API",
    "Scheduling",
    "Payroll",
    "Notifications",
]
PROBLEMS = {
    "Billing": ["Charged twice", "Card declined", "Need an invoice copy", "Refund request"],
    "Account & security": ["Locked out", "2FA code not accepted", "Change account email"],
    "Integrations": ["Slack not posting", "Calendar sync stopped", "QuickBooks export fails"],
    "Troubleshooting": ["Page won't load", "Error 500 on save", "Everything is slow today"],
    "Getting started": ["How do I invite my team", "Create the first schedule"],
    "Mobile app": ["App crashes on start", "Blank screen on Android"],
    "Reports": ["Timesheet totals wrong", "CSV export garbled"],
    "Data & privacy": ["Delete my data", "GDPR data request"],
    "API": ["API returns 401", "Rate limited by the API"],
    "Scheduling": ["Shift swap stuck", "Recurring shifts missing"],
    "Payroll": ["Overtime calculated wrong"],
    "Notifications": ["No shift reminders"],
}
PAGES = [
    "https://app.tandem.example/billing",
    "https://app.tandem.example/schedule",
    "https://app.tandem.example/timesheets",
    "https://app.tandem.example/settings/team",
    "https://app.tandem.example/integrations",
]
GAP_TOPICS = ["Export shifts to Snowflake", "Pay with bitcoin", "Dark mode for the web app"]
# What customers add after the subject. Varied and about nothing in particular, so that no
# seeded wording stands out as a topic of its own (gap mining's key terms, triage's categories).
DETAILS = [
    "",
    "Since this morning.",
    "Tried twice already.",
    "Any idea what to do?",
    "Happens for several of us.",
    "Not sure where to look.",
    "Started after the weekend.",
    "Is there a workaround?",
    "We need this sorted this week.",
    "Screenshot available.",
]
Priority, Tier = Ticket.Priority, Organization.Tier
PRIORITIES = [
    (Priority.LOW, 0.15),
    (Priority.NORMAL, 0.6),
    (Priority.HIGH, 0.2),
    (Priority.URGENT, 0.05),
]
TIERS = [(Tier.FREE, 0.6), (Tier.PRO, 0.3), (Tier.ENTERPRISE, 0.1)]
BATCH = 5000


@dataclass
class SeedReport:
    tickets: int = 0
    events: int = 0
    sessions: int = 0
    organizations: int = 0


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _day_weights(days: int) -> list[float]:
    """Relative ticket volume per day: weekdays busy, weekends quiet, growth and a launch spike."""
    today = timezone.localdate()
    weights = []
    for n in range(days):
        day = today - timedelta(days=days - 1 - n)
        rhythm = 1.0 if day.weekday() < 5 else (0.35 if day.weekday() == 5 else 0.25)
        trend = 0.7 + 0.6 * n / days
        spike = 2.5 if days * 0.55 <= n < days * 0.55 + 14 else 1.0
        weights.append(rhythm * trend * spike)
    return weights


def _hours(rng: random.Random, median: float, spread: float = 1.0) -> timedelta:
    return timedelta(hours=median * math.exp(rng.gauss(0, spread)))


def seed_history(*, tickets: int, days: int = 365, seed: int = 0, agents=()) -> SeedReport:
    """Insert `tickets` tickets spread over the last `days` days, with their whole history."""
    rng = random.Random(seed)
    now = timezone.now()
    report = SeedReport()
    root = kb_root_get()
    # The help centre's own categories if it has some; otherwise a typical set is created.
    categories = list(CategoryPage.objects.child_of(root).live()) or [
        category_get_or_create(root=root, name=name) for name in CATEGORIES
    ]
    subjects = {
        category.pk: PROBLEMS.get(category.title)
        or [
            f"Question about {title.lower()}"
            for title in ArticlePage.objects.child_of(category)
            .live()
            .values_list("title", flat=True)[:12]
        ]
        or [f"Problem with {category.title.lower()}"]
        for category in categories
    }
    articles = list(ArticlePage.objects.live().values_list("pk", flat=True)[:200])
    organizations = _organizations(rng, report)
    weights = _day_weights(days)
    start_day = now - timedelta(days=days)
    category_weights = [1 / (k + 1) ** 1.1 for k in range(len(categories))]  # a long tail
    agents = list(agents)

    pending_tickets, plans = [], []
    for _n in range(tickets):
        day = rng.choices(range(days), weights=weights)[0]
        created = start_day + timedelta(days=day, seconds=rng.randrange(8 * 3600, 19 * 3600))
        created = min(created, now - timedelta(minutes=5))
        category = rng.choices(categories, weights=category_weights)[0]
        gap = rng.random() < 0.06
        subject = rng.choice(GAP_TOPICS) if gap else rng.choice(subjects[category.pk])
        organization = rng.choice(organizations)
        pending_tickets.append(
            Ticket(
                customer_email=f"customer{rng.randrange(3000)}@{organization.email_domain}",
                organization=organization,
                subject=subject,
                description=f"{subject}. {rng.choice(DETAILS)}".strip(),
                # A question no article covers belongs to no category yet.
                category=None if gap else category,
                # Agents kept most guessed categories and corrected the rest.
                auto_category=None
                if gap
                else (category if rng.random() < 0.88 else rng.choice(categories)),
                priority=_weighted(rng, PRIORITIES),
                source_page=rng.choice(PAGES) if rng.random() < 0.4 else "",
                created_at=created,
                last_activity_at=created,
            )
        )
        plans.append((created, gap))
        if len(pending_tickets) == BATCH:
            _flush(pending_tickets, plans, rng, now, agents, articles, report)
            pending_tickets, plans = [], []
    if pending_tickets:
        _flush(pending_tickets, plans, rng, now, agents, articles, report)
    _contacts(rng, now, days, articles, report)
    return report


def _organizations(rng: random.Random, report: SeedReport) -> list[Organization]:
    existing = list(Organization.objects.filter(email_domain__endswith=SEED_DOMAIN))
    if existing:
        return existing
    created = Organization.objects.bulk_create(
        Organization(
            name=f"Company {k}",
            email_domain=f"company{k}.{SEED_DOMAIN}",
            tier=_weighted(rng, TIERS),
        )
        for k in range(200)
    )
    report.organizations = len(created)
    return created


def _service_levels(ticket: Ticket, now, policies: dict, settings: SupportSettings) -> list:
    """Due times from the SLA policies, whether they were met, and the escalations if not."""
    policy = policies.get((ticket.organization.tier, ticket.priority))
    if policy is None:
        return []
    apply_due_times(ticket, settings=settings, policy=policy)
    answered = ticket.first_response_at or now
    resolved = ticket.resolved_at or now
    breaches = [
        (due, "escalated", ticket.priority, target, None)
        for target, done, due in (
            ("first_response", answered, ticket.first_response_due_at),
            ("resolution", resolved, ticket.resolution_due_at),
        )
        if done > due and due <= now
    ]
    ticket.sla_state = SlaState.BREACHED if breaches else SlaState.OK
    return breaches


@transaction.atomic
def _flush(tickets, plans, rng, now, agents, articles, report) -> None:
    """Decide each ticket's life, then insert the tickets and their events."""
    settings = SupportSettings.current()
    policies = {(p.tier, p.priority): p for p in SlaPolicy.objects.all()}
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in TEAMS}
    events = []
    lives = []
    for ticket, (created, gap) in zip(tickets, plans, strict=True):
        life = []  # (when, kind, from, to, actor)
        status, moment = "new", created
        zombie = rng.random() < 0.015  # nobody ever picks these up
        if not zombie:
            assignee = rng.choice(agents) if agents else None
            moment += _hours(rng, 2)
            if assignee is not None:
                life.append((moment, "assigned", "", assignee.email[:64], assignee))
            life.append((moment, "status", status, "open", assignee))
            status = "open"
            if len(agents) > 1 and rng.random() < 0.12:  # passed on to a colleague
                moment += _hours(rng, 6)
                other = rng.choice([agent for agent in agents if agent != assignee])
                life.append((moment, "assigned", assignee.email[:64], other.email[:64], other))
                assignee = other
            if rng.random() < 0.06:  # handed to another team for a couple of days, then back
                team = rng.choice(TEAMS)
                moment += _hours(rng, 3)
                life.append((moment, "waiting_on", "", team, assignee))
                moment += _hours(rng, 48)
                life.append((moment, "waiting_on", team, "", assignee))
            moment += _hours(rng, 5)
            ticket.first_response_at = moment
            life.append((moment, "replied", "", "", assignee))
            life.append((moment, "status", status, "pending", assignee))
            status = "pending"
            rounds = 2 if rng.random() < 0.08 else 1  # some are reopened and resolved again
            for round_ in range(rounds):
                moment += _hours(rng, 30, 1.2)
                life.append((moment, "status", status, "resolved", assignee))
                status = "resolved"
                if round_ + 1 < rounds:
                    moment += _hours(rng, 40)
                    life.append((moment, "status", "resolved", "open", None))
                    status = "open"
            if rng.random() < 0.5:
                moment += timedelta(days=7)
                life.append((moment, "status", "resolved", "closed", None))
        life = [entry for entry in life if entry[0] <= now]
        status = next((e[3] for e in reversed(life) if e[1] == "status"), "new")
        ticket.status = status
        assigned = [e[4] for e in life if e[1] == "assigned"]
        ticket.assignee = assigned[-1] if assigned else None
        waits = [e[3] for e in life if e[1] == "waiting_on"]
        ticket.waiting_on_team = teams[waits[-1]] if waits and waits[-1] else None
        if ticket.first_response_at and ticket.first_response_at > now:
            ticket.first_response_at = None
        if status in ("resolved", "closed"):
            ticket.resolved_at = max(e[0] for e in life if e[3] == "resolved")
            ticket.resolution = (
                "kb_gap"
                if gap
                else _weighted(
                    rng, [("answered_by_article", 0.4 if articles else 0), ("not_kb", 0.6)]
                )
            )
            if ticket.resolution == "answered_by_article":
                ticket.resolved_article_id = rng.choice(articles)
        else:
            ticket.resolved_at = None
        agent_moments = [e[0] for e in life if e[1] != "created" and e[4] is not None]
        ticket.last_agent_activity_at = max(agent_moments) if agent_moments else None
        ticket.last_activity_at = max([created, *[e[0] for e in life]])
        life += _service_levels(ticket, now, policies, settings)
        lives.append(life)
    Ticket.objects.bulk_create(tickets, batch_size=1000)
    for ticket, life in zip(tickets, lives, strict=True):
        events.append(
            TicketEvent(ticket=ticket, kind="created", to_value="new", created_at=ticket.created_at)
        )
        events += [
            TicketEvent(
                ticket=ticket,
                kind=kind,
                from_value=before,
                to_value=after,
                actor=actor,
                created_at=when,
            )
            for when, kind, before, after, actor in life
        ]
    TicketEvent.objects.bulk_create(events, batch_size=2000)
    report.tickets += len(tickets)
    report.events += len(events)


def _contacts(rng, now, days, articles, report) -> None:
    """Contact sessions: most tickets came through the form; one deflection per two tickets."""
    ticket_count = report.tickets
    filed = {
        ticket_id: ContactSession(
            subject=subject,
            outcome=ContactSession.Outcome.TICKET,
            top_relative=0.4,
            source_page=page,
            created_at=created,
            updated_at=created,
            ended_at=created,
        )
        for ticket_id, subject, created, page in Ticket.objects.filter(
            customer_email__endswith=SEED_DOMAIN, contact_session__isnull=True
        ).values_list("pk", "subject", "created_at", "source_page")
        if rng.random() < 0.7
    }
    sessions = list(filed.values())
    for _n in range(ticket_count // 2 if articles else 0):
        created = now - timedelta(days=rng.random() * days)
        sessions.append(
            ContactSession(
                subject="seeded contact",
                outcome=ContactSession.Outcome.DEFLECTED,
                deflected_by_id=rng.choice(articles),
                top_relative=0.6,
                source_page=rng.choice(PAGES) if rng.random() < 0.5 else "",
                created_at=created,
                updated_at=created,
                ended_at=created,
            )
        )
    for _n in range(ticket_count // 20):
        created = now - timedelta(days=rng.random() * days)
        sessions.append(
            ContactSession(
                subject=rng.choice(GAP_TOPICS),
                outcome=ContactSession.Outcome.ABANDONED,
                top_relative=0.05,
                created_at=created,
                updated_at=created,
            )
        )
    ContactSession.objects.bulk_create(sessions, batch_size=2000)
    # A session that says "ticket" points at its ticket, as one filed through the form does.
    Ticket.objects.bulk_update(
        [Ticket(pk=ticket_id, contact_session=session) for ticket_id, session in filed.items()],
        ["contact_session"],
        batch_size=2000,
    )
    report.sessions = len(sessions)
    today = timezone.localdate()
    for topic in GAP_TOPICS:
        for back in range(0, days, 7):
            FailedSearch.objects.update_or_create(
                query=topic.lower(),
                day=today - timedelta(days=back),
                defaults={"count": rng.randrange(1, 6)},
            )


def seeded_remove() -> int:
    """Delete everything seed_history made (tickets of seeded customers, their organizations)."""
    deleted, _ = Ticket.objects.filter(customer_email__endswith=SEED_DOMAIN).delete()
    Organization.objects.filter(email_domain__endswith=SEED_DOMAIN).delete()
    ContactSession.objects.filter(subject="seeded contact").delete()
    return deleted


@contextmanager
def historical_timestamps():
    """Let bulk inserts keep the past moments given, instead of stamping them "now"."""
    fields = [
        Ticket._meta.get_field("created_at"),
        Ticket._meta.get_field("last_activity_at"),
        TicketEvent._meta.get_field("created_at"),
        ContactSession._meta.get_field("created_at"),
        ContactSession._meta.get_field("updated_at"),
    ]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = auto_now, auto_now_add
