"""Names of the groups that migrations create."""

AUDITORS = "Auditors"
AUDITOR_PERMISSIONS = ("view_event", "export_event")
