"""Generate a realistic year of tickets for demos and benchmarks."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tickets import groups
from tickets.seeding import historical_timestamps, seed_history, seeded_remove

User = get_user_model()


class Command(BaseCommand):
    help = (
        "Insert a year of support history: tickets with their status history, organizations "
        "and tiers, deflected and abandoned contacts. Seeded customers use @*.seed.example."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=5000)
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--remove", action="store_true", help="Delete seeded history instead.")

    def handle(self, *args, tickets, days, seed, remove, **options):
        if remove:
            self.stdout.write(f"Removed {seeded_remove()} seeded rows.")
            return
        if not 1 <= tickets <= 2_000_000 or not 7 <= days <= 3650:
            raise CommandError("--tickets must be 1–2,000,000 and --days 7–3650.")
        agents = list(User.objects.filter(is_staff=True, groups__name=groups.AGENTS)[:20])
        started = time.perf_counter()
        with historical_timestamps():
            report = seed_history(tickets=tickets, days=days, seed=seed, agents=agents)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{report.tickets} tickets, {report.events} events, {report.sessions} contact "
            f"sessions, {report.organizations} organizations in {seconds:.1f}s"
            + ("" if agents else " (no agents yet: every ticket is unassigned)")
        )
