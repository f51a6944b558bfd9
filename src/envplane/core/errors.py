"""The errors services raise. Each carries its HTTP status; ``core.handlers``
renders them all as one small JSON body."""

from typing import Any


class EnvplaneError(Exception):
    status_code = 500
    code = "internal_error"

    def __init__(self, message: str, *, errors: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class InvalidInput(EnvplaneError):
    status_code = 400
    code = "invalid_input"

    @classmethod
    def field(cls, location: tuple[str | int, ...], message: str) -> "InvalidInput":
        """One offending field, in pydantic's location/message shape."""
        where = ".".join(str(part) for part in location)
        return cls(
            f"{where}: {message}",
            errors=[{"loc": list(location), "msg": message, "type": "value_error"}],
        )


class NotAuthenticated(EnvplaneError):
    status_code = 401
    code = "not_authenticated"


class Forbidden(EnvplaneError):
    status_code = 403
    code = "forbidden"


class NotFound(EnvplaneError):
    status_code = 404
    code = "not_found"

    @classmethod
    def resource(cls, kind: str, resource_id: object) -> "NotFound":
        return cls(f"{kind} {resource_id} does not exist or is not yours to see")


class Conflict(EnvplaneError):
    status_code = 409
    code = "conflict"


class IdentityProviderUnavailable(EnvplaneError):
    status_code = 503
    code = "identity_provider_unavailable"
