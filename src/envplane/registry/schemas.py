"""Container registry and helm repository requests and answers, shaped like the
official ``ContainerRegistryRequest``, ``HelmRepositoryRequest`` and their
responses.

A request's ``config`` takes every key the official document lists and refuses
others; which keys a kind needs is checked by the service, which knows what is
stored. An answer's ``config`` has no field for a credential, so none can leak.
"""

from enum import StrEnum
from typing import Annotated

from pydantic import (
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
)

from envplane.core.schemas import BaseRecord, Description, Name, Schema

ConfigValue = Annotated[StrictStr, StringConstraints(min_length=1, max_length=65536)]
Url = Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=2048)]


class ContainerRegistryKindEnum(StrEnum):
    ECR = "ECR"
    SCALEWAY_CR = "SCALEWAY_CR"
    DOCKER_HUB = "DOCKER_HUB"
    GITHUB_CR = "GITHUB_CR"
    GITHUB_ENTERPRISE_CR = "GITHUB_ENTERPRISE_CR"
    GITLAB_CR = "GITLAB_CR"
    PUBLIC_ECR = "PUBLIC_ECR"
    DOCR = "DOCR"
    GENERIC_CR = "GENERIC_CR"
    GCP_ARTIFACT_REGISTRY = "GCP_ARTIFACT_REGISTRY"
    AZURE_CR = "AZURE_CR"


class HelmRepositoryKindEnum(StrEnum):
    HTTPS = "HTTPS"
    OCI_ECR = "OCI_ECR"
    OCI_SCALEWAY_CR = "OCI_SCALEWAY_CR"
    OCI_DOCKER_HUB = "OCI_DOCKER_HUB"
    OCI_PUBLIC_ECR = "OCI_PUBLIC_ECR"
    OCI_GENERIC_CR = "OCI_GENERIC_CR"
    OCI_GITHUB_CR = "OCI_GITHUB_CR"
    OCI_GITLAB_CR = "OCI_GITLAB_CR"


class GcpCredentialsTypeEnum(StrEnum):
    WORKLOAD_IDENTITY_FEDERATION = "workload_identity_federation"


class RequestConfig(Schema):
    model_config = ConfigDict(extra="forbid")


class ContainerRegistryConfig(RequestConfig):
    access_key_id: ConfigValue | None = None
    secret_access_key: ConfigValue | None = None
    region: ConfigValue | None = None
    scaleway_access_key: ConfigValue | None = None
    scaleway_secret_key: ConfigValue | None = None
    scaleway_project_id: ConfigValue | None = None
    json_credentials: ConfigValue | None = None
    gcp_credentials_type: GcpCredentialsTypeEnum | None = None
    project_id: ConfigValue | None = None
    service_account_email: ConfigValue | None = None
    workload_identity_provider_resource: ConfigValue | None = None
    token_lifetime_seconds: Annotated[StrictInt, Field(ge=1, le=2**31 - 1)] | None = (
        None
    )
    username: ConfigValue | None = None
    password: ConfigValue | None = None
    role_arn: ConfigValue | None = None
    azure_tenant_id: ConfigValue | None = None
    azure_subscription_id: ConfigValue | None = None


class HelmRepositoryConfig(RequestConfig):
    username: ConfigValue | None = None
    password: ConfigValue | None = None
    access_key_id: ConfigValue | None = None
    secret_access_key: ConfigValue | None = None
    region: ConfigValue | None = None
    scaleway_access_key: ConfigValue | None = None
    scaleway_secret_key: ConfigValue | None = None
    scaleway_project_id: ConfigValue | None = None
    azure_tenant_id: ConfigValue | None = None
    azure_subscription_id: ConfigValue | None = None
    role_arn: ConfigValue | None = None


class ContainerRegistryRequest(Schema):
    name: Name
    kind: ContainerRegistryKindEnum
    description: Description | None = None
    url: Url | None = None
    config: ContainerRegistryConfig


class HelmRepositoryRequest(Schema):
    name: Name
    kind: HelmRepositoryKindEnum
    description: Description | None = None
    url: Url | None = None
    skip_tls_verification: StrictBool
    config: HelmRepositoryConfig


class ContainerRegistryResponseConfig(Schema):
    username: str | None = None
    region: str | None = None
    scaleway_access_key: str | None = None
    scaleway_project_id: str | None = None
    access_key_id: str | None = None
    role_arn: str | None = None
    gcp_credentials_type: GcpCredentialsTypeEnum | None = None
    project_id: str | None = None
    service_account_email: str | None = None
    workload_identity_provider_resource: str | None = None
    token_lifetime_seconds: int | None = None
    azure_tenant_id: str | None = None
    azure_subscription_id: str | None = None


class HelmRepositoryResponseConfig(Schema):
    username: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    role_arn: str | None = None
    scaleway_access_key: str | None = None
    scaleway_project_id: str | None = None
    azure_tenant_id: str | None = None
    azure_subscription_id: str | None = None


class ContainerRegistryResponse(BaseRecord):
    name: str
    kind: ContainerRegistryKindEnum
    description: str | None = None
    url: str | None = None
    associated_services_count: int
    config: ContainerRegistryResponseConfig


class ContainerRegistryResponseList(Schema):
    results: list[ContainerRegistryResponse]


class HelmRepositoryResponse(BaseRecord):
    name: str
    kind: HelmRepositoryKindEnum
    description: str | None = None
    url: str | None = None
    skip_tls_verification: bool
    associated_services_count: int
    config: HelmRepositoryResponseConfig


class HelmRepositoryResponseList(Schema):
    results: list[HelmRepositoryResponse]
