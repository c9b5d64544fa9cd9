"""Thin JSON views over the sessions_audit services and selectors.

Each view checks who may call it, reads its input through a serializer, calls
one service or selector and shapes the answer; the rules live in services.py.
Session ids in URLs are registry UUIDs, looked up among the caller's own rows
only, so another user's session is a 404 (no IDOR).
"""

from django.contrib.auth import get_user_model
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from project.api_schema import error_responses

from .. import responses, selectors, services
from ..models import Reason
from . import serializers as s
from .permissions import RecentAuthentication, has_perm, require_recent_authentication


class SessionListView(APIView):
    """The signed-in user's live sessions, this one marked ``is_current``."""

    @extend_schema(
        operation_id="sessions_list",
        responses={200: s.SessionSerializer(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.active_sessions(user=request.user)
        data = s.SessionSerializer(
            rows, many=True, context={"current": request._request.user_session}
        ).data
        return Response(data)


class SessionDetailView(APIView):
    """End one of the user's own sessions.

    Ending this session is signing out here; ending another one needs a recent
    sign-in or re-authentication (a stolen cookie alone cannot lock the owner
    out of their other devices).
    """

    @extend_schema(
        operation_id="sessions_destroy",
        responses={
            204: OpenApiResponse(description="Ended"),
            **error_responses(401, 403, 404),
        },
    )
    def delete(self, request: Request, session_id) -> Response:
        row = get_object_or_404(
            selectors.active_sessions(user=request.user), pk=session_id
        )
        current = request._request.user_session
        if row.pk != current.pk:
            require_recent_authentication(request)
        services.revoke_session(
            session=row,
            actor=request.user,
            reason=Reason.SELF,
            request=request._request,
        )
        response = Response(status=status.HTTP_204_NO_CONTENT)
        if row.pk == current.pk:
            response["Clear-Site-Data"] = '"cookies"'  # signed out here
        return response


class RevokeOthersView(APIView):
    """End every session of the user except this one (re-auth required)."""

    permission_classes = [IsAuthenticated, RecentAuthentication]

    @extend_schema(
        operation_id="sessions_revoke_others",
        request=None,
        responses={200: s.RevokedSerializer, **error_responses(401, 403)},
    )
    def post(self, request: Request) -> Response:
        count = services.revoke_all_sessions(
            user=request.user,
            actor=request.user,
            reason=Reason.SELF,
            keep=request._request.user_session,
            request=request._request,
        )
        return Response({"revoked": count})


def _filters(serializer: s.EventFilterSerializer) -> tuple[dict, dict]:
    """Selector keyword arguments, and their JSON-safe copy for the audit row."""
    raw = serializer.filters()
    user_id = raw.pop("user_id")
    kwargs = dict(raw)
    if user_id is not None:
        # A user deleted since still has events (no FK constraint): match by id.
        user = get_user_model()(pk=user_id)
        user._state.adding = False
        kwargs["user"] = user
    recorded = {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in {**raw, "user": user_id}.items()
        if value is not None
    }
    return kwargs, recorded


def _query(request: Request, serializer_class):
    serializer = serializer_class(
        data={
            **request.query_params.dict(),
            "type": request.query_params.getlist("type"),
        }
    )
    serializer.is_valid(raise_exception=True)
    return serializer


class AuditEventListView(APIView):
    """Audit events, oldest first, filtered and paged by id (auditors only)."""

    permission_classes = [IsAuthenticated, has_perm("sessions_audit.view_event")]

    @extend_schema(
        operation_id="audit_events_list",
        parameters=[s.EventPageSerializer],
        responses={200: s.EventPage, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        query = _query(request, s.EventPageSerializer)
        kwargs, _ = _filters(query)
        events = selectors.audit_events(**kwargs)
        after = query.validated_data.get("after")
        if after is not None:
            events = events.filter(id__gt=after)
        limit = query.validated_data["limit"]
        page = list(events[: limit + 1])
        more = len(page) > limit
        page = page[:limit]
        return Response(
            {
                "results": s.EventSerializer(page, many=True).data,
                "next_after": page[-1].id if more else None,
            }
        )


class AuditExportView(APIView):
    """The filtered audit log as CSV (export permission and a recent sign-in)."""

    permission_classes = [
        IsAuthenticated,
        has_perm("sessions_audit.export_event"),
        RecentAuthentication,
    ]

    @extend_schema(
        operation_id="audit_export_csv",
        parameters=[s.EventFilterSerializer],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            **error_responses(400, 401, 403),
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        kwargs, recorded = _filters(_query(request, s.EventFilterSerializer))
        events = services.start_export(
            events=selectors.audit_events(**kwargs),
            actor=request.user,
            filters=recorded,
            request=request._request,
        )
        return responses.csv_response(events)


class ForceLogoutView(APIView):
    """End every session of a user (the admin's "Force logout")."""

    permission_classes = [
        IsAuthenticated,
        has_perm("sessions_audit.revoke_usersession", staff=True),
        RecentAuthentication,
    ]

    @extend_schema(
        operation_id="admin_users_force_logout",
        request=s.NoteSerializer,
        responses={200: s.RevokedSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, user_id: int) -> Response:
        user = get_object_or_404(get_user_model(), pk=user_id)
        body = s.NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        count = services.force_logout(
            users=[user],
            actor=request.user,
            reason=Reason.ADMIN,
            note=body.validated_data["note"],
            request=request._request,
        )
        return Response({"revoked": count})
