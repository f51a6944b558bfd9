"""The DATABASE kind: a PostgreSQL, MySQL, MongoDB or Redis instance, run as a
container in the environment's namespace or as a cloud provider's managed
database."""

import secrets
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import quote

from pydantic import BaseModel, Field, StringConstraints
from pydantic_core import to_jsonable_python

from envplane.core.crypto import SecretCipher
from envplane.core.errors import InvalidInput
from envplane.core.schemas import Description, Name, Schema
from envplane.models import Service
from envplane.service.kinds.base import BuiltIn, Kind, ServiceType, builtin_name
from envplane.service.kinds.job import IconUri, NoGroups, drop_none
from envplane.service.schemas import MAXIMUM_CPU, MAXIMUM_MEMORY, Cpu, Memory
from envplane.variable.builtins import internal_host

DEFAULT_ICON = "app://qovery-console/database"


class DatabaseTypeEnum(StrEnum):
    MONGODB = "MONGODB"
    MYSQL = "MYSQL"
    POSTGRESQL = "POSTGRESQL"
    REDIS = "REDIS"


class DatabaseModeEnum(StrEnum):
    CONTAINER = "CONTAINER"
    MANAGED = "MANAGED"


class DatabaseAccessibilityEnum(StrEnum):
    PRIVATE = "PRIVATE"
    PUBLIC = "PUBLIC"


class DiskTypeEnum(StrEnum):
    GP2 = "gp2"
    GP3 = "gp3"


Version = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)
]
InstanceType = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)
]
Storage = Annotated[int, Field(ge=1)]


class DatabaseRequest(Schema):
    name: Name
    description: Description | None = None
    type: DatabaseTypeEnum
    version: Version
    mode: DatabaseModeEnum
    accessibility: DatabaseAccessibilityEnum = DatabaseAccessibilityEnum.PRIVATE
    cpu: Cpu = 250
    instance_type: InstanceType | None = None
    # Its default depends on the type and mode, so it is filled in later.
    memory: Memory | None = None
    storage: Storage = 10
    annotations_groups: NoGroups | None = None
    labels_groups: NoGroups | None = None
    icon_uri: IconUri | None = None


class DatabaseEditRequest(Schema):
    name: Name | None = None
    description: Description | None = None
    version: Version | None = None
    accessibility: DatabaseAccessibilityEnum | None = None
    cpu: Cpu | None = None
    memory: Memory | None = None
    storage: Storage | None = None
    instance_type: InstanceType | None = None
    annotations_groups: NoGroups | None = None
    labels_groups: NoGroups | None = None
    icon_uri: IconUri | None = None
    disk_type: DiskTypeEnum | None = None


PORTS = {
    DatabaseTypeEnum.POSTGRESQL: 5432,
    DatabaseTypeEnum.MYSQL: 3306,
    DatabaseTypeEnum.MONGODB: 27017,
    DatabaseTypeEnum.REDIS: 6379,
}
CONTAINER_MEMORY = {
    DatabaseTypeEnum.POSTGRESQL: 100,
    DatabaseTypeEnum.MYSQL: 512,
    DatabaseTypeEnum.MONGODB: 256,
    DatabaseTypeEnum.REDIS: 100,
}
MANAGED_MEMORY = 100
SCHEMES = {
    DatabaseTypeEnum.POSTGRESQL: "postgresql",
    DatabaseTypeEnum.MYSQL: "mysql",
    DatabaseTypeEnum.MONGODB: "mongodb",
    DatabaseTypeEnum.REDIS: "redis",
}
USERNAME = "qovery"
# Redis has one user unless ACLs say otherwise, and numbered databases.
REDIS_USERNAME = "default"
DATABASE_NAME = "qovery"
REDIS_DATABASE = "0"


