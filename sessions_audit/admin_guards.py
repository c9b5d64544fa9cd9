"""Admin mix-in: a refused admin view or action is audited, then answered 403.

Django hides what a user may not do; a request made anyway (a crafted POST of
an action, the URL of a list one may not see) is an attempt worth recording.
"""

from django.http import HttpRequest

from .authorization import refuse


class AuditedRefusalsMixin:
    """For ModelAdmins: refusals of views and actions become audit events."""

    def _resource(self) -> str:
        return f"admin:{self.opts.app_label}.{self.opts.model_name}"

    def _guard_view(self, request: HttpRequest) -> None:
        if not self.has_view_or_change_permission(request):
            raise refuse(request, resource=self._resource())

    def changelist_view(self, request: HttpRequest, extra_context=None):
        self._guard_view(request)
        action = request.POST.get("action") if request.method == "POST" else None
        if action and action not in self.get_actions(request):
            # The action exists but this user's permissions filtered it out.
            known = {base.name for base in self._get_base_actions()}
            if action in known:
                raise refuse(request, resource=f"{self._resource()}:action:{action}")
        return super().changelist_view(request, extra_context)

    def changeform_view(
        self, request: HttpRequest, object_id=None, form_url="", extra_context=None
    ):
        if object_id is not None:  # the add form is Django's own check
            self._guard_view(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def history_view(self, request: HttpRequest, *args, **kwargs):
        self._guard_view(request)
        return super().history_view(request, *args, **kwargs)
