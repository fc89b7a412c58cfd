"""The knowledge base: its home page, categories, articles, and the feedback customers leave."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import hooks
from wagtail.admin.panels import (
    FieldPanel,
    InlinePanel,
    ObjectList,
    PageChooserPanel,
    TabbedInterface,
)
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from kb import markup
from kb.blocks import ArticleBodyBlock
from kb.panels import ArticlePerformancePanel
from kb.synonyms import group_problems, split_group


def added_context(page: Page, request) -> dict:
    """What the layers above add to a page's template context (the `deflect_page_context`
    hook, registered in kb/wagtail_hooks.py): models stay at the bottom and never import the
    queries that fill their pages."""
    context = {}
    for fill in hooks.get_hooks("deflect_page_context"):
        context.update(fill(page=page, request=request))
    return context


class KnowledgeBasePage(Page):
    """The help centre's home: a search box, popular articles and the categories."""

    heading = models.CharField(
        _("heading"), max_length=120, default=_("What do you need help with?")
    )
    intro = models.TextField(_("introduction"), max_length=500, blank=True)

    content_panels = Page.content_panels + [FieldPanel("heading"), FieldPanel("intro")]
    search_fields = Page.search_fields

    max_count = 1
    subpage_types = ["kb.CategoryPage"]

    class Meta:
        verbose_name = _("knowledge base")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(added_context(self, request))
        return context


class CategoryPage(Page):
    """A group of articles; editors order categories by moving them in the page tree."""

    description = models.TextField(_("description"), max_length=500, blank=True)
    offer_answer_after_filing = models.BooleanField(
        _("offer an answer after filing"),
        default=True,
        help_text=_(
            "When a new ticket in this category has a confident matching article, its "
            "confirmation page and e-mail offer that article's answer with “This solved it”. "
            "Untick where a person should always answer."
        ),
    )

    content_panels = Page.content_panels + [
        FieldPanel("description"),
        FieldPanel("offer_answer_after_filing"),
    ]
    search_fields = Page.search_fields + [index.SearchField("description")]

    parent_page_types = ["kb.KnowledgeBasePage"]
    subpage_types = ["kb.ArticlePage"]

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["articles"] = (
            ArticlePage.objects.child_of(self).live().public().specific().order_by("title")
        )
        return context


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "kb.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticlePage(Page):
    """One help article. Its category is the category page it lives under."""

    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("One or two sentences shown in suggestions and search results."),
    )
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"))
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True, verbose_name=_("tags"))
    help_places = models.TextField(
        _("where it applies in the product"),
        blank=True,
        max_length=2000,
        help_text=_(
            "Pages of your product where this article helps, one per line: URL path patterns "
            "such as /billing/* or /settings/team, or context keys such as billing/payment-method "
            "(set by the help widget's data-context). The widget lists these articles first there."
        ),
    )
    source_id = models.CharField(
        _("import id"),
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("The id this article had in the knowledge base it was imported from."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("tags"),
        InlinePanel("related_links", label=_("Related articles"), max_num=6),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary", boost=2),
        index.SearchField("body"),
        index.RelatedFields("tags", [index.SearchField("name", boost=2)]),
        index.FilterField("live"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(Page.promote_panels + [FieldPanel("help_places")], heading=_("Promote")),
            ObjectList([ArticlePerformancePanel()], heading=_("Performance")),
        ]
    )

    parent_page_types = ["kb.CategoryPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("article")

    @cached_property
    def category(self) -> "CategoryPage | None":
        parent = self.get_parent()
        return parent.specific if parent is not None else None

    def body_text(self) -> str:
        """The body as plain text, for indexing: the same text the importer derives."""
        return markup.blocks_to_text(list(self.body.raw_data))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(added_context(self, request))
        return context


class RelatedArticle(Orderable):
    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="related_links")
    article = models.ForeignKey(
        ArticlePage, on_delete=models.CASCADE, related_name="+", verbose_name=_("article")
    )

    panels = [PageChooserPanel("article", page_type="kb.ArticlePage")]

    class Meta(Orderable.Meta):
        verbose_name = _("related article")
        verbose_name_plural = _("related articles")


class ArticleFeedback(models.Model):
    """A visitor's "Was this helpful?" vote: one per visitor session and article."""

    article = models.ForeignKey(
        ArticlePage, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("article")
    )
    session_key = models.CharField(_("visitor session"), max_length=64, editable=False)
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "session_key"], name="kb_feedback_one_vote_per_session"
            )
        ]
        indexes = [models.Index(fields=["article", "helpful"])]

    def __str__(self):
        return f"{self.article_id}: {'helpful' if self.helpful else 'not helpful'}"


