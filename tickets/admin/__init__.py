"""The support side of the Django admin; importing the modules registers their admins."""

from . import other, queue  # noqa: F401
