import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import httpx2
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from envplane.auth.roles import Role
from envplane.core.database import recorded_statements
from envplane.models import DeploymentStage
from tests.contract.openapi import DOCUMENT_PATH, Contract
from tests.fixtures.api import Api
from tests.fixtures.bulk import add_services, add_stages
from tests.fixtures.factories import Json
from tests.fixtures.server import live_server

MakeStage = Callable[..., Json]
MakeService = Callable[[Json], Json]
MemberToken = Callable[[Role], str]

UNKNOWN = "5a1d3c1e-0c8e-4f5e-9a43-2b7d6f0c9e11"


def _stages_path(environment: Json) -> str:
    return f"/environment/{environment['id']}/deploymentStage"


def _stage_path(stage: Json) -> str:
    return f"/deploymentStage/{stage['id']}"


def _attach_path(stage: Json, service: Json) -> str:
    return f"/deploymentStage/{stage['id']}/service/{service['id']}"


def _move_path(stage: Json, where: str, target: Json) -> str:
    return f"/deploymentStage/{stage['id']}/{where}/{target['id']}"


def _names(answer: Json) -> list[str]:
    """The stages' names in order, checking their orders run from 0 without gaps."""
    results = answer["results"]
    assert [s["deployment_order"] for s in results] == list(range(len(results)))
    return [s["name"] for s in results]


def _members(answer: Json) -> dict[str, list[str]]:
    return {
        s["name"]: [m["service_id"] for m in s["services"]] for s in answer["results"]
    }


def _listing_statements(
    api: Api, token: str, sessions: sessionmaker[Session], environment: Json, count: int
) -> list[str]:
    """The statements listing the stages of ``environment`` take once it has
    ``count`` stages holding a service each."""
    environment_id = uuid.UUID(environment["id"])
    stage_ids = add_stages(sessions, environment_id, count)
    configurations: list[Json] = [{}] * count
    add_services(
        sessions, environment_id, "APPLICATION", configurations, stage_ids=stage_ids
    )

    with recorded_statements(api.app.state.engine) as statements:
        answer = api.get(_stages_path(environment), token=token)
    assert [len(stage["services"]) for stage in answer["results"]] == [1] * count
    return statements


@pytest.fixture
def stages(environment: Json, make_stage: MakeStage) -> list[Json]:
    return [make_stage(environment, name) for name in ("a", "b", "c", "d")]


class TestCreate:
    def test_valid(self, api: Api, owner_token: str, environment: Json) -> None:
        body = {"name": "databases", "description": "first things first"}
        stage = api.post(
            _stages_path(environment), token=owner_token, json=body, expect=200
        )

        assert stage["name"] == "databases"
        assert stage["description"] == "first things first"
        assert stage["environment"] == {"id": environment["id"]}
        assert stage["deployment_order"] == 0
        assert stage["services"] == []
        assert uuid.UUID(stage["id"])
        assert stage["created_at"]
        assert api.get(_stage_path(stage), token=owner_token) == stage

    def test_appended_last(
        self, api: Api, owner_token: str, environment: Json, make_stage: MakeStage
    ) -> None:
        orders = [make_stage(environment, n)["deployment_order"] for n in "xyz"]

        assert orders == [0, 1, 2]
        answer = api.get(_stages_path(environment), token=owner_token)
        assert _names(answer) == ["x", "y", "z"]

    def test_name_taken_regardless_of_case(
        self, api: Api, owner_token: str, environment: Json, make_stage: MakeStage
    ) -> None:
        make_stage(environment, "Build")

        error = api.post(
            _stages_path(environment),
            token=owner_token,
            json={"name": "bUILD"},
            expect=400,
        )
        assert error["errors"][0]["loc"] == ["body", "name"]
        assert "already exists" in error["message"]
        answer = api.get(_stages_path(environment), token=owner_token)
        assert _names(answer) == ["Build"]

    def test_same_name_in_another_environment(
        self,
        environment: Json,
        sibling_environment: Json,
        make_stage: MakeStage,
    ) -> None:
        make_stage(environment, "build")
        stage = make_stage(sibling_environment, "build")

        assert stage["deployment_order"] == 0

    def test_invalid(self, api: Api, owner_token: str, environment: Json) -> None:
        for body in (
            {},
            {"name": ""},
            {"name": "   "},
            {"name": "x" * 256},
            {"name": 12},
            {"name": "build", "description": ["not", "text"]},
        ):
            error = api.post(
                _stages_path(environment), token=owner_token, json=body, expect=400
            )
            assert error["errors"], body
        assert api.get(_stages_path(environment), token=owner_token)["results"] == []

    def test_malformed_environment_id(self, api: Api, owner_token: str) -> None:
        api.post(
            "/environment/not-a-uuid/deploymentStage",
            token=owner_token,
            json={"name": "build"},
            expect=400,
        )

    def test_not_existing(self, api: Api, owner_token: str) -> None:
        api.post(
            f"/environment/{UNKNOWN}/deploymentStage",
            token=owner_token,
            json={"name": "build"},
            expect=404,
        )

    def test_roles(
        self,
        api: Api,
        environment: Json,
        outsider_token: str,
        member_token: MemberToken,
    ) -> None:
        path, body = _stages_path(environment), {"name": "build"}

        api.post(path, token=None, json=body, expect=401)
        api.post(path, token=outsider_token, json=body, expect=404)
        api.post(path, token=member_token(Role.VIEWER), json=body, expect=403)
        api.post(path, token=member_token(Role.DEVELOPER), json=body, expect=200)