class SynonymGroup(models.Model):
    """Words customers use interchangeably; suggestions treat them as one at query time."""

    terms = models.CharField(
        _("terms"),
        max_length=500,
        help_text=_(
            "Words or phrases that mean the same thing, separated by commas, "
            "e.g. “invoice, receipt, bill” or “2fa, two-factor, two factor authentication”."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [FieldPanel("terms")]

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonyms")
        ordering = ["terms"]

    def __str__(self):
        return self.terms

    def clean(self):
        super().clean()
        problems = group_problems(self.term_list())
        if problems:
            raise ValidationError({"terms": problems})

    def term_list(self) -> list[str]:
        return split_group(self.terms)


class SuggestIndexSnapshot(models.Model):
    """A built suggestion index, shared by every web and worker process through the database."""

    generation = models.PositiveBigIntegerField(_("content generation"), db_index=True)
    built_at = models.DateTimeField(_("built at"), auto_now_add=True)
    article_count = models.PositiveIntegerField(_("articles"))
    # Articles still without a vector when this was built: once the worker has embedded them,
    # the index is built again so that every process gets them.
    vectors_missing = models.PositiveIntegerField(_("articles not embedded yet"), default=0)
    data = models.BinaryField(_("index data"))

    class Meta:
        verbose_name = _("suggestion index")
        get_latest_by = "id"


class ArticleVector(models.Model):
    """An article's meaning as the embedding model reads it, known by a hash of the model and
    the text embedded: a publish re-embeds only the articles whose text changed."""

    text_hash = models.CharField(max_length=64, unique=True)
    text = models.TextField(blank=True)  # what to embed; emptied once embedded
    vector = models.BinaryField(null=True)  # float32 unit vector, little-endian
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("article vector")


class SuggestIndexState(models.Model):
    """A counter bumped on every change that should reach suggestions (one row)."""

    generation = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)


class LearnedPhrase(models.Model):
    """A customer's own words from a ticket this article resolved; suggestions learn from them."""

    article = models.ForeignKey(
        ArticlePage,
        on_delete=models.CASCADE,
        related_name="learned_phrases",
        verbose_name=_("article"),
    )
    text = models.CharField(_("phrase"), max_length=400)
    normalized = models.CharField(max_length=400, editable=False)
    source_ticket_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("learned"), auto_now_add=True)

    panels = [FieldPanel("text")]

    class Meta:
        verbose_name = _("learned phrase")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "normalized"], name="kb_learned_phrase_once_per_article"
            )
        ]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        self.normalized = " ".join(self.text.casefold().split())[:400]
        super().save(*args, **kwargs)


class FailedSearch(models.Model):
    """A knowledge-base search that found nothing, counted per query and day."""

    query = models.CharField(_("search"), max_length=200)
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("times"), default=1)

    class Meta:
        verbose_name = _("failed search")
        verbose_name_plural = _("failed searches")
        constraints = [
            models.UniqueConstraint(fields=["query", "day"], name="kb_failed_search_per_day")
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self):
        return self.query


class PageCacheState(models.Model):
    """A counter bumped on every change readers could notice; it keys stored pages (one row)."""

    generation = models.PositiveBigIntegerField(default=0)
