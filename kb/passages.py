"""PLACEHOLDER (replaced by issue 19 item 1): the passage of an article that answers a query.

Simple stand-in: the first steps block, else the first paragraph of text.
"""

from .engine.passages import Passage
from .markup import html_to_text
from .models import ArticlePage


def answer_passage(*, article: ArticlePage, query: str) -> Passage | None:
    """The article's answering passage for the query (here: its first steps, else paragraph)."""
    del query  # the real one ranks the blocks by the query
    blocks = list(article.body)
    for block in blocks:
        if block.block_type == "steps":
            items = tuple(
                text
                for text in (html_to_text(str(step.source)) for step in block.value["steps"])
                if text
            )
            if items:
                return Passage(
                    kind="steps", heading=block.value.get("title") or "", text="",
                    items=items, anchor=f"block-{block.id}",
                )  # fmt: skip
    for block in blocks:
        if block.block_type == "text":
            text = html_to_text(str(block.value.source))
            if text.strip():
                paragraph = text.strip().split("\n")[0].strip()
                return Passage(kind="paragraph", heading="", text=paragraph,
                               anchor=f"block-{block.id}")  # fmt: skip
    return None
