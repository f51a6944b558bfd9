"""Request and response parts every service kind shares, named like the official
schemas: ports, storage, health checks, autoscaling, clone and status."""

import uuid
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from envplane.core.schemas import Name, Schema

# envplane does not know the node sizes of a cluster yet, so every service may ask
# for up to these; answers report them as maximum_cpu, maximum_memory, maximum_gpu.
MAXIMUM_CPU = 64_000
MAXIMUM_MEMORY = 262_144
MAXIMUM_GPU = 16

PortNumber = Annotated[int, Field(ge=1, le=65535)]
Cpu = Annotated[int, Field(ge=10, le=MAXIMUM_CPU)]
Memory = Annotated[int, Field(ge=16, le=MAXIMUM_MEMORY)]
Gpu = Annotated[int, Field(ge=0, le=MAXIMUM_GPU)]
MinInstances = Annotated[int, Field(ge=0)]
# -1 means no upper limit.
MaxInstances = Annotated[int, Field(ge=-1)]
NonNegative = Annotated[int, Field(ge=0)]
Positive = Annotated[int, Field(ge=1)]
Text = Annotated[str, Field(min_length=1)]


class PortProtocolEnum(StrEnum):
    HTTP = "HTTP"
    GRPC = "GRPC"
    TCP = "TCP"
    UDP = "UDP"


class StorageTypeEnum(StrEnum):
    FAST_SSD = "FAST_SSD"


class CpuArchitectureEnum(StrEnum):
    AMD64 = "AMD64"
    ARM64 = "ARM64"


class KedaScalerRole(StrEnum):
    PRIMARY = "PRIMARY"
    SAFETY = "SAFETY"


class ServicePort(Schema):
    """A port as requests carry it: the id is optional and minted when missing."""

    id: uuid.UUID | None = None
    name: str | None = None
    internal_port: PortNumber
    external_port: PortNumber | None = None
    publicly_accessible: bool
    is_default: bool | None = None
    protocol: PortProtocolEnum = PortProtocolEnum.HTTP
    public_path: str | None = None
    public_path_rewrite: str | None = None


class ServiceStorage(Schema):
    id: uuid.UUID | None = None
    type: StorageTypeEnum
    size: Positive
    mount_point: Annotated[str, Field(min_length=2, pattern=r"^/")]


class ProbeTcp(Schema):
    port: PortNumber
    host: str | None = None


class ProbeHttp(Schema):
    path: str = "/"
    scheme: str = "HTTP"
    port: PortNumber


class ProbeExec(Schema):
    command: Annotated[list[str], Field(min_length=1)]


class ProbeGrpc(Schema):
    service: str | None = None
    port: PortNumber


class ProbeType(Schema):
    tcp: ProbeTcp | None = None
    http: ProbeHttp | None = None
    exec: ProbeExec | None = None
    grpc: ProbeGrpc | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "ProbeType":
        chosen = [
            kind for kind in ("tcp", "http", "exec", "grpc") if getattr(self, kind)
        ]
        if len(chosen) != 1:
            raise ValueError("give exactly one of tcp, http, exec or grpc")
        return self


class Probe(Schema):
    type: ProbeType
    initial_delay_seconds: NonNegative = 30
    period_seconds: Positive = 10
    timeout_seconds: Positive = 5
    success_threshold: Positive = 1
    failure_threshold: Positive = 9


class Healthcheck(Schema):
    readiness_probe: Probe | None = None
    liveness_probe: Probe | None = None


class KedaTriggerAuthenticationRequest(Schema):
    name: Text
    config_yaml: str | None = None


class KedaScalerRequest(Schema):
    scaler_type: Text
    enabled: bool = True
    role: KedaScalerRole
    config_json: dict[str, Any] | None = None
    config_yaml: str | None = None
    trigger_authentication: KedaTriggerAuthenticationRequest | None = None


class KedaAutoscalingRequest(Schema):
    mode: Literal["KEDA"]
    polling_interval_seconds: Positive = 30
    cooldown_period_seconds: NonNegative = 300
    scalers: Annotated[list[KedaScalerRequest], Field(min_length=1)]


class GroupReference(Schema):
    """``ServiceAnnotationRequest`` and ``ServiceLabelRequest``."""

    id: uuid.UUID


class ServiceRequest(Schema):
    """What the application and container requests share."""

    # An edit request carries only what changes; rules across fields are checked
    # on the edited configuration instead.
    partial: ClassVar[bool] = False

    description: str | None = None
    cpu: Cpu = 500
    memory: Memory = 512
    gpu: Gpu = 0
    ephemeral_storage_in_gib: NonNegative | None = None
    cpu_architecture: CpuArchitectureEnum | None = None
    min_running_instances: MinInstances = 1
    max_running_instances: MaxInstances = 1
    healthchecks: Healthcheck
    auto_preview: bool = True
    auto_deploy: bool | None = None
    arguments: list[str] | None = None
    entrypoint: str | None = None
    storage: list[ServiceStorage] | None = None
    ports: list[ServicePort] | None = None
    annotations_groups: list[GroupReference] | None = None
    labels_groups: list[GroupReference] | None = None
    icon_uri: str | None = None
    autoscaling: KedaAutoscalingRequest | None = None

    @field_validator("ports")
    @classmethod
    def _distinct_ports(cls, ports: list[ServicePort] | None) -> Any:
        seen: set[int] = set()
        for port in ports or []:
            if port.internal_port in seen:
                raise ValueError(
                    f"internal_port {port.internal_port} is declared twice; "
                    "each port of a service must differ"
                )
            seen.add(port.internal_port)
        names = [port.name for port in ports or [] if port.name]
        if len(names) != len(set(names)):
            raise ValueError("two ports share a name; give each port its own")
        return ports

    @field_validator("storage")
    @classmethod
    def _distinct_mount_points(cls, storage: list[ServiceStorage] | None) -> Any:
        points = [volume.mount_point for volume in storage or []]
        if len(points) != len(set(points)):
            raise ValueError("two volumes share a mount_point; give each its own")
        return storage

    @field_validator("annotations_groups", "labels_groups")
    @classmethod
    def _no_groups(cls, groups: list[GroupReference] | None) -> Any:
        # TODO(compat): annotation and label groups are organization resources
        # envplane does not serve yet, so a service cannot reference one; a
        # client sending ids is refused rather than silently ignored. Accept
        # them once the organization groups API exists.
        if groups:
            raise ValueError(
                "envplane does not serve annotation and label groups yet; "
                "leave this empty"
            )
        return groups

    @model_validator(mode="after")
    def _instances_in_order(self) -> "ServiceRequest":
        maximum = self.max_running_instances
        if self.partial:
            return self
        if maximum != -1 and maximum < self.min_running_instances:
            raise ValueError(
                "max_running_instances must be at least min_running_instances "
                "(or -1 for no limit)"
            )
        return self


class CloneServiceRequest(Schema):
    name: Name
    environment_id: uuid.UUID
