"""Signed links e-mailed to customers that act without signing in: rate a ticket, unsubscribe,
close a ticket the answer offered after filing solved."""

from django.conf import settings
from django.core import signing

from tickets.models import Ticket

RATING_SALT = "tickets.rating-link"
UNSUBSCRIBE_SALT = "tickets.unsubscribe-link"


class LinkExpired(Exception):
    """The link was genuine but is older than its window."""


class LinkInvalid(Exception):
    """The link was altered, forged, or points at nothing."""


def rating_token(ticket: Ticket) -> str:
    return signing.dumps({"t": ticket.pk, "e": ticket.customer_email}, salt=RATING_SALT)


def ticket_from_rating_token(token: str) -> Ticket:
    """The ticket a rating link is for; raises LinkExpired or LinkInvalid."""
    try:
        data = signing.loads(token, salt=RATING_SALT, max_age=settings.RATING_LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except signing.BadSignature as error:
        raise LinkInvalid from error
    # The address is part of the link, so a ticket erased or handed to someone else since
    # cannot be rated with it.
    ticket = Ticket.objects.filter(pk=data.get("t"), customer_email=data.get("e")).first()
    if ticket is None:
        raise LinkInvalid
    return ticket


def unsubscribe_token(email: str) -> str:
    # No expiry: an unsubscribe link must keep working however old the e-mail is.
    return signing.dumps({"e": email.strip().lower()}, salt=UNSUBSCRIBE_SALT)


def email_from_unsubscribe_token(token: str) -> str:
    try:
        email = signing.loads(token, salt=UNSUBSCRIBE_SALT).get("e", "")
    except (signing.BadSignature, AttributeError) as error:
        raise LinkInvalid from error
    if not email:
        raise LinkInvalid
    return email


ANSWER_OFFER_SALT = "tickets.answer-offer-link"


def answer_offer_token(offer) -> str:
    ticket = offer.ticket
    return signing.dumps(
        {"o": offer.pk, "t": ticket.pk, "e": ticket.customer_email}, salt=ANSWER_OFFER_SALT
    )


def answer_offer_from_token(token: str):
    """The answer offer a "This solved it" link is for; raises LinkExpired or LinkInvalid."""
    from tickets.models import AnswerOffer

    try:
        data = signing.loads(
            token, salt=ANSWER_OFFER_SALT, max_age=settings.ANSWER_OFFER_LINK_MAX_AGE
        )
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except signing.BadSignature as error:
        raise LinkInvalid from error
    if not isinstance(data, dict):
        raise LinkInvalid
    # The ticket and its address are part of the link: it acts on that one ticket only, and
    # not once the ticket was erased or handed to someone else.
    offer = (
        AnswerOffer.objects.select_related("ticket", "article")
        .filter(pk=data.get("o"), ticket_id=data.get("t"), ticket__customer_email=data.get("e"))
        .first()
    )
    if offer is None:
        raise LinkInvalid
    return offer
