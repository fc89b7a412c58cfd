"""Writes of the support flow; views, tasks and the admin call these, never the models directly."""

from tickets.services.agent_edits import TicketEdit, ticket_edit
from tickets.services.answer_offers import (
    answer_offer_accept,
    answer_offer_after_filing,
    answer_offer_decide,
    answer_offer_decline,
)
from tickets.services.contact import (
    ABANDON_AFTER,
    QUERY_MAX_LENGTH,
    browser_key_for,
    contact_session_get_or_start,
    contact_session_open_article,
    contact_session_suggest,
    contact_session_typing,
    contact_sessions_abandon,
    deflection_record,
    filer_key_for,
    suggestion_query,
)
from tickets.services.escalation import slas_check, ticket_escalate
from tickets.services.lifecycle import (
    customer_account_for,
    learned_phrase_text,
    organization_for,
    ticket_assign,
    ticket_close,
    ticket_create,
    ticket_reply,
    ticket_resolve,
    ticket_set_category,
    ticket_set_priority,
    ticket_set_status,
    ticket_solved_by_customer,
)
from tickets.services.links import ticket_link_resend
from tickets.services.merging import ticket_add_follow_up, tickets_merge
from tickets.services.notices import (
    article_notices_wanted,
    customer_preferences_get,
    customer_preferences_set,
    email_opt_out,
    gap_article_notices_queue,
)
from tickets.services.satisfaction import ticket_rate, ticket_rateable
from tickets.services.saved_replies import saved_reply_apply, saved_reply_render
from tickets.services.submissions import (
    ContactOutcome,
    ContactResult,
    contact_submit,
    ticket_submit,
)
from tickets.services.waiting import ticket_set_waiting_on

__all__ = [
    "TicketEdit",
    "ticket_close",
    "ticket_edit",
    "slas_check",
    "ticket_escalate",
    "ContactOutcome",
    "ContactResult",
    "contact_submit",
    "answer_offer_accept",
    "answer_offer_after_filing",
    "answer_offer_decide",
    "answer_offer_decline",
    "ABANDON_AFTER",
    "QUERY_MAX_LENGTH",
    "browser_key_for",
    "contact_session_get_or_start",
    "contact_session_open_article",
    "contact_session_suggest",
    "contact_session_typing",
    "contact_sessions_abandon",
    "article_notices_wanted",
    "customer_account_for",
    "customer_preferences_get",
    "customer_preferences_set",
    "deflection_record",
    "email_opt_out",
    "filer_key_for",
    "gap_article_notices_queue",
    "learned_phrase_text",
    "organization_for",
    "saved_reply_apply",
    "saved_reply_render",
    "suggestion_query",
    "ticket_add_follow_up",
    "ticket_assign",
    "ticket_create",
    "ticket_link_resend",
    "ticket_rate",
    "ticket_rateable",
    "ticket_reply",
    "ticket_resolve",
    "ticket_set_category",
    "ticket_set_priority",
    "ticket_set_status",
    "ticket_set_waiting_on",
    "ticket_solved_by_customer",
    "ticket_submit",
    "tickets_merge",
]
