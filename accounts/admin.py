from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from sessions_audit.admin_actions import RevokePermissionMixin, force_logout_action
from sessions_audit.models import Reason

from . import services
from .models import Passkey, User


class PasskeyInline(admin.TabularInline):
    """A user's passkeys, read-only; deleting one here is an audited removal."""

    model = Passkey
    extra = 0
    fields = ("name", "created_at", "last_used_at", "kind", "sign_count", "aaguid")
    readonly_fields = fields
    verbose_name_plural = "passkeys (removing one also ends its sessions)"

    @admin.display(description="Kind")
    def kind(self, obj: Passkey) -> str:
        return "synced" if obj.is_synced else "device-bound"

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("accounts.delete_passkey")


@admin.register(User)
class UserAdmin(RevokePermissionMixin, BaseUserAdmin):
    actions = [force_logout_action]
    list_display = ("username", "email", "is_active", "is_staff", "last_login")
    inlines = [PasskeyInline]

    def save_formset(self, request: HttpRequest, form, formset, change: bool):
        if formset.model is not Passkey:
            return super().save_formset(request, form, formset, change)
        # Never a bare delete: the service ends the passkey's sessions and
        # audits the removal. An admin removes a passkey because it is lost
        # or compromised, so the sessions it opened go with it.
        for inline_form in formset.deleted_forms:
            passkey = inline_form.instance
            if passkey.pk is None:
                continue
            try:
                services.remove_passkey(
                    passkey=passkey,
                    actor=request.user,
                    end_sessions=True,
                    reason=Reason.ADMIN,
                    request=request,
                )
            except services.LastWayIn:
                self.message_user(
                    request,
                    f"Kept {passkey.name}: it is the user's only way to sign in.",
                    level="warning",
                )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = (
            [],
            [],
            [],
        )
