"""The supervisor of `make serve-prod`: restarts a dead child with back-off, gives up, stops."""

import os
import signal
import subprocess
import sys
import time

import pytest

from scripts.supervisor import Supervisor, stop_process_groups

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="process groups are POSIX")

SLEEPER = "import time; time.sleep(60)"
CRASHER = "import sys; sys.exit(3)"
# Ignores SIGTERM and leaves a grandchild in its group, as a stuck server with workers would.
STUBBORN = (
    "import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
    "print(child.pid, flush=True); time.sleep(60)"
)


def child(code: str, **kwargs):
    def start() -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", code], start_new_session=True, text=True, **kwargs
        )

    return start


def alive(pid: int) -> bool:
    # A zombie nobody has reaped yet is dead for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def supervise_until(supervisor: Supervisor, condition, *, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        assert supervisor.check(), f"the supervisor gave up on {supervisor.gave_up}"
        time.sleep(0.02)


@pytest.fixture
def messages():
    return []


def make_supervisor(children, messages, **options) -> Supervisor:
    options = {"first_delay": 0.1, "stop_timeout": 2, "poll_interval": 0.02, **options}
    return Supervisor(children, report=lambda *parts: messages.append(" ".join(parts)), **options)


def test_a_killed_child_is_restarted_and_its_neighbour_keeps_running(messages):
    supervisor = make_supervisor({"worker": child(SLEEPER), "web": child(SLEEPER)}, messages)
    supervisor.start()
    try:
        worker, web = supervisor.processes()["worker"], supervisor.processes()["web"]
        os.killpg(worker.pid, signal.SIGKILL)

        def restarted():
            current = supervisor.processes()["worker"]
            return current is not None and current.pid != worker.pid

        supervise_until(supervisor, restarted)
        assert alive(supervisor.processes()["worker"].pid)
        assert supervisor.processes()["web"] is web and alive(web.pid)
        assert "worker exited with -9; restarting it in 0.1s" in messages
    finally:
        supervisor.stop()


def test_a_child_that_keeps_dying_is_restarted_later_and_later(messages):
    supervisor = make_supervisor(
        {"crasher": child(CRASHER)}, messages, first_delay=0.1, max_delay=0.4
    )
    supervisor.start()
    try:
        supervise_until(supervisor, lambda: len(messages) >= 8)
    finally:
        supervisor.stop()
    delays = [m.split(" in ")[1] for m in messages if "restarting" in m]
    assert delays[:4] == ["0.1s", "0.2s", "0.4s", "0.4s"]  # doubling, up to max_delay
    assert all(m.startswith("crasher exited with 3") for m in messages if "exited" in m)


def test_gives_up_after_too_many_rapid_deaths_says_so_and_stops_the_rest(messages):
    supervisor = make_supervisor(
        {"crasher": child(CRASHER), "web": child(SLEEPER)}, messages, max_rapid_deaths=3
    )
    started = time.monotonic()
    status = supervisor.run(stopping=lambda: False)

    assert status == 1
    assert time.monotonic() - started < 10
    assert supervisor.gave_up == "crasher"
    assert messages[-1].startswith("crasher exited with 3: 3 exits within 60s, giving up")
    assert sum("crasher started" in m for m in messages) == 3
    assert not alive(supervisor.processes()["web"].pid)


def test_deaths_long_apart_are_not_counted_as_rapid(messages):
    supervisor = make_supervisor(
        {"crasher": child(CRASHER)}, messages, max_rapid_deaths=2, rapid_window=0.01
    )
    supervisor.start()
    try:
        supervise_until(supervisor, lambda: sum("started" in m for m in messages) >= 4)
    finally:
        supervisor.stop()
    assert supervisor.gave_up is None


def test_stop_ends_children_that_exit_on_sigterm_without_killing_them(messages):
    supervisor = make_supervisor({"a": child(SLEEPER), "b": child(SLEEPER)}, messages)
    supervisor.start()
    started = time.monotonic()
    assert supervisor.stop() == {"a": "stopped", "b": "stopped"}
    assert time.monotonic() - started < 1.5


def test_stop_is_prompt_even_when_a_child_ignores_sigterm_and_has_children(messages):
    supervisor = make_supervisor(
        {"stubborn": child(STUBBORN, stdout=subprocess.PIPE), "b": child(SLEEPER)},
        messages,
        stop_timeout=1,
    )
    supervisor.start()
    stubborn = supervisor.processes()["stubborn"]
    grandchild = int(stubborn.stdout.readline())
    started = time.monotonic()

    assert supervisor.stop() == {"stubborn": "killed", "b": "stopped"}

    assert time.monotonic() - started < 2.5
    assert "stubborn did not stop within 1s; killing it" in messages
    time.sleep(0.1)  # the grandchild's new parent (init) reaps it
    assert not alive(grandchild)


def test_run_stops_everything_when_asked(messages):
    supervisor = make_supervisor({"a": child(SLEEPER)}, messages)
    asked_at = time.monotonic() + 0.3
    status = supervisor.run(stopping=lambda: time.monotonic() > asked_at)
    assert status == 0
    assert supervisor.processes()["a"].returncode is not None
    assert time.monotonic() - asked_at < 1.5


def test_stop_process_groups_leaves_no_orphan_of_a_dead_main_process():
    stubborn = child(STUBBORN, stdout=subprocess.PIPE)()
    grandchild = int(stubborn.stdout.readline())
    os.kill(stubborn.pid, signal.SIGKILL)
    stubborn.wait()

    stop_process_groups({"stubborn": stubborn}, timeout=1, report=lambda *a: None)

    time.sleep(0.1)
    assert not alive(grandchild)
