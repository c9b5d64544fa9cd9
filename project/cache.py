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
