"""Ticket text as people read it: messages with live links and no markup, times as "ago"."""

from datetime import UTC, datetime, timedelta

import pytest

from tickets.rendering import message_html, time_ago

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)


def test_a_message_keeps_its_paragraphs_and_line_breaks_and_its_apostrophes():
    html = message_html("Hi,\nI can't export.\n\nIt's been a week.")
    assert html == "<p>Hi,<br>I can't export.</p>\n\n<p>It's been a week.</p>"


def test_an_address_in_a_message_is_a_link_that_opens_nothing_of_ours():
    html = message_html("See https://help.example.com/reports/export/ for the steps.")
    assert (
        '<a href="https://help.example.com/reports/export/" '
        'rel="noopener noreferrer nofollow">https://help.example.com/reports/export/</a>'
    ) in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        "javascript:alert(1)",
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    ],
)
def test_markup_typed_into_a_message_stays_text(hostile):
    html = message_html(f"Look: {hostile}")
    assert "<" not in html.removeprefix("<p>").removesuffix("</p>")
    assert "&lt;" in html or hostile == "javascript:alert(1)"


@pytest.mark.parametrize(
    ("ago", "said"),
    [
        (timedelta(seconds=0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=5, seconds=30), "5 minutes ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=23, minutes=59), "23 hours ago"),
        (timedelta(days=2), "2 days ago"),
        (timedelta(days=14), "2 weeks ago"),
        (timedelta(days=65), "2 months ago"),
        (timedelta(days=800), "2 years ago"),
        (timedelta(seconds=-30), "just now"),  # a clock a little ahead is not "in the future"
    ],
)
def test_when_something_happened_reads_the_way_people_say_it(ago, said):
    assert time_ago(NOW - ago, now=NOW) == said
