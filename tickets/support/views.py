"""The customer's support pages: contact form with suggestions, deflection, and My tickets."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kb.converters import parse_id
from kb.selectors import live_articles
from tickets import access, services
from tickets.models import ContactSession
from tickets.selectors import (
    contact_session_for_visitor,
    offered_answer,
    public_thread,
    ticket_for_customer,
    ticket_list_for_customer,
)
from tickets.services.privacy import customer_data_export
from tickets.support.forms import ContactForm, NewLinkForm, ReplyForm


def _browser_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


def _owned_session(request, session_id) -> ContactSession:
    session = contact_session_for_visitor(
        session_id=session_id, user=request.user, browser_session_key=request.session.session_key
    )
    if session is None:
        raise Http404
    return session


def _source_page(request) -> str:
    return request.GET.get("from") or request.headers.get("referer", "")


@never_cache
def contact_new(request):
    """GET: the form (resumed from a contact session). POST: check suggestions, then file."""
    if request.method == "POST":
        return _contact_submit(request)
    # The browser gets its session now, so that the form's keys are bound to it from the first
    # POST on: a retry of a POST whose answer was lost comes from the same filer.
    _browser_key(request)
    resumed = contact_session_for_visitor(
        session_id=_uuid(request.GET.get("session")),
        user=request.user,
        browser_session_key=request.session.session_key,
    )
    if resumed is not None and not resumed.is_open:
        resumed = None
    initial = {
        "session": uuid.uuid4(),
        "submission": uuid.uuid4(),
        "source_page": _source_page(request)[:500],
    }
    if resumed is not None:
        initial.update(
            session=resumed.pk,
            subject=resumed.subject,
            description=resumed.description,
            email=resumed.email,
            category=resumed.category_id,
            source_page=resumed.source_page,
        )
    if "subject" in request.GET and resumed is None:
        initial["subject"] = request.GET["subject"][:200]
    form = ContactForm(initial=initial, user=request.user)
    return render(request, "tickets/contact_form.html", {"form": form, "resumed": resumed})


def _uuid(value):
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _contact_submit(request):
    form = ContactForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "tickets/contact_form.html", {"form": form}, status=400)
    data = form.cleaned_data
    session = services.contact_session_get_or_start(
        session_id=data.get("session"),
        user=request.user,
        browser_session_key=_browser_key(request),
        source_page=data["source_page"],
    )
    if not session.is_open and session.outcome == ContactSession.Outcome.TICKET:
        return _show_filed(request, session.ticket, created=False)
    email = data.get("email", "")
    if request.POST.get("action") != "send":
        result = services.contact_session_suggest(
            session=session,
            subject=data["subject"],
            description=data["description"],
            email=email,
            user=request.user,
            browser_session=request.session,
        )
        if result.suggestions:
            return render(
                request,
                "tickets/contact_check.html",
                {"form": form, "session": session, "suggestions": result.suggestions},
            )
    result = services.contact_submit(
        user=request.user,
        email=email,
        subject=data["subject"],
        description=data["description"],
        category=data.get("category"),
        source_page=data["source_page"],
        session=session,
        submission=str(data["submission"]) if data.get("submission") else None,
        follow_up=not request.POST.get("separate"),
    )
    if result.outcome == services.ContactOutcome.FOLLOW_UP:
        # "File it separately" posts the same form again, with separate=1.
        return render(
            request,
            "tickets/follow_up_added.html",
            {"ticket": result.ticket, "form": ContactForm(request.POST, user=request.user)},
        )
    return _show_filed(request, result.ticket, created=not result.repeated)


def _show_filed(request, ticket, *, created: bool):
    # Only ever the filer's own ticket (services.ticket_submit scopes keys to the filer); an
    # account sees its tickets anyway, a browser without one remembers this one.
    if ticket.customer_id is None:
        access.remember_ticket(request.session, ticket)
    if created:
        messages.success(
            request,
            _("Your request %(ref)s has been sent. We've e-mailed you a confirmation.")
            % {"ref": ticket.reference},
        )
    return redirect("tickets:detail", reference=ticket.reference)


@never_cache
def contact_article(request, session_id, article_id: int):
    """A suggested article, opened from the contact flow, asking whether it answered."""
    session = _owned_session(request, session_id)
    article = get_object_or_404(live_articles(), pk=article_id)
    services.contact_session_open_article(session=session, article=article)
    context = article.get_context(request)
    context.update(contact_session=session)
    return render(request, "tickets/contact_article.html", context)


@never_cache
@require_POST
def contact_deflect(request, session_id):
    session = _owned_session(request, session_id)
    article = get_object_or_404(live_articles(), pk=parse_id(request.POST.get("article")))
    try:
        services.deflection_record(session=session, article=article)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("tickets:new")
    return redirect("tickets:thanks", session_id=session.pk)


@never_cache
def contact_thanks(request, session_id):
    session = _owned_session(request, session_id)
    if session.outcome != ContactSession.Outcome.DEFLECTED:
        return redirect("tickets:new")
    return render(request, "tickets/contact_thanks.html", {"session": session})


@never_cache
@login_required
def my_data(request):
    """Download everything the portal holds about my requests (JSON)."""
    response = JsonResponse(
        customer_data_export(user=request.user), json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="my-support-data.json"'
    return response


@never_cache
@login_required
def ticket_list(request):
    tickets = ticket_list_for_customer(user=request.user, session=request.session)
    return render(request, "tickets/ticket_list.html", {"tickets": tickets})


@never_cache
def ticket_detail(request, reference: str):
    ticket = ticket_for_customer(reference=reference, user=request.user, session=request.session)
    if ticket is None:
        raise Http404  # never 403: references must not be probeable
    form = ReplyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            services.ticket_reply(
                ticket=ticket,
                author=request.user if request.user.is_authenticated else None,
                body=form.cleaned_data["body"],
            )
            messages.success(request, _("Your reply has been added."))
            return redirect("tickets:detail", reference=ticket.reference)
        status = 400
    else:
        status = 200
    return render(
        request,
        "tickets/ticket_detail.html",
        {
            "ticket": ticket,
            "thread": public_thread(ticket),
            "form": form,
            "answer": offered_answer(ticket=ticket),
        },
        status=status,
    )


@never_cache
@require_POST
def ticket_solved(request, reference: str):
    ticket = ticket_for_customer(reference=reference, user=request.user, session=request.session)
    if ticket is None:
        raise Http404
    services.ticket_solved_by_customer(
        ticket=ticket, customer=request.user if request.user.is_authenticated else None
    )
    messages.success(request, _("Glad it's solved. Reply here if it comes back."))
    return redirect("tickets:detail", reference=ticket.reference)


@never_cache
def open_link(request, token: str):
    """The personal link e-mailed to a customer without an account."""
    link = access.link_from_token(token)
    if link is None:  # unknown, revoked, expired, or an old-style signed link
        return render(request, "tickets/link_expired.html", status=404)
    access.remember_link(request.session, link)
    return HttpResponseRedirect(reverse("tickets:detail", args=(link.ticket.reference,)))


@never_cache
def new_link(request):
    """Send me a new link: a fresh personal link by e-mail; the earlier ones stop working."""
    form = NewLinkForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "tickets/link_request.html", {"form": form}, status=400)
        services.ticket_link_resend(
            reference=form.cleaned_data["reference"], email=form.cleaned_data["email"]
        )
        # The same answer whether or not anything matched: the page reveals no tickets.
        return render(request, "tickets/link_request.html", {"form": form, "sent": True})
    return render(request, "tickets/link_request.html", {"form": form})
