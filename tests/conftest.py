"""Fixtures shared by the whole suite. Django is imported lazily so pure engine tests run alone."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_process_state(request):
    """Each test starts with an empty cache and no suggestion index loaded in this process."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from django.core.cache import cache

    from kb import shared_index

    cache.clear()
    shared_index.reset_for_tests()
    yield
    shared_index.reset_for_tests()


@pytest.fixture
def kb_root(db):
    from kb.services import kb_root_get

    return kb_root_get()


@pytest.fixture
def customer(db):
    from tests.factories import make_user

    return make_user("customer@example.com")


@pytest.fixture
def editor(db):
    from tests.factories import make_editor

    return make_editor("editor@example.com")


@pytest.fixture
def agent(db):
    from tests.factories import make_agent

    return make_agent()


@pytest.fixture
def other_customer(db):
    from tests.factories import make_user

    return make_user("other@example.com")


@pytest.fixture
def demo_articles(db):
    """A few articles of a realistic help centre, enough for BM25 statistics to make sense."""
    from tests.factories import make_article

    specs = [
        (
            "Reset your password",
            "Click Forgot password on the sign-in page; we e-mail a link.",
            "Account",
        ),
        (
            "Set up two-factor authentication",
            "Protect your account with an authenticator app code.",
            "Account",
        ),
        (
            "Download invoices and receipts",
            "Every invoice is a PDF under Settings, Billing, Invoices.",
            "Billing",
        ),
        (
            "Why was my card declined?",
            "Your bank refused the payment; check the expiry date and limit.",
            "Billing",
        ),
        (
            "Connect Tandem to Slack",
            "Post shift changes into a Slack channel of your choice.",
            "Integrations",
        ),
        (
            "Export timesheets to CSV",
            "Download approved timesheets as a CSV file for payroll.",
            "Reports",
        ),
    ]
    return {title: make_article(title, body, category=cat) for title, body, cat in specs}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs what the block queued for after commit (e-mails, builds)."""

    def block():
        return django_capture_on_commit_callbacks(execute=True)

    return block


@pytest.fixture(scope="session")
def _migrated_data(django_db_setup, django_db_blocker):
    """What the migrations put in the database (site, KB root, groups), captured once."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    with django_db_blocker.unblock():
        # Restoring this data builds Wagtail pages, whose constructor asks for their content
        # type: with that not cached, it would be created ahead of its own row and the restore
        # of the next test would fail. Cache every content type now, while the ids are right.
        ContentType.objects.get_for_models(*apps.get_models())
        return connection.creation.serialize_db_to_string()


@pytest.fixture
def _serialized_contents(_migrated_data):
    from django.db import connections

    # Django keeps this on the connection object, which is per thread *and* per event loop:
    # once Playwright runs its loop here, the connection is a fresh one without it.
    connections["default"]._test_serialized_contents = _migrated_data


@pytest.fixture
def committed_db(_serialized_contents, transactional_db, django_db_serialized_rollback):
    """A database whose writes really commit, for a live server or a second process.

    Each such test starts from the migrated data (site, knowledge-base root, groups).
    """
