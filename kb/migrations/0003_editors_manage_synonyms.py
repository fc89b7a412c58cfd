"""Let Wagtail's Editors group maintain search synonyms."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    "add_synonymgroup",
    "change_synonymgroup",
    "delete_synonymgroup",
    "view_synonymgroup",
]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; create kb's now to assign them.
    app_config = apps.get_app_config("kb")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors:
        editors.permissions.add(
            *Permission.objects.filter(content_type__app_label="kb", codename__in=PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0002_create_knowledge_base_root"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
