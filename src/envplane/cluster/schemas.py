"""Cluster requests and answers, shaped like the official ``ClusterRequest`` and
``Cluster``.

Every nested object the official document defines has a model here with its
enums and bounds. They refuse fields they do not know rather than drop them, so
that whatever a request carries is either stored and answered back whole or
rejected with a 400 naming the field. The one exception is the fields only an
answer has, which are ignored: official clients send an answer back to edit.
"""

import base64
import binascii
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    AnyUrl,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    Tag,
    model_validator,
)

from envplane.core.schemas import BaseRecord, Name, ReferenceObject, Schema


class CloudVendorEnum(StrEnum):
    AWS = "AWS"
    SCW = "SCW"
    GCP = "GCP"
    DO = "DO"
    AZURE = "AZURE"
    OVH = "OVH"
    CIVO = "CIVO"
    HETZNER = "HETZNER"
    ORACLE = "ORACLE"
    IBM = "IBM"
    ON_PREMISE = "ON_PREMISE"


class CloudProviderEnum(StrEnum):
    AWS = "AWS"
    SCW = "SCW"
    GCP = "GCP"
    ON_PREMISE = "ON_PREMISE"
    AZURE = "AZURE"


class KubernetesEnum(StrEnum):
    MANAGED = "MANAGED"
    SELF_MANAGED = "SELF_MANAGED"
    PARTIALLY_MANAGED = "PARTIALLY_MANAGED"


class ClusterStateEnum(StrEnum):
    BUILDING = "BUILDING"
    BUILD_ERROR = "BUILD_ERROR"
    CANCELED = "CANCELED"
    CANCELING = "CANCELING"
    DELETED = "DELETED"
    DELETE_ERROR = "DELETE_ERROR"
    DELETE_QUEUED = "DELETE_QUEUED"
    DELETING = "DELETING"
    DEPLOYED = "DEPLOYED"
    DEPLOYING = "DEPLOYING"
    DEPLOYMENT_ERROR = "DEPLOYMENT_ERROR"
    DEPLOYMENT_QUEUED = "DEPLOYMENT_QUEUED"
    DRY_RUN = "DRY_RUN"
    QUEUED = "QUEUED"
    READY = "READY"
    STOPPED = "STOPPED"
    STOPPING = "STOPPING"
    STOP_ERROR = "STOP_ERROR"
    STOP_QUEUED = "STOP_QUEUED"
    RESTART_QUEUED = "RESTART_QUEUED"
    RESTARTING = "RESTARTING"
    RESTARTED = "RESTARTED"
    RESTART_ERROR = "RESTART_ERROR"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"


class ClusterDeploymentStatusEnum(StrEnum):
    NEVER_DEPLOYED = "NEVER_DEPLOYED"
    OUT_OF_DATE = "OUT_OF_DATE"
    UP_TO_DATE = "UP_TO_DATE"


class ClusterDeleteMode(StrEnum):
    DEFAULT = "DEFAULT"
    DELETE_CLUSTER_AND_QOVERY_CONFIG = "DELETE_CLUSTER_AND_QOVERY_CONFIG"
    DELETE_QOVERY_CONFIG = "DELETE_QOVERY_CONFIG"


class CpuArchitectureEnum(StrEnum):
    AMD64 = "AMD64"
    ARM64 = "ARM64"


class KarpenterNodePoolRequirementKey(StrEnum):
    InstanceFamily = "InstanceFamily"
    InstanceSize = "InstanceSize"
    Arch = "Arch"
    SkuFamily = "SkuFamily"
    SkuVersion = "SkuVersion"


class KarpenterNodePoolRequirementOperator(StrEnum):
    In = "In"


class WeekdayEnum(StrEnum):
    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


