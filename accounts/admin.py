from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from sessions_audit.admin_actions import RevokePermissionMixin, force_logout_action
from sessions_audit.admin_guards import AuditedRefusalsMixin

from .models import User


@admin.register(User)
class UserAdmin(AuditedRefusalsMixin, RevokePermissionMixin, BaseUserAdmin):
    actions = [force_logout_action]
    list_display = ("username", "email", "is_active", "is_staff", "last_login")