class DatabaseKind(Kind):
    service_type = ServiceType.DATABASE
    resource = "database"
    id_parameter = "databaseId"
    create_request = DatabaseRequest
    edit_request = DatabaseEditRequest

    def configuration(
        self, request: BaseModel, *, cipher: SecretCipher
    ) -> dict[str, Any]:
        assert isinstance(request, DatabaseRequest)
        stored = request.model_dump(mode="json", exclude={"name"})
        if request.memory is None:
            stored["memory"] = (
                MANAGED_MEMORY
                if request.mode == DatabaseModeEnum.MANAGED
                else CONTAINER_MEMORY[request.type]
            )
        _check_mode(stored)
        # Generated once, kept encrypted, never answered: the built-in secrets
        # hand it to the services that need it.
        stored["password"] = cipher.encrypt(_password())
        return stored

    def edited(self, current: dict[str, Any], request: BaseModel) -> dict[str, Any]:
        assert isinstance(request, DatabaseEditRequest)
        changes = request.model_dump(mode="json", exclude={"name"}, exclude_none=True)
        if changes.get("storage", current["storage"]) < current["storage"]:
            raise InvalidInput.field(
                ("body", "storage"),
                f"a database's storage can only grow; it has {current['storage']} GB",
            )
        edited = {**current, **changes}
        _check_mode(edited)
        return edited

    def copied(
        self, configuration: dict[str, Any], *, cipher: SecretCipher
    ) -> dict[str, Any]:
        # A copy is a new, empty database: it shares no credentials either.
        return {**configuration, "password": cipher.encrypt(_password())}

    def answer(self, service: Service) -> dict[str, Any]:
        stored = service.configuration
        managed = stored["mode"] == DatabaseModeEnum.MANAGED
        body: dict[str, Any] = {
            "id": service.id,
            "created_at": service.created_at,
            "updated_at": service.updated_at,
            "name": service.name,
            "description": stored.get("description"),
            "type": stored["type"],
            "version": stored["version"],
            "mode": stored["mode"],
            "accessibility": stored["accessibility"],
            "cpu": stored["cpu"],
            "memory": stored["memory"],
            "storage": stored["storage"],
            "environment": {"id": service.environment_id},
            "host": internal_host(service),
            "port": PORTS[DatabaseTypeEnum(stored["type"])],
            "maximum_cpu": MAXIMUM_CPU,
            "maximum_memory": MAXIMUM_MEMORY,
            "instance_type": stored.get("instance_type") if managed else None,
            "disk_type": stored.get("disk_type") if managed else None,
            "icon_uri": stored.get("icon_uri") or DEFAULT_ICON,
            "service_type": ServiceType.DATABASE,
        }
        return drop_none(to_jsonable_python(body))  # type: ignore[no-any-return]

    def builtins(self, service: Service, *, cipher: SecretCipher) -> list[BuiltIn]:
        stored = service.configuration
        database_type = DatabaseTypeEnum(stored["type"])
        redis = database_type == DatabaseTypeEnum.REDIS
        host = internal_host(service)
        port = PORTS[database_type]
        username = REDIS_USERNAME if redis else USERNAME
        database = REDIS_DATABASE if redis else DATABASE_NAME
        password = cipher.decrypt(stored["password"])
        uri = (
            f"{SCHEMES[database_type]}://{quote(username, safe='')}:"
            f"{quote(password, safe='')}@{host}:{port}/{database}"
        )
        prefix = f"QOVERY_DATABASE_{builtin_name(service.name)}"
        return [
            BuiltIn(f"{prefix}_HOST", host),
            BuiltIn(f"{prefix}_PORT", str(port)),
            BuiltIn(f"{prefix}_USERNAME", username),
            BuiltIn(f"{prefix}_PASSWORD", password, secret=True),
            BuiltIn(f"{prefix}_DATABASE", database),
            BuiltIn(f"{prefix}_CONNECTION_URI", uri, secret=True),
        ]


def _check_mode(configuration: dict[str, Any]) -> None:
    """What only one mode takes: an instance type and a disk type are a managed
    database's, and a managed database cannot do without an instance type."""
    if configuration["mode"] == DatabaseModeEnum.MANAGED:
        if not configuration.get("instance_type"):
            raise InvalidInput.field(
                ("body", "instance_type"),
                "a MANAGED database needs an instance_type, such as db.t3.medium",
            )
        return
    for field in ("instance_type", "disk_type"):
        if configuration.get(field) is not None:
            raise InvalidInput.field(
                ("body", field),
                f"only a MANAGED database takes a {field}; leave it out for a "
                "CONTAINER database",
            )


def _password() -> str:
    return secrets.token_urlsafe(24)