class ObservabilityResourceProfile(StrEnum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"


class GitProviderEnum(StrEnum):
    BITBUCKET = "BITBUCKET"
    GITHUB = "GITHUB"
    GITLAB = "GITLAB"


class ClusterFeatureResponseTypeEnum(StrEnum):
    STRING = "STRING"
    BOOLEAN = "BOOLEAN"
    AWS_USER_PROVIDED_NETWORK = "AWS_USER_PROVIDED_NETWORK"
    GCP_USER_PROVIDED_NETWORK = "GCP_USER_PROVIDED_NETWORK"
    KARPENTER = "KARPENTER"
    NAT_GATEWAY = "NAT_GATEWAY"


def _at_most_a_day(value: str) -> str:
    seconds = int(value[:-1]) * {"s": 1, "m": 60, "h": 3600}[value[-1]]
    if seconds > 24 * 3600:
        raise ValueError("must be 24h at most")
    return value


def _uri(value: str) -> str:
    AnyUrl(value)  # checked, but kept as the caller wrote it
    return value


def _base64(value: str) -> str:
    try:
        base64.b64decode(value, validate=True)
    except binascii.Error as error:
        raise ValueError("must be base64 encoded") from error
    return value


# The official document states these bounds; JSON integers and booleans only
# (no "5" for 5, no 1 for true).
DiskIops = Annotated[StrictInt, Field(ge=3000, le=16000)]
DiskThroughput = Annotated[StrictInt, Field(ge=125, le=1000)]
NodeCount = Annotated[StrictInt, Field(ge=1)]
ConsolidateAfter = Annotated[
    str, StringConstraints(pattern=r"^\d+(s|m|h)$"), AfterValidator(_at_most_a_day)
]
Uri = Annotated[str, AfterValidator(_uri)]


class Spec(BaseModel):
    """A nested part of a cluster's configuration."""

    model_config = ConfigDict(extra="forbid")


def _without(data: Any, read_only: frozenset[str]) -> Any:
    """``data`` without the fields an answer has and a request does not.

    The official console edits a cluster by sending back the answer it read,
    with its changes applied; those fields are ignored rather than refused.
    """
    if not isinstance(data, dict):
        return data
    return {key: value for key, value in data.items() if key not in read_only}


class ClusterCloudProviderCredentials(Spec):
    id: uuid.UUID | None = None
    name: str | None = None


class ClusterCloudProviderInfoRequest(Spec):
    cloud_provider: CloudProviderEnum | None = None
    credentials: ClusterCloudProviderCredentials | None = None
    region: str | None = None


# Features -------------------------------------------------------------------


class ClusterFeatureAwsExistingVpc(Spec):
    aws_vpc_eks_id: str
    eks_subnets_zone_a_ids: list[str]
    eks_subnets_zone_b_ids: list[str]
    eks_subnets_zone_c_ids: list[str]
    documentdb_subnets_zone_a_ids: list[str] | None = None
    documentdb_subnets_zone_b_ids: list[str] | None = None
    documentdb_subnets_zone_c_ids: list[str] | None = None
    elasticache_subnets_zone_a_ids: list[str] | None = None
    elasticache_subnets_zone_b_ids: list[str] | None = None
    elasticache_subnets_zone_c_ids: list[str] | None = None
    rds_subnets_zone_a_ids: list[str] | None = None
    rds_subnets_zone_b_ids: list[str] | None = None
    rds_subnets_zone_c_ids: list[str] | None = None
    eks_karpenter_fargate_subnets_zone_a_ids: list[str] | None = None
    eks_karpenter_fargate_subnets_zone_b_ids: list[str] | None = None
    eks_karpenter_fargate_subnets_zone_c_ids: list[str] | None = None
    eks_create_nodes_in_private_subnet: StrictBool = True


class ClusterFeatureGcpExistingVpc(Spec):
    vpc_name: str
    vpc_project_id: str | None = None
    subnetwork_name: str | None = None
    ip_range_services_name: str | None = None
    ip_range_pods_name: str | None = None
    additional_ip_range_pods_names: list[str] | None = None
    private_nodes: StrictBool = False


class KarpenterNodePoolRequirement(Spec):
    key: KarpenterNodePoolRequirementKey
    operator: KarpenterNodePoolRequirementOperator
    values: list[str]


class KarpenterNodePoolConsolidation(Spec):
    enabled: StrictBool
    days: list[WeekdayEnum]
    start_time: Annotated[
        str,
        StringConstraints(pattern=r"^PT([01][0-9]|2[0-3]):[0-5][0-9]$"),
        Field(description='ISO-8601 "PThh:mm"', examples=["PT22:30"]),
    ]
    duration: Annotated[
        str,
        StringConstraints(pattern=r"^PT(\d+H\d+M|\d+H|\d+M)$"),
        Field(description='ISO-8601 "PThhHmmM"', examples=["PT2H45M"]),
    ]


class KarpenterNodePoolLimits(Spec):
    enabled: StrictBool
    max_cpu_in_vcpu: StrictInt
    max_memory_in_gibibytes: StrictInt
    max_gpu: Annotated[StrictInt, Field(ge=0)]


class KarpenterStableNodePoolOverride(Spec):
    consolidation: KarpenterNodePoolConsolidation | None = None
    limits: KarpenterNodePoolLimits | None = None
    spot_enabled: StrictBool | None = None
    consolidate_after: ConsolidateAfter | None = None


class KarpenterDefaultNodePoolOverride(Spec):
    limits: KarpenterNodePoolLimits | None = None
    spot_enabled: StrictBool | None = None
    consolidate_after: ConsolidateAfter | None = None


class KarpenterGpuNodePoolOverride(Spec):
    consolidation: KarpenterNodePoolConsolidation | None = None
    limits: KarpenterNodePoolLimits | None = None
    requirements: list[KarpenterNodePoolRequirement] | None = None
    disk_size_in_gib: Annotated[StrictInt, Field(ge=0)] = 100
    disk_iops: DiskIops | None = None
    disk_throughput: DiskThroughput | None = None
    spot_enabled: StrictBool = False
    consolidate_after: ConsolidateAfter | None = None


class KarpenterCronjobNodePoolOverride(Spec):
    consolidation: KarpenterNodePoolConsolidation | None = None
    limits: KarpenterNodePoolLimits | None = None
    spot_enabled: StrictBool | None = None
    consolidate_after: ConsolidateAfter | None = None


SpotPoolOverride = (
    KarpenterDefaultNodePoolOverride
    | KarpenterStableNodePoolOverride
    | KarpenterCronjobNodePoolOverride
)


class KarpenterNodePool(Spec):
    requirements: list[KarpenterNodePoolRequirement]
    stable_override: KarpenterStableNodePoolOverride | None = None
    default_override: KarpenterDefaultNodePoolOverride | None = None
    gpu_override: KarpenterGpuNodePoolOverride | None = None
    cronjob_override: KarpenterCronjobNodePoolOverride | None = None


class ClusterFeatureKarpenterParameters(Spec):
    spot_enabled: StrictBool = Field(deprecated=True)
    disk_size_in_gib: StrictInt
    disk_iops: DiskIops | None = None
    disk_throughput: DiskThroughput | None = None
    default_service_architecture: CpuArchitectureEnum
    qovery_node_pools: KarpenterNodePool

    @model_validator(mode="after")
    def _settle_spot_enabled(self) -> "ClusterFeatureKarpenterParameters":
        """Settle spot instances per pool as the official document describes.

        A pool that leaves its ``spot_enabled`` out takes the deprecated
        top-level value sent; the top-level value then becomes the OR over the
        default and stable pools (and the cronjob pool while its override
        exists), and a pool keeps its own value only where it differs from that,
        so an answer sent back unchanged settles to the same thing again. A
        default or stable override left with nothing in it is dropped.
        """
        pools = self.qovery_node_pools
        overrides: dict[str, type[SpotPoolOverride]] = {
            "default_override": KarpenterDefaultNodePoolOverride,
            "stable_override": KarpenterStableNodePoolOverride,
        }
        if pools.cronjob_override is not None:
            overrides["cronjob_override"] = KarpenterCronjobNodePoolOverride
        sent = self.__dict__["spot_enabled"]  # reading the attribute warns
        effective = {}
        for name in overrides:
            given = getattr(getattr(pools, name), "spot_enabled", None)
            effective[name] = sent if given is None else given
        spot_enabled = self.__dict__["spot_enabled"] = any(effective.values())

        for name, model in overrides.items():
            pool = getattr(pools, name)
            if pool is None:
                pool = model()
            own = effective[name]
            pool.spot_enabled = None if own == spot_enabled else own
            empty = not pool.model_dump(exclude_none=True)
            setattr(pools, name, None if empty and name != "cronjob_override" else pool)
        return self


class ClusterFeatureNatGatewayTypeScaleway(Spec):
    provider: Literal["scaleway"]
    type: Literal["VPC-GW-S", "VPC-GW-M", "VPC-GW-L", "VPC-GW-XL"]


class ClusterFeatureNatGatewayTypeGcp(Spec):
    provider: Literal["gcp"]
    static_ips_enabled: StrictBool
    static_ips_count: Annotated[StrictInt, Field(ge=1)]


class ClusterFeatureNatGatewayParameters(Spec):
    nat_gateway_type: (
        Annotated[
            ClusterFeatureNatGatewayTypeScaleway | ClusterFeatureNatGatewayTypeGcp,
            Field(discriminator="provider"),
        ]
        | None
    ) = None


_FEATURE_OBJECTS: dict[str, type[Spec]] = {
    "AWS_USER_PROVIDED_NETWORK": ClusterFeatureAwsExistingVpc,
    "GCP_USER_PROVIDED_NETWORK": ClusterFeatureGcpExistingVpc,
    "KARPENTER": ClusterFeatureKarpenterParameters,
    "NAT_GATEWAY": ClusterFeatureNatGatewayParameters,
}


def _feature_value_kind(value: Any) -> str | None:
    """Which alternative of the official ``oneOf`` a feature value is meant as,
    told by its type or, for an object, by the fields it carries (the object
    kinds share none), so that a mistake is reported against that one alone."""
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, str):
        return "STRING"
    for kind, model in _FEATURE_OBJECTS.items():
        if isinstance(value, model):
            return kind
    if isinstance(value, dict):
        return next(
            (
                kind
                for kind, model in _FEATURE_OBJECTS.items()
                if value.keys() & model.model_fields.keys()
            ),
            "NAT_GATEWAY",  # the only kind without a required field
        )
    return None


