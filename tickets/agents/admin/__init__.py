"""The support side of the Django admin; importing the modules registers their admins."""

from tickets.agents.admin import other, queue, saved_replies, site  # noqa: F401
