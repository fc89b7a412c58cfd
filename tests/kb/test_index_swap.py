"""Production's way of refreshing suggestions: publishing queues a build for the worker, and each
process swaps the new index in behind the requests it keeps serving from the old one. (The
rest of the suite builds and loads in the request, so that it sees changes at once.)"""

import time

import pytest
from django.utils.module_loading import import_string
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.signing import SignedPackage

from kb.engine.suggest import SuggestIndex
from kb.selectors import suggest_articles
from tests.factories import make_article

SLACK = ("Connect Slack", "Post shift changes to a Slack channel.")
QUICKBOOKS = ("Export to QuickBooks", "Send approved payroll hours to QuickBooks.")


@pytest.fixture
def production_refresh(settings, monkeypatch, committed_db):
    """Tasks go to the broker for a worker instead of running in the request; a newer index
    loads in a background thread."""
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    settings.SUGGEST_INDEX_LOAD_IN_BACKGROUND = True
    monkeypatch.setattr(Conf, "SYNC", False)
    broker = get_broker()
    yield broker
    broker.purge_queue()


def worker_runs_queued_tasks(broker) -> dict[str, int]:
    """What a django-q2 worker does with the queue: run each task, count what failed."""
    outcome = {"ran": 0, "failed": 0}
    for _ in range(20):
        tasks = broker.dequeue() or []
        if not tasks:
            return outcome
        for ack_id, pack in tasks:
            task = SignedPackage.loads(pack)
            try:
                import_string(task["func"])(*task["args"], **task["kwargs"])
                outcome["ran"] += 1
            except Exception:  # noqa: BLE001  (the worker records a failure and goes on)
                outcome["failed"] += 1
            broker.acknowledge(ack_id)
    raise AssertionError("the queue never emptied")


def queued_functions(broker) -> list[str]:
    """Take the queued tasks off the queue, unrun, and name their functions."""
    tasks = broker.dequeue() or []
    for ack_id, _pack in tasks:
        broker.acknowledge(ack_id)
    return [SignedPackage.loads(pack)["func"] for _ack, pack in tasks]


def suggested_ids(text: str) -> list[int]:
    return [s.key for s in suggest_articles(text).suggestions]


def eventually_suggested(text: str, expected: list[int], *, allowed_meanwhile: list[int]):
    deadline = time.monotonic() + 10
    while (found := suggested_ids(text)) != expected:
        assert found == allowed_meanwhile, f"{text!r} suggested {found}"
        assert time.monotonic() < deadline, f"{text!r} never suggested {expected}"
        time.sleep(0.05)


def test_a_published_article_is_suggested_once_the_worker_built_and_the_process_swapped_in(
    production_refresh,
):
    broker = production_refresh
    slack = make_article(*SLACK)
    assert worker_runs_queued_tasks(broker)["ran"] >= 1
    assert suggested_ids("slack channel") == [slack.pk]  # a first index loads in the request

    quickbooks = make_article(*QUICKBOOKS)
    # Publishing only asked for a build; until the worker runs it, the old index answers.
    assert suggested_ids("quickbooks payroll") == []
    assert suggested_ids("slack channel") == [slack.pk]
    assert worker_runs_queued_tasks(broker)["failed"] == 0

    eventually_suggested("quickbooks payroll", [quickbooks.pk], allowed_meanwhile=[])
    assert suggested_ids("slack channel") == [slack.pk]


def test_publishing_queues_the_build_for_the_worker_and_builds_nothing_in_the_request(
    production_refresh,
):
    broker = production_refresh
    slack = make_article(*SLACK)
    assert suggested_ids("slack channel") == []  # nothing was built in the request
    assert set(queued_functions(broker)) == {"kb.tasks.build_suggest_index"}
    import_string("kb.tasks.build_suggest_index")()
    eventually_suggested("slack channel", [slack.pk], allowed_meanwhile=[])


def test_a_failing_build_keeps_the_previous_suggestions_until_a_later_build_succeeds(
    production_refresh, monkeypatch
):
    broker = production_refresh
    slack = make_article(*SLACK)
    worker_runs_queued_tasks(broker)
    assert suggested_ids("slack channel") == [slack.pk]

    def out_of_memory(*args, **kwargs):
        raise MemoryError("the build ran out of memory")

    with monkeypatch.context() as broken:
        broken.setattr(SuggestIndex, "build", out_of_memory)
        quickbooks = make_article(*QUICKBOOKS)
        assert worker_runs_queued_tasks(broker)["failed"] >= 1
        for _ in range(3):
            assert suggested_ids("slack channel") == [slack.pk]
            assert suggested_ids("quickbooks payroll") == []

    # The schedule "Rebuild the suggestion index if stale" (every ten minutes) catches up.
    import_string("kb.tasks.build_suggest_index")()
    eventually_suggested("quickbooks payroll", [quickbooks.pk], allowed_meanwhile=[])
    assert suggested_ids("slack channel") == [slack.pk]


def test_publishing_while_the_task_broker_is_down_publishes_and_the_build_is_asked_for_again(
    production_refresh, monkeypatch, client
):
    broker = production_refresh
    slack = make_article(*SLACK)
    worker_runs_queued_tasks(broker)
    assert suggested_ids("slack channel") == [slack.pk]

    def refused(self, task):
        raise ConnectionError("Error 111 connecting to the broker. Connection refused.")

    with monkeypatch.context() as down:
        down.setattr(type(broker), "enqueue", refused)
        quickbooks = make_article(*QUICKBOOKS)
    assert client.get(quickbooks.url).status_code == 200  # published all the same
    assert worker_runs_queued_tasks(broker)["ran"] == 0  # the build request was lost

    # The next process that checks sees content newer than its index and asks again.
    assert suggested_ids("quickbooks payroll") == []
    assert worker_runs_queued_tasks(broker)["ran"] >= 1
    eventually_suggested("quickbooks payroll", [quickbooks.pk], allowed_meanwhile=[])
