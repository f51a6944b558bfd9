"""The stages every environment starts with, and the stage a new service joins.

A new environment gets one stage per kind of service, in the order Qovery
deploys them: databases, then jobs, then containers, then applications. A
service created without a say in the matter joins the stage named for its
kind; when that stage is gone (renamed or deleted) or never existed (helm
charts have none at first), it is created at the end of the order.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from envplane.deployment_stage.repository import (
    deployment_stage_repository as repository,
)
from envplane.models import DeploymentStage, Environment
from envplane.service.kinds.base import ServiceType

STAGE_NAMES = {
    ServiceType.DATABASE: "DEFAULT DATABASE",
    ServiceType.JOB: "DEFAULT JOB",
    ServiceType.CONTAINER: "DEFAULT CONTAINER",
    ServiceType.APPLICATION: "DEFAULT APPLICATION",
    ServiceType.HELM: "DEFAULT HELM",
}

INITIAL_KINDS = (
    ServiceType.DATABASE,
    ServiceType.JOB,
    ServiceType.CONTAINER,
    ServiceType.APPLICATION,
)


def initial_stages(environment: Environment) -> list[DeploymentStage]:
    """The stages of a new environment, to add to the session with it."""
    return [
        DeploymentStage(
            environment_id=environment.id, name=STAGE_NAMES[kind], position=position
        )
        for position, kind in enumerate(INITIAL_KINDS)
    ]


def default_stage(
    session: Session, environment_id: uuid.UUID, kind: ServiceType
) -> DeploymentStage:
    """The stage a new service of ``kind`` joins in the environment, created
    at the end of the order if the environment has none by that name."""
    repository.lock_environment(session, environment_id)
    name = STAGE_NAMES[kind]
    stage = session.scalars(
        select(DeploymentStage).where(
            DeploymentStage.environment_id == environment_id,
            DeploymentStage.name == name,
        )
    ).one_or_none()
    if stage is None:
        stage = DeploymentStage(
            environment_id=environment_id,
            name=name,
            position=repository.count(session, environment_id),
        )
        session.add(stage)
        session.flush()
    return stage
