"""What the suggestion engine indexes and answers: documents, parameters, suggestions."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kb.engine.analysis import (
    bigrams,
    stems,
    surface_tokens,
)

if TYPE_CHECKING:
    from kb.engine.passages import Passage


@dataclass(frozen=True, slots=True)
class Document:
    key: int | str  # ArticlePage id in the portal; article id in the evaluation
    title: str
    summary: str = ""
    body: str = ""  # plain text
    tags: tuple[str, ...] = ()
    category: str = ""
    phrases: tuple[str, ...] = ()  # customer phrasings of tickets this article resolved
    url: str = ""
    restriction_ids: tuple[int, ...] = ()  # Wagtail view restrictions guarding the page
    places: tuple[str, ...] = ()  # where in the customer's product it applies (kb/engine/places.py)


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which makes
# building one three times slower, and several are built for every keystroke.
@dataclass(slots=True)
class Suggestion:
    key: int | str
    title: str
    url: str
    summary: str
    score: float  # BM25 score; ranked by meaning too, the blended score (0-1)
    # score / the best score any article could reach for this query; ranked by meaning too,
    # how plausibly it answers on the same scale (the threshold is where it becomes worth showing)
    relative: float
    snippet: str  # HTML-escaped, matching words wrapped in <mark>
    # The block that answers the query (kb/engine/passages.py); set only where it is shown.
    passage: "Passage | None" = None


@dataclass(frozen=True, slots=True)
class SuggestResult:
    query: str
    suggestions: list[Suggestion]
    total: int  # visible articles shown for this query, for pagination
    top_score: float  # best visible match before the threshold; 0.0 if nothing matched
    top_relative: float


@dataclass(frozen=True, slots=True)
class EngineParams:
    """Ranking settings; defaults tuned on the techqa and stackfaq evaluation sets."""

    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25
    # Field boosts: how many times each field's tokens are repeated in the document.
    title_weight: int = 3
    summary_weight: int = 2
    tags_weight: int = 2
    category_weight: int = 1
    phrases_weight: int = 2
    body_weight: int = 1
    # A second BM25Okapi over titles alone, added to the score with this weight: in the main
    # index a title's words are diluted by long bodies (length normalisation), yet a title is
    # the article's own one-line answer to "what is this about".
    title_channel: float = 1.0
    # Adjacent word pairs of titles and summaries are indexed too ("reset password"); a pair
    # in the query counts this much.
    bigram_weight: float = 0.5
    # The word being typed, if at least `completion_min_prefix` characters long, also stands
    # for the `completion_max_terms` commonest words it begins; they share `completion_weight`
    # when what is typed is a word already, `completion_weight_unknown` when it is not.
    completion_min_prefix: int = 2
    completion_max_terms: int = 5
    completion_weight: float = 0.5
    completion_weight_unknown: float = 1.0
    synonym_weight: float = 0.7  # shared by the words of one synonym
    typo_weight: float = 0.7  # a known word one typo away from an unknown one
    unknown_word_weight: float = 1.0  # how much a word no article uses lowers relative scores
    relative_words: int = 8  # relative scores measure a match against this many words at most
    # Nothing is shown unless the best article reaches `threshold` relative score; the
    # articles after it need `threshold * tail_ratio`.
    threshold: float = 0.2
    tail_ratio: float = 0.5
    # An article that applies to the page the customer is on scores this much more (+50%).
    place_boost: float = 0.5
    snippet_width: int = 200
    snippet_body_chars: int = 500  # how much of each body is kept for snippets
    phrases_per_article: int = 20


def document_fields(doc: Document, params: EngineParams) -> list[tuple[list[str], int, bool]]:
    """Each field's surface tokens, how many times it counts, and whether its pairs count."""
    return [
        (surface_tokens(doc.title), params.title_weight, True),
        (surface_tokens(doc.summary), params.summary_weight, True),
        ([t for tag in doc.tags for t in surface_tokens(tag)], params.tags_weight, False),
        (surface_tokens(doc.category), params.category_weight, False),
        (
            [t for p in doc.phrases[: params.phrases_per_article] for t in surface_tokens(p)],
            params.phrases_weight,
            False,
        ),
        (surface_tokens(doc.body), params.body_weight, False),
    ]


def document_tokens(doc: Document, params: EngineParams | None = None) -> list[str]:
    """The one token list BM25 sees for a document: analysed fields, repeated by their boost."""
    return tokens_of_fields(document_fields(doc, params or EngineParams()))


def tokens_of_fields(fields_of_doc: list[tuple[list[str], int, bool]]) -> list[str]:
    tokens: list[str] = []
    for surface, weight, pairs in fields_of_doc:
        terms = stems(surface)
        tokens += terms * weight
        if pairs:
            tokens += bigrams(terms) * weight
    return tokens


def snippet_source(doc: Document, params: EngineParams) -> str:
    body = doc.body[: params.snippet_body_chars]
    if len(doc.body) > len(body) and " " in body:
        body = body[: body.rfind(" ")]
    return f"{doc.summary}\n{body}".strip()
