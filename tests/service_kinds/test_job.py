import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from envplane.auth.roles import Role
from envplane.core.crypto import SecretCipher, generate_key
from envplane.models import Service
from envplane.service.kinds.job import JobKind, JobRequest
from tests.contract.openapi import Contract
from tests.fixtures.api import Api
from tests.fixtures.bodies import image_job_body, job_body
from tests.fixtures.factories import Json
from tests.service_kinds.conftest import Conforms, add_registry

CIPHER = SecretCipher([generate_key()])

KIND = JobKind()


def _collection(environment: Json) -> str:
    return f"/environment/{environment['id']}/job"


def _answer(body: Json) -> Json:
    request = JobRequest.model_validate(body)
    service = Service(
        id=uuid.uuid4(),
        environment_id=uuid.uuid4(),
        kind="JOB",
        name=request.name,
        configuration=KIND.configuration(request, cipher=CIPHER),
        created_at=datetime.now(UTC),
    )
    return KIND.answer(service)


@pytest.fixture
def job(api: Api, owner_token: str, environment: Json) -> Json:
    return api.post(_collection(environment), token=owner_token, json=job_body())  # type: ignore[no-any-return]


def _cron(expression: str) -> Json:
    return job_body(schedule={"cronjob": {"scheduled_at": expression}})


class TestCron:
    @pytest.mark.parametrize(
        "expression",
        [
            "* * * * *",
            "*/15 9-17 * * MON-FRI",
            "0 0 1 jan,jul *",
            "5,35 */2 1-15/3 * 0",
            "0 12 * * 7",
            "@daily",
        ],
    )
    def test_valid(self, expression: str) -> None:
        request = JobRequest.model_validate(_cron(expression))

        assert request.schedule.cronjob is not None
        assert request.schedule.cronjob.scheduled_at == expression
        assert request.schedule.cronjob.timezone == "Etc/UTC"

    @pytest.mark.parametrize(
        "expression",
        [
            "* * * *",
            "0 0 * * * *",
            "60 * * * *",
            "* 24 * * *",
            "* * 0 * *",
            "* * * 13 *",
            "* * * * 8",
            "*/0 * * * *",
            "5-1 * * * *",
            "1-2-3 * * * *",
            "* * * FOO *",
            "@sometimes",
            "",
        ],
    )
    def test_invalid(self, expression: str) -> None:
        with pytest.raises(ValidationError) as error:
            JobRequest.model_validate(_cron(expression))

        assert error.value.errors()[0]["loc"][:3] == (
            "schedule",
            "cronjob",
            "scheduled_at",
        )


class TestAnswer:
    def test_cron(self, conforms: Conforms) -> None:
        answer = _answer(job_body())

        conforms("getJob", answer)
        assert answer["job_type"] == "CRON"
        assert answer["schedule"]["cronjob"]["timezone"] == "Europe/Paris"
        assert answer["source"]["docker"]["git_repository"]["owner"] == "acme"

    def test_lifecycle(self, conforms: Conforms) -> None:
        body = job_body(schedule={"on_stop": {}, "lifecycle_type": "TERRAFORM"})

        answer = _answer(body)

        conforms("getJob", answer)
        assert answer["job_type"] == "LIFECYCLE"
        assert answer["schedule"] == {"on_stop": {}, "lifecycle_type": "TERRAFORM"}

    def test_checked(self, contract: Contract) -> None:
        """The contract check tells a cron answer without its timezone apart,
        despite the document's oneOf between the two job responses."""
        answer = _answer(job_body())
        del answer["schedule"]["cronjob"]["timezone"]

        errors = contract.response_errors(contract.operations["getJob"], answer)

        assert errors


