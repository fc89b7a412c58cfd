"""Synonym groups: the starter set a new knowledge base has, files of groups, editors' mistakes."""

import pytest

from kb.synonyms import group_problems, read_groups, split_group, starter_groups
from tests.factories import make_editor

ADD_URL = "/admin/snippets/kb/synonymgroup/add/"


def test_the_starter_groups_pass_the_checks_an_editors_group_must():
    for group in starter_groups():
        assert group_problems(group) == [], group


def test_a_phrase_that_shrinks_to_one_word_is_refused_with_the_reason():
    # "in" is a stopword: "log in" would match every article about logs.
    [problem] = group_problems(split_group("log in, login"))
    assert "“log in” reads as “log”" in problem


def test_a_group_of_common_words_or_of_one_word_twice_is_refused():
    assert len(group_problems(["the", "a"])) == 3  # two too common, and no group left
    assert group_problems(["invoice", "invoices"]) == [
        "A group needs at least two different words or phrases."
    ]


def test_a_file_of_groups_has_one_group_per_line_and_skips_blanks_and_comments(tmp_path):
    path = tmp_path / "synonyms.txt"
    path.write_text("# ours\ninvoice, statement\n\n cancel ,unsubscribe,\n", encoding="utf-8")
    assert read_groups(path) == [["invoice", "statement"], ["cancel", "unsubscribe"]]


@pytest.mark.django_db
def test_an_editor_sees_why_a_group_is_refused_and_nothing_is_saved(client):
    from kb.models import SynonymGroup

    client.force_login(make_editor())
    before = SynonymGroup.objects.count()
    response = client.post(ADD_URL, {"terms": "log in, login"})
    assert response.status_code == 200
    assert "once common words are left out" in response.content.decode()
    assert SynonymGroup.objects.count() == before
    response = client.post(ADD_URL, {"terms": "login, signin"})
    assert response.status_code == 302
    assert SynonymGroup.objects.filter(terms="login, signin").exists()
