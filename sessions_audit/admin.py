from django.contrib import admin
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html

from . import services
from .admin_actions import RevokePermissionMixin, end_sessions_action
from .admin_guards import AuditedRefusalsMixin
from .authorization import (
    EXPORT_EVENTS,
    VIEW_EVENTS,
    refuse_cross_site,
    require,
    require_reauthentication,
)
from .models import Event, EventType, UserSession
from .responses import export_response
from .useragents import describe


@admin.register(UserSession)
class UserSessionAdmin(AuditedRefusalsMixin, RevokePermissionMixin, admin.ModelAdmin):
    list_display = ("user", "ip", "device", "method", "created_at", "last_seen_at")
    list_filter = ("method", "created_at", "last_seen_at")
    search_fields = ("user__username", "user__email", "ip")
    list_select_related = ("user",)
    actions = [end_sessions_action]
    # Never the session key: the registry is shown by its reference.
    fields = (
        "user",
        "ref",
        "method",
        "ip",
        "device",
        "user_agent",
        "created_at",
        "last_seen_at",
    )
    readonly_fields = fields

    @admin.display(description="Browser / OS")
    def device(self, obj: UserSession) -> str:
        return describe(obj.user_agent)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Ending goes through the audited action, never a bare delete.
        return False


@admin.action(description="Export selected events as CSV", permissions=["export"])
def export_events_action(modeladmin, request: HttpRequest, queryset):
    """Download the selected (or, with "select all", the filtered) events."""
    require_reauthentication(request)
    events = services.start_export(
        events=queryset.order_by("id"),
        actor=request.user,
        filters={"source": "admin_action", "query": request.GET.urlencode()},
        request=request,
    )
    return export_response(events=events)


class EventTypeFilter(admin.SimpleListFilter):
    title = "event type"
    parameter_name = "event_type"

    def lookups(self, request, model_admin):
        return EventType.choices

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(event_type=value) if value else queryset


@admin.register(Event)
class EventAdmin(AuditedRefusalsMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "event_type",
        "actor_label",
        "subject_label",
        "method",
        "reason",
        "ip",
        "session_ref",
    )
    list_filter = (EventTypeFilter, "reason", "method", "created_at")
    search_fields = ("actor_label", "subject_label", "ip", "session_ref")
    date_hierarchy = "created_at"
    actions = [export_events_action]
    change_list_template = "admin/sessions_audit/event/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("sessions_audit.export_event")

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_filtered_view)
        return [
            path("export/", export, name="sessions_audit_event_export"),
            *super().get_urls(),
        ]

    def export_filtered_view(self, request: HttpRequest):
        """Export everything the changelist currently shows (its filters, search)."""
        require(request, VIEW_EVENTS, EXPORT_EVENTS, resource="admin_audit_export")
        refuse_cross_site(request, resource="admin_audit_export")
        require_reauthentication(request)
        changelist = self.get_changelist_instance(request)
        events = services.start_export(
            events=changelist.get_queryset(request).order_by("id"),
            actor=request.user,
            filters={"source": "admin_changelist", "query": request.GET.urlencode()},
            request=request,
        )
        return export_response(events=events)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = extra_context or {}
        if self.has_export_permission(request):
            url = reverse("admin:sessions_audit_event_export")
            query = request.GET.urlencode()
            extra_context["export_url"] = format_html(
                "{}{}", url, f"?{query}" if query else ""
            )
        return super().changelist_view(request, extra_context)
