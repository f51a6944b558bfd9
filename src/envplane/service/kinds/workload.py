"""What applications and containers share: a running workload with ports,
volumes, health checks and autoscaling, stored and answered the same way."""

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import object_session

from envplane.models import Environment, Project, Service
from envplane.service.kinds.base import validated
from envplane.service.schemas import MAXIMUM_CPU, MAXIMUM_MEMORY

# Parts of a configuration that carry ids of their own.
_WITH_IDS = ("ports", "storage")


def stored(request: BaseModel, *, exclude: set[str]) -> dict[str, Any]:
    """A request as ``services.configuration`` keeps it, ports and volumes with
    an id each (kept when the request names one)."""
    configuration = request.model_dump(mode="json", exclude=exclude, exclude_none=True)
    for part in _WITH_IDS:
        for item in configuration.get(part, []):
            item.setdefault("id", str(uuid.uuid4()))
    return configuration


def edited(
    model: type[BaseModel], current: dict[str, Any], request: BaseModel
) -> dict[str, Any]:
    """The stored configuration with the fields an edit request carries replaced,
    validated again as a whole: rules across fields see the result."""
    changes = request.model_dump(
        mode="json", include=request.model_fields_set - {"name"}, exclude_none=False
    )
    merged = {**current, **changes}
    return stored(validated(model, merged), exclude=set())


def with_fresh_ids(configuration: dict[str, Any]) -> dict[str, Any]:
    copy = dict(configuration)
    for part in _WITH_IDS:
        if part in copy:
            copy[part] = [{**item, "id": str(uuid.uuid4())} for item in copy[part]]
    return copy


def answer(service: Service, service_type: str, **extra: Any) -> dict[str, Any]:
    """The fields the ``Application`` and ``ContainerResponse`` schemas share."""
    configuration = service.configuration
    body: dict[str, Any] = {
        "id": service.id,
        "created_at": service.created_at,
        "updated_at": service.updated_at,
        "environment": {"id": service.environment_id},
        "name": service.name,
        "maximum_cpu": MAXIMUM_CPU,
        "maximum_memory": MAXIMUM_MEMORY,
        "ports": configuration.get("ports", []),
        "storage": configuration.get("storage", []),
        "annotations_groups": [],
        "labels_groups": [],
        "service_type": service_type,
        **{key: configuration[key] for key in _COPIED if key in configuration},
        **extra,
    }
    if "autoscaling" in configuration:
        body["autoscaling"] = _autoscaling(service, configuration["autoscaling"])
    return {key: value for key, value in body.items() if value is not None}


_COPIED = (
    "description",
    "cpu",
    "memory",
    "gpu",
    "ephemeral_storage_in_gib",
    "cpu_architecture",
    "min_running_instances",
    "max_running_instances",
    "healthchecks",
    "auto_preview",
    "auto_deploy",
    "arguments",
    "entrypoint",
)


def _autoscaling(service: Service, policy: dict[str, Any]) -> dict[str, Any]:
    """``KedaAutoscalingResponse``. The policy and its scalers are stored inside
    the service's configuration, so their ids are derived from the service's."""

    def record(name: str) -> dict[str, Any]:
        return {"id": uuid.uuid5(service.id, name), "created_at": service.created_at}

    scalers = []
    for index, scaler in enumerate(policy["scalers"]):
        shaped = {**record(f"scaler-{index}"), **scaler}
        trigger = scaler.get("trigger_authentication")
        if trigger is not None:
            shaped["trigger_authentication"] = {
                **record(f"trigger-{index}"),
                "organization_id": _organization_id(service),
                **trigger,
            }
        scalers.append(shaped)
    return {
        **record("autoscaling"),
        "service_id": service.id,
        "mode": policy["mode"],
        "polling_interval_seconds": policy["polling_interval_seconds"],
        "cooldown_period_seconds": policy["cooldown_period_seconds"],
        "scalers": scalers,
    }


def _organization_id(service: Service) -> str:
    """Read through the session the service was loaded with; its environment and
    project are usually in the identity map already."""
    session = object_session(service)
    assert session is not None, "answers are shaped while the session is open"
    environment = session.get(Environment, service.environment_id)
    assert environment is not None, "a service's environment outlives it"
    project = session.get(Project, environment.project_id)
    assert project is not None, "an environment's project outlives it"
    return str(project.organization_id)