ClusterFeatureValue = Annotated[
    Annotated[StrictStr, Tag("STRING")]
    | Annotated[StrictBool, Tag("BOOLEAN")]
    | Annotated[ClusterFeatureAwsExistingVpc, Tag("AWS_USER_PROVIDED_NETWORK")]
    | Annotated[ClusterFeatureGcpExistingVpc, Tag("GCP_USER_PROVIDED_NETWORK")]
    | Annotated[ClusterFeatureKarpenterParameters, Tag("KARPENTER")]
    | Annotated[ClusterFeatureNatGatewayParameters, Tag("NAT_GATEWAY")],
    Discriminator(
        _feature_value_kind,
        custom_error_type="invalid_feature_value",
        custom_error_message="must be a string, a boolean or a feature object",
    ),
]


_FEATURE_ANSWER_ONLY = frozenset(
    {
        "title",
        "description",
        "cost_per_month_in_cents",
        "cost_per_month",
        "currency_code",
        "is_cloud_provider_paying_feature",
        "cloud_provider_feature_documentation",
        "is_qovery_paying_feature",
        "qovery_feature_documentation",
        "value_type",
        "value_object",
        "is_value_updatable",
        "accepted_values",
    }
)


class ClusterFeature(Spec):
    # The official document says uuid, but the official console sends the
    # feature's name ("KARPENTER", "STATIC_IP"), so any non-blank string is taken.
    id: Name
    value: ClusterFeatureValue | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_answer(cls, data: Any) -> Any:
        """A feature sent back as answered (``ClusterFeatureResponse``) means
        the value of its ``value_object``."""
        if isinstance(data, dict) and "value" not in data and "value_object" in data:
            value_object = data["value_object"]
            value = (
                value_object.get("value") if isinstance(value_object, dict) else None
            )
            data = {**data, "value": value}
        return _without(data, _FEATURE_ANSWER_ONLY)


