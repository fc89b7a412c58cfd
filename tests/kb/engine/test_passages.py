"""The passage that answers: an article's steps, callouts and paragraphs, ranked for a question
by the suggestion engine (kb/engine/passages.py), without Django."""

from kb import markup
from kb.engine.passages import (
    CALLOUT,
    PARAGRAPH,
    STEPS,
    Passage,
    best_passage,
    block_anchor,
    indexed,
    passages_from_blocks,
    plain_query,
)
from kb.engine.suggest import Document, SuggestIndex

EXPORT = """
<p>Timesheets can be exported by any manager once a pay period is approved.</p>
<h2>Export a pay period</h2>
<ol><li>Open Reports, then Timesheets.</li><li>Pick the pay period.</li>
<li>Click Export and choose CSV.</li></ol>
<blockquote><p>Warning: exports leave out shifts that are still pending approval.</p></blockquote>
<p>The CSV file uses commas as separators; Excel in some countries expects semicolons,
so open it with Data, From text.</p>
"""


def blocks(html: str) -> list[dict]:
    return markup.html_to_blocks(markup.to_safe_html(html))


def answer(html: str, question: str, index: SuggestIndex | None = None) -> Passage | None:
    candidates = indexed(passages_from_blocks(blocks(html)))
    query = index.passage_query(question) if index is not None else plain_query(question)
    return best_passage(candidates, query)


def test_an_article_is_cut_into_its_paragraphs_steps_and_callouts_in_reading_order():
    found = passages_from_blocks(blocks(EXPORT))
    assert [p.kind for p in found] == [PARAGRAPH, STEPS, CALLOUT, PARAGRAPH]
    steps = found[1]
    assert steps.heading == "Export a pay period"
    assert steps.items == (
        "Open Reports, then Timesheets.",
        "Pick the pay period.",
        "Click Export and choose CSV.",
    )
    assert found[2].text == "exports leave out shifts that are still pending approval."
    assert all(p.anchor.startswith("block-") for p in found)


def test_the_anchor_of_a_passage_is_the_anchor_its_block_is_rendered_with():
    raw = blocks(EXPORT)
    steps_block = next(b for b in raw if b["type"] == "steps")
    (steps,) = [p for p in passages_from_blocks(raw) if p.kind == STEPS]
    assert steps.anchor == block_anchor(steps_block["id"]) == "block-" + steps_block["id"][:8]


def test_a_question_about_doing_the_thing_gets_the_steps():
    passage = answer(EXPORT, "how do I export timesheets to csv")
    assert passage.kind == STEPS
    assert passage.marked_items[2] == "Click <mark>Export</mark> and choose <mark>CSV</mark>."


def test_a_question_whose_words_are_in_a_paragraph_gets_that_paragraph():
    passage = answer(EXPORT, "excel shows everything in one column, semicolons")
    assert passage.kind == PARAGRAPH
    assert "<mark>semicolons</mark>" in passage.marked_text
    assert passage.text.startswith("The CSV file uses commas")


def test_a_question_answered_by_a_warning_gets_the_callout():
    passage = answer(EXPORT, "pending shifts missing from the export")
    assert passage.kind == CALLOUT
    assert "<mark>pending</mark>" in passage.marked_text


def test_the_engine_reads_the_question_with_its_stemming_and_synonyms():
    index = SuggestIndex.build(
        [Document(key=1, title="Export timesheets", body=markup.readable_text(EXPORT))],
        synonyms=[["spreadsheet", "csv"]],
    )
    passage = answer(EXPORT, "how can I download a spreadsheet", index)
    assert passage.kind == STEPS and "<mark>CSV</mark>" in " ".join(passage.marked_items)


def test_hostile_text_in_an_article_is_shown_escaped():
    hostile = "<p>Type &lt;script&gt;alert(1)&lt;/script&gt; &amp; press enter to reset it</p>"
    passage = answer(hostile, "reset")
    assert "<script>" not in passage.marked_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; press" not in passage.marked_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; press enter to <mark>reset</mark>" in (
        passage.marked_text
    )


def test_without_a_shared_word_the_articles_steps_are_its_answer_and_else_nothing():
    assert answer(EXPORT, "zzz qqq").kind == STEPS
    assert answer("<p>Only a paragraph.</p>", "zzz qqq") is None


def test_code_and_images_are_not_passages():
    raw = blocks("<pre><code>reset --all</code></pre><p>Run the command above to reset.</p>")
    assert [p.kind for p in passages_from_blocks(raw)] == [PARAGRAPH]