class TestList:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        sibling_environment: Json,
        make_stage: MakeStage,
        make_service: MakeService,
    ) -> None:
        first, second = make_stage(environment, "b"), make_stage(environment, "a")
        make_stage(sibling_environment, "elsewhere")
        service = make_service(environment)
        api.put(_attach_path(second, service), token=owner_token)

        answer = api.get(_stages_path(environment), token=owner_token)

        assert _names(answer) == ["b", "a"]
        assert [s["id"] for s in answer["results"]] == [first["id"], second["id"]]
        assert _members(answer) == {"b": [], "a": [service["id"]]}

    def test_empty(self, api: Api, owner_token: str, environment: Json) -> None:
        answer = api.get(_stages_path(environment), token=owner_token)
        assert answer == {"results": []}

    def test_not_existing(self, api: Api, owner_token: str) -> None:
        api.get(
            f"/environment/{UNKNOWN}/deploymentStage", token=owner_token, expect=404
        )

    def test_roles(
        self,
        api: Api,
        environment: Json,
        stages: list[Json],
        outsider_token: str,
        member_token: MemberToken,
    ) -> None:
        path = _stages_path(environment)

        api.get(path, token=None, expect=401)
        api.get(path, token=outsider_token, expect=404)
        answer = api.get(path, token=member_token(Role.VIEWER))
        assert _names(answer) == ["a", "b", "c", "d"]

    def test_statement_count_does_not_grow(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        sibling_environment: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        args = (api, owner_token, sessions)
        few = _listing_statements(*args, environment, 10)
        many = _listing_statements(*args, sibling_environment, 1000)

        assert len(few) == len(many), many


class TestGet:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        stages: list[Json],
        make_service: MakeService,
    ) -> None:
        older, newer = make_service(environment), make_service(environment)
        for service in (newer, older):
            api.put(_attach_path(stages[2], service), token=owner_token)

        stage = api.get(_stage_path(stages[2]), token=owner_token)

        assert stage["name"] == "c"
        assert stage["deployment_order"] == 2
        assert stage["environment"] == {"id": environment["id"]}
        assert [m["service_id"] for m in stage["services"]] == [
            older["id"],
            newer["id"],
        ]
        member = stage["services"][0]
        assert member["id"] == older["id"]
        assert member["service_type"] == "APPLICATION"
        assert member["is_skipped"] is False
        assert member["created_at"]

    def test_not_existing(self, api: Api, owner_token: str) -> None:
        api.get(f"/deploymentStage/{UNKNOWN}", token=owner_token, expect=404)

    def test_malformed_id(self, api: Api, owner_token: str) -> None:
        error = api.get("/deploymentStage/not-a-uuid", token=owner_token, expect=400)
        assert error["errors"][0]["loc"] == ["path", "deploymentStageId"]

    def test_roles(
        self,
        api: Api,
        stages: list[Json],
        outsider_token: str,
        member_token: MemberToken,
    ) -> None:
        path = _stage_path(stages[0])

        api.get(path, token=None, expect=401)
        api.get(path, token=outsider_token, expect=404)
        assert api.get(path, token=member_token(Role.VIEWER))["name"] == "a"


