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
