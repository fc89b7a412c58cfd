"""The customer's side of support: the contact form with suggestions while they type, their
tickets and replies, rating links, answers offered after filing, e-mail preferences, and the
support API (`/api/v1/contact-sessions`, `/api/v1/tickets`).

Views and serializers only read the request and call the core (`tickets.services`,
`tickets.selectors`); the widget room reuses this room's API serializers (.importlinter).
"""