def _distinct_feature_ids(features: list[ClusterFeature]) -> list[ClusterFeature]:
    ids = [feature.id for feature in features]
    if len(ids) != len(set(ids)):
        raise ValueError("each feature id may appear once")
    return features


ClusterFeatureList = Annotated[
    list[ClusterFeature], AfterValidator(_distinct_feature_ids)
]


# Metrics, infrastructure charts, KEDA, labels -------------------------------


class CloudWatchExportConfig(Spec):
    enabled: StrictBool


class InternalNetworkMonitoring(Spec):
    enabled: StrictBool


class AlertingConfig(Spec):
    enabled: StrictBool
    default_rule_labels: dict[str, str] | None = None
    spec_config_secret: str | None = None
    spec_external_url: str | None = None
    config_name: str | None = None


class MetricsConfigurationManagedByQovery(Spec):
    kind: Literal["MANAGED_BY_QOVERY"]
    resource_profile: ObservabilityResourceProfile | None = None
    cloud_watch_export_config: CloudWatchExportConfig | None = None
    high_availability: StrictBool | None = None
    internal_network_monitoring: InternalNetworkMonitoring | None = None
    alerting: AlertingConfig | None = None


class MetricsParameters(Spec):
    enabled: StrictBool | None = None
    configuration: MetricsConfigurationManagedByQovery | None = None


