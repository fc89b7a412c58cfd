"""Django admin discovers this module: the agents' admin lives in its room (tickets/agents)."""

from tickets.agents import admin  # noqa: F401