class TestEdit:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        stages: list[Json],
        make_service: MakeService,
    ) -> None:
        service = make_service(environment)
        api.put(_attach_path(stages[1], service), token=owner_token)
        body = {"name": "backend", "description": "after the databases"}

        stage = api.put(_stage_path(stages[1]), token=owner_token, json=body)

        assert stage["id"] == stages[1]["id"]
        assert stage["name"] == "backend"
        assert stage["description"] == "after the databases"
        assert stage["deployment_order"] == 1
        assert [m["service_id"] for m in stage["services"]] == [service["id"]]
        assert stage["updated_at"]
        assert api.get(_stage_path(stages[1]), token=owner_token) == stage

    def test_description_left_out_is_cleared(
        self, api: Api, owner_token: str, environment: Json
    ) -> None:
        stage = api.post(
            _stages_path(environment),
            token=owner_token,
            json={"name": "build", "description": "compile"},
            expect=200,
        )

        edited = api.put(_stage_path(stage), token=owner_token, json={"name": "build"})

        assert "description" not in edited

    def test_own_name_in_another_case(
        self, api: Api, owner_token: str, stages: list[Json]
    ) -> None:
        stage = api.put(_stage_path(stages[0]), token=owner_token, json={"name": "A"})
        assert stage["name"] == "A"

    def test_name_taken_regardless_of_case(
        self, api: Api, owner_token: str, stages: list[Json]
    ) -> None:
        error = api.put(
            _stage_path(stages[0]), token=owner_token, json={"name": "B"}, expect=400
        )

        assert error["errors"][0]["loc"] == ["body", "name"]
        assert api.get(_stage_path(stages[0]), token=owner_token)["name"] == "a"

    def test_invalid(self, api: Api, owner_token: str, stages: list[Json]) -> None:
        for body in ({}, {"name": ""}, {"name": " "}, {"name": "x" * 256}):
            api.put(_stage_path(stages[0]), token=owner_token, json=body, expect=400)
        assert api.get(_stage_path(stages[0]), token=owner_token)["name"] == "a"

    def test_not_existing(self, api: Api, owner_token: str) -> None:
        api.put(
            f"/deploymentStage/{UNKNOWN}",
            token=owner_token,
            json={"name": "x"},
            expect=404,
        )

    def test_roles(
        self,
        api: Api,
        stages: list[Json],
        outsider_token: str,
        member_token: MemberToken,
    ) -> None:
        path, body = _stage_path(stages[0]), {"name": "renamed"}

        api.put(path, token=None, json=body, expect=401)
        api.put(path, token=outsider_token, json=body, expect=404)
        api.put(path, token=member_token(Role.VIEWER), json=body, expect=403)
        api.put(path, token=member_token(Role.DEVELOPER), json=body)


class TestDelete:
    def test_valid(
        self, api: Api, owner_token: str, environment: Json, stages: list[Json]
    ) -> None:
        api.delete(_stage_path(stages[1]), token=owner_token)

        api.get(_stage_path(stages[1]), token=owner_token, expect=404)
        answer = api.get(_stages_path(environment), token=owner_token)
        assert _names(answer) == ["a", "c", "d"]

    def test_first_and_last(
        self, api: Api, owner_token: str, environment: Json, stages: list[Json]
    ) -> None:
        api.delete(_stage_path(stages[0]), token=owner_token)
        api.delete(_stage_path(stages[3]), token=owner_token)

        answer = api.get(_stages_path(environment), token=owner_token)
        assert _names(answer) == ["b", "c"]

    def test_next_create_goes_last(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        stages: list[Json],
        make_stage: MakeStage,
    ) -> None:
        api.delete(_stage_path(stages[0]), token=owner_token)

        assert make_stage(environment, "e")["deployment_order"] == 3
        answer = api.get(_stages_path(environment), token=owner_token)
        assert _names(answer) == ["b", "c", "d", "e"]

    def test_holding_services(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        stages: list[Json],
        make_service: MakeService,
    ) -> None:
        service = make_service(environment)
        api.put(_attach_path(stages[1], service), token=owner_token)

        error = api.delete(_stage_path(stages[1]), token=owner_token, expect=400)

        assert "attach them to another stage" in error["message"]
        answer = api.get(_stages_path(environment), token=owner_token)
        assert _names(answer) == ["a", "b", "c", "d"]
        assert _members(answer)["b"] == [service["id"]]

    def test_after_its_services_left(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        stages: list[Json],
        make_service: MakeService,
    ) -> None:
        service = make_service(environment)
        api.put(_attach_path(stages[1], service), token=owner_token)
        api.put(_attach_path(stages[2], service), token=owner_token)

        api.delete(_stage_path(stages[1]), token=owner_token)

        answer = api.get(_stages_path(environment), token=owner_token)
        assert _names(answer) == ["a", "c", "d"]
        assert _members(answer)["c"] == [service["id"]]

    def test_not_existing(self, api: Api, owner_token: str) -> None:
        api.delete(f"/deploymentStage/{UNKNOWN}", token=owner_token, expect=404)

    def test_roles(
        self,
        api: Api,
        owner_token: str,
        stages: list[Json],
        outsider_token: str,
        member_token: MemberToken,
    ) -> None:
        path = _stage_path(stages[0])

        api.delete(path, token=None, expect=401)
        api.delete(path, token=outsider_token, expect=404)
        api.delete(path, token=member_token(Role.VIEWER), expect=403)
        api.get(path, token=owner_token)
        api.delete(path, token=member_token(Role.DEVELOPER))