class TestCreate:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        sessions: sessionmaker[Session],
        conforms: Conforms,
    ) -> None:
        answer = api.post(_collection(environment), token=owner_token, json=job_body())

        conforms("createJob", answer)
        assert answer["name"] == "nightly-backup"
        assert answer["service_type"] == "JOB"
        assert answer["job_type"] == "CRON"
        assert answer["schedule"]["cronjob"]["scheduled_at"] == "30 2 * * *"
        assert (answer["cpu"], answer["memory"], answer["gpu"]) == (250, 256, 0)
        assert (answer["max_nb_restart"], answer["max_duration_seconds"]) == (2, 1800)
        assert answer["auto_preview"] is False
        with sessions() as session:
            stored = session.get(Service, uuid.UUID(answer["id"]))
            assert stored is not None
            assert stored.kind == "JOB"

    def test_defaults(
        self, api: Api, owner_token: str, environment: Json, conforms: Conforms
    ) -> None:
        body = job_body()
        for field in ("cpu", "memory", "max_nb_restart", "max_duration_seconds"):
            del body[field]

        answer = api.post(_collection(environment), token=owner_token, json=body)

        conforms("createJob", answer)
        assert (answer["cpu"], answer["memory"]) == (500, 512)
        assert (answer["max_nb_restart"], answer["max_duration_seconds"]) == (0, 300)

    def test_image(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        registry_id: str,
        sessions: sessionmaker[Session],
        conforms: Conforms,
    ) -> None:
        body = image_job_body(registry_id)

        answer = api.post(_collection(environment), token=owner_token, json=body)

        conforms("createJob", answer)
        assert answer["job_type"] == "LIFECYCLE"
        assert answer["schedule"]["on_start"] == {
            "entrypoint": "/migrate",
            "arguments": ["up"],
        }
        image = answer["source"]["image"]
        assert (image["image_name"], image["tag"]) == ("acme/migrate", "2.3.0")
        assert image["registry"] == {
            "id": registry_id,
            "name": "hub",
            "url": "https://docker.io",
            "kind": "DOCKER_HUB",
        }
        with sessions() as session:
            stored = session.get(Service, uuid.UUID(answer["id"]))
            assert stored is not None
            assert stored.configuration["source"]["image"]["registry_id"] == registry_id

    def test_unknown_registry(
        self, api: Api, owner_token: str, environment: Json
    ) -> None:
        body = image_job_body(str(uuid.uuid4()))

        answer = api.post(
            _collection(environment), token=owner_token, json=body, expect=404
        )

        assert "container registry" in answer["message"]

    def test_foreign_registry(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        rival: Json,
        sessions: sessionmaker[Session],
    ) -> None:
        foreign = add_registry(sessions, rival["organization"]["id"])

        api.post(
            _collection(environment),
            token=owner_token,
            json=image_job_body(foreign),
            expect=404,
        )

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            pytest.param({"schedule": None}, "schedule", id="no-schedule"),
            pytest.param({"schedule": {}}, "schedule", id="no-event"),
            pytest.param(
                {"schedule": {"on_start": {}, "cronjob": {"scheduled_at": "@daily"}}},
                "schedule",
                id="cron-and-lifecycle",
            ),
            pytest.param(
                {"schedule": {"cronjob": {"scheduled_at": "every day"}}},
                "scheduled_at",
                id="bad-cron",
            ),
            pytest.param(
                {"schedule": {"cronjob": {}}}, "scheduled_at", id="missing-cron"
            ),
            pytest.param(
                {
                    "schedule": {
                        "cronjob": {"scheduled_at": "@daily", "timezone": "Mars/Base"}
                    }
                },
                "timezone",
                id="bad-timezone",
            ),
            pytest.param(
                {"schedule": {"on_start": {}, "lifecycle_type": "ANSIBLE"}},
                "lifecycle_type",
                id="unknown-lifecycle",
            ),
            pytest.param({"source": {}}, "source", id="no-source"),
            pytest.param(
                {
                    "source": {
                        "image": {
                            "image_name": "a",
                            "tag": "1",
                            "registry_id": str(uuid.uuid4()),
                        },
                        "docker": {"git_repository": {"url": "https://x.io/a/b"}},
                    }
                },
                "source",
                id="two-sources",
            ),
            pytest.param(
                {"source": {"image": {"image_name": "a", "registry_id": "hub"}}},
                "registry_id",
                id="malformed-registry",
            ),
            pytest.param(
                {"source": {"image": {"image_name": "a", "registry_id": None}}},
                "tag",
                id="missing-tag",
            ),
            pytest.param(
                {
                    "source": {
                        "docker": {
                            "git_repository": {
                                "url": "https://github.com/a/b",
                                "provider": "SVN",
                            }
                        }
                    }
                },
                "provider",
                id="unknown-provider",
            ),
            pytest.param({"healthchecks": None}, "healthchecks", id="no-healthchecks"),
            pytest.param(
                {
                    "healthchecks": {
                        "liveness_probe": {
                            "type": {"tcp": {"port": 80}, "http": {"port": 80}}
                        }
                    }
                },
                "liveness_probe",
                id="two-probe-types",
            ),
            pytest.param({"cpu": 0}, "cpu", id="no-cpu"),
            pytest.param({"memory": 10**7}, "memory", id="too-much-memory"),
            pytest.param({"gpu": -1}, "gpu", id="negative-gpu"),
            pytest.param({"max_nb_restart": -1}, "max_nb_restart", id="restarts"),
            pytest.param(
                {"max_duration_seconds": -5}, "max_duration_seconds", id="duration"
            ),
            pytest.param({"port": 0}, "port", id="port-zero"),
            pytest.param({"port": 70000}, "port", id="port-too-high"),
            pytest.param(
                {"cpu_architecture": "RISCV"}, "cpu_architecture", id="unknown-arch"
            ),
            pytest.param({"name": "j" * 256}, "name", id="long-name"),
            pytest.param({"name": None}, "name", id="missing-name"),
        ],
    )
    def test_invalid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        changes: Json,
        field: str,
    ) -> None:
        body = {k: v for k, v in job_body(**changes).items() if v is not None}

        answer = api.post(
            _collection(environment), token=owner_token, json=body, expect=400
        )

        assert field in answer["message"]

    def test_name_taken(
        self, api: Api, owner_token: str, environment: Json, job: Json
    ) -> None:
        body = job_body(name="Nightly-Backup")

        api.post(_collection(environment), token=owner_token, json=body, expect=409)

    def test_anonymous(self, api: Api, environment: Json) -> None:
        api.post(_collection(environment), token=None, json=job_body(), expect=401)

    def test_forbidden(
        self, api: Api, environment: Json, member_token: Callable[[Role], str]
    ) -> None:
        token = member_token(Role.VIEWER)

        api.post(_collection(environment), token=token, json=job_body(), expect=403)

    def test_not_existing(self, api: Api, owner_token: str) -> None:
        path = f"/environment/{uuid.uuid4()}/job"

        api.post(path, token=owner_token, json=job_body(), expect=404)

    def test_outsider(self, api: Api, outsider_token: str, environment: Json) -> None:
        api.post(
            _collection(environment), token=outsider_token, json=job_body(), expect=404
        )


