"""Reads of the knowledge base for customer pages and the editors' panels."""

from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length, Substr
from wagtail import hooks

from kb.engine import Place, Suggestion, SuggestResult
from kb.models import ArticleFeedback, ArticlePage, CategoryPage, KnowledgeBasePage
from kb.passages import attach_passages
from kb.shared_index import LoadedIndex, current_index


def live_articles() -> QuerySet[ArticlePage]:
    """Articles every visitor may read: published and not behind a view restriction."""
    return ArticlePage.objects.live().public()


def kb_root() -> KnowledgeBasePage | None:
    return KnowledgeBasePage.objects.live().first()


def categories_for_home(*, root: KnowledgeBasePage) -> list[CategoryPage]:
    """Live categories in editor order, each with `article_count` of its live public articles."""
    categories = list(CategoryPage.objects.child_of(root).live().public().order_by("path"))
    if not categories:
        return []
    step = len(categories[0].path) - len(root.path)
    counts = dict(
        live_articles()
        .descendant_of(root)
        .annotate(parent_path=Substr("path", 1, Length("path") - step))
        # Pages are ordered by path, and an ordering column joins the GROUP BY: without
        # clearing it every article is its own group and each topic says "1 article".
        .order_by()
        .values_list("parent_path")
        .annotate(n=Count("id"))
        .values_list("parent_path", "n")
    )
    for category in categories:
        category.article_count = counts.get(category.path, 0)
    return categories


def _by_popularity(articles: QuerySet[ArticlePage]) -> QuerySet[ArticlePage]:
    return articles.annotate(
        helpful_votes=Count("feedback", filter=Q(feedback__helpful=True))
    ).order_by("-helpful_votes", "-first_published_at", "pk")


def popular_articles(*, root: KnowledgeBasePage | None = None, limit: int = 8) -> list[ArticlePage]:
    articles = live_articles()
    if root is not None:
        articles = articles.descendant_of(root)
    return list(_by_popularity(articles)[:limit])


def related_articles(*, article: ArticlePage, limit: int = 5) -> list[ArticlePage]:
    """The editor's chosen related articles, topped up with popular ones from the same category."""
    chosen_ids = list(article.related_links.values_list("article_id", flat=True))
    chosen = {a.pk: a for a in live_articles().filter(pk__in=chosen_ids)}
    related = [chosen[pk] for pk in chosen_ids if pk in chosen][:limit]
    if len(related) < limit and article.get_parent() is not None:
        siblings = live_articles().sibling_of(article, inclusive=False).exclude(pk__in=chosen_ids)
        related += list(_by_popularity(siblings)[: limit - len(related)])
    return related


def article_performance(*, article: ArticlePage) -> dict:
    votes = ArticleFeedback.objects.filter(article=article)
    counts = votes.aggregate(
        helpful_count=Count("id", filter=Q(helpful=True)),
        unhelpful_count=Count("id", filter=Q(helpful=False)),
    )
    # Figures other apps keep about the article (the support side: suggestions, deflections).
    figures = [
        figure for fn in hooks.get_hooks("deflect_article_figures") for figure in fn(article)
    ]
    return {
        "helpful": counts["helpful_count"],
        "unhelpful": counts["unhelpful_count"],
        "figures": figures,
        "phrases": list(article.learned_phrases.all()),
        "recent_comments": list(votes.exclude(comment="").order_by("-updated_at")[:10]),
    }


@dataclass(frozen=True)
class SearchPage:
    """One page of knowledge-base search results."""

    query: str
    suggestions: list[Suggestion]
    total: int
    number: int
    page_size: int
    top_score: float = 0.0

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first_rank(self) -> int:
        return (self.number - 1) * self.page_size + 1

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


def _allowed_restriction_ids(loaded: LoadedIndex, *, user, session) -> frozenset[int]:
    if not loaded.restrictions:
        return frozenset()
    visitor = SimpleNamespace(user=user, session=session if session is not None else {})
    return frozenset(rid for rid, r in loaded.restrictions.items() if r.accept_request(visitor))


def suggest_articles(
    query: str,
    *,
    user=None,
    session=None,
    limit: int = 5,
    offset: int = 0,
    place: Place | None = None,
    passages: bool = False,
) -> SuggestResult:
    """Articles matching what the visitor typed, among those this visitor may read; with
    `passages`, each with the passage of it that answers (kb/passages.py)."""
    loaded = current_index()
    if loaded is None or not query.strip():
        return SuggestResult(query=query, suggestions=[], total=0, top_score=0.0, top_relative=0.0)
    result = loaded.index.suggest(
        query,
        limit=limit,
        offset=offset,
        place=place,
        allowed_restriction_ids=_allowed_restriction_ids(
            loaded, user=user or AnonymousUser(), session=session
        ),
    )
    if passages:
        attach_passages(result.suggestions, query=query, loaded=loaded)
    return result


def search_articles(
    query: str, *, user=None, session=None, page: int = 1, page_size: int = 10
) -> SearchPage:
    """The search page: the same ranking as suggestions, paginated."""
    result = suggest_articles(
        query,
        user=user,
        session=session,
        limit=page_size,
        offset=(page - 1) * page_size,
        passages=True,
    )
    return SearchPage(
        query=query,
        suggestions=result.suggestions,
        total=result.total,
        number=page,
        page_size=page_size,
        top_score=result.top_score,
    )


def feedback_for_session(*, article: ArticlePage, session_key: str | None):
    if not session_key:
        return None
    return ArticleFeedback.objects.filter(article=article, session_key=session_key).first()


def articles_for_place(
    place: Place, *, user=None, session=None, limit: int = 5
) -> list[Suggestion]:
    """Articles editors said apply to this page of the customer's product."""
    loaded = current_index()
    if loaded is None:
        return []
    return loaded.index.for_place(
        place,
        limit=limit,
        allowed_restriction_ids=_allowed_restriction_ids(
            loaded, user=user or AnonymousUser(), session=session
        ),
    )


def article_html_for_embedding(*, article: ArticlePage, base_url: str) -> str:
    """An article's body as HTML safe to show inside another site: sanitised, links absolute."""
    from kb import markup

    return markup.embeddable_html(str(article.body), base_url=base_url)


def page_context(*, page, request) -> dict:
    """What a knowledge-base page shows beside its own fields (kb/models.py asks for it)."""
    if isinstance(page, KnowledgeBasePage):
        return {
            "categories": categories_for_home(root=page),
            "popular_articles": popular_articles(root=page, limit=8),
        }
    if isinstance(page, ArticlePage):
        return {
            "related_articles": related_articles(article=page, limit=5),
            "my_feedback": feedback_for_session(
                article=page, session_key=request.session.session_key
            ),
        }
    return {}
