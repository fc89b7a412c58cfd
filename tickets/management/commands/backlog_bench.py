"""Time the backlog dashboard on this database: the figures, and the whole page rendered."""

import statistics
import time

from django.contrib.auth import get_user_model
from django.contrib.messages.storage import default_storage
from django.contrib.sessions.backends.cache import SessionStore
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import RequestFactory

from tickets.backlog import metrics
from tickets.backlog.dashboard import backlog_dashboard
from tickets.models import Ticket

User = get_user_model()


class Command(BaseCommand):
    help = "Render the backlog dashboard several times and print how long it takes."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, runs, **options):
        # An unsaved active superuser passes every permission check without touching the data.
        user = User(email="bench@example.com", is_staff=True, is_superuser=True, is_active=True)
        figures, pages = [], []
        for _ in range(runs):
            started = time.perf_counter()
            metrics.backlog_summary()
            figures.append(time.perf_counter() - started)
            request = RequestFactory().get("/django-admin/backlog/")
            request.user, request.session = user, SessionStore()
            request._messages = default_storage(request)
            started = time.perf_counter()
            backlog_dashboard(request).render()
            pages.append(time.perf_counter() - started)
        self.stdout.write(
            f"{Ticket.objects.count():,} tickets on {connection.vendor}: figures median "
            f"{statistics.median(figures):.3f}s (max {max(figures):.3f}s), whole dashboard "
            f"median {statistics.median(pages):.3f}s (max {max(pages):.3f}s) over {runs} runs"
        )
