"""Writes of the support flow; views, tasks and the admin call these, never the models directly."""

from .contact import (
    ABANDON_AFTER,
    QUERY_MAX_LENGTH,
    browser_key_for,
    contact_session_get_or_start,
    contact_session_open_article,
    contact_session_suggest,
    contact_sessions_abandon,
    deflection_record,
    filer_key_for,
    suggestion_query,
)
from .lifecycle import (
    customer_account_for,
    learned_phrase_text,
    organization_for,
    ticket_assign,
    ticket_create,
    ticket_reply,
    ticket_resolve,
    ticket_set_category,
    ticket_set_priority,
    ticket_set_status,
    ticket_solved_by_customer,
)
from .links import ticket_link_resend
from .merging import ticket_add_follow_up, tickets_merge
from .submissions import ticket_submit

__all__ = [
    "ABANDON_AFTER", "QUERY_MAX_LENGTH", "browser_key_for", "contact_session_get_or_start",
    "contact_session_open_article", "contact_session_suggest", "contact_sessions_abandon",
    "customer_account_for", "deflection_record", "filer_key_for", "learned_phrase_text",
    "organization_for", "suggestion_query", "ticket_add_follow_up", "ticket_assign",
    "ticket_create", "ticket_link_resend", "ticket_reply", "ticket_resolve", "ticket_set_category",
    "ticket_set_priority", "ticket_set_status", "ticket_solved_by_customer", "ticket_submit",
    "tickets_merge",
]  # fmt: skip
