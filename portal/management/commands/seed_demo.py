"""Load the demo knowledge base and create demo accounts, printing each new password once."""

from django.core.management.base import BaseCommand

from kb.demo import demo_content_load
from kb.index import build_and_store
from portal.services import demo_users_create


class Command(BaseCommand):
    help = "Load demo articles into an empty knowledge base and create the demo accounts."

    def handle(self, *args, **options):
        report = demo_content_load()
        if report is None:
            self.stdout.write("Knowledge base already has articles: demo content not loaded.")
        else:
            self.stdout.write(f"Demo knowledge base: {report.created} articles created.")
            for line, error in report.skipped:
                self.stderr.write(f"demo article on line {line} skipped: {error}")
        # Build now so that suggestions work the moment the server starts.
        build_and_store()
        accounts = demo_users_create()
        if accounts:
            self.stdout.write("\nDemo accounts (passwords are shown only this once):")
            for account in accounts:
                self.stdout.write(f"  {account.role:<9} {account.email:<24} {account.password}")
            self.stdout.write("")
