"""Text analysis: what a ticket or an article turns into before ranking."""

from kb.engine.analysis import (
    MAX_TOKEN_LENGTH,
    analyze,
    ends_mid_word,
    find_words,
    highlight,
    last_word_prefix,
    one_edit_away,
    stem,
    surface_tokens,
    surface_words,
)


def test_words_are_case_folded_and_keep_accents_and_other_scripts():
    assert surface_tokens("Café ÜBER Straße 日本語 Ελληνικά") == [
        "café",
        "über",
        "strasse",
        "日本語",
        "ελληνικά",
    ]


def test_full_width_letters_and_ligatures_read_as_plain_letters():
    assert surface_tokens("ＡＢＣ ﬁle") == ["abc", "file"]


def test_digits_are_kept_so_codes_and_versions_can_be_searched():
    assert analyze("2FA error 404 after v1 upgrade") == ["2fa", "error", "404", "v1", "upgrad"]


def test_stopwords_are_dropped_by_analysis_but_kept_as_surface_tokens():
    assert surface_tokens("How do I change my password") == [
        "how",
        "do",
        "i",
        "change",
        "my",
        "password",
    ]
    assert analyze("How do I change my password") == ["chang", "password"]


def test_particles_that_change_the_meaning_are_not_stopwords():
    assert analyze("log out") == ["log", "out"]
    assert analyze("sign up") == ["sign", "up"]


def test_ticket_pleasantries_are_stopwords():
    assert analyze("Hi, thanks please help") == ["help"]


def test_inflections_share_a_stem():
    assert analyze("invoices") == analyze("invoice") == analyze("invoicing")
    assert analyze("running") == analyze("runs")


def test_british_spellings_read_as_the_american_ones():
    assert analyze("licence colour centre") == analyze("license color center")
    assert analyze("authorised, customising") == analyze("authorized, customizing")


def test_hyphenated_words_match_their_joined_and_spaced_spellings():
    assert surface_tokens("two-factor") == ["two", "factor", "twofactor"]
    assert set(analyze("e-mail")) >= set(analyze("email"))
    assert set(analyze("e-mail")) >= set(analyze("mail"))


def test_camel_case_words_are_also_read_as_their_parts():
    assert surface_tokens("Restart the ObjectServer") == [
        "restart",
        "the",
        "objectserver",
        "object",
        "server",
    ]


def test_the_readings_of_each_written_word_stay_together():
    text = "Restart the ObjectServer after two-factor sign-in"
    assert surface_words(text) == [
        ("restart",),
        ("the",),
        ("objectserver", "object", "server"),
        ("after",),
        ("two", "factor", "twofactor"),
        ("sign", "in", "signin"),
    ]
    assert [token for word in surface_words(text) for token in word] == surface_tokens(text)


def test_a_single_letter_of_a_compound_is_not_a_token():
    assert "e" not in surface_tokens("e-mail")


def test_a_compound_whose_joined_form_stems_like_a_part_counts_once():
    assert analyze("run-s") == ["run"]


def test_contractions_are_stopwords_and_never_become_other_words():
    assert analyze("I can't log in, don't know why") == ["log", "know"]
    assert analyze("we'll see") == ["see"]  # not "well"
    assert analyze("can’t") == []  # typographic apostrophe


def test_possessive_s_is_dropped():
    assert surface_tokens("the customer's invoice") == ["the", "customer", "invoice"]


def test_dotted_names_keep_their_parts_and_the_whole():
    assert surface_tokens("facebook.com") == ["facebook", "com", "facebook.com"]
    assert surface_tokens("version 4.1.2") == ["version", "4.1.2"]


def test_a_version_written_with_a_v_is_also_the_bare_number():
    assert surface_tokens("V8.5.1.2") == ["v8", "v8.5.1.2", "8.5.1.2"]
    assert surface_tokens("v1") == ["v1"]  # not a dotted version: left as written


def test_overlong_tokens_are_dropped():
    assert surface_tokens("a" * (MAX_TOKEN_LENGTH + 1) + " password") == ["password"]


def test_stem_of_a_stopword_is_none():
    assert stem("the") is None
    assert stem("passwords") == "password"


def test_one_edit_away_covers_deletions_swaps_replacements_and_insertions():
    edits = one_edit_away("pasword")
    assert {"password", "pasword"[1:], "apsword", "basword"} <= edits
    assert "pasword" not in edits


def test_text_ending_in_a_letter_is_still_being_typed():
    assert ends_mid_word("reset my passw")
    assert not ends_mid_word("reset my password ")
    assert not ends_mid_word("reset my password?")
    assert not ends_mid_word("")


def test_last_word_prefix_is_the_part_after_a_hyphen():
    assert last_word_prefix("reset my PASSW") == "passw"
    assert last_word_prefix("set up two-fa") == "fa"
    assert last_word_prefix("done.") == ""


def test_highlight_escapes_html_and_marks_matching_words():
    text = "Use <b>Settings</b> & reset your Password."
    spans = find_words(text, {"password": 1.0, "settings": 1.0})
    assert highlight(text, spans) == (
        "Use &lt;b&gt;<mark>Settings</mark>&lt;/b&gt; &amp; reset your <mark>Password</mark>."
    )


def test_highlight_does_not_mark_words_inside_longer_words():
    text = "The login page logs you in."
    assert highlight(text, find_words(text, {"log": 1.0})) == "The login page logs you in."


def test_highlight_of_a_long_text_is_a_window_around_the_matches():
    text = (
        "Intro sentence about nothing much. " * 20 + "Here you renew the domain. " + "Tail. " * 40
    )
    snippet = highlight(text, find_words(text, {"domain": 1.0}), width=120)
    assert "<mark>domain</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 160
