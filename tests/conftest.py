"""Fixtures shared by the whole suite. Django is imported lazily so pure engine tests run alone."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_process_state(request):
    """Each test starts with an empty cache and no suggestion index loaded in this process."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from django.core.cache import cache

    from kb import index

    cache.clear()
    index.reset_for_tests()
    yield
    index.reset_for_tests()


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
