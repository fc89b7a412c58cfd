"""The Django admin names the product: "Deflect support", not "Django administration"."""

from django.conf import settings
from django.contrib import admin
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

admin.site.site_header = format_lazy(_("{site} support"), site=settings.WAGTAIL_SITE_NAME)
admin.site.site_title = admin.site.site_header
admin.site.index_title = _("Support desk")
# The queue needs the width: the app list is one click away on the home page.
admin.site.enable_nav_sidebar = False
