"""Writes to the knowledge base that customers and commands make."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kb.models import (
    ArticleFeedback,
    ArticlePage,
    CategoryPage,
    FailedSearch,
    KnowledgeBasePage,
    LearnedPhrase,
)

COMMENT_MAX_LENGTH = 1000
PHRASES_PER_ARTICLE = 20  # the engine indexes this many; older ones make way for new
PHRASE_MAX_LENGTH = 400


@transaction.atomic
def feedback_record(
    *, article: ArticlePage, session_key: str, helpful: bool, comment: str = ""
) -> ArticleFeedback:
    """Store a visitor's vote; voting again from the same session changes it, never adds one."""
    feedback, _created = ArticleFeedback.objects.update_or_create(
        article=article,
        session_key=session_key,
        defaults={"helpful": helpful, "comment": comment.strip()[:COMMENT_MAX_LENGTH]},
    )
    return feedback


def unique_child_slug(parent, title: str, *, fallback: str, exclude_pk: int | None = None) -> str:
    base = (slugify(title)[:80].strip("-")) or slugify(fallback)[:80] or "page"
    taken = set(parent.get_children().exclude(pk=exclude_pk).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def category_get_or_create(
    *, root: KnowledgeBasePage, name: str, description: str | None = None
) -> CategoryPage:
    """The live category called `name` (case-insensitive) under the KB root, created if missing."""
    name = name.strip()
    category = CategoryPage.objects.child_of(root).filter(title__iexact=name).first()
    if category is None:
        category = CategoryPage(
            title=name,
            slug=unique_child_slug(root, name, fallback="category"),
            description=description or "",
        )
        root.add_child(instance=category)
        category.save_revision().publish()
    elif description is not None and category.description != description:
        category.description = description
        category.save_revision().publish()
    return category


def kb_root_get() -> KnowledgeBasePage:
    root = KnowledgeBasePage.objects.first()
    if root is None:
        raise LookupError(_("The site has no knowledge base page; run the migrations."))
    return root


@transaction.atomic
def learned_phrase_add(
    *, article: ArticlePage, text: str, source_ticket_id: int | None = None
) -> LearnedPhrase | None:
    """Teach the article a customer's wording; the same words twice are kept once."""
    text = " ".join(text.split())[:PHRASE_MAX_LENGTH]
    if not text:
        return None
    normalized = text.casefold()
    existing = LearnedPhrase.objects.filter(article=article, normalized=normalized).first()
    if existing is not None:
        return existing
    phrase = LearnedPhrase.objects.create(
        article=article, text=text, source_ticket_id=source_ticket_id
    )
    stale = LearnedPhrase.objects.filter(article=article).values_list("pk", flat=True)[
        PHRASES_PER_ARTICLE:
    ]
    LearnedPhrase.objects.filter(pk__in=list(stale)).delete()
    return phrase


def failed_search_record(*, query: str) -> None:
    """Count a knowledge-base search that found nothing, for the gap report."""
    query = " ".join(query.casefold().split())[:200]
    if not query:
        return
    today = timezone.localdate()
    updated = FailedSearch.objects.filter(query=query, day=today).update(count=F("count") + 1)
    if not updated:
        FailedSearch.objects.get_or_create(query=query, day=today)
