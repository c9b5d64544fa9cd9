"""The sessions, audit and admin endpoints: thin views over the services."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.utils import timezone

from sessions_audit.models import Event, EventType, Reason, UserSession
from tests.api_helpers import api_client, api_reauth, api_sign_in, call
from tests.factories import UserFactory
from tests.helpers import cached, sid

pytestmark = pytest.mark.django_db


def signed_in(username: str, password: str, *, reauth: bool = True):
    """A signed-in API client, by default also re-authenticated just now."""
    client = api_client()
    api_sign_in(client, username, password)
    if reauth:
        api_reauth(client, password)
    return client


def assert_signed_out(client, key: str) -> None:
    assert client.get("/api/me/").status_code == 401
    assert not UserSession.objects.filter(session_key=key).exists()
    assert not Session.objects.filter(pk=key).exists()
    assert cached(key) is None


# --- GET /api/sessions/ -------------------------------------------------------------


def test_sessions_list_marks_exactly_the_current_one_and_shows_no_key(
    alice, bob, password
):
    clients = [signed_in("alice", password) for _ in range(3)]
    signed_in("bob", password)
    response = clients[1].get("/api/sessions/")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 3
    assert [row["is_current"] for row in rows].count(True) == 1
    current = next(row for row in rows if row["is_current"])
    assert current["id"] == str(UserSession.objects.get(session_key=sid(clients[1])).pk)
    assert set(rows[0]) == {
        "id",
        "device",
        "user_agent",
        "ip",
        "method",
        "created_at",
        "last_seen_at",
        "is_current",
    }
    for client in clients:
        assert sid(client) not in response.content.decode()


def test_sessions_list_anonymous_is_401():
    assert api_client().get("/api/sessions/").status_code == 401


# --- DELETE /api/sessions/{id}/ --------------------------------------------------


def test_ending_another_own_session_signs_that_client_out(alice, password):
    mine, other = signed_in("alice", password), signed_in("alice", password)
    other_key = sid(other)
    row = UserSession.objects.get(session_key=other_key)
    response = call(mine, "DELETE", f"/api/sessions/{row.pk}/")
    assert response.status_code == 204
    assert_signed_out(other, other_key)
    assert mine.get("/api/me/").status_code == 200
    revoked = Event.objects.get(event_type=EventType.SESSION_REVOKED)
    assert (revoked.actor, revoked.subject, revoked.reason, revoked.session_ref) == (
        alice,
        alice,
        Reason.SELF,
        row.ref,
    )


def test_ending_another_users_session_is_404_and_it_survives(alice, bob, password):
    mine, bobs = signed_in("alice", password), signed_in("bob", password)
    row = UserSession.objects.get(user=bob)
    response = call(mine, "DELETE", f"/api/sessions/{row.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert bobs.get("/api/me/").status_code == 200
    assert not Event.objects.filter(event_type=EventType.SESSION_REVOKED).exists()


def test_session_route_does_not_match_a_session_key(alice, password):
    client = signed_in("alice", password)
    assert call(client, "DELETE", f"/api/sessions/{sid(client)}/").status_code == 404
    assert client.get("/api/me/").status_code == 200


def test_ending_the_current_session_signs_out_without_reauth(alice, password):
    client = signed_in("alice", password)
    key = sid(client)
    row = UserSession.objects.get(session_key=key)
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert call(client, "DELETE", f"/api/sessions/{row.pk}/").status_code == 204
        assert_signed_out(client, key)


def test_ending_another_session_after_the_reauth_window_needs_reauth(alice, password):
    mine, other = signed_in("alice", password), signed_in("alice", password)
    row = UserSession.objects.get(session_key=sid(other))
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        response = call(mine, "DELETE", f"/api/sessions/{row.pk}/")
        assert response.status_code == 403
        assert response.json()["code"] == "reauth_required"
        assert other.get("/api/me/").status_code == 200
        reauth = call(mine, "POST", "/api/auth/reauth/", {"password": password})
        assert reauth.status_code == 204
        assert call(mine, "DELETE", f"/api/sessions/{row.pk}/").status_code == 204
        assert other.get("/api/me/").status_code == 401


# --- POST /api/sessions/revoke-others/ -------------------------------------------


def test_revoke_others_keeps_this_session_and_ends_the_rest(alice, bob, password):
    mine = signed_in("alice", password)
    others = [signed_in("alice", password) for _ in range(2)]
    bobs = signed_in("bob", password)
    keys = [sid(client) for client in others]
    response = call(mine, "POST", "/api/sessions/revoke-others/")
    assert response.status_code == 200
    assert response.json() == {"revoked": 2}
    for client, key in zip(others, keys, strict=True):
        assert_signed_out(client, key)
    assert mine.get("/api/me/").status_code == 200
    assert bobs.get("/api/me/").status_code == 200
    revoked = Event.objects.filter(event_type=EventType.SESSION_REVOKED)
    assert revoked.count() == 2
    assert {(e.actor_id, e.reason) for e in revoked} == {(alice.pk, Reason.SELF)}
    assert Event.objects.get(event_type=EventType.ALL_SESSIONS_REVOKED).data == {
        "count": 2,
        "kept_current": True,
    }


def test_revoke_others_with_a_stale_sign_in_is_403_reauth_required(alice, password):
    mine, other = signed_in("alice", password), signed_in("alice", password)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        response = call(mine, "POST", "/api/sessions/revoke-others/")
        assert response.status_code == 403
        assert response.json() == {
            "code": "reauth_required",
            "detail": "Confirm your password first (POST /api/auth/reauth/).",
        }
        assert other.get("/api/me/").status_code == 200
        # A client-supplied time is not an authentication.
        forged = call(mine, "POST", "/api/sessions/revoke-others/", {"auth_time": 0})
        assert forged.status_code == 403
        call(mine, "POST", "/api/auth/reauth/", {"password": password})
        assert call(mine, "POST", "/api/sessions/revoke-others/").json() == {
            "revoked": 1
        }
        assert other.get("/api/me/").status_code == 401


# --- GET /api/audit/events/ and /api/audit/export.csv ----------------------------


@pytest.mark.parametrize("path", ["/api/audit/events/", "/api/audit/export.csv"])
def test_audit_endpoints_are_for_auditors_only(path, alice, auditor, password):
    staff = UserFactory(username="staffer", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="revoke_usersession"))
    assert api_client().get(path).status_code == 401
    for username in ("alice", "staffer"):
        response = signed_in(username, password).get(path)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    assert signed_in("auditor", password).get(path).status_code == 200
    refused = Event.objects.filter(event_type=EventType.AUTHORIZATION_REFUSED)
    assert sorted(e.actor_label for e in refused) == ["alice", "staffer"]


def test_audit_events_filter_and_page_by_id(alice, auditor, password):
    signed_in("alice", password, reauth=False)
    client = signed_in("auditor", password, reauth=False)
    everything = client.get("/api/audit/events/").json()
    assert everything["next_after"] is None
    assert [e["event_type"] for e in everything["results"]] == [
        "login_succeeded",
        "session_created",
        "login_succeeded",
        "session_created",
    ]
    first = client.get("/api/audit/events/?limit=1").json()
    assert len(first["results"]) == 1
    assert first["next_after"] == first["results"][0]["id"]
    second = client.get(f"/api/audit/events/?limit=3&after={first['next_after']}")
    assert [e["id"] for e in second.json()["results"]] == [
        e["id"] for e in everything["results"][1:]
    ]
    only_alice = client.get(
        f"/api/audit/events/?user={alice.pk}&type=session_created"
    ).json()["results"]
    assert [(e["subject"], e["event_type"]) for e in only_alice] == [
        ("alice", "session_created")
    ]


def test_audit_events_bad_filters_are_400(auditor, password):
    client = signed_in("auditor", password)
    for query in ("type=nope", "since=yesterday", "limit=0", "user=x", "ip=1.2.3"):
        response = client.get(f"/api/audit/events/?{query}")
        assert response.status_code == 400, query
        assert response.json()["code"] == "invalid"


def test_audit_export_streams_csv_and_audits_the_export(alice, auditor, password):
    signed_in("alice", password)
    client = signed_in("auditor", password)
    response = client.get("/api/audit/export.csv?type=login_succeeded")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["event_type"], r["subject"]) for r in rows] == [
        ("login_succeeded", "alice"),
        ("login_succeeded", "auditor"),
    ]
    exported = Event.objects.get(event_type=EventType.AUDIT_EXPORTED)
    assert exported.actor == auditor
    assert exported.data == {
        "filters": {"types": ["login_succeeded"]},
        "row_count": 2,
    }


def test_audit_export_needs_a_recent_sign_in(auditor, password):
    client = signed_in("auditor", password)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        response = client.get("/api/audit/export.csv")
        assert response.status_code == 403
        assert response.json()["code"] == "reauth_required"
    assert not Event.objects.filter(event_type=EventType.AUDIT_EXPORTED).exists()


# --- POST /api/admin/users/{id}/force-logout/ ------------------------------------


def test_force_logout_ends_every_session_of_the_user(alice, staff_admin, password):
    alices = [signed_in("alice", password) for _ in range(3)]
    keys = [sid(client) for client in alices]
    admin = signed_in("boss", password)
    response = call(
        admin,
        "POST",
        f"/api/admin/users/{alice.pk}/force-logout/",
        {"note": "laptop stolen"},
    )
    assert response.status_code == 200
    assert response.json() == {"revoked": 3}
    for client, key in zip(alices, keys, strict=True):
        assert_signed_out(client, key)
    revoked = Event.objects.filter(event_type=EventType.SESSION_REVOKED)
    assert [(e.actor, e.subject, e.reason, e.data) for e in revoked] == [
        (staff_admin, alice, Reason.ADMIN, {"note": "laptop stolen"})
    ] * 3
    assert admin.get("/api/me/").status_code == 200


def test_force_logout_is_refused_and_audited_without_the_permission(
    alice, bob, password
):
    bobs = signed_in("bob", password)
    alices = signed_in("alice", password)
    response = call(alices, "POST", f"/api/admin/users/{bob.pk}/force-logout/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert bobs.get("/api/me/").status_code == 200
    refused = Event.objects.get(event_type=EventType.AUTHORIZATION_REFUSED)
    assert refused.actor == alice
    path = f"/api/admin/users/{bob.pk}/force-logout/"
    assert refused.data == {
        "resource": f"api:{path}",
        "permissions": ["sessions_audit.revoke_usersession"],
        "http_method": "POST",
        "path": path,
    }
    anonymous = api_client()
    assert (
        call(anonymous, "POST", f"/api/admin/users/{bob.pk}/force-logout/").status_code
        == 401
    )


def test_force_logout_of_an_unknown_user_is_404(staff_admin, password):
    admin = signed_in("boss", password)
    response = call(admin, "POST", "/api/admin/users/999999/force-logout/")
    assert response.status_code == 404
    too_long = call(
        admin,
        "POST",
        f"/api/admin/users/{staff_admin.pk}/force-logout/",
        {"note": "x" * 201},
    )
    assert too_long.status_code == 400
    assert UserSession.objects.filter(user=staff_admin).exists()


# --- Permission changes bite at once ---------------------------------------------


def test_removing_a_permission_refuses_the_very_next_call(auditor, password):
    client = signed_in("auditor", password)
    assert client.get("/api/audit/events/").status_code == 200
    assert client.get("/api/me/").json()["can"]["view_audit"] is True
    auditor.groups.clear()  # the role is taken away while the session lives
    response = client.get("/api/audit/events/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert client.get("/api/me/").json()["can"]["view_audit"] is False
    assert client.get("/api/me/").status_code == 200  # still signed in


def test_removing_staff_status_refuses_the_next_force_logout(
    alice, staff_admin, password
):
    alices = signed_in("alice", password)
    admin = signed_in("boss", password)
    staff_admin.is_staff = False
    staff_admin.save(update_fields=["is_staff"])
    response = call(admin, "POST", f"/api/admin/users/{alice.pk}/force-logout/")
    assert response.status_code == 403
    assert alices.get("/api/me/").status_code == 200


def test_audit_export_errors_are_json_even_when_csv_is_asked_for(db):
    response = api_client().get("/api/audit/export.csv", headers={"Accept": "text/csv"})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
