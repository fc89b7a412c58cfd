"""Background jobs of the knowledge base, run by django-q2."""

from kb import shared_index


def build_suggest_index() -> int | None:
    """Build and store the suggestion index if content changed; returns the snapshot id."""
    snapshot = shared_index.build_and_store()
    return snapshot.pk if snapshot else None


def embed_articles() -> int:
    """Embed the next batch of articles without a vector; it queues what follows."""
    return shared_index.embed_pending()
