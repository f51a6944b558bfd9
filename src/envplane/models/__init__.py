"""Every table, one module each. Importing this package registers them all."""

from envplane.models.api_token import ApiToken
from envplane.models.base import Base
from envplane.models.cluster import Cluster
from envplane.models.container_registry import ContainerRegistry
from envplane.models.custom_domain import CustomDomain
from envplane.models.deployment_stage import DeploymentStage
from envplane.models.environment import Environment
from envplane.models.helm_repository import HelmRepository
from envplane.models.membership import Membership
from envplane.models.organization import Organization
from envplane.models.project import Project
from envplane.models.service import Service
from envplane.models.user import User
from envplane.models.variable import Variable

__all__ = [
    "ApiToken",
    "Base",
    "Cluster",
    "ContainerRegistry",
    "CustomDomain",
    "DeploymentStage",
    "Environment",
    "HelmRepository",
    "Membership",
    "Organization",
    "Project",
    "Service",
    "User",
    "Variable",
]
