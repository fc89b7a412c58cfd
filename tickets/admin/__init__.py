"""The support side of the Django admin; importing the modules registers their admins."""

from . import other, queue, site  # noqa: F401