class TestAttachService:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        stages: list[Json],
        make_service: MakeService,
    ) -> None:
        service = make_service(environment)

        answer = api.put(_attach_path(stages[2], service), token=owner_token)

        assert _names(answer) == ["a", "b", "c", "d"]
        assert _members(answer) == {"a": [], "b": [], "c": [service["id"]], "d": []}
        assert answer == api.get(_stages_path(environment), token=owner_token)

    def test_moves_between_stages(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        stages: list[Json],
        make_service: MakeService,
    ) -> None:
        service, other = make_service(environment), make_service(environment)
        api.put(_attach_path(stages[0], service), token=owner_token)
        api.put(_attach_path(stages[0], other), token=owner_token)

        answer = api.put(_attach_path(stages[3], service), token=owner_token)

        assert _members(answer) == {
            "a": [other["id"]],
            "b": [],
            "c": [],
            "d": [service["id"]],
        }

    def test_again_in_the_same_stage(
        self,
        api: Api,
        owner_token: str,
        stages: list[Json],
        environment: Json,
        make_service: MakeService,
    ) -> None:
        service = make_service(environment)
        api.put(_attach_path(stages[1], service), token=owner_token)

        answer = api.put(_attach_path(stages[1], service), token=owner_token)

        assert _members(answer)["b"] == [service["id"]]

    def test_bodies(
        self,
        api: Api,
        owner_token: str,
        stages: list[Json],
        environment: Json,
        make_service: MakeService,
    ) -> None:
        service = make_service(environment)
        for stage, body in zip(
            stages[:3], (None, {}, {"is_skipped": False}), strict=True
        ):
            answer = api.put(_attach_path(stage, service), token=owner_token, json=body)
            assert _members(answer)[stage["name"]] == [service["id"]], body

    def test_skipping(
        self,
        api: Api,
        owner_token: str,
        stages: list[Json],
        environment: Json,
        make_service: MakeService,
    ) -> None:
        service = make_service(environment)

        skipped = api.put(
            _attach_path(stages[1], service),
            token=owner_token,
            json={"is_skipped": True},
        )
        moved = api.put(_attach_path(stages[0], service), token=owner_token)

        def flag(answer: Json, stage: Json) -> list[bool]:
            [entry] = [s for s in answer["results"] if s["id"] == stage["id"]]
            return [member["is_skipped"] for member in entry["services"]]

        assert flag(skipped, stages[1]) == [True]
        assert flag(moved, stages[0]) == [False]

    def test_invalid(
        self,
        api: Api,
        owner_token: str,
        stages: list[Json],
        environment: Json,
        make_service: MakeService,
    ) -> None:
        service = make_service(environment)

        api.put(
            _attach_path(stages[0], service),
            token=owner_token,
            json={"is_skipped": "sometimes"},
            expect=400,
        )
        error = api.put(
            f"/deploymentStage/{stages[0]['id']}/service/not-a-uuid",
            token=owner_token,
            expect=400,
        )
        assert error["errors"][0]["loc"] == ["path", "serviceId"]
        answer = api.get(_stages_path(environment), token=owner_token)
        assert _members(answer)["a"] == []

    def test_service_of_another_environment(
        self,
        api: Api,
        owner_token: str,
        stages: list[Json],
        sibling_environment: Json,
        make_service: MakeService,
    ) -> None:
        service = make_service(sibling_environment)

        error = api.put(_attach_path(stages[0], service), token=owner_token, expect=400)

        assert error["errors"][0]["loc"] == ["path", "serviceId"]

    def test_service_of_another_organization(
        self,
        api: Api,
        owner_token: str,
        stages: list[Json],
        foreign_environment: Json,
        make_service: MakeService,
    ) -> None:
        service = make_service(foreign_environment)
        api.put(_attach_path(stages[0], service), token=owner_token, expect=404)

    def test_stage_of_another_organization(
        self,
        api: Api,
        owner_token: str,
        outsider_token: str,
        environment: Json,
        foreign_environment: Json,
        make_stage: MakeStage,
        make_service: MakeService,
    ) -> None:
        theirs = make_stage(foreign_environment, "theirs", token=outsider_token)
        service = make_service(environment)

        api.put(_attach_path(theirs, service), token=owner_token, expect=404)
        api.put(_attach_path(theirs, service), token=outsider_token, expect=404)

    def test_not_existing(
        self,
        api: Api,
        owner_token: str,
        stages: list[Json],
        environment: Json,
        make_service: MakeService,
    ) -> None:
        service = make_service(environment)

        api.put(_attach_path(stages[0], {"id": UNKNOWN}), token=owner_token, expect=404)
        api.put(_attach_path({"id": UNKNOWN}, service), token=owner_token, expect=404)

    def test_roles(
        self,
        api: Api,
        stages: list[Json],
        environment: Json,
        outsider_token: str,
        member_token: MemberToken,
        make_service: MakeService,
    ) -> None:
        path = _attach_path(stages[0], make_service(environment))

        api.put(path, token=None, expect=401)
        api.put(path, token=outsider_token, expect=404)
        api.put(path, token=member_token(Role.VIEWER), expect=403)
        api.put(path, token=member_token(Role.DEVELOPER))


