"""Portal pages outside the knowledge base: sign-up, the favicon and the widget demo."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.forms import SignupForm


def signup(request):
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    if request.user.is_authenticated:
        return redirect(next_url)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("Welcome, %(name)s! Your account is ready and you are signed in.")
            % {"name": user.first_name or user.email},
        )
        return redirect(next_url)
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


@require_GET
def favicon(request):
    """Pages without a <link rel=icon> (the admins, the API docs) make browsers ask here."""
    # Not permanent: the static address changes with the icon's content in production.
    return redirect(static("favicon.ico"))


@require_GET
def widget_demo(request):
    """A stand-in for a customer's product page with the help widget embedded."""
    return render(
        request, "portal/widget_demo.html", {"portal": request.build_absolute_uri("/").rstrip("/")}
    )
