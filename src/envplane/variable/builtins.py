"""Built-in variables: entries envplane maintains itself, listed with scope
BUILT_IN, never edited or deleted through the API, and usable as the target of
aliases and overrides. They are generated for their owner and never copied: a
clone gets its own."""

import uuid

from envplane.models import Environment, Project, Variable
from envplane.variable.scopes import VariableScope, VariableType


def project_builtins(project: Project) -> list[Variable]:
    return [_builtin(project.id, project.id, None, "QOVERY_PROJECT_ID", project.id)]


def environment_builtins(environment: Environment) -> list[Variable]:
    return [
        _builtin(
            environment.id,
            environment.project_id,
            environment.id,
            "QOVERY_ENVIRONMENT_ID",
            environment.id,
        )
    ]


def _builtin(
    owner_id: uuid.UUID,
    project_id: uuid.UUID,
    environment_id: uuid.UUID | None,
    key: str,
    value: object,
) -> Variable:
    return Variable(
        owner_id=owner_id,
        scope=VariableScope.BUILT_IN,
        project_id=project_id,
        environment_id=environment_id,
        is_secret=False,
        key=key,
        value=str(value),
        variable_type=VariableType.BUILT_IN,
    )