@pytest.mark.parametrize("where", ["moveBefore", "moveAfter"])
class TestMove:
    def test_roles(
        self,
        api: Api,
        where: str,
        stages: list[Json],
        outsider_token: str,
        member_token: MemberToken,
    ) -> None:
        path = _move_path(stages[0], where, stages[2])

        api.put(path, token=None, expect=401)
        api.put(path, token=outsider_token, expect=404)
        api.put(path, token=member_token(Role.VIEWER), expect=403)
        api.put(path, token=member_token(Role.DEVELOPER))

    def test_not_existing(
        self, api: Api, where: str, owner_token: str, stages: list[Json]
    ) -> None:
        unknown = {"id": UNKNOWN}

        api.put(_move_path(unknown, where, stages[0]), token=owner_token, expect=404)
        api.put(_move_path(stages[0], where, unknown), token=owner_token, expect=404)

    def test_malformed_ids(
        self, api: Api, where: str, owner_token: str, stages: list[Json]
    ) -> None:
        malformed = {"id": "not-a-uuid"}

        api.put(_move_path(malformed, where, stages[0]), token=owner_token, expect=400)
        api.put(_move_path(stages[0], where, malformed), token=owner_token, expect=400)

    def test_stage_of_another_environment(
        self,
        api: Api,
        where: str,
        owner_token: str,
        environment: Json,
        sibling_environment: Json,
        stages: list[Json],
        make_stage: MakeStage,
    ) -> None:
        sibling = make_stage(sibling_environment, "elsewhere")

        error = api.put(
            _move_path(stages[0], where, sibling), token=owner_token, expect=400
        )
        assert error["errors"][0]["loc"] == ["path", "stageId"]
        api.put(_move_path(sibling, where, stages[0]), token=owner_token, expect=400)
        answer = api.get(_stages_path(environment), token=owner_token)
        assert _names(answer) == ["a", "b", "c", "d"]

    def test_stage_of_another_organization(
        self,
        api: Api,
        where: str,
        owner_token: str,
        outsider_token: str,
        foreign_environment: Json,
        stages: list[Json],
        make_stage: MakeStage,
    ) -> None:
        theirs = make_stage(foreign_environment, "theirs", token=outsider_token)

        api.put(_move_path(stages[0], where, theirs), token=owner_token, expect=404)
        api.put(_move_path(theirs, where, stages[0]), token=owner_token, expect=404)
        api.put(_move_path(theirs, where, stages[0]), token=outsider_token, expect=404)

    def test_next_to_itself(
        self, api: Api, where: str, owner_token: str, stages: list[Json]
    ) -> None:
        answer = api.put(_move_path(stages[1], where, stages[1]), token=owner_token)
        assert _names(answer) == ["a", "b", "c", "d"]

    def test_services_follow_their_stage(
        self,
        api: Api,
        where: str,
        owner_token: str,
        environment: Json,
        stages: list[Json],
        make_service: MakeService,
    ) -> None:
        service = make_service(environment)
        api.put(_attach_path(stages[3], service), token=owner_token)

        answer = api.put(_move_path(stages[3], where, stages[0]), token=owner_token)

        assert _members(answer)["d"] == [service["id"]]
        stage = api.get(f"/service/{service['id']}/deploymentStage", token=owner_token)
        assert stage["deployment_order"] == (1 if where == "moveAfter" else 0)


