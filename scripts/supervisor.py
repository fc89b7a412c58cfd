"""Keeps a few child processes running: a dead one is restarted with back-off; stop ends all.

`make serve-prod` supervises gunicorn and the q2 cluster with it, so that one of them dying
(a crash, the OOM killer, a `kill -9`) neither takes the other down nor leaves the site half
up. A child that keeps dying right after its start is given up on, loudly, and then everything
stops: a supervisor above (systemd, the container runtime) or a person has to look.

Each child runs in a session (process group) of its own. Stopping sends SIGTERM to every
child's main process at once, waits a bounded time for them, then SIGKILLs what is left of
each group, so Ctrl-C returns within `stop_timeout` seconds whatever the children do.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# A child that dies this many times within RAPID_WINDOW seconds is not going to get better.
MAX_RAPID_DEATHS = 5
RAPID_WINDOW = 60.0
FIRST_DELAY, MAX_DELAY = 0.5, 10.0
STOP_TIMEOUT = 6.0


def say(*parts) -> None:
    sys.stdout.write(" ".join(str(part) for part in parts) + "\n")
    sys.stdout.flush()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass  # the whole group is gone already


def stop_process_groups(
    processes: dict[str, subprocess.Popen], *, timeout: float = STOP_TIMEOUT, report=say
) -> dict[str, str]:
    """SIGTERM each main process, wait at most `timeout` for all, SIGKILL the rest of each group.

    Only the main process gets SIGTERM: gunicorn's master and the q2 cluster's sentinel each
    stop their own workers in order, while a signal to the whole group kills q2's monitor
    before the sentinel can hand it its last results, and the sentinel then waits for it.
    Returns how each one ended: "stopped" or "killed".
    """
    running = {name: p for name, p in processes.items() if p is not None and p.poll() is None}
    for process in running.values():
        try:
            process.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    outcome = {}
    for name, process in running.items():
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
            outcome[name] = "stopped"
        except subprocess.TimeoutExpired:
            outcome[name] = "killed"
            report(f"{name} did not stop within {timeout:.0f}s; killing it")
    for process in processes.values():
        if process is not None:
            # Also whatever a main process left behind in its group (workers of a dead master).
            _signal_group(process, signal.SIGKILL)
            process.wait()
    return outcome


@dataclass
class Child:
    name: str
    start: Callable[[], subprocess.Popen]
    process: subprocess.Popen | None = None
    deaths: list[float] = field(default_factory=list)
    restart_at: float | None = None


class Supervisor:
    """Start children, restart those that die (back-off doubling per rapid death), stop all."""

    def __init__(
        self,
        children: dict[str, Callable[[], subprocess.Popen]],
        *,
        first_delay: float = FIRST_DELAY,
        max_delay: float = MAX_DELAY,
        max_rapid_deaths: int = MAX_RAPID_DEATHS,
        rapid_window: float = RAPID_WINDOW,
        stop_timeout: float = STOP_TIMEOUT,
        poll_interval: float = 0.2,
        report: Callable[..., None] = say,
    ):
        self.children = [Child(name, start) for name, start in children.items()]
        self.first_delay, self.max_delay = first_delay, max_delay
        self.max_rapid_deaths, self.rapid_window = max_rapid_deaths, rapid_window
        self.stop_timeout, self.poll_interval = stop_timeout, poll_interval
        self.report = report
        self.gave_up: str | None = None

    def processes(self) -> dict[str, subprocess.Popen | None]:
        return {child.name: child.process for child in self.children}

    def _launch(self, child: Child) -> None:
        child.process = child.start()
        child.restart_at = None
        self.report(f"{child.name} started (pid {child.process.pid})")

    def start(self) -> None:
        for child in self.children:
            self._launch(child)

    def check(self) -> bool:
        """One round: note deaths, restart children whose back-off is over. False: gave up."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    self._launch(child)
                continue
            code = child.process.poll() if child.process is not None else None
            if code is None:
                continue
            # Its workers may outlive it (and hold the port, or a task): clear the group first.
            _signal_group(child.process, signal.SIGKILL)
            child.process = None
            child.deaths = [t for t in child.deaths if now - t < self.rapid_window] + [now]
            rapid = len(child.deaths)
            if rapid >= self.max_rapid_deaths:
                self.gave_up = child.name
                self.report(
                    f"{child.name} exited with {code}: {rapid} exits within "
                    f"{self.rapid_window:.0f}s, giving up and stopping everything"
                )
                return False
            delay = min(self.first_delay * 2 ** (rapid - 1), self.max_delay)
            child.restart_at = now + delay
            self.report(f"{child.name} exited with {code}; restarting it in {delay:.1f}s")
        return True

    def run(
        self, *, stopping: Callable[[], bool], on_poll: Callable[[], None] | None = None
    ) -> int:
        """Supervise until `stopping()` is true or a child is given up on (then 1); stop all."""
        status = 0
        try:
            self.start()
            while not stopping():
                if not self.check():
                    status = 1
                    break
                if on_poll is not None:
                    on_poll()
                time.sleep(self.poll_interval)
        finally:
            self.stop()
        return status

    def stop(self) -> dict[str, str]:
        for child in self.children:
            child.restart_at = None
        return stop_process_groups(self.processes(), timeout=self.stop_timeout, report=self.report)
