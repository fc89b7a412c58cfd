"""Answer after filing: the customer's one click, from the e-mailed link or the ticket page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tickets import access, links, services
from tickets.selectors import offered_answer


@never_cache
def answer_by_link(request, token: str):
    """GET shows the answer and asks (mail scanners follow links); only a POST acts, on the
    one ticket the signed link names."""
    try:
        offer = links.answer_offer_from_token(token)
    except links.LinkExpired:
        return render(request, "tickets/answer_link_invalid.html", {"expired": True}, status=410)
    except links.LinkInvalid:
        return render(request, "tickets/answer_link_invalid.html", {"expired": False}, status=400)
    ticket = offer.ticket
    if request.method == "POST":
        choice = request.POST.get("choice")
        if choice == "solved":
            try:
                services.answer_offer_accept(offer=offer)
            except ValidationError as error:
                messages.info(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("Glad it's solved: we closed %(ref)s. Reply to it if it comes back.")
                    % {"ref": ticket.reference},
                )
        elif choice == "help":
            services.answer_offer_decline(offer=offer)
            messages.success(
                request,
                _("Thanks for telling us. %(ref)s stays open and an agent will answer it.")
                % {"ref": ticket.reference},
            )
        else:
            messages.error(request, _("Choose “This solved it” or “I still need help”."))
        if ticket.customer_id is None:
            # The link proves the address: this browser may now follow the ticket.
            access.remember_ticket(request.session, ticket)
        return redirect("tickets:answer-link", token=token)
    ticket.refresh_from_db()
    return render(
        request,
        "tickets/answer_offer.html",
        {
            "ticket": ticket,
            "answer": offered_answer(ticket=ticket),
            "chosen": request.GET.get("choice", ""),
        },
    )