class TestGet:
    def test_valid(
        self, api: Api, owner_token: str, job: Json, conforms: Conforms
    ) -> None:
        answer = api.get(f"/job/{job['id']}", token=owner_token)

        conforms("getJob", answer)
        assert answer == job

    def test_anonymous(self, api: Api, job: Json) -> None:
        api.get(f"/job/{job['id']}", token=None, expect=401)

    def test_not_existing(self, api: Api, owner_token: str) -> None:
        api.get(f"/job/{uuid.uuid4()}", token=owner_token, expect=404)

    def test_outsider(self, api: Api, outsider_token: str, job: Json) -> None:
        api.get(f"/job/{job['id']}", token=outsider_token, expect=404)

    def test_malformed_id(self, api: Api, owner_token: str) -> None:
        api.get("/job/backup", token=owner_token, expect=400)


class TestList:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        job: Json,
        registry_id: str,
        conforms: Conforms,
    ) -> None:
        body = image_job_body(registry_id)
        image_job = api.post(_collection(environment), token=owner_token, json=body)

        answer = api.get(_collection(environment), token=owner_token)

        conforms("listJobs", answer)
        ids = {item["id"] for item in answer["results"]}
        assert ids == {job["id"], image_job["id"]}

    def test_outsider(
        self, api: Api, outsider_token: str, environment: Json, job: Json
    ) -> None:
        api.get(_collection(environment), token=outsider_token, expect=404)


class TestEdit:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        job: Json,
        registry_id: str,
        conforms: Conforms,
    ) -> None:
        body = image_job_body(registry_id, name="nightly-backup")
        del body["cpu"]

        answer = api.put(f"/job/{job['id']}", token=owner_token, json=body)

        conforms("editJob", answer)
        assert answer["job_type"] == "LIFECYCLE"
        assert "image" in answer["source"]
        assert answer["cpu"] == 500, "a whole request resets what it leaves out"
        assert api.get(f"/job/{job['id']}", token=owner_token) == answer

    def test_invalid(self, api: Api, owner_token: str, job: Json) -> None:
        body = job_body(schedule={"cronjob": {"scheduled_at": "61 * * * *"}})

        answer = api.put(f"/job/{job['id']}", token=owner_token, json=body, expect=400)

        assert "scheduled_at" in answer["message"]

    def test_unknown_registry(self, api: Api, owner_token: str, job: Json) -> None:
        body = image_job_body(str(uuid.uuid4()))

        api.put(f"/job/{job['id']}", token=owner_token, json=body, expect=404)

    def test_forbidden(
        self, api: Api, job: Json, member_token: Callable[[Role], str]
    ) -> None:
        token = member_token(Role.VIEWER)

        api.put(f"/job/{job['id']}", token=token, json=job_body(), expect=403)

    def test_outsider(self, api: Api, outsider_token: str, job: Json) -> None:
        api.put(f"/job/{job['id']}", token=outsider_token, json=job_body(), expect=404)


class TestDelete:
    def test_valid(self, api: Api, owner_token: str, job: Json) -> None:
        api.delete(f"/job/{job['id']}", token=owner_token)

        api.get(f"/job/{job['id']}", token=owner_token, expect=404)

    def test_forbidden(
        self, api: Api, job: Json, member_token: Callable[[Role], str]
    ) -> None:
        api.delete(f"/job/{job['id']}", token=member_token(Role.VIEWER), expect=403)

    def test_outsider(self, api: Api, outsider_token: str, job: Json) -> None:
        api.delete(f"/job/{job['id']}", token=outsider_token, expect=404)


class TestClone:
    def test_valid(
        self,
        api: Api,
        owner_token: str,
        environment: Json,
        job: Json,
        conforms: Conforms,
    ) -> None:
        body = {"name": "backup-copy", "environment_id": environment["id"]}

        answer = api.post(
            f"/job/{job['id']}/clone", token=owner_token, json=body, expect=202
        )

        conforms("cloneJob", answer)
        assert answer["name"] == "backup-copy"
        assert answer["schedule"] == job["schedule"]
        assert answer["source"] == job["source"]
