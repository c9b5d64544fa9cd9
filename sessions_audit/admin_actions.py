"""Admin actions that end sessions: thin, permission-gated, confirmed in two steps.

The first POST shows how many sessions will end and asks for a reason; the
second (with ``confirm``) calls the service and reports with ``message_user``.
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

from . import services
from .models import Reason, UserSession

# The name an admin action's field has on a change form (Django 6.1).
CHANGE_FORM_ACTION = f"{admin.ActionLocation.CHANGE_FORM.value}-action"


class RevokeForm(forms.Form):
    note = forms.CharField(
        label="Reason",
        max_length=200,
        help_text="Recorded in the audit log with your name.",
        widget=forms.TextInput(attrs={"size": 60}),
    )


class RevokePermissionMixin:
    """Gives a ModelAdmin the ``revoke`` action permission."""

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("sessions_audit.revoke_usersession")


def _confirm(
    modeladmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    title: str,
    session_count: int,
    perform: Callable[[str], int],
    hidden: dict[str, list[str]] | None = None,
):
    """Ask for a reason and a confirmation; then ``perform(note)`` and report.

    ``hidden`` carries the fields that bring the second POST back to the same
    place; by default those of an admin action, from the change list or (with
    its ``CHANGE_FORM-`` prefix) from a change form.
    """
    if hidden is None:
        name = next(
            (n for n in (CHANGE_FORM_ACTION, "action") if n in request.POST), "action"
        )
        hidden = {
            name: [request.POST.get(name, "")],
            helpers.ACTION_CHECKBOX_NAME: request.POST.getlist(
                helpers.ACTION_CHECKBOX_NAME
            ),
            "select_across": [request.POST.get("select_across", "0")],
        }
    form = RevokeForm(request.POST if "confirm" in request.POST else None)
    if form.is_valid():
        ended = perform(form.cleaned_data["note"])
        modeladmin.message_user(
            request,
            ngettext("Ended %d session.", "Ended %d sessions.", ended) % ended,
            messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "session_count": session_count,
        "opts": modeladmin.model._meta,
        "hidden": [
            (name, value) for name, values in hidden.items() for value in values
        ],
    }
    return TemplateResponse(
        request, "admin/sessions_audit/confirm_revoke.html", context
    )


@admin.action(description="End selected sessions", permissions=["revoke"])
def end_sessions_action(modeladmin, request: HttpRequest, queryset: QuerySet):
    """End the selected sessions, each audited with the admin as actor."""
    queryset = queryset.select_related("user")

    def perform(note: str) -> int:
        return sum(
            services.revoke_session(
                session=row,
                actor=request.user,
                reason=Reason.ADMIN,
                note=note,
                request=request,
            )
            for row in queryset
        )

    return _confirm(
        modeladmin,
        request,
        queryset,
        title="End selected sessions",
        session_count=queryset.count(),
        perform=perform,
    )


@admin.action(description="Force logout (end every session)", permissions=["revoke"])
def force_logout_action(modeladmin, request: HttpRequest, queryset: QuerySet):
    """End every session of the selected users, in the database and the cache."""
    return _force_logout(modeladmin, request, queryset, title="Force logout")


@admin.action(
    description="Revoke all devices",
    permissions=["revoke"],
    location=admin.ActionLocation.CHANGE_FORM,
)
def revoke_all_devices_action(modeladmin, request: HttpRequest, queryset: QuerySet):
    """The user change page's button: end every session of this user."""
    return _force_logout(modeladmin, request, queryset, title="Revoke all devices")


def _force_logout(modeladmin, request: HttpRequest, queryset: QuerySet, *, title):

    def perform(note: str) -> int:
        return services.force_logout(
            users=list(queryset), actor=request.user, note=note, request=request
        )

    return _confirm(
        modeladmin,
        request,
        queryset,
        title=title,
        session_count=UserSession.objects.filter(user__in=queryset).count(),
        perform=perform,
    )


def confirm_end_user_session(modeladmin, request: HttpRequest, *, row: UserSession):
    """The user change page's per-session "End" button, confirmed in two steps."""

    def perform(note: str) -> int:
        return int(
            services.revoke_session(
                session=row,
                actor=request.user,
                reason=Reason.ADMIN,
                note=note,
                request=request,
            )
        )

    return _confirm(
        modeladmin,
        request,
        UserSession.objects.filter(pk=row.pk).select_related("user"),
        title="End session",
        session_count=1,
        perform=perform,
        hidden={"session": [str(row.pk)]},
    )
