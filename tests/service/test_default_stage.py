"""Every environment starts with a stage per kind of service, and a new service
joins its kind's stage."""

from tests.fixtures.api import Api
from tests.fixtures.bodies import (
    application_body,
    container_body,
    database_body,
    helm_body,
)
from tests.fixtures.factories import Json

INITIAL = [
    "DEFAULT DATABASE",
    "DEFAULT JOB",
    "DEFAULT CONTAINER",
    "DEFAULT APPLICATION",
]


def _stage_names(api: Api, token: str, environment: Json) -> list[str]:
    answer = api.get(f"/environment/{environment['id']}/deploymentStage", token=token)
    results = answer["results"]
    assert [s["deployment_order"] for s in results] == list(range(len(results)))
    return [s["name"] for s in results]


def _stage_of(api: Api, token: str, service: Json) -> str:
    stage = api.get(f"/service/{service['id']}/deploymentStage", token=token)
    assert service["id"] in [member["service_id"] for member in stage["services"]]
    return stage["name"]  # type: ignore[no-any-return]


def _create(api: Api, token: str, environment: Json, kind: str, body: Json) -> Json:
    path = f"/environment/{environment['id']}/{kind}"
    return api.post(path, token=token, json=body, expect=201)  # type: ignore[no-any-return]


class TestDefaultStage:
    def test_new_environment(
        self, api: Api, owner_token: str, environment: Json
    ) -> None:
        assert _stage_names(api, owner_token, environment) == INITIAL

    def test_each_kind_joins_its_stage(
        self, api: Api, owner_token: str, environment: Json, registry: Json
    ) -> None:
        created = {
            "application": application_body(),
            "container": container_body(registry["id"]),
            "database": database_body(),
        }

        stages = {
            kind: _stage_of(
                api, owner_token, _create(api, owner_token, environment, kind, body)
            )
            for kind, body in created.items()
        }

        assert stages == {
            "application": "DEFAULT APPLICATION",
            "container": "DEFAULT CONTAINER",
            "database": "DEFAULT DATABASE",
        }

    def test_helm_stage_made_last(
        self, api: Api, owner_token: str, environment: Json
    ) -> None:
        helm = _create(api, owner_token, environment, "helm", helm_body())

        assert _stage_of(api, owner_token, helm) == "DEFAULT HELM"
        assert _stage_names(api, owner_token, environment) == [*INITIAL, "DEFAULT HELM"]

    def test_deleted_stage_made_again(
        self, api: Api, owner_token: str, environment: Json
    ) -> None:
        stages = api.get(
            f"/environment/{environment['id']}/deploymentStage", token=owner_token
        )["results"]
        first = next(s for s in stages if s["name"] == "DEFAULT DATABASE")
        api.delete(f"/deploymentStage/{first['id']}", token=owner_token, expect=204)

        database = _create(api, owner_token, environment, "database", database_body())

        assert _stage_of(api, owner_token, database) == "DEFAULT DATABASE"
        assert _stage_names(api, owner_token, environment) == [
            *INITIAL[1:],
            "DEFAULT DATABASE",
        ]

    def test_clone_joins_the_target_stage(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        project: Json,
        cluster: Json,
    ) -> None:
        source = _create(
            api, owner_token, environment, "application", application_body()
        )
        custom = api.post(
            f"/environment/{environment['id']}/deploymentStage",
            token=owner_token,
            json={"name": "web"},
            expect=200,
        )
        api.put(
            f"/deploymentStage/{custom['id']}/service/{source['id']}",
            token=owner_token,
        )
        target = api.post(
            f"/project/{project['id']}/environment",
            token=owner_token,
            json={"name": "staging", "mode": "STAGING", "cluster": cluster["id"]},
        )

        beside = api.post(
            f"/application/{source['id']}/clone",
            token=owner_token,
            json={"name": "api-2", "environment_id": environment["id"]},
            expect=202,
        )
        elsewhere = api.post(
            f"/application/{source['id']}/clone",
            token=owner_token,
            json={"name": "api", "environment_id": target["id"]},
            expect=202,
        )

        assert _stage_of(api, owner_token, beside) == "web"
        assert _stage_of(api, owner_token, elsewhere) == "DEFAULT APPLICATION"
