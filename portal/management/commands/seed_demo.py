"""Load the demo knowledge base, accounts and history; new passwords are printed and kept."""

from django.conf import settings
from django.core.management.base import BaseCommand

from kb.demo import demo_content_load, demo_places_set
from kb.shared_index import build_and_store, embed_pending
from portal.models import User
from portal.services import demo_accounts_write, demo_users_create
from tickets import groups
from tickets.answer_offer_seeding import answer_offers_seed
from tickets.gaps.mining import mine_gaps
from tickets.models import Ticket
from tickets.seeding import historical_timestamps, seed_history

DEMO_HISTORY_TICKETS = 800  # four months of a small help desk: enough for every chart


class Command(BaseCommand):
    help = (
        "Load demo articles into an empty knowledge base, create the demo accounts, and give an "
        "empty help desk a few months of history."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-history", action="store_true", help="Do not invent past tickets.")

    def handle(self, *args, no_history, **options):
        report = demo_content_load()
        if report is None:
            self.stdout.write("Knowledge base already has articles: demo content not loaded.")
        else:
            self.stdout.write(f"Demo knowledge base: {report.created} articles created.")
            for line, error in report.skipped:
                self.stderr.write(f"demo article on line {line} skipped: {error}")
        if report is not None:
            demo_places_set()
        # Build now so that suggestions work the moment the server starts.
        build_and_store()
        accounts = demo_users_create()
        if not no_history and not Ticket.objects.exists():
            agents = list(User.objects.filter(groups__name=groups.AGENTS))
            with historical_timestamps():
                history = seed_history(tickets=DEMO_HISTORY_TICKETS, days=120, agents=agents)
            mined = mine_gaps()
            # Offers are decided with meaning, as with a worker running: embed the articles now.
            while embed_pending(then_build=False):
                pass
            build_and_store()
            offered = answer_offers_seed()
            self.stdout.write(
                f"Demo history: {history.tickets} tickets over 120 days, "
                f"{mined.created} articles to write, {offered} answers offered after filing."
            )
        passwords = settings.VAR_DIR / "demo-accounts.txt"
        if accounts:
            demo_accounts_write(accounts=accounts, path=passwords)
            self.stdout.write("\nDemo accounts (passwords are shown only this once):")
            for account in accounts:
                self.stdout.write(f"  {account.role:<9} {account.email:<24} {account.password}")
            self.stdout.write(f"The passwords are also in {passwords} (readable only by you).\n")
        elif passwords.exists():
            self.stdout.write(f"Demo accounts' passwords: {passwords}")
