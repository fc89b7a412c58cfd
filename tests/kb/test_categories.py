"""Categories and article addresses: one category per name, one address per article."""

import pytest

from kb.models import FailedSearch
from kb.services import category_get_or_create, failed_search_record, kb_root_get
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_two_articles_with_the_same_title_each_have_their_own_page(client):
    first = make_article("Reset your password", "Use the Forgot password link.")
    second = make_article("Reset your password", "Ask your workspace owner.")
    assert first.url != second.url
    assert "Use the Forgot password link." in client.get(first.url).content.decode()
    assert "Ask your workspace owner." in client.get(second.url).content.decode()


def test_a_category_is_found_by_its_name_in_any_case_and_its_description_updated():
    root = kb_root_get()
    billing = category_get_or_create(root=root, name="Billing", description="Invoices.")
    again = category_get_or_create(root=root, name="  billing ", description="Invoices and plans.")
    assert again.pk == billing.pk
    again.refresh_from_db()
    assert again.description == "Invoices and plans." and again.live
    assert category_get_or_create(root=root, name="BILLING").description == "Invoices and plans."


def test_a_blank_search_is_not_counted_as_a_failed_search():
    failed_search_record(query="   ")
    failed_search_record(query="Snowflake  export")
    failed_search_record(query="snowflake export")
    assert list(FailedSearch.objects.values_list("query", "count")) == [("snowflake export", 2)]
