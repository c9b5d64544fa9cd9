import uuid

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from sessions_audit import selectors
from sessions_audit.admin_actions import (
    RevokePermissionMixin,
    confirm_end_user_session,
    force_logout_action,
    revoke_all_devices_action,
)
from sessions_audit.admin_guards import AuditedRefusalsMixin
from sessions_audit.models import Reason
from sessions_audit.useragents import describe

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
class UserAdmin(AuditedRefusalsMixin, RevokePermissionMixin, BaseUserAdmin):
    actions = [force_logout_action, revoke_all_devices_action]
    list_display = ("username", "email", "is_active", "is_staff", "last_login")
    change_form_template = "admin/accounts/user/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The change page also lists the user's sessions, each with an end button."""
        user = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if user is not None:
            extra_context["user_sessions"] = [
                {"row": row, "device": describe(row.user_agent)}
                for row in selectors.active_sessions(user=user)
            ]
            extra_context["can_end_sessions"] = self.has_revoke_permission(request)
            extra_context["end_session_url"] = reverse(
                "admin:accounts_user_end_session", args=[user.pk]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        end = self.admin_site.admin_view(self.end_session_view)
        return [
            path(
                "<path:object_id>/sessions/end/",
                end,
                name="accounts_user_end_session",
            ),
            *super().get_urls(),
        ]

    def end_session_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """End one session of this user: POST only, reason and confirmation first."""
        if request.method != "POST" or not self.has_revoke_permission(request):
            raise PermissionDenied
        user = get_object_or_404(User, pk=object_id)
        change_url = reverse("admin:accounts_user_change", args=[user.pk])
        try:
            session_id = uuid.UUID(request.POST.get("session", ""))
        except ValueError:
            session_id = None
        row = selectors.active_sessions(user=user).filter(pk=session_id).first()
        if row is None:
            self.message_user(request, "That session has already ended.", messages.INFO)
            return HttpResponseRedirect(change_url)
        response = confirm_end_user_session(self, request, row=row)
        return response or HttpResponseRedirect(change_url)

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
