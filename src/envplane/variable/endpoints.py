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

router = APIRouter()
for owner_scope in (PROJECT, ENVIRONMENT):
    add_variable_routes(router, owner_scope)