class ClusterInfrastructureNginxChartParameters(Spec):
    replica_count: Annotated[StrictInt, Field(ge=0)] | None = None
    default_ssl_certificate: str | None = None
    publish_status_address: str | None = None
    annotation_metal_lb_load_balancer_ips: str | None = None
    annotation_external_dns_kubernetes_target: str | None = None


class ClusterInfrastructureCertManagerChartParameters(Spec):
    kubernetes_namespace: str | None = None


class ClusterInfrastructureMetalLbChartParameters(Spec):
    ip_address_pools: list[str] | None = None


class ClusterEksAnywhereGitRepository(Spec):
    url: Uri
    branch: str | None = None
    commit_id: str | None = None
    git_token_id: uuid.UUID
    provider: GitProviderEnum | None = None


class ClusterInfrastructureEksAnywhereBackupS3Parameters(Spec):
    bucket: str
    region: str
    role_arn: str
    key_prefix: str | None = None


class ClusterInfrastructureEksAnywhereBackupParameters(Spec):
    enabled: StrictBool = True
    timeout_seconds: StrictInt = 300
    certs_secret_name: str | None = None
    s3: ClusterInfrastructureEksAnywhereBackupS3Parameters


class ClusterInfrastructureEksAnywhereParameters(Spec):
    git_repository: ClusterEksAnywhereGitRepository
    yaml_file_path: str
    cluster_backup: ClusterInfrastructureEksAnywhereBackupParameters | None = None


class ClusterInfrastructureChartsParameters(Spec):
    nginx_parameters: ClusterInfrastructureNginxChartParameters | None = None
    cert_manager_parameters: ClusterInfrastructureCertManagerChartParameters | None = (
        None
    )
    metal_lb_parameters: ClusterInfrastructureMetalLbChartParameters | None = None
    eks_anywhere_parameters: ClusterInfrastructureEksAnywhereParameters | None = None


class ClusterKeda(Spec):
    enabled: StrictBool


class ClusterLabelsGroup(Spec):
    id: uuid.UUID | None = None


# Secret manager accesses ----------------------------------------------------


class AwsSecretManagerEndpointDto(Spec):
    mode: Literal["AWS_SECRET_MANAGER"]
    region: str


class AwsParameterStoreEndpointDto(Spec):
    mode: Literal["AWS_PARAMETER_STORE"]
    region: str


class GcpSecretManagerEndpointDto(Spec):
    mode: Literal["GCP_SECRET_MANAGER"]
    region: str
    project_id: str


SecretManagerEndpointConfigurationDto = Annotated[
    AwsSecretManagerEndpointDto
    | AwsParameterStoreEndpointDto
    | GcpSecretManagerEndpointDto,
    Field(discriminator="mode"),
]


class SecretManagerAuthentication(Spec):
    # The field holding a credential, if the mode has one: written, stored
    # encrypted, never answered back.
    secret_field: ClassVar[str | None] = None


class AutomaticallyConfiguredAuthDto(SecretManagerAuthentication):
    mode: Literal["AUTOMATICALLY_CONFIGURED"]


class AwsRoleArnAuthDto(SecretManagerAuthentication):
    mode: Literal["AWS_ROLE_ARN"]
    role_arn: str


class AwsStaticCredentialsAuthDto(SecretManagerAuthentication):
    secret_field = "secret_key"

    mode: Literal["AWS_STATIC_CREDENTIALS"]
    region: str
    access_key: str
    secret_key: str | None = None


