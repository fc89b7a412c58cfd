"""The suggestion engine: words and meaning in, ranked articles and answering passages out.

Plain Python and numpy; nothing here imports Django, Wagtail or the rest of kb (import-linter's
contracts in .importlinter say so and CI keeps them). The rest of Deflect uses the names below
and two modules whole: `similarity` (the one measure of how alike two texts are, for triage,
gaps and saved replies) and `embedding` (the model: switched on or off, its encoder, its size).
Everything else in this package is private to it.

- analysis: the text pipeline (folding, tokens, stopwords, stems, typo distance)
- documents, bm25, query, suggest: the index, its exact BM25 and the query's reading
- places: which product pages an article applies to
- embedding, semantic, fusion: the meaning layer and how it blends with words
- passages: the part of an article that answers the question
- index_file: the index as one file every process of a machine maps
"""

from kb.engine.analysis import STOPWORDS, analyze
from kb.engine.index_file import clean_directory, write_lock
from kb.engine.passages import (
    BLOCK_TAGS,
    PARAGRAPH,
    STEPS,
    IndexedPassage,
    Passage,
    PassageQuery,
    best_passage,
    block_anchor,
    indexed,
    passages_from_blocks,
    plain_query,
)
from kb.engine.places import Place, parse_places
from kb.engine.semantic import article_text, article_vectors
from kb.engine.suggest import (
    Document,
    EngineParams,
    SuggestIndex,
    Suggestion,
    SuggestResult,
    document_tokens,
)

__all__ = [
    "BLOCK_TAGS",
    "PARAGRAPH",
    "STEPS",
    "STOPWORDS",
    "Document",
    "EngineParams",
    "IndexedPassage",
    "Passage",
    "PassageQuery",
    "Place",
    "SuggestIndex",
    "SuggestResult",
    "Suggestion",
    "analyze",
    "article_text",
    "article_vectors",
    "best_passage",
    "block_anchor",
    "clean_directory",
    "document_tokens",
    "indexed",
    "parse_places",
    "passages_from_blocks",
    "plain_query",
    "write_lock",
]
