"""The product team and support managers see product signals; agents only record them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ["Product team", "Support managers"]


def forwards(apps, schema_editor):
    config = apps.get_app_config("tickets")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    permission = Permission.objects.get(
        content_type__app_label="tickets", codename="view_product_signals"
    )
    Group.objects.get_or_create(name="Product team")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0020_product_signal_resolutions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
