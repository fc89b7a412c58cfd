"""Which optional e-mails a customer gets: the preferences page, and the unsubscribe link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tickets import links, services
from tickets.support.forms import PreferencesForm


@login_required
def preferences(request):
    # Not `request.POST or None`: an unticked box posts nothing, and that is a choice too.
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        initial=services.customer_preferences_get(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        services.customer_preferences_set(
            user=request.user, article_notices=form.cleaned_data["article_notices"]
        )
        messages.success(request, _("Your e-mail preferences are saved."))
        return redirect("tickets:preferences")
    return render(request, "tickets/preferences.html", {"form": form})


# The token is the credential, and mail clients' one-click unsubscribe (RFC 8058) posts
# without a CSRF token; a forged post could only unsubscribe the address in the token.
@csrf_exempt
def unsubscribe(request, token: str):
    """GET asks to confirm (mail scanners follow links); POST unsubscribes the address."""
    try:
        email = links.email_from_unsubscribe_token(token)
    except links.LinkInvalid:
        return render(request, "tickets/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        services.email_opt_out(email=email)
        return render(request, "tickets/unsubscribe.html", {"email": email, "done": True})
    return render(request, "tickets/unsubscribe.html", {"email": email})
