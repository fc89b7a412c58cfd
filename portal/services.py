"""Setting up a portal: the demo accounts `make run` creates."""

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from .models import User

AGENTS_GROUP = "Agents"
EDITORS_GROUP = "Editors"  # created by Wagtail's own migrations, as is Moderators
MODERATORS_GROUP = "Moderators"
MANAGERS_GROUP = "Support managers"

DEMO_ACCOUNTS = [
    # role, e-mail, groups, is_staff, is_superuser
    ("customer", "customer@example.com", [], False, False),
    ("agent", "agent@example.com", [AGENTS_GROUP], True, False),
    # Editors work in Wagtail admin only: not staff, so the Django admin (tickets) is closed.
    ("editor", "editor@example.com", [EDITORS_GROUP, MODERATORS_GROUP], False, False),
    ("admin", "admin@example.com", [], True, True),
]


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str


@transaction.atomic
def demo_users_create() -> list[DemoAccount]:
    """Create the demo accounts that don't exist yet, each with a fresh random password."""
    created = []
    for role, email, groups, is_staff, is_superuser in DEMO_ACCOUNTS:
        if User.objects.filter(email__iexact=email).exists():
            continue
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(
            email=email,
            password=password,
            first_name=role.capitalize(),
            last_name="Demo",
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
        for name in groups:
            group, _ = Group.objects.get_or_create(name=name)
            user.groups.add(group)
        created.append(DemoAccount(role, email, password))
    return created
