from asgiref.sync import sync_to_async
from django.contrib.auth.middleware import AuthenticationMiddleware as BaseMiddleware
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .authentication import get_user


def _cached_user(request: HttpRequest):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user


class AuthenticationMiddleware(BaseMiddleware):
    """Django's middleware with the registry-checking ``get_user``."""

    def process_request(self, request: HttpRequest) -> None:
        request.user_session = None
        request.user = SimpleLazyObject(lambda: _cached_user(request))

        async def auser():
            return await sync_to_async(_cached_user)(request)

        request.auser = auser
