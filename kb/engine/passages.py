"""The passage of an article that answers a question: its blocks cut into passages, ranked.

An article's steps, callouts and paragraphs are each a passage. A question is read by the
suggestion index (the same stems, synonyms, completions and typo corrections as the ranking
of articles, each term weighed by its idf there) and every passage of one article is scored
with BM25 over the passage's own words. Only the few articles a customer is shown are ranked
this way, so a keystroke pays for a handful of short texts, never for the knowledge base.
Nothing here knows Django.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from bs4 import BeautifulSoup, Tag

from kb.engine.analysis import bigrams, find_words, highlight, stem, stems, surface_tokens

STEPS, CALLOUT, PARAGRAPH = "steps", "callout", "paragraph"
MAX_ITEMS = 12  # steps shown at most; a longer list is cut with "…"
TEXT_WIDTH = 320  # characters of a paragraph or callout shown around its matches
ITEM_WIDTH = 240
HEADING_WEIGHT = 2  # a heading's words count twice: "Reset your password" above the steps
K1, B = 1.2, 0.5  # passages are short: length matters less than it does between articles
# Words of a question about doing something ("how do I", "can't"): steps answer it best.
DOING_WORDS = frozenset(
    "how steps step way ways can cannot cant unable setup set add remove delete change reset "
    "enable disable turn create install configure update edit cancel connect export import "
    "where".split()
)
DOING_BOOST = 1.5
ANCHOR_PREFIX = "block-"

# The elements whose text is one block of reading (kb/markup.py's text follows the same cut).
BLOCK_TAGS = ["p", "li", "h2", "h3", "h4", "pre", "blockquote", "tr", "div", "ul", "ol", "table"]


@dataclass(frozen=True, slots=True)
class Passage:
    """One block (or one paragraph of a text block) of an article, as plain text."""

    kind: str  # STEPS, CALLOUT or PARAGRAPH
    heading: str  # the block's title, or the heading the paragraph sits under
    text: str
    items: tuple[str, ...] = ()  # the steps of a steps block
    anchor: str = ""  # fragment id of the block on the article's page ("" when it has none)
    # For one query: the text (a window around the matches) and each step, HTML-escaped with
    # the query's words in <mark>. Empty until `mark` is called.
    marked_text: str = ""
    marked_items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IndexedPassage:
    """A passage with its analysed words counted, ready to be scored many times."""

    passage: Passage
    counts: Mapping[str, int] = field(default_factory=dict)
    length: int = 0


@dataclass(frozen=True, slots=True)
class PassageQuery:
    """A question as the index reads it: term (stem or stem pair) -> weight, and the spellings
    of its words to mark."""

    weights: Mapping[str, float]
    forms: Mapping[str, float]
    doing: bool = False


def block_anchor(block_id: str | None) -> str:
    """The fragment id an article block is rendered with, from its StreamField id."""
    return f"{ANCHOR_PREFIX}{block_id[:8]}" if block_id else ""


def _stream_items(raw_list) -> list:
    return [
        item["value"] if isinstance(item, dict) and "value" in item else item for item in raw_list
    ]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _parsed(fragment: str) -> BeautifulSoup:
    """The fragment parsed once, with a line break after each block and for each <br>, so that
    the text of any of its nodes reads as markup.html_to_text would give it."""
    soup = BeautifulSoup(fragment, "html.parser")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(BLOCK_TAGS):
        block.append("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.append(" ")
    return soup


def _list_items(ol: Tag) -> tuple[str, ...]:
    return tuple(t for li in ol.find_all("li", recursive=False) if (t := _flat(li.get_text())))


def _text_passages(fragment: str, anchor: str, heading: str) -> tuple[list[Passage], str]:
    """Paragraphs, lists and ordered lists of a rich-text block; the last heading seen."""
    found: list[Passage] = []
    for node in _parsed(fragment).contents:
        if isinstance(node, Tag) and node.name in ("h2", "h3", "h4"):
            heading = _flat(node.get_text())
        elif isinstance(node, Tag) and node.name == "ol" and (items := _list_items(node)):
            found.append(Passage(STEPS, heading, "\n".join(items), items, anchor))
        elif text := _flat(node.get_text() if isinstance(node, Tag) else str(node)):
            found.append(Passage(PARAGRAPH, heading, text, anchor=anchor))
    return found, heading


def passages_from_blocks(raw_blocks: Iterable[dict]) -> list[Passage]:
    """The passages of an article body's raw StreamField data, in reading order. Code and
    images are not passages: they answer nothing without the words around them."""
    found: list[Passage] = []
    heading = ""
    for block in raw_blocks:
        kind, value = block.get("type"), block.get("value")
        anchor = block_anchor(block.get("id"))
        if kind == "text":
            more, heading = _text_passages(value or "", anchor, heading)
            found += more
        elif kind == "steps" and isinstance(value, dict):
            steps = "".join(
                f"<li>{step or ''}</li>" for step in _stream_items(value.get("steps") or [])
            )
            items = _list_items(_parsed(f"<ol>{steps}</ol>").ol)
            if items:
                title = _flat(value.get("title") or "") or heading
                found.append(Passage(STEPS, title, "\n".join(items), items, anchor))
        elif kind == "callout" and isinstance(value, dict):
            if text := _flat(_parsed(value.get("text") or "").get_text()):
                found.append(Passage(CALLOUT, "", text, anchor=anchor))
    return found


def indexed(passages: Iterable[Passage]) -> list[IndexedPassage]:
    """Each passage with the stems and stem pairs of its heading and text counted."""
    out = []
    for passage in passages:
        heading = stems(surface_tokens(passage.heading))
        text = stems(surface_tokens(passage.text))
        terms = heading * HEADING_WEIGHT + text + bigrams(heading) + bigrams(text)
        out.append(
            IndexedPassage(passage, Counter(terms), len(heading) * HEADING_WEIGHT + len(text))
        )
    return out


def is_about_doing(text: str) -> bool:
    """Whether a question asks how to do something, so that steps answer it best."""
    return not DOING_WORDS.isdisjoint(surface_tokens(text))


def passage_scores(candidates: Sequence[IndexedPassage], query: PassageQuery) -> list[float]:
    """BM25 of each passage for the query's weighted terms, steps favoured for a how-to."""
    if not candidates:
        return []
    average = max(sum(c.length for c in candidates) / len(candidates), 1.0)
    scores = []
    for candidate in candidates:
        norm = K1 * (1 - B + B * candidate.length / average)
        counts, weights = candidate.counts, query.weights
        # Whichever is shorter is walked: a pasted paragraph has more terms than a step.
        shared = (
            [(weights[t], tf) for t, tf in counts.items() if t in weights]
            if len(counts) < len(weights)
            else [(w, counts[t]) for t, w in weights.items() if t in counts]
        )
        score = sum(weight * tf * (K1 + 1) / (tf + norm) for weight, tf in shared)
        if query.doing and candidate.passage.kind == STEPS:
            score *= DOING_BOOST
        scores.append(score)
    return scores


