"""Triage: what a new or changed ticket should be — its priority, category and assignee, the
open ticket it follows up, similar open tickets to merge, and its SLA due times.

Unlike the other rooms it sits beneath the services: `ticket_submit` and `ticket_set_priority`
apply these decisions, and the SLA check (`tickets.services.escalation`) reads the clocks.
So triage reads models and the engine's similarity and never writes or calls a service.
"""
