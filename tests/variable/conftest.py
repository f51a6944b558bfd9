"""More environments for the variable tests: a sibling of ``environment`` in the
same project, and one of another organization."""

import pytest

from tests.fixtures.api import Api
from tests.fixtures.factories import Json


@pytest.fixture
def sibling_environment(
    api: Api, owner_token: str, project: Json, cluster: Json
) -> Json:
    body = {"name": "staging", "mode": "STAGING", "cluster": cluster["id"]}
    path = f"/project/{project['id']}/environment"
    return api.post(path, token=owner_token, json=body)  # type: ignore[no-any-return]


@pytest.fixture
def foreign_environment(api: Api, outsider_token: str) -> Json:
    """An environment of another organization, with its ``project``."""
    organization = api.post(
        "/organization", token=outsider_token, json={"name": "other", "plan": "FREE"}
    )
    base = f"/organization/{organization['id']}"
    cluster = api.post(
        f"{base}/cluster",
        token=outsider_token,
        json={"name": "theirs", "region": "eu-west-3", "cloud_provider": "AWS"},
    )
    project = api.post(
        f"{base}/project", token=outsider_token, json={"name": "theirs"}, expect=200
    )
    environment = api.post(
        f"/project/{project['id']}/environment",
        token=outsider_token,
        json={"name": "theirs", "mode": "DEVELOPMENT", "cluster": cluster["id"]},
    )
    return {**environment, "project": project}
