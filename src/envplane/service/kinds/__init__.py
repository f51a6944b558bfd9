"""Every service kind envplane serves, by type."""

from envplane.service.kinds.base import Kind, ServiceType

KINDS: dict[ServiceType, Kind] = {}
