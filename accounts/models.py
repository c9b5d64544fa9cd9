from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """The project's user model, custom from the first migration.

    ``session_epoch`` is the per-user marker that "revoke all" moves: every
    registry row remembers the epoch it was created under, and a row from an
    older epoch no longer authenticates, even if a copy of it survives.
    """

    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_username()

    def save(self, *args, **kwargs) -> None:
        # The epoch only ever moves forward, by one UPDATE ... + 1 in
        # revoke_all_sessions. A plain save() of an instance loaded before a
        # revocation would write the old epoch back, killing the sessions made
        # since (and reviving copies the revocation killed), so an update never
        # writes it.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "session_epoch"
            ]
        super().save(*args, **kwargs)
