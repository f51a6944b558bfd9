"""Every service kind envplane serves, by type."""

from envplane.service.kinds.application import ApplicationKind
from envplane.service.kinds.base import Kind, ServiceType
from envplane.service.kinds.container import ContainerKind
from envplane.service.kinds.database import DatabaseKind
from envplane.service.kinds.helm import HelmKind
from envplane.service.kinds.job import JobKind

KINDS: dict[ServiceType, Kind] = {
    ServiceType.APPLICATION: ApplicationKind(),
    ServiceType.CONTAINER: ContainerKind(),
    ServiceType.DATABASE: DatabaseKind(),
    ServiceType.JOB: JobKind(),
    ServiceType.HELM: HelmKind(),
}
