"""The recurring jobs are set up by the project itself, once, and survive re-running."""

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from portal.schedules import SCHEDULES

pytestmark = pytest.mark.django_db


def test_migrating_sets_up_every_schedule_and_setting_up_again_adds_none(capsys):
    names = {name for name, *_ in SCHEDULES}
    assert names <= set(Schedule.objects.values_list("name", flat=True))
    assert "Mine knowledge-base gaps (nightly)" in names
    call_command("setup_schedules")
    call_command("setup_schedules")
    assert Schedule.objects.filter(name__in=names).count() == len(names)
    assert "0 created" in capsys.readouterr().out


def test_the_nightly_gap_mining_runs_at_night():
    nightly = Schedule.objects.get(name="Mine knowledge-base gaps (nightly)")
    assert nightly.schedule_type == Schedule.DAILY
    assert nightly.func == "tickets.tasks.mine_knowledge_base_gaps"
