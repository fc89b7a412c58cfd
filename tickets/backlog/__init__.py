"""Backlog health for managers: intake against burn, backlog size and age, zombies, deflection,
satisfaction, service levels and answers offered after filing, as aggregate queries
(`metrics`), the admin dashboard with its charts, the CSV export, the JSON API and the weekly
e-mail (`reports`).

Read-only: nothing here writes a ticket. The weekly report counts the gaps room's product
signals (.importlinter).
"""
