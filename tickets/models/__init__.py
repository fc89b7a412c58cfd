"""Support requests' models, one module per concern; the rest of Deflect imports them from here.

- contact           ContactSession, SuggestionShown
- customers         Organization, Team, CustomerPreferences, EmailOptOut
- tickets           Ticket and what hangs off it (messages, events, links, offers, ratings)
- outbox            Notification
- article_requests  ArticleRequest
- rules             SupportSettings, SlaPolicy, CategoryRoute, WidgetOrigin
- saved_replies     SavedReply, SavedReplyUse

They import nothing above them (no service, selector or room), and each other one way only:
contact, customers and article_requests first, then tickets, then outbox, rules, saved_replies.
"""

from tickets.models.article_requests import ArticleRequest
from tickets.models.contact import ContactSession, SuggestionShown
from tickets.models.customers import CustomerPreferences, EmailOptOut, Organization, Team
from tickets.models.outbox import Notification
from tickets.models.rules import CategoryRoute, SlaPolicy, SupportSettings, WidgetOrigin

# Migration 0011 names the widget secret's default `tickets.models._new_secret`: keep it here.
from tickets.models.rules import _new_secret as _new_secret
from tickets.models.saved_replies import SavedReply, SavedReplyUse
from tickets.models.tickets import (
    REFERENCE_OFFSET,
    REFERENCE_PREFIX,
    AnswerOffer,
    SatisfactionRating,
    SlaState,
    Ticket,
    TicketEvent,
    TicketLink,
    TicketMessage,
    TicketVector,
)

__all__ = [
    "REFERENCE_OFFSET",
    "REFERENCE_PREFIX",
    "AnswerOffer",
    "ArticleRequest",
    "CategoryRoute",
    "ContactSession",
    "CustomerPreferences",
    "EmailOptOut",
    "Notification",
    "Organization",
    "SatisfactionRating",
    "SavedReply",
    "SavedReplyUse",
    "SlaPolicy",
    "SlaState",
    "SuggestionShown",
    "SupportSettings",
    "Team",
    "Ticket",
    "TicketEvent",
    "TicketLink",
    "TicketMessage",
    "TicketVector",
    "WidgetOrigin",
]
