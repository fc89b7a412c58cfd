"""Telling customers that the article their question lacked now exists: once, if they want it."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max

from kb.models import ArticlePage
from tickets import notifications
from tickets.models import ArticleRequest, CustomerPreferences, EmailOptOut, Ticket

ERASED_DOMAIN = "@erased.invalid"  # tickets.services.privacy's placeholder for an erased customer


def _normalised(email: str) -> str:
    return email.strip().lower()


def addresses_refusing_article_notices(emails: set[str]) -> set[str]:
    """Of these addresses, those that unsubscribed or whose account said no, in two queries."""
    emails = {_normalised(email) for email in emails}
    refused = set(EmailOptOut.objects.filter(email__in=emails).values_list("email", flat=True))
    refused |= {
        _normalised(email)
        for email in get_user_model()
        .objects.filter(email__in=emails, support_preferences__article_notices=False)
        .values_list("email", flat=True)
    }
    return refused


def article_notices_wanted(*, email: str) -> bool:
    return not addresses_refusing_article_notices({email})


@transaction.atomic
def gap_article_notices_queue(*, request: ArticleRequest, article: ArticlePage) -> int:
    """E-mail each address whose ticket asked for this article, once; returns how many queued.

    The request row is locked, so two publications at once cannot both decide that an address
    has not been told yet; the unique constraint on (request, recipient) backs that up.
    """
    request = ArticleRequest.objects.select_for_update().get(pk=request.pk)
    if request.article_id != article.pk or not article.live:
        return 0
    # The most recent ticket of each address: the one the e-mail mentions.
    latest = dict(
        Ticket.objects.filter(gap_request=request)
        .exclude(customer_email__endswith=ERASED_DOMAIN)
        .values_list("customer_email")
        .annotate(latest=Max("pk"))
        .values_list("customer_email", "latest")
    )
    by_address: dict[str, int] = {}
    for email, ticket_pk in latest.items():
        address = _normalised(email)
        by_address[address] = max(ticket_pk, by_address.get(address, 0))
    told = set(request.notices.values_list("recipient", flat=True))
    refused = addresses_refusing_article_notices(set(by_address))
    wanted = {address: pk for address, pk in by_address.items() if address not in told | refused}
    tickets = Ticket.objects.in_bulk(wanted.values())
    for address, ticket_pk in sorted(wanted.items()):
        notifications.queue(
            tickets[ticket_pk],
            notifications.Kind.GAP_ARTICLE,
            recipient=address,
            article_request=request,
        )
    return len(wanted)


@transaction.atomic
def customer_preferences_set(*, user, article_notices: bool) -> CustomerPreferences:
    """A signed-in customer's choice; saying yes lifts an earlier unsubscribe of their address."""
    preferences, _created = CustomerPreferences.objects.update_or_create(
        user=user, defaults={"article_notices": article_notices}
    )
    if article_notices:
        EmailOptOut.objects.filter(email=_normalised(user.email)).delete()
    return preferences


def customer_preferences_get(*, user) -> dict:
    preferences = CustomerPreferences.objects.filter(user=user).first()
    wanted = preferences.article_notices if preferences else True
    opted_out = EmailOptOut.objects.filter(email=_normalised(user.email)).exists()
    return {"article_notices": wanted and not opted_out}


def email_opt_out(*, email: str) -> EmailOptOut:
    """The address followed an unsubscribe link: no more optional e-mails to it."""
    return EmailOptOut.objects.get_or_create(email=_normalised(email))[0]
