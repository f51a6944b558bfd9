import uuid

from fastapi import status

from envplane.auth.dependencies import PrincipalDep
from envplane.cluster.schemas import (
    CloudVendorEnum,
    Cluster,
    ClusterDeleteMode,
    ClusterDeploymentStatusEnum,
    ClusterFeature,
    ClusterFeatureAwsExistingVpc,
    ClusterFeatureAwsExistingVpcResponse,
    ClusterFeatureBooleanResponse,
    ClusterFeatureGcpExistingVpc,
    ClusterFeatureGcpExistingVpcResponse,
    ClusterFeatureKarpenterParameters,
    ClusterFeatureKarpenterParametersResponse,
    ClusterFeatureNatGatewayParameters,
    ClusterFeatureNatGatewayParametersResponse,
    ClusterFeatureResponse,
    ClusterFeatureStringResponse,
    ClusterFeatureValue,
    ClusterFeatureValueObject,
    ClusterRequest,
    ClusterResponseList,
    ClusterSettings,
    ClusterSpec,
    ClusterStateEnum,
    SecretManagerAccess,
)
from envplane.cluster.service import ClusterView
from envplane.cluster.service import cluster_service as service
from envplane.core.dependencies import CipherDep, SessionDep
from envplane.core.routing import APIRouter
from envplane.core.schemas import ReferenceObject

router = APIRouter(tags=["Clusters"])


@router.get(
    "/organization/{organizationId}/cluster", response_model=ClusterResponseList
)
def list_organization_cluster(
    organizationId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> ClusterResponseList:
    """List organization clusters."""
    clusters = service.list(session, principal, organizationId)
    return ClusterResponseList(results=[_cluster(view) for view in clusters])


@router.post(
    "/organization/{organizationId}/cluster",
    status_code=status.HTTP_201_CREATED,
    response_model=Cluster,
)
def create_cluster(
    organizationId: uuid.UUID,
    request: ClusterRequest,
    session: SessionDep,
    principal: PrincipalDep,
    cipher: CipherDep,
) -> Cluster:
    """Create a cluster."""
    view = service.create(
        session, principal, organizationId, request=request, cipher=cipher
    )
    return _cluster(view)


@router.put(
    "/organization/{organizationId}/cluster/{clusterId}", response_model=Cluster
)
def edit_cluster(
    organizationId: uuid.UUID,
    clusterId: uuid.UUID,
    request: ClusterRequest,
    session: SessionDep,
    principal: PrincipalDep,
    cipher: CipherDep,
) -> Cluster:
    """Edit a cluster: the request replaces its whole configuration."""
    view = service.update(
        session, principal, organizationId, clusterId, request=request, cipher=cipher
    )
    return _cluster(view)


@router.delete(
    "/organization/{organizationId}/cluster/{clusterId}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={409: {"description": "Environments still run on the cluster"}},
)
def delete_cluster(
    organizationId: uuid.UUID,
    clusterId: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    deleteMode: ClusterDeleteMode = ClusterDeleteMode.DEFAULT,
    skipReconcile: bool = False,
) -> None:
    """Delete a cluster."""
    service.delete(
        session,
        principal,
        organizationId,
        clusterId,
        mode=deleteMode,
        skip_reconcile=skipReconcile,
    )


def _cluster(view: ClusterView) -> Cluster:
    record = view.cluster
    settings = ClusterSettings.model_validate(record.settings)
    features = accesses = None
    if settings.features is not None:
        features = [_feature(feature) for feature in settings.features]
    if settings.secret_manager_accesses is not None:
        accesses = [
            SecretManagerAccess.model_validate(
                access.model_dump(exclude={"encrypted_secret"})
            )
            for access in settings.secret_manager_accesses
        ]
    return Cluster(
        id=record.id,
        created_at=record.created_at,
        updated_at=record.updated_at,
        organization=ReferenceObject(id=record.organization_id),
        name=record.name,
        description=record.description,
        region=record.region,
        cloud_provider=CloudVendorEnum(record.cloud_provider),
        **{name: getattr(settings, name) for name in ClusterSpec.model_fields},
        features=features,
        secret_manager_accesses=accesses,
        # Nothing is ever deployed to a cluster yet: it stays ready to be.
        status=ClusterStateEnum.READY,
        deployment_status=ClusterDeploymentStatusEnum.NEVER_DEPLOYED,
        has_access=True,
        is_default=view.is_default,
        is_demo=settings.is_demo,
    )


def _feature(feature: ClusterFeature) -> ClusterFeatureResponse:
    """A feature as the official ``ClusterFeatureResponse`` shows it. envplane
    keeps no catalogue of features, so titles, descriptions and costs are left
    out."""
    value = feature.value
    return ClusterFeatureResponse(
        id=feature.id,
        value_type="BOOLEAN" if isinstance(value, bool) else None,
        value_object=None if value is None else _feature_value(value),
        is_value_updatable=True,
    )


def _feature_value(value: ClusterFeatureValue) -> ClusterFeatureValueObject:
    match value:
        case bool():
            return ClusterFeatureBooleanResponse(value=value)
        case str():
            return ClusterFeatureStringResponse(value=value)
        case ClusterFeatureAwsExistingVpc():
            return ClusterFeatureAwsExistingVpcResponse(value=value)
        case ClusterFeatureGcpExistingVpc():
            return ClusterFeatureGcpExistingVpcResponse(value=value)
        case ClusterFeatureKarpenterParameters():
            return ClusterFeatureKarpenterParametersResponse(value=value)
        case ClusterFeatureNatGatewayParameters():
            return ClusterFeatureNatGatewayParametersResponse(value=value)