def best_passage(candidates: Sequence[IndexedPassage], query: PassageQuery) -> Passage | None:
    """The passage that best answers the query, marked. When none shares a word with it, the
    article's first steps (an article's procedure is its answer), else nothing."""
    scores = passage_scores(candidates, query)
    if scores and max(scores) > 0:
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))  # the first of equals
        return mark(candidates[best].passage, query.forms)
    for candidate in candidates:
        if candidate.passage.kind == STEPS:
            return mark(candidate.passage, query.forms)
    return None


def mark(passage: Passage, forms: Mapping[str, float]) -> Passage:
    """The passage with its text and steps HTML-escaped and the query's words in <mark>."""
    items = passage.items[:MAX_ITEMS]
    marked_items = tuple(highlight(i, find_words(i, forms), width=ITEM_WIDTH) for i in items)
    if len(passage.items) > MAX_ITEMS:
        marked_items += ("…",)
    text = " ".join(passage.items) if passage.items else passage.text
    marked_text = highlight(text, find_words(text, forms), width=TEXT_WIDTH)
    return replace(passage, marked_text=marked_text, marked_items=marked_items)


def plain_query(text: str) -> PassageQuery:
    """A question read without an index: its stems and pairs, each weighing one."""
    terms = stems(surface_tokens(text))
    weights = dict.fromkeys([*terms, *bigrams(terms)], 1.0)
    forms = dict.fromkeys((t for t in surface_tokens(text) if stem(t)), 1.0)
    return PassageQuery(weights, forms, is_about_doing(text))
