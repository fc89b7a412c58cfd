"""Product signals: tickets agents resolved as bug reports, feature requests or account actions,
grouped by meaning for the product team, the same way gaps are grouped into articles to write.

The grouping is the gap miner's (tickets/gaps/mining.py `group_tickets`), run afresh on each kind's
tickets and kept in memory: the product team reads groups, nothing is persisted.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from tickets.gaps import mining
from tickets.models import Organization, Ticket
from tickets.text import without_contact_details

Resolution = Ticket.Resolution
KINDS = (Resolution.BUG_REPORT, Resolution.FEATURE_REQUEST, Resolution.ACCOUNT_ACTION)
EXAMPLES = 3  # tickets shown per group, the latest first
EXCERPT_CHARS = 200
NO_TIER = ""  # tickets of customers in no organization


@dataclass
class SignalGroup:
    title: str
    ticket_count: int
    tiers: dict[str, int]  # tier value (NO_TIER: no organization) -> tickets, most first
    first_seen: datetime
    last_seen: datetime
    key_terms: list[str]
    examples: list[Ticket]

    def tier_labels(self) -> list[tuple[str, int]]:
        names = dict(Organization.Tier.choices)
        return [(str(names.get(tier) or _("No organization")), n) for tier, n in self.tiers.items()]


@dataclass
class SignalKind:
    kind: str
    label: str
    groups: list[SignalGroup] = field(default_factory=list)

    @property
    def ticket_count(self) -> int:
        return sum(group.ticket_count for group in self.groups)


def product_signal_tickets(*, since: datetime | None = None, kind: str | None = None):
    """Resolved tickets marked as a product signal, filed since `since`, of one kind or all."""
    tickets = Ticket.objects.filter(
        resolution__in=[kind] if kind else KINDS,
        status__in=mining.RESOLVED,
    )
    return tickets.filter(created_at__gte=since) if since else tickets


def product_signals(*, since: datetime | None = None, kind: str | None = None) -> list[SignalKind]:
    """Each kind's tickets grouped by meaning, the groups with most tickets first."""
    vectoriser = mining.words_of_all_tickets()
    semantic = mining.semantic_available()
    tickets = product_signal_tickets(since=since, kind=kind).order_by("created_at", "pk")
    kinds = []
    for value in [kind] if kind else KINDS:
        groups = mining.Groups()
        rows = tickets.filter(resolution=value).values_list(*mining.TICKET_ROW)
        mining.group_tickets(groups, rows.iterator(mining.BATCH), vectoriser, semantic=semantic)
        found = [group for group in groups.groups if group.new_tickets]
        kinds.append(
            SignalKind(
                kind=value,
                label=str(Resolution(value).label),
                groups=_described(found, vectoriser),
            )
        )
    return kinds


def _described(groups: list, vectoriser) -> list[SignalGroup]:
    members = {pk: group.slot for group in groups for pk in group.new_tickets}
    tickets: dict[int, list[Ticket]] = {group.slot: [] for group in groups}
    for ticket in (
        Ticket.objects.filter(pk__in=list(members))
        .select_related("organization")
        .order_by("-created_at", "-pk")
        .only("subject", "description", "created_at", "organization__tier")
    ):
        tickets[members[ticket.pk]].append(ticket)
    described = []
    for group in groups:
        own = tickets[group.slot]  # the latest first
        tiers = Counter(t.organization.tier if t.organization else NO_TIER for t in own)
        described.append(
            SignalGroup(
                title=mining.representative_subject(group),
                ticket_count=len(own),
                tiers=dict(tiers.most_common()),
                first_seen=own[-1].created_at,
                last_seen=own[0].created_at,
                key_terms=mining.key_terms(group, vectoriser),
                examples=own[:EXAMPLES],
            )
        )
    described.sort(key=lambda g: (-g.ticket_count, -g.last_seen.timestamp(), g.title))
    return described


def example_excerpt(ticket: Ticket) -> str:
    """What the customer wrote, shortened, without the e-mail addresses they typed."""
    text = " ".join(ticket.description.split())
    if len(text) > EXCERPT_CHARS:
        text = text[: EXCERPT_CHARS - 1].rstrip() + "…"
    return without_contact_details(text)


def product_signal_counts(*, since: datetime, until: datetime) -> dict[str, int]:
    """How many tickets were resolved as each kind of product signal in [since, until)."""
    counts = dict(
        Ticket.objects.filter(resolution__in=KINDS, resolved_at__gte=since, resolved_at__lt=until)
        .values_list("resolution")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {kind: counts.get(kind, 0) for kind in KINDS}
