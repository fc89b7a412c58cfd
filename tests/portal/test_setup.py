"""`make run` says what it is doing and keeps the demo passwords where only you can read them."""

import shutil
import stat
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_install_says_what_it_installs_and_lets_pip_show_its_progress(tmp_path):
    # -n prints the commands (echoes included) without running them; -B as on a new machine.
    planned = subprocess.run(
        ["make", "-n", "-B", "install-dev", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    pip_lines = [line for line in planned.splitlines() if " install " in line and "pip" in line]
    assert len(pip_lines) == 3  # pip itself, requirements.txt, requirements-dev.txt
    assert not any("--quiet" in line or " -q" in line for line in pip_lines)
    assert "Installing Deflect's requirements" in planned
    assert "Installing the test tools" in planned


@pytest.mark.django_db
def test_demo_passwords_are_written_to_a_file_only_the_owner_can_read(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("seed_demo", "--no-history", stdout=out)

    accounts = tmp_path / "demo-accounts.txt"
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600
    assert str(accounts) in out.getvalue()
    rows = [line.split() for line in accounts.read_text().splitlines() if "@" in line]
    assert {email for _role, email, _password in rows} == {
        "customer@example.com",
        "agent@example.com",
        "editor@example.com",
        "admin@example.com",
    }
    for _role, email, password in rows:
        assert authenticate(username=email, password=password) is not None, email

    # A second run creates no account: the file keeps the passwords and still says where it is.
    first = accounts.read_text()
    again = StringIO()
    call_command("seed_demo", "--no-history", stdout=again)
    assert accounts.read_text() == first
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600
    assert str(accounts) in again.getvalue()
