"""HTTP wrappers around the pure CSV writer."""

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from .export import iter_csv
from .models import Event


def csv_response(events: QuerySet[Event]) -> StreamingHttpResponse:
    """Stream events as a CSV download, in constant memory."""
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response = StreamingHttpResponse(
        iter_csv(events.iterator(chunk_size=2000)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
