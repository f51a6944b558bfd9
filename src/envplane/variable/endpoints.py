from functools import partial

from envplane.core.routing import APIRouter
from envplane.variable.repository import variable_repository as repository
from envplane.variable.routes import add_variable_routes
from envplane.variable.scopes import OwnerScope, VariableScope

PROJECT = OwnerScope(
    scope=VariableScope.PROJECT,
    resource="project",
    path_prefix="/project/{projectId}",
    path_parameter="projectId",
    operation_stem="Project",
    variable_tag="Project Environment Variable",
    secret_tag="Project Secret",
    resolve=repository.get_project_owner,
)

ENVIRONMENT = OwnerScope(
    scope=VariableScope.ENVIRONMENT,
    resource="environment",
    path_prefix="/environment/{environmentId}",
    path_parameter="environmentId",
    operation_stem="Environment",
    variable_tag="Environment Variable",
    secret_tag="Environment Secret",
    resolve=repository.get_environment_owner,
)


def _service_scope(scope: VariableScope, resource: str) -> OwnerScope:
    """A kind of service as a scope: /application/{applicationId}/... and its
    operations (listApplicationEnvironmentVariable, ...)."""
    stem = resource.capitalize()
    return OwnerScope(
        scope=scope,
        resource=resource,
        path_prefix=f"/{resource}/{{{resource}Id}}",
        path_parameter=f"{resource}Id",
        operation_stem=stem,
        variable_tag=f"{stem} Environment Variable",
        secret_tag=f"{stem} Secret",
        resolve=partial(repository.get_service_owner, scope=scope),
    )


APPLICATION = _service_scope(VariableScope.APPLICATION, "application")
CONTAINER = _service_scope(VariableScope.CONTAINER, "container")
JOB = _service_scope(VariableScope.JOB, "job")

router = APIRouter()
for owner_scope in (PROJECT, ENVIRONMENT, APPLICATION, CONTAINER, JOB):
    add_variable_routes(router, owner_scope)
