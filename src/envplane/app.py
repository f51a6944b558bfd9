"""The application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine

from envplane.auth.service import KnownUsers
from envplane.auth.tokens import JwtAuthority
from envplane.cluster.endpoints import router as cluster_router
from envplane.core.config import Settings, get_settings
from envplane.core.database import (
    create_read_session_factory,
    create_server_engine,
    create_session_factory,
)
from envplane.core.handlers import install_error_handlers
from envplane.core.keys import load_secret_cipher, load_signing_key
from envplane.core.logging import configure_logging
from envplane.core.openapi import install_openapi, operation_id
from envplane.core.retry import RetryTransientErrors
from envplane.core.threads import use_read_threads
from envplane.custom_domain.endpoints import router as custom_domain_router
from envplane.deployment_stage.endpoints import router as deployment_stage_router
from envplane.environment.endpoints import router as environment_router
from envplane.organization.endpoints import router as organization_router
from envplane.project.endpoints import router as project_router
from envplane.registry.endpoints import router as registry_router
from envplane.service.endpoints import router as service_router
from envplane.variable.endpoints import router as variable_router


def create_app(
    settings: Settings | None = None, *, engine: Engine | None = None
) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(fmt=settings.LOG_FORMAT, level=settings.LOG_LEVEL)
    engine = engine or create_server_engine(settings)

    app = FastAPI(
        title="envplane",
        summary="A self-hostable environment control plane speaking the Qovery API.",
        version="0.1.0",
        generate_unique_id_function=operation_id,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = create_session_factory(engine)
    app.state.read_sessions = create_read_session_factory(engine)
    app.state.cipher = load_secret_cipher(settings)
    app.state.jwt = JwtAuthority(settings, load_signing_key(settings))
    app.state.known_users = KnownUsers()

    install_error_handlers(app)
    install_openapi(app)
    for router in (
        organization_router,
        cluster_router,
        project_router,
        environment_router,
        variable_router,
        service_router,
        custom_domain_router,
        registry_router,
        deployment_stage_router,
    ):
        app.include_router(router)
    app.add_middleware(RetryTransientErrors)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    use_read_threads(app.state.settings.READ_THREADS)
    yield
