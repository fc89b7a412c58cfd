"""Setting up a portal: the demo accounts `make run` creates."""

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import Group
from django.db import transaction

from portal.models import User
from tickets import groups

DEMO_ACCOUNTS = [
    # role, e-mail, groups, is_staff, is_superuser
    ("customer", "customer@example.com", [], False, False),
    ("agent", "agent@example.com", [groups.AGENTS], True, False),
    # Editors work in Wagtail admin only: not staff, so the Django admin (tickets) is closed.
    ("editor", "editor@example.com", [groups.EDITORS, groups.MODERATORS], False, False),
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
    for role, email, group_names, is_staff, is_superuser in DEMO_ACCOUNTS:
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
        for name in group_names:
            group, _ = Group.objects.get_or_create(name=name)
            user.groups.add(group)
        created.append(DemoAccount(role, email, password))
    return created


def demo_accounts_write(*, accounts: list[DemoAccount], path: Path) -> None:
    """Add new demo passwords to a file only its owner can read, keeping the ones it has."""
    rows = {}
    if path.exists():
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) == 3 and "@" in parts[1]:
                rows[parts[1]] = line
    for account in accounts:
        rows[account.email] = f"{account.role:<9} {account.email:<24} {account.password}"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created 0600, not chmod-ed after writing: the passwords are never readable by others.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an older file may have been created with a wider mode
    with os.fdopen(fd, "w") as file:
        file.write("# Deflect demo accounts: role, e-mail, password (seed_demo)\n")
        file.write("".join(f"{row}\n" for row in rows.values()))