class GcpJsonCredentialsAuthDto(SecretManagerAuthentication):
    secret_field = "json_credentials"

    mode: Literal["GCP_JSON_CREDENTIALS"]
    json_credentials: Annotated[str, AfterValidator(_base64)] | None = Field(
        default=None, description="The json must be base64 encoded"
    )


SecretManagerAuthenticationDto = Annotated[
    AutomaticallyConfiguredAuthDto
    | AwsRoleArnAuthDto
    | AwsStaticCredentialsAuthDto
    | GcpJsonCredentialsAuthDto,
    Field(discriminator="mode"),
]


class SecretManagerAccessRequest(Spec):
    """An access to add (no ``id``) or to keep or change (the ``id`` of one the
    cluster has). A credential left out of a kept access keeps its stored value."""

    id: uuid.UUID | None = None
    name: Name
    endpoint: SecretManagerEndpointConfigurationDto
    authentication: SecretManagerAuthenticationDto

    @model_validator(mode="before")
    @classmethod
    def _from_answer(cls, data: Any) -> Any:
        return _without(data, frozenset({"created_at", "updated_at"}))


def _distinct_access_ids(
    accesses: list[SecretManagerAccessRequest],
) -> list[SecretManagerAccessRequest]:
    ids = [access.id for access in accesses if access.id is not None]
    if len(ids) != len(set(ids)):
        raise ValueError("each secret manager access id may appear once")
    return accesses


class SecretManagerAccess(Schema):
    id: uuid.UUID
    name: str
    created_at: datetime
    updated_at: datetime
    endpoint: SecretManagerEndpointConfigurationDto
    authentication: SecretManagerAuthenticationDto


class StoredSecretManagerAccess(SecretManagerAccess):
    """An access as ``clusters.settings`` keeps it: the credential taken out of
    ``authentication`` and encrypted."""

    encrypted_secret: str | None = None


# Requests -------------------------------------------------------------------


class ClusterSpec(Spec):
    """The settings a cluster stores and answers back as they were sent."""

    min_running_nodes: NodeCount = 1
    max_running_nodes: NodeCount = 1
    disk_size: Annotated[StrictInt, Field(gt=0, description="Unit is in GB.")] = 40
    disk_iops: DiskIops | None = None
    disk_throughput: DiskThroughput | None = None
    instance_type: str | None = None
    kubernetes: KubernetesEnum = KubernetesEnum.MANAGED
    production: StrictBool = False
    ssh_keys: list[str] | None = None
    metrics_parameters: MetricsParameters | None = None
    infrastructure_charts_parameters: ClusterInfrastructureChartsParameters | None = (
        None
    )
    keda: ClusterKeda | None = None
    labels_groups: list[ClusterLabelsGroup] | None = None

    @model_validator(mode="after")
    def _node_range(self) -> "ClusterSpec":
        if self.min_running_nodes > self.max_running_nodes:
            raise ValueError(
                "min_running_nodes must not exceed max_running_nodes "
                f"({self.min_running_nodes} > {self.max_running_nodes})"
            )
        return self


_CLUSTER_ANSWER_ONLY = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "organization",
        "cpu",
        "memory",
        "estimated_cloud_provider_cost",
        "status",
        "has_access",
        "version",
        "is_default",
        "is_demo",
        "deployment_status",
        "infrastructure_outputs",
    }
)


class ClusterRequest(ClusterSpec):
    """Unknown fields are refused; those only the official ``Cluster`` answer
    has are ignored, so an answer sent back with changes is a valid request."""

    name: Name
    description: str | None = None
    # A region is bounded like a name: not blank, 255 characters at most.
    region: Name
    cloud_provider: CloudVendorEnum
    cloud_provider_credentials: ClusterCloudProviderInfoRequest | None = Field(
        default=None,
        description="Write-only: stored, never answered back, kept when left out.",
    )
    features: ClusterFeatureList | None = None
    secret_manager_accesses: (
        Annotated[
            list[SecretManagerAccessRequest], AfterValidator(_distinct_access_ids)
        ]
        | None
    ) = None

    @model_validator(mode="before")
    @classmethod
    def _from_answer(cls, data: Any) -> Any:
        return _without(data, _CLUSTER_ANSWER_ONLY)


