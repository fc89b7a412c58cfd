"""PLACEHOLDER (issue 19 item 2 works against this interface; item 1 replaces it): a passage."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Passage:
    """The part of an article that answers a question: steps, a callout or a paragraph."""

    kind: str  # "steps" | "callout" | "paragraph"
    heading: str
    text: str
    items: tuple[str, ...] = ()  # the steps, for kind == "steps"
    anchor: str = ""  # fragment id of the block in the article page
