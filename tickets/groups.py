"""The staff groups permissions are granted to: each name once, for code, seeding and tests.

Migrations keep their own literals on purpose: a migration records history, which a later
rename of a constant must not rewrite.
"""

AGENTS = "Agents"  # work the ticket queue in the Django admin
MANAGERS = "Support managers"  # the backlog dashboard, SLA policies, teams, weekly report
PRODUCT_TEAM = "Product team"  # product signals from resolved tickets
# Wagtail's own groups (its migrations create them): knowledge-base authors and publishers.
EDITORS = "Editors"
MODERATORS = "Moderators"
