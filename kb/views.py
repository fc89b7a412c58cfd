"""Customer-facing views of the knowledge base that are not Wagtail pages."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kb.forms import FeedbackForm, SearchForm
from kb.selectors import live_articles, search_articles
from kb.services import failed_search_record, feedback_record

SEARCH_PAGE_SIZE = 10


def search(request):
    form = SearchForm(request.GET)
    query, page_number, results = "", 1, None
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        page_number = form.cleaned_data["page"] or 1
    if query:
        results = search_articles(
            query,
            user=request.user,
            session=request.session,
            page=page_number,
            page_size=SEARCH_PAGE_SIZE,
        )
        if results.total == 0 and page_number == 1:
            failed_search_record(query=query)
    return render(
        request,
        "kb/search.html",
        {"form": form, "query": query, "results": results, "page_size": SEARCH_PAGE_SIZE},
        status=200 if form.is_valid() else 400,
    )


@require_POST
def article_feedback(request, article_id: int):
    article = get_object_or_404(live_articles(), pk=article_id)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose Yes or No; comments can be 1,000 characters."))
        return HttpResponseRedirect(f"{article.url}#feedback")
    if not request.session.session_key:
        request.session.save()
    feedback_record(
        article=article,
        session_key=request.session.session_key,
        helpful=form.cleaned_data["helpful"],
        comment=form.cleaned_data["comment"],
    )
    messages.success(request, _("Thanks for your feedback."))
    return HttpResponseRedirect(f"{article.url}#feedback")