class ClusterSettings(ClusterSpec):
    """What ``clusters.settings`` holds: every ``ClusterRequest`` field without a
    column of its own. Keys it does not know are ignored, so an operator may add
    ``is_demo`` by hand."""

    model_config = ConfigDict(extra="ignore")

    cloud_provider_credentials: ClusterCloudProviderInfoRequest | None = None
    features: ClusterFeatureList | None = None
    secret_manager_accesses: list[StoredSecretManagerAccess] | None = None
    is_demo: bool = False


# Responses ------------------------------------------------------------------


class ClusterFeatureStringResponse(Schema):
    type: Literal[ClusterFeatureResponseTypeEnum.STRING] = (
        ClusterFeatureResponseTypeEnum.STRING
    )
    value: str


class ClusterFeatureBooleanResponse(Schema):
    type: Literal[ClusterFeatureResponseTypeEnum.BOOLEAN] = (
        ClusterFeatureResponseTypeEnum.BOOLEAN
    )
    value: bool


class ClusterFeatureAwsExistingVpcResponse(Schema):
    type: Literal[ClusterFeatureResponseTypeEnum.AWS_USER_PROVIDED_NETWORK] = (
        ClusterFeatureResponseTypeEnum.AWS_USER_PROVIDED_NETWORK
    )
    value: ClusterFeatureAwsExistingVpc


class ClusterFeatureGcpExistingVpcResponse(Schema):
    type: Literal[ClusterFeatureResponseTypeEnum.GCP_USER_PROVIDED_NETWORK] = (
        ClusterFeatureResponseTypeEnum.GCP_USER_PROVIDED_NETWORK
    )
    value: ClusterFeatureGcpExistingVpc


class ClusterFeatureKarpenterParametersResponse(Schema):
    type: Literal[ClusterFeatureResponseTypeEnum.KARPENTER] = (
        ClusterFeatureResponseTypeEnum.KARPENTER
    )
    value: ClusterFeatureKarpenterParameters


class ClusterFeatureNatGatewayParametersResponse(Schema):
    type: Literal[ClusterFeatureResponseTypeEnum.NAT_GATEWAY] = (
        ClusterFeatureResponseTypeEnum.NAT_GATEWAY
    )
    value: ClusterFeatureNatGatewayParameters | None


ClusterFeatureValueObject = Annotated[
    ClusterFeatureStringResponse
    | ClusterFeatureBooleanResponse
    | ClusterFeatureAwsExistingVpcResponse
    | ClusterFeatureGcpExistingVpcResponse
    | ClusterFeatureKarpenterParametersResponse
    | ClusterFeatureNatGatewayParametersResponse,
    Field(discriminator="type"),
]


class ClusterFeatureResponse(Schema):
    id: str
    title: str | None = None
    description: str | None = None
    value_type: Literal["BOOLEAN"] | None = None
    value_object: ClusterFeatureValueObject | None = None
    is_value_updatable: bool = False


class Cluster(BaseRecord):
    organization: ReferenceObject
    name: str
    description: str | None = None
    region: str
    cloud_provider: CloudVendorEnum
    min_running_nodes: int
    max_running_nodes: int
    disk_size: int
    disk_iops: int | None = None
    disk_throughput: int | None = None
    instance_type: str | None = None
    kubernetes: KubernetesEnum
    cpu: int | None = None
    memory: int | None = None
    estimated_cloud_provider_cost: int | None = None
    status: ClusterStateEnum
    has_access: bool
    version: str | None = None
    is_default: bool
    is_demo: bool
    production: bool
    ssh_keys: list[str] | None = None
    features: list[ClusterFeatureResponse] | None = None
    deployment_status: ClusterDeploymentStatusEnum
    metrics_parameters: MetricsParameters | None = None
    infrastructure_charts_parameters: ClusterInfrastructureChartsParameters | None = (
        None
    )
    keda: ClusterKeda | None = None
    labels_groups: list[ClusterLabelsGroup] | None = None
    secret_manager_accesses: list[SecretManagerAccess] | None = None


class ClusterResponseList(Schema):
    results: list[Cluster]
