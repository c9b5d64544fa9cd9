"""HTTP wrappers around the one export function (export.export_chunks)."""

from datetime import datetime

from django.db.models import Max, Min, QuerySet
from django.http import StreamingHttpResponse

from .export import export_chunks, export_filename
from .models import Event

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/jsonl; charset=utf-8",
}


def export_response(
    *,
    events: QuerySet[Event],
    fmt: str = "csv",
    since: datetime | None = None,
    until: datetime | None = None,
) -> StreamingHttpResponse:
    """Stream ``events`` as a download, in constant memory.

    Pass what ``services.start_export`` returned (the export is then audited
    and frozen). The filename carries ``since``/``until``; when neither is
    given it carries the range of the exported events themselves.
    """
    if since is None and until is None:
        bounds = events.aggregate(first=Min("created_at"), last=Max("created_at"))
        since, until = bounds["first"], bounds["last"]
    response = StreamingHttpResponse(
        export_chunks(events, fmt=fmt), content_type=CONTENT_TYPES[fmt]
    )
    name = export_filename(since=since, until=until, fmt=fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_response(events: QuerySet[Event]) -> StreamingHttpResponse:
    """The CSV download of ``events`` (see ``export_response``)."""
    return export_response(events=events, fmt="csv")