class TestMoveBefore:
    @pytest.mark.parametrize(
        ("moved", "target", "expected"),
        [
            (3, 1, "adbc"),
            (0, 2, "bacd"),
            (3, 0, "dabc"),
            (0, 3, "bcad"),
            (2, 1, "acbd"),
            (1, 2, "abcd"),
        ],
    )
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        stages: list[Json],
        moved: int,
        target: int,
        expected: str,
    ) -> None:
        path = _move_path(stages[moved], "moveBefore", stages[target])

        answer = api.put(path, token=owner_token)

        assert _names(answer) == list(expected)
        assert answer == api.get(_stages_path(environment), token=owner_token)


class TestMoveAfter:
    @pytest.mark.parametrize(
        ("moved", "target", "expected"),
        [
            (0, 2, "bcad"),
            (3, 0, "adbc"),
            (0, 3, "bcda"),
            (3, 2, "abcd"),
            (1, 2, "acbd"),
            (2, 1, "abcd"),
        ],
    )
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        stages: list[Json],
        moved: int,
        target: int,
        expected: str,
    ) -> None:
        path = _move_path(stages[moved], "moveAfter", stages[target])

        answer = api.put(path, token=owner_token)

        assert _names(answer) == list(expected)
        assert answer == api.get(_stages_path(environment), token=owner_token)


class TestMoveSequence:
    def test_every_pair(self, api: Api, owner_token: str, stages: list[Json]) -> None:
        """Every move, one after the other, against a list kept beside."""
        by_name = {stage["name"]: stage for stage in stages}
        expected = ["a", "b", "c", "d"]
        for where in ("moveBefore", "moveAfter"):
            for moved in "abcd":
                for target in "dcba":
                    if moved != target:
                        expected.remove(moved)
                        at = expected.index(target) + (where == "moveAfter")
                        expected.insert(at, moved)
                    path = _move_path(by_name[moved], where, by_name[target])

                    answer = api.put(path, token=owner_token)

                    assert _names(answer) == expected, (where, moved, target)

    def test_one_statement_per_move(
        self,
        api: Api,
        owner_token: str,
        engine: Engine,
        environment: Json,
        make_stage: MakeStage,
        sessions: sessionmaker[Session],
    ) -> None:
        many = [make_stage(environment, f"stage-{i}") for i in range(12)]

        with recorded_statements(engine) as statements:
            answer = api.put(
                _move_path(many[-1], "moveBefore", many[0]), token=owner_token
            )

        updates = [
            statement
            for statement in statements
            if statement.lstrip().upper().startswith("UPDATE DEPLOYMENT_STAGES")
        ]
        assert len(updates) == 1
        assert _names(answer)[:2] == ["stage-11", "stage-0"]
        with sessions() as session:
            positions = session.scalars(
                select(DeploymentStage.position).order_by(DeploymentStage.position)
            ).all()
        assert positions == list(range(12))


