"""What editors do with an article to write: start it, link an existing article, dismiss it."""

import html

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kb import markup
from kb.models import ArticlePage, CategoryPage
from kb.services import category_get_or_create, kb_root_get, unique_child_slug
from tickets.models import ArticleRequest, Ticket
from tickets.services.notices import gap_article_notices_queue
from tickets.text import without_contact_details

Status = ArticleRequest.Status
EXAMPLES_IN_DRAFT = 8


def example_tickets(request: ArticleRequest, *, limit: int = 10) -> list[dict]:
    """Recent tickets of the request as editors may see them: no names, no e-mail addresses."""
    rows = (
        Ticket.objects.filter(gap_request=request)
        .order_by("-created_at")
        .values("pk", "subject", "description", "created_at")[:limit]
    )
    return [
        {
            "reference": Ticket(pk=row["pk"]).reference,
            "subject": without_contact_details(row["subject"]),
            "excerpt": without_contact_details(markup.summarise(row["description"], 240)),
            "created_at": row["created_at"],
        }
        for row in rows
    ]


def _draft_body(request: ArticleRequest) -> list[dict]:
    questions = "".join(
        f"<li>{html.escape(example['subject'])}</li>"
        for example in example_tickets(request, limit=EXAMPLES_IN_DRAFT)
    )
    notes = _("Customers asked (replace this note with the answer before publishing):")
    return markup.html_to_blocks(
        f"<blockquote><p>Note: {html.escape(notes)}</p><ul>{questions}</ul></blockquote>"
        f"<p>{html.escape(_('Write the answer here.'))}</p>"
    )


@transaction.atomic
def request_start_writing(
    *,
    request: ArticleRequest,
    editor,
    category: CategoryPage | None = None,
    new_category: str = "",
) -> ArticlePage:
    """Create a draft article for the request and hand it to the editor.

    The article goes into the category the editor chose (`category`) or named (`new_category`,
    created if missing), else the request's own. A category is public on the help centre, so
    none is ever created unasked.
    """
    request = ArticleRequest.objects.select_for_update().get(pk=request.pk)
    if request.status in (Status.DONE, Status.DISMISSED):
        raise ValidationError(_("This request is closed."))
    if request.article_id is not None:
        return request.article
    new_category = " ".join(new_category.split())
    if category is not None and new_category:
        raise ValidationError(_("Choose a category or name a new one, not both."))
    if new_category:
        category = category_get_or_create(root=kb_root_get(), name=new_category)
    category = category or request.category
    if category is None:
        raise ValidationError(_("Choose the category the article goes in, or name a new one."))
    article = ArticlePage(
        title=request.title,
        slug=unique_child_slug(category, request.title, fallback="new-article"),
        summary=request.title,
        body=_draft_body(request),
        live=False,
        owner=editor,
    )
    category.add_child(instance=article)
    article.save_revision(user=editor)
    request.article, request.assignee, request.status = article, editor, Status.IN_PROGRESS
    request.category = category
    request.save()
    return article


@transaction.atomic
def request_link_article(
    *, request: ArticleRequest, article: ArticlePage, editor
) -> ArticleRequest:
    """An existing article covers it: done once that article is live."""
    request = ArticleRequest.objects.select_for_update().get(pk=request.pk)
    request.article, request.assignee = article, editor
    if article.live:
        request.status, request.done_at = Status.DONE, timezone.now()
    else:
        request.status = Status.IN_PROGRESS
    request.save()
    return request


@transaction.atomic
def request_dismiss(*, request: ArticleRequest, editor, reason: str) -> ArticleRequest:
    """Not worth an article; look-alike tickets keep joining it silently."""
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise ValidationError(_("Say why, so that colleagues know."))
    request = ArticleRequest.objects.select_for_update().get(pk=request.pk)
    request.status, request.dismissed_reason, request.assignee = Status.DISMISSED, reason, editor
    request.save()
    return request


@transaction.atomic
def requests_done_by_publishing(*, article: ArticlePage) -> int:
    """Publishing the linked article completes its requests and tells the customers who asked."""
    requests = list(
        ArticleRequest.objects.select_for_update().filter(
            article=article, status__in=[Status.OPEN, Status.IN_PROGRESS]
        )
    )
    for request in requests:
        request.status, request.done_at = Status.DONE, timezone.now()
        request.save(update_fields=["status", "done_at", "updated_at"])
        gap_article_notices_queue(request=request, article=article)
    return len(requests)


def request_pages(request: ArticleRequest, *, limit: int = 10) -> list[dict]:
    """The pages of the product the request's tickets were filed from."""
    return list(
        Ticket.objects.filter(gap_request=request)
        .exclude(source_page="")
        .values("source_page")
        .annotate(n=Count("pk"))
        .order_by("-n", "source_page")[:limit]
    )
