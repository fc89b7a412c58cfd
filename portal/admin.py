"""People in the Django admin: the e-mail address is the username."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from portal.models import User
from tickets.services.privacy import customer_erase


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    actions = ["erase_personal_data"]
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Name"), {"fields": ["first_name", "last_name"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]},
        )
    ]

    @admin.action(
        description=_("Erase personal data (keeps anonymous ticket statistics)"),
        permissions=["delete"],
    )
    def erase_personal_data(self, request, queryset):
        staff = queryset.filter(is_staff=True)
        if staff.exists():
            self.message_user(request, _("Staff accounts are not erased this way."), messages.ERROR)
            return
        people = list(queryset)
        erased = sum(customer_erase(user=user) for user in people)
        self.message_user(
            request,
            _("Erased %(people)d customers; %(tickets)d tickets kept, anonymised.")
            % {"people": len(people), "tickets": erased},
        )
