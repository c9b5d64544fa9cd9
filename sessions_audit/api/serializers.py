"""Input and output shapes of the sessions and audit endpoints.

Output serializers name their fields one by one: a registry row's session key
(or anything else secret) can never slip into a response by a ``fields =
"__all__"``.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..export import COLUMNS
from ..models import Event, EventType, UserSession
from ..useragents import describe

MAX_ID = 2**63 - 1  # BigAutoField: larger values are not ids, and not a 500


class SessionSerializer(serializers.ModelSerializer):
    """One of the user's live sessions, by its opaque registry id."""

    device = serializers.SerializerMethodField()
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = UserSession
        fields = [
            "id",
            "device",
            "user_agent",
            "ip",
            "method",
            "created_at",
            "last_seen_at",
            "is_current",
        ]
        read_only_fields = fields

    def get_device(self, row: UserSession) -> str:
        return describe(row.user_agent)

    def get_is_current(self, row: UserSession) -> bool:
        current = self.context.get("current")
        return current is not None and row.pk == current.pk


class RevokedSerializer(serializers.Serializer):
    revoked = serializers.IntegerField(help_text="How many sessions ended.")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why; recorded in the audit log with your name.",
    )


@extend_schema_field(
    {"type": "string", "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]}
)
class IPField(serializers.IPAddressField):
    """An IPv4 or IPv6 address, documented as exactly that."""


class EventFilterSerializer(serializers.Serializer):
    """Query parameters of the audit list and the CSV export."""

    since = serializers.DateTimeField(required=False, help_text="created_at >= since")
    until = serializers.DateTimeField(required=False, help_text="created_at < until")
    type = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        required=False,
        help_text="Event types (repeat the parameter for several).",
    )
    user = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="User id, as actor or subject.",
    )
    ip = IPField(required=False)

    def filters(self) -> dict:
        """The selector's keyword arguments, and a JSON-safe copy for the audit."""
        data = self.validated_data
        return {
            "since": data.get("since"),
            "until": data.get("until"),
            "types": data.get("type") or None,
            "user_id": data.get("user"),
            "ip": data.get("ip"),
        }


class EventPageSerializer(EventFilterSerializer):
    after = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_ID,
        help_text="Return events with id > after.",
    )
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=500, default=100
    )


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")
    subject = serializers.CharField(source="subject_label")

    class Meta:
        model = Event
        # The same columns, in the same order, as the CSV and JSONL exports.
        fields = list(COLUMNS)
        read_only_fields = fields


class EventPage(serializers.Serializer):
    results = EventSerializer(many=True)
    next_after = serializers.IntegerField(
        allow_null=True, help_text="Pass as `after` for the next page; null at the end."
    )
