"""Where agents work: the Django admin's ticket queue (filters, assignment, replies, saved
replies, merging, bulk actions) and the admin pages of the records support runs on.

The admin is a thin caller: an edit becomes a `TicketEdit` for `tickets.services.ticket_edit`,
and every action calls one service. `tickets/admin.py` only imports `admin/` so that Django
discovers it.
"""
