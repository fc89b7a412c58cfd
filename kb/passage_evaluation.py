"""Measuring answer passages on labelled questions: does the passage shown hold the answer?

For each answered question (a relevant article among the five suggested), the passage picked
for the best-ranked relevant article is checked against two marks of the article's own answer:

- title: the passage holds every word of the article's title (analysed as the engine does:
  stopwords dropped, stems compared); "half" counts passages holding at least half of them;
- first step: the article has ordered steps and the passage is the steps block whose first
  step is the article's first step.

A hit is either. Both marks favour passages that repeat the question's words (a title is the
question; stackfaq's answers seldom restate it), so a second figure, labelled apart, asks where
the passage sits: in the part of the article that answers, under a heading such as "Answer",
"Resolving the problem", "Solution" or "Workaround" (Technotes have them; stackfaq's bodies are
all answers and have none), among answered questions whose article has such a part.

Also measured: how long passages are, and what picking them adds to a
keystroke (reading the question for passages and ranking those of the five articles shown,
from their cached analysis: the portal's path once an article's passages are cached).
"""

import re
import time
from pathlib import Path

import numpy as np

from kb import markup
from kb.engine import STEPS, Passage, analyze, best_passage, indexed
from kb.engine import passages_from_blocks as from_blocks
from kb.evaluation import build_index, read_jsonl

SHOWN = 5
# Each keystroke's passages are timed this many times and the quickest kept: on a shared
# machine, being descheduled would otherwise dominate what is a fraction of a millisecond.
REPEATS = 3
# Headings that open the part of an article that answers, and those that open another part
# (as Technotes and help articles name them), written as a heading or as a paragraph's opening.
ANSWER_HEADINGS = frozenset(
    "answer|resolving the problem|resolution|solution|local fix|fix|temporary fix|workaround|"
    "workarounds|workarounds and mitigations|remediation/fixes|how to fix".split("|")
)
OTHER_HEADINGS = frozenset(
    "cause|problem(abstract)|problem|question|symptom|abstract|summary|vulnerability details|"
    "affected products and versions|related information|diagnosing the problem|environment|"
    "references|change history|content|error description|problem summary|problem conclusion|"
    "apar status|download description|disclaimer|product alias/synonym|downloadable files|"
    "security bulletin|technote (faq)|technote (troubleshooting)|flash (alert)".split("|")
)
_OPENING_CAPS = re.compile(r"[A-Z][A-Z0-9 ()/&-]*[A-Z)](?=\s|$)")


def record_blocks(record: dict) -> list[dict]:
    """An article's body as the blocks `import_articles` stores."""
    return markup.html_to_blocks(markup.to_safe_html(record.get("body") or ""))


def _passage_terms(passage: Passage) -> set[str]:
    return set(analyze(f"{passage.heading}\n{passage.text}"))


def _checks(passage: Passage, title: set[str], first_step: str | None) -> tuple[float, bool]:
    """Share of the title's words the passage holds; whether it is the article's first steps."""
    covered = len(title & _passage_terms(passage)) / len(title) if title else 0.0
    steps = first_step is not None and passage.kind == STEPS and passage.items[:1] == (first_step,)
    return covered, steps


def _section_heading(passage: Passage) -> str | None:
    """The section heading a passage opens with (its own heading or its text's capitals)."""
    opening = _OPENING_CAPS.match(passage.text)
    for heading in (passage.heading.lower(), opening and opening.group().lower()):
        if heading in ANSWER_HEADINGS or heading in OTHER_HEADINGS:
            return heading
    return None


def answer_part(passages: list[Passage]) -> list[str] | None:
    """The texts of the passages in the part of an article that answers; None without one."""
    inside, found, seen = False, [], False
    for passage in passages:
        if (heading := _section_heading(passage)) is not None:
            inside = heading in ANSWER_HEADINGS
            seen = seen or inside
        if inside:
            found.append(passage.text)
    return found if seen else None


def passage_figures(
    articles_path: str | Path, queries_path: str | Path, *, semantic: bool = False
) -> dict:
    records = read_jsonl(articles_path)
    index = build_index(articles_path, semantic=semantic)
    blocks = {record["id"]: record_blocks(record) for record in records}
    started = time.perf_counter()  # what a keystroke pays for an article not cached yet
    passages = {key: indexed(from_blocks(raw)) for key, raw in blocks.items()}
    analyse_ms = (time.perf_counter() - started) * 1000 / max(len(records), 1)
    titles = {record["id"]: set(analyze(record.get("title") or "")) for record in records}
    first_steps = {
        key: next((c.passage.items[0] for c in found if c.passage.kind == STEPS), None)
        for key, found in passages.items()
    }
    answers = {key: answer_part([c.passage for c in found]) for key, found in passages.items()}
    with_answer_part = in_answer_part = 0
    by_chance = []  # the share of a passage picked at random, for scale
    answered = hits = title_all = title_half = with_steps = first_step = none = lead_hits = 0
    added_ms, lengths, word_counts = [], [], []
    for query in read_jsonl(queries_path):
        shown = index.suggest(query["text"], limit=SHOWN).suggestions
        gold = set(query.get("relevant") or ())
        relevant = next((s.key for s in shown if s.key in gold), None)
        if relevant is None:
            continue
        answered += 1
        timings = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            read = index.passage_query(query["text"])
            picked = {s.key: best_passage(passages.get(s.key, []), read) for s in shown}
            timings.append((time.perf_counter() - started) * 1000)
        added_ms.append(min(timings))
        if passages[relevant]:  # the baseline: the article's opening passage, whatever asked
            lead = _checks(passages[relevant][0].passage, titles[relevant], first_steps[relevant])
            lead_hits += lead[0] == 1.0 or lead[1]
        passage = picked[relevant]
        if answers[relevant] is not None:
            with_answer_part += 1
            in_answer_part += passage is not None and passage.text in answers[relevant]
            by_chance.append(len(answers[relevant]) / len(passages[relevant]))
        if passage is None:
            none += 1
            continue
        lengths.append(len(passage.text))
        word_counts.append(len(passage.text.split()))
        covered, steps_hit = _checks(passage, titles[relevant], first_steps[relevant])
        title_all += covered == 1.0
        title_half += covered >= 0.5
        if first_steps[relevant] is not None:
            with_steps += 1
            first_step += steps_hit
        hits += covered == 1.0 or steps_hit
    share = (lambda n: n / answered) if answered else (lambda n: 0.0)
    added = np.array(added_ms or [0.0])
    return {
        "articles": len(records),
        "articles_with_steps": sum(1 for s in first_steps.values() if s is not None),
        "passages_per_article": float(np.mean([len(p) for p in passages.values()] or [0])),
        "answered": answered,
        "hit": share(hits),
        "lead_passage_hit": share(lead_hits),
        "title_all_words": share(title_all),
        "title_half_words": share(title_half),
        "first_step": first_step / with_steps if with_steps else 0.0,
        "answered_with_steps": with_steps,
        "no_passage": share(none),
        "answered_with_answer_part": with_answer_part,
        "in_answer_part": in_answer_part / with_answer_part if with_answer_part else 0.0,
        "in_answer_part_by_chance": float(np.mean(by_chance)) if by_chance else 0.0,
        "mean_passage_chars": float(np.mean(lengths)) if lengths else 0.0,
        "mean_passage_words": float(np.mean(word_counts)) if word_counts else 0.0,
        "added_ms_mean": float(added.mean()),
        "added_ms_p50": float(np.percentile(added, 50)),
        "added_ms_p99": float(np.percentile(added, 99)),
        "analyse_ms_per_article": analyse_ms,
    }
