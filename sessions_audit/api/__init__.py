"""The DRF layer of sessions_audit: serializers, permissions, thin views."""