class TestConcurrency:
    def test_order_stays_dense(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        stages: list[Json],
        sessions: sessionmaker[Session],
    ) -> None:
        """Moves, creates and deletes racing on one environment take turns."""
        calls = [
            ("PUT", _move_path(stages[i % 4], where, stages[(i + 2) % 4]), None)
            for i in range(8)
            for where in ("moveBefore", "moveAfter")
        ]
        calls += [("POST", _stages_path(environment), {"name": "new-0"})]
        calls += [("POST", _stages_path(environment), {"name": "NEW-0"})]
        barrier = Barrier(len(calls))

        with live_server(api.app) as base_url:

            def race(call: tuple[str, str, Json | None]) -> int:
                method, path, body = call
                with httpx2.Client(base_url=base_url, timeout=60) as client:
                    barrier.wait()
                    response = client.request(
                        method,
                        path,
                        json=body,
                        headers={"Authorization": f"Bearer {owner_token}"},
                    )
                    return response.status_code

            with ThreadPoolExecutor(len(calls)) as pool:
                statuses = list(pool.map(race, calls))

        assert sorted(statuses) == [200] * (len(calls) - 1) + [400]
        with sessions() as session:
            positions = session.scalars(
                select(DeploymentStage.position).order_by(DeploymentStage.position)
            ).all()
        assert positions == list(range(5))


class TestGetServiceStage:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        stages: list[Json],
        make_service: MakeService,
    ) -> None:
        service = make_service(environment)
        api.put(_attach_path(stages[2], service), token=owner_token)

        stage = api.get(f"/service/{service['id']}/deploymentStage", token=owner_token)

        assert stage == api.get(_stage_path(stages[2]), token=owner_token)
        assert [m["service_id"] for m in stage["services"]] == [service["id"]]

    def test_in_no_stage(
        self, api: Api, owner_token: str, environment: Json, make_service: MakeService
    ) -> None:
        service = make_service(environment)

        error = api.get(
            f"/service/{service['id']}/deploymentStage", token=owner_token, expect=404
        )

        assert "attach it" in error["message"]

    def test_not_existing(self, api: Api, owner_token: str) -> None:
        api.get(f"/service/{UNKNOWN}/deploymentStage", token=owner_token, expect=404)

    def test_malformed_id(self, api: Api, owner_token: str) -> None:
        api.get("/service/not-a-uuid/deploymentStage", token=owner_token, expect=400)

    def test_roles(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        stages: list[Json],
        outsider_token: str,
        member_token: MemberToken,
        make_service: MakeService,
    ) -> None:
        service = make_service(environment)
        api.put(_attach_path(stages[0], service), token=owner_token)
        path = f"/service/{service['id']}/deploymentStage"

        api.get(path, token=None, expect=401)
        api.get(path, token=outsider_token, expect=404)
        assert api.get(path, token=member_token(Role.VIEWER))["name"] == "a"


@pytest.fixture(scope="module")
def contract() -> Contract:
    if not DOCUMENT_PATH.is_file():
        pytest.skip(f"the official OpenAPI document is not at {DOCUMENT_PATH}")
    return Contract.load(DOCUMENT_PATH)


class TestContract:
    def test_every_answer_matches_the_document(
        self,
        api: Api,
        contract: Contract,
        owner_token: str,
        environment: Json,
        stages: list[Json],
        make_service: MakeService,
    ) -> None:
        service = make_service(environment)
        calls: list[tuple[str, str, Json | None]] = [
            (
                "CreateEnvironmentDeploymentStage",
                _stages_path(environment),
                {"name": "e"},
            ),
            ("AttachServiceToDeploymentStage", _attach_path(stages[1], service), None),
            ("ListEnvironmentDeploymentStage", _stages_path(environment), None),
            ("getDeploymentStage", _stage_path(stages[1]), None),
            ("EditDeploymentStage", _stage_path(stages[1]), {"name": "b2"}),
            (
                "MoveBeforeDeploymentStage",
                _move_path(stages[1], "moveBefore", stages[0]),
                None,
            ),
            (
                "MoveAfterDeploymentStage",
                _move_path(stages[1], "moveAfter", stages[3]),
                None,
            ),
            (
                "getServiceDeploymentStage",
                f"/service/{service['id']}/deploymentStage",
                None,
            ),
            ("DeleteDeploymentStage", _stage_path(stages[0]), None),
        ]
        for operation_id, path, body in calls:
            operation = contract.operations[operation_id]
            answer = api.call(
                operation.method,
                path,
                token=owner_token,
                json=body,
                expect=operation.success,
            )
            assert contract.response_errors(operation, answer) == [], operation_id
            if operation_id == "getDeploymentStage":
                assert answer["services"], "the answer shows no member to check"
