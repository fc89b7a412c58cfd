"""Tickets: everything after a customer starts typing "Contact support".

The core, which every room uses: `models/`, `services/` (every write, each rule once),
`selectors.py` (reads), and the helpers they share (`access`, `links`, `notifications`,
`text`, `groups`, `limits`, `rendering`, `placeholders`). `triage/` sits beneath the services,
which apply it when a ticket is filed or changes. The rooms depend on the core and not on
each other; .importlinter names the two places where one room uses another, and why.

- support/  the customer's side: contact flow, their tickets, ratings, answers after filing
- agents/   the Django admin where agents work the queue
- triage/   routing, priority, auto-category, follow-ups and merge candidates, SLA clocks
- backlog/  metrics, the dashboard and its charts, reports and the weekly e-mail
- gaps/     gap mining into articles to write, editors' views, product signals
- widget/   the help widget other sites embed: its API, allowed sites and user tokens
"""
