"""Environment status. Deployments are not recorded yet, so every environment
answers as one that was never deployed."""

import uuid

from envplane.environment.schemas import (
    EnvironmentDeploymentStatusEnum,
    EnvironmentStatus,
    StateEnum,
)


def never_deployed(environment_id: uuid.UUID) -> EnvironmentStatus:
    # TODO(lifecycle): derive state, last deployment and deployment status from
    # recorded deployment requests once deploy/stop exist; until then a client
    # sees READY / NEVER_DEPLOYED for every environment, even after a clone.
    return EnvironmentStatus(
        id=environment_id,
        state=StateEnum.READY,
        last_deployment_state=StateEnum.READY,
        deployment_status=EnvironmentDeploymentStatusEnum.NEVER_DEPLOYED,
    )
