"""django-redis, made to degrade rather than refuse when Redis is down.

With ``IGNORE_EXCEPTIONS`` django-redis answers a lost connection as a cache
miss. That is right for ``get``, but allauth's rate limiter takes a lock with
``cache.add`` and treats a lock it cannot take as *rate limited*: with Redis
down, every sign-in would be refused. Here ``add`` answers True when Redis did
not answer at all (django-redis returns None only then), so the limiter goes
on, finds no history and lets the request through. Rate limits therefore fail
open while Redis is down (the README's security section says so); sign-in,
and everything else, keeps working from the database.
"""

from django_redis.cache import RedisCache


class DegradingRedisCache(RedisCache):
    def add(self, *args, **kwargs) -> bool:
        added = super().add(*args, **kwargs)
        return True if added is None else added


def redis_options() -> dict:
    """django-redis options for both aliases (settings.py and the outage test).

    Errors are ignored (a miss; the database answers), timeouts are short so
    an outage costs milliseconds, not seconds, and a command that meets a
    connection Redis closed (it restarted) is retried once on a fresh one, so a
    cache delete right after a restart is not lost to a stale pooled socket.
    """
    from redis.exceptions import ConnectionError as RedisConnectionError

    return {
        "CLIENT_CLASS": "django_redis.client.DefaultClient",
        "IGNORE_EXCEPTIONS": True,
        "SOCKET_CONNECT_TIMEOUT": 0.5,
        "SOCKET_TIMEOUT": 0.5,
        "CONNECTION_POOL_KWARGS": {"retry_on_error": [RedisConnectionError]},
    }
