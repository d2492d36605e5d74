import copy
import functools

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm

from accounts import services
from accounts.models import User
from accounts.services import USER_ADMIN_FIELDS, user_admin_update, user_create, user_password_set


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = ("email", "password", *USER_ADMIN_FIELDS[1:])


class PasswordSetForm(AdminPasswordChangeForm):
    """Django's admin password form, saving through ``user_password_set`` so the
    change is audited with the staff member who made it."""

    def __init__(self, user, *args, actor: User, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.actor = actor

    def save(self, commit=True):
        password = self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        return user_password_set(user=self.user, password=password, actor=self.actor)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = PasswordSetForm
    # The app's roles are is_staff and is_superuser; group and permission edits
    # are left out because they would bypass the audited service.
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    filter_horizontal = ()

    def save_model(self, request, obj, form, change):
        if change:
            changed = {name: getattr(obj, name) for name in form.changed_data if name in USER_ADMIN_FIELDS}
            saved = user_admin_update(user=obj, data=changed, actor=request.user)
        else:
            password = form.cleaned_data["password1"] if form.cleaned_data["set_usable_password"] else None
            saved = user_create(
                email=obj.email,
                password=password,
                first_name=obj.first_name,
                last_name=obj.last_name,
                actor=request.user,
            )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def user_change_password(self, request, id, form_url=""):
        # Django builds the form as ``self.change_password_form(user, data)``; a
        # per-request copy of this admin binds the acting user into it.
        admin_for_request = copy.copy(self)
        admin_for_request.change_password_form = functools.partial(PasswordSetForm, actor=request.user)
        return super(UserAdmin, admin_for_request).user_change_password(request, id, form_url)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting an account would cascade to its listings and templates without
        # audit rows; staff deactivate accounts (is_active) instead.
        return False

    actions = ["unlock_accounts"]

    @admin.action(description="Unlock selected accounts (clear failed log-ins)")
    def unlock_accounts(self, request, queryset):
        unlocked = sum(
            1 for user in queryset if services.account_unlock(email=user.email, actor=request.user)
        )
        self.message_user(request, f"Unlocked {unlocked} of {len(queryset)} accounts.", messages.SUCCESS)
