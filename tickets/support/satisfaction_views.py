"""“How did we do?”: rating a resolved ticket from its page or from the resolution e-mail."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tickets import access, links, services
from tickets.models import SatisfactionRating
from tickets.selectors import ticket_for_customer
from tickets.support.forms import RatingForm


@require_POST
def ticket_rate(request, reference: str):
    """One click on the ticket page: good or bad, with the comment if one was written."""
    ticket = ticket_for_customer(reference=reference, user=request.user, session=request.session)
    if ticket is None:
        raise Http404
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose good or bad."))
        return redirect("tickets:detail", reference=ticket.reference)
    try:
        services.ticket_rate(ticket=ticket, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thanks for telling us how it went."))
    return redirect("tickets:detail", reference=ticket.reference)


def rate_by_link(request, token: str):
    """The e-mailed link: GET asks to confirm (mail scanners follow links), POST records."""
    try:
        ticket = links.ticket_from_rating_token(token)
    except links.LinkExpired:
        return render(request, "tickets/rating_link_invalid.html", {"expired": True}, status=410)
    except links.LinkInvalid:
        return render(request, "tickets/rating_link_invalid.html", {"expired": False}, status=400)
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                rating = services.ticket_rate(ticket=ticket, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # The link proves the address: let them open the ticket from the thanks page.
                access.remember_ticket(request.session, ticket)
                return render(
                    request, "tickets/rating_thanks.html", {"ticket": ticket, "rating": rating}
                )
        status = 400
    else:
        current = SatisfactionRating.objects.filter(ticket=ticket).first()
        chosen = request.GET.get("rating") or (current.rating if current else None)
        form = RatingForm(initial={"rating": chosen, "comment": current.comment if current else ""})
        status = 200
    return render(
        request,
        "tickets/rating_confirm.html",
        {"ticket": ticket, "form": form, "rateable": services.ticket_rateable(ticket)},
        status=status,
    )
