import uuid
from typing import Any

from fastapi import status

from envplane.auth.dependencies import PrincipalDep
from envplane.core.dependencies import CipherDep, SessionDep
from envplane.core.routing import APIRouter
from envplane.models import ContainerRegistry, HelmRepository
from envplane.registry.schemas import (
    ContainerRegistryKindEnum,
    ContainerRegistryRequest,
    ContainerRegistryResponse,
    ContainerRegistryResponseConfig,
    ContainerRegistryResponseList,
    HelmRepositoryKindEnum,
    HelmRepositoryRequest,
    HelmRepositoryResponse,
    HelmRepositoryResponseConfig,
    HelmRepositoryResponseList,
)
from envplane.registry.service import RegistryView
from envplane.registry.service import container_registry_service as registries
from envplane.registry.service import helm_repository_service as repositories

router = APIRouter()

REGISTRIES = "/organization/{organizationId}/containerRegistry"
REGISTRY = REGISTRIES + "/{containerRegistryId}"
REPOSITORIES = "/organization/{organizationId}/helmRepository"
REPOSITORY = REPOSITORIES + "/{helmRepositoryId}"
IN_USE: dict[int | str, dict[str, Any]] = {
    409: {"description": "Services still use it"}
}


@router.get(
    REGISTRIES,
    response_model=ContainerRegistryResponseList,
    tags=["Container Registries"],
)
def list_container_registry(
    organizationId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> ContainerRegistryResponseList:
    """List organization container registries."""
    views = registries.list(session, principal, organizationId)
    return ContainerRegistryResponseList(results=[_registry(v) for v in views])


@router.post(
    REGISTRIES,
    status_code=status.HTTP_201_CREATED,
    response_model=ContainerRegistryResponse,
    tags=["Container Registries"],
)
def create_container_registry(
    organizationId: uuid.UUID,
    request: ContainerRegistryRequest,
    session: SessionDep,
    principal: PrincipalDep,
    cipher: CipherDep,
) -> ContainerRegistryResponse:
    """Create a container registry."""
    view = registries.create(
        session, principal, organizationId, request=request, cipher=cipher
    )
    return _registry(view)


@router.get(
    REGISTRY, response_model=ContainerRegistryResponse, tags=["Container Registries"]
)
def get_container_registry(
    organizationId: uuid.UUID,
    containerRegistryId: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
) -> ContainerRegistryResponse:
    """Get a container registry."""
    view = registries.get(session, principal, organizationId, containerRegistryId)
    return _registry(view)


@router.put(
    REGISTRY, response_model=ContainerRegistryResponse, tags=["Container Registries"]
)
def edit_container_registry(
    organizationId: uuid.UUID,
    containerRegistryId: uuid.UUID,
    request: ContainerRegistryRequest,
    session: SessionDep,
    principal: PrincipalDep,
    cipher: CipherDep,
) -> ContainerRegistryResponse:
    """Edit a container registry; credentials left out are kept."""
    view = registries.update(
        session,
        principal,
        organizationId,
        containerRegistryId,
        request=request,
        cipher=cipher,
    )
    return _registry(view)


@router.delete(
    REGISTRY,
    status_code=status.HTTP_204_NO_CONTENT,
    responses=IN_USE,
    tags=["Container Registries"],
)
def delete_container_registry(
    organizationId: uuid.UUID,
    containerRegistryId: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
) -> None:
    """Delete a container registry no service uses."""
    registries.delete(session, principal, organizationId, containerRegistryId)


@router.get(
    REPOSITORIES, response_model=HelmRepositoryResponseList, tags=["Helm Repositories"]
)
def list_helm_repository(
    organizationId: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> HelmRepositoryResponseList:
    """List organization helm repositories."""
    views = repositories.list(session, principal, organizationId)
    return HelmRepositoryResponseList(results=[_repository(v) for v in views])


@router.post(
    REPOSITORIES,
    status_code=status.HTTP_201_CREATED,
    response_model=HelmRepositoryResponse,
    tags=["Helm Repositories"],
)
def create_helm_repository(
    organizationId: uuid.UUID,
    request: HelmRepositoryRequest,
    session: SessionDep,
    principal: PrincipalDep,
    cipher: CipherDep,
) -> HelmRepositoryResponse:
    """Create a helm repository."""
    view = repositories.create(
        session, principal, organizationId, request=request, cipher=cipher
    )
    return _repository(view)


@router.get(
    REPOSITORY, response_model=HelmRepositoryResponse, tags=["Helm Repositories"]
)
def get_helm_repository(
    organizationId: uuid.UUID,
    helmRepositoryId: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
) -> HelmRepositoryResponse:
    """Get a helm repository."""
    view = repositories.get(session, principal, organizationId, helmRepositoryId)
    return _repository(view)


@router.put(
    REPOSITORY, response_model=HelmRepositoryResponse, tags=["Helm Repositories"]
)
def edit_helm_repository(
    organizationId: uuid.UUID,
    helmRepositoryId: uuid.UUID,
    request: HelmRepositoryRequest,
    session: SessionDep,
    principal: PrincipalDep,
    cipher: CipherDep,
) -> HelmRepositoryResponse:
    """Edit a helm repository; credentials left out are kept."""
    view = repositories.update(
        session,
        principal,
        organizationId,
        helmRepositoryId,
        request=request,
        cipher=cipher,
    )
    return _repository(view)


@router.delete(
    REPOSITORY,
    status_code=status.HTTP_204_NO_CONTENT,
    responses=IN_USE,
    tags=["Helm Repositories"],
)
def delete_helm_repository(
    organizationId: uuid.UUID,
    helmRepositoryId: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
) -> None:
    """Delete a helm repository no service uses."""
    repositories.delete(session, principal, organizationId, helmRepositoryId)


def _registry(view: RegistryView[ContainerRegistry]) -> ContainerRegistryResponse:
    record = view.record
    return ContainerRegistryResponse(
        id=record.id,
        created_at=record.created_at,
        updated_at=record.updated_at,
        name=record.name,
        kind=ContainerRegistryKindEnum(record.kind),
        description=record.description,
        url=record.url,
        associated_services_count=view.services,
        # The answer's config has no field for a credential: they stay out.
        config=ContainerRegistryResponseConfig.model_validate(record.config),
    )


def _repository(view: RegistryView[HelmRepository]) -> HelmRepositoryResponse:
    record = view.record
    return HelmRepositoryResponse(
        id=record.id,
        created_at=record.created_at,
        updated_at=record.updated_at,
        name=record.name,
        kind=HelmRepositoryKindEnum(record.kind),
        description=record.description,
        url=record.url,
        skip_tls_verification=record.skip_tls_verification,
        associated_services_count=view.services,
        config=HelmRepositoryResponseConfig.model_validate(record.config),
    )
