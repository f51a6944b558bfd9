"""The ceiling: what this stack can serve at best for GET /environment/{id}.

A Starlette app that answers the same JSON as envplane's ``getEnvironment``
from one statement reading the environment by primary key (joined by primary
keys to its project and cluster), with no authentication, through the same
engine as envplane's server (its pool sized by the same settings, pre-ping on
checkout, on SQLite no write lock for a read). The handler is a plain
function, so Starlette runs it in its thread pool, as FastAPI runs envplane's
synchronous handlers. Served by uvicorn like envplane:

    uvicorn --factory bench.ceiling:create_app --workers 2
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String, Uuid, bindparam, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from envplane.core.config import Settings
from envplane.core.database import create_server_engine

_ENVIRONMENT = (
    text(
        "SELECT e.id, e.created_at, e.updated_at, e.name, e.mode, e.last_updated_by,"
        " e.project_id, p.organization_id, e.cluster_id, c.name AS cluster_name,"
        " c.cloud_provider, c.region"
        " FROM environments e"
        " JOIN projects p ON p.id = e.project_id"
        " JOIN clusters c ON c.id = e.cluster_id"
        " WHERE e.id = :id"
    )
    .bindparams(bindparam("id", type_=Uuid()))
    .columns(
        id=Uuid(),
        created_at=DateTime(timezone=True),
        updated_at=DateTime(timezone=True),
        name=String(),
        mode=String(),
        last_updated_by=Uuid(),
        project_id=Uuid(),
        organization_id=Uuid(),
        cluster_id=Uuid(),
        cluster_name=String(),
        cloud_provider=String(),
        region=String(),
    )
)


def create_app() -> Starlette:
    engine = create_server_engine(Settings()).execution_options(read_only=True)

    def get_environment(request: Request) -> JSONResponse:
        try:
            environment_id = uuid.UUID(request.path_params["environmentId"])
        except ValueError:
            return JSONResponse({"status": 400, "message": "not a uuid"}, 400)
        with engine.connect() as connection:
            row = connection.execute(_ENVIRONMENT, {"id": environment_id}).first()
        if row is None:
            return JSONResponse({"status": 404, "message": "no such environment"}, 404)
        return JSONResponse(_answer(row._mapping))

    return Starlette(
        routes=[Route("/environment/{environmentId}", get_environment)],
    )


def _answer(row: Any) -> dict[str, Any]:
    """The fields envplane answers, in its order, nulls left out as it does."""
    body = {
        "id": str(row["id"]),
        "created_at": _timestamp(row["created_at"]),
        "updated_at": _timestamp(row["updated_at"]),
        "name": row["name"],
        "organization": {"id": str(row["organization_id"])},
        "project": {"id": str(row["project_id"])},
        "last_updated_by": _text(row["last_updated_by"]),
        "cloud_provider": {
            "provider": row["cloud_provider"].lower(),
            "cluster": row["region"],
        },
        "mode": row["mode"],
        "cluster_id": str(row["cluster_id"]),
        "cluster_name": row["cluster_name"],
    }
    return {key: value for key, value in body.items() if value is not None}


def _timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _text(value: object) -> str | None:
    return None if value is None else str(value)
