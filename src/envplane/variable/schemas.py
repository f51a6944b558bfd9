import uuid

from envplane.core.schemas import BaseRecord, Description, Schema
from envplane.service.kinds.base import ServiceType
from envplane.variable.scopes import VariableScope, VariableType

# Entries created through the API; other owners (Doppler, ...) are not served.
OWNED_BY_QOVERY = "QOVERY"


# The official request bodies share most of their fields; the models below say
# so by inheritance rather than by repeating them.


class _EntryOptions(Schema):
    description: Description | None = None
    enable_interpolation_in_file: bool | None = None


class Value(_EntryOptions):
    """The body of an override: a value for the overridden key."""

    value: str | None = None


class Key(_EntryOptions):
    """The body of an alias: a new key for the aliased value."""

    key: str


class SecretEditRequest(Key):
    value: str | None = None


class EnvironmentVariableEditRequest(SecretEditRequest):
    mount_path: str | None = None


class EnvironmentVariableRequest(EnvironmentVariableEditRequest):
    pass


class SecretRequest(EnvironmentVariableEditRequest):
    pass


class EnvironmentVariableAlias(Schema):
    id: uuid.UUID
    key: str
    value: str
    mount_path: str
    scope: VariableScope
    variable_type: VariableType


class EnvironmentVariableOverride(Schema):
    id: uuid.UUID
    key: str
    value: str
    mount_path: str
    scope: VariableScope
    variable_type: VariableType


class EnvironmentVariable(BaseRecord):
    key: str
    value: str | None = None
    mount_path: str | None = None
    description: str | None = None
    enable_interpolation_in_file: bool | None = None
    overridden_variable: EnvironmentVariableOverride | None = None
    aliased_variable: EnvironmentVariableAlias | None = None
    scope: VariableScope
    variable_type: VariableType
    service_id: uuid.UUID | None = None
    service_name: str | None = None
    service_type: ServiceType | None = None
    owned_by: str = OWNED_BY_QOVERY


class EnvironmentVariableResponseList(Schema):
    results: list[EnvironmentVariable]


class SecretAlias(Schema):
    id: uuid.UUID
    key: str
    mount_path: str
    scope: VariableScope
    variable_type: VariableType
    description: str | None = None
    enable_interpolation_in_file: bool | None = None


class SecretOverride(Schema):
    id: uuid.UUID
    key: str
    mount_path: str
    scope: VariableScope
    variable_type: VariableType
    description: str | None = None
    enable_interpolation_in_file: bool | None = None


class Secret(BaseRecord):
    """A secret as the API shows it: never its value, in clear or encrypted."""

    key: str
    overridden_secret: SecretOverride | None = None
    aliased_secret: SecretAlias | None = None
    scope: VariableScope
    variable_type: VariableType
    service_id: uuid.UUID | None = None
    service_name: str | None = None
    service_type: ServiceType | None = None
    owned_by: str = OWNED_BY_QOVERY
    description: str | None = None
    enable_interpolation_in_file: bool | None = None


class SecretResponseList(Schema):
    results: list[Secret]
