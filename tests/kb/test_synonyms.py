"""Synonym groups as text: the starter set a new knowledge base has, and files of groups."""

from kb.analysis import analyze
from kb.synonyms import read_groups, starter_groups


def test_no_starter_phrase_shrinks_to_one_word():
    # "log in" analyses to "log" ("in" is a stopword): as a synonym it would match log files.
    for group in starter_groups():
        for phrase in (member for member in group if " " in member):
            assert len(analyze(phrase)) > 1, phrase


def test_a_file_of_groups_has_one_group_per_line_and_skips_blanks_and_comments(tmp_path):
    path = tmp_path / "synonyms.txt"
    path.write_text("# ours\ninvoice, statement\n\n cancel ,unsubscribe,\n", encoding="utf-8")
    assert read_groups(path) == [["invoice", "statement"], ["cancel", "unsubscribe"]]
