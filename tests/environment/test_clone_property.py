"""Property: whatever an environment holds, every service reads back from its
clone exactly as from the source, once ids, timestamps, environment references
and derived hosts are set aside."""

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from tests.environment.test_clone_services import (
    _entries,
    _services,
    _without_own_fields,
)
from tests.fixtures.api import Api
from tests.fixtures.bodies import (
    application_body,
    chart_body,
    container_body,
    database_body,
    helm_body,
    image_job_body,
    job_body,
)
from tests.fixtures.factories import Json
from tests.service.conftest import add_registry
from tests.service_kinds.conftest import add_helm_repository

_names = itertools.count()

resources = st.fixed_dictionaries(
    {
        "cpu": st.sampled_from([250, 500, 1000, 2000]),
        "memory": st.sampled_from([256, 512, 1024, 4096]),
    }
)
instances = st.tuples(st.integers(1, 3), st.integers(0, 4)).map(
    lambda t: (t[0], t[0] + t[1])
)
ports = st.lists(st.integers(1024, 65535), min_size=0, max_size=3, unique=True)


@st.composite
def applications(draw: st.DrawFn) -> dict[str, Any]:
    low, high = draw(instances)
    chosen = draw(ports)
    return application_body(
        **draw(resources),
        min_running_instances=low,
        max_running_instances=high,
        ports=[
            {
                "name": f"p{port}",
                "internal_port": port,
                "publicly_accessible": index == 0,
                "is_default": index == 0,
                "protocol": "HTTP",
                **({"external_port": 443} if index == 0 else {}),
            }
            for index, port in enumerate(chosen)
        ],
        healthchecks={},
    )


service_plans = st.lists(
    st.sampled_from(
        ["application", "container", "database", "cron", "lifecycle", "helm", "chart"]
    ),
    min_size=1,
    max_size=6,
)


def _body(
    kind: str, draw_application: dict[str, Any], refs: dict[str, str]
) -> tuple[str, Json]:
    name = f"s{next(_names)}"
    if kind == "application":
        return "application", {**draw_application, "name": name}
    if kind == "container":
        return "container", container_body(refs["registry"], name=name)
    if kind == "database":
        return "database", database_body(name=name)
    if kind == "cron":
        return "job", job_body(name=name)
    if kind == "lifecycle":
        return "job", image_job_body(refs["registry"], name=name)
    if kind == "helm":
        return "helm", helm_body(name=name)
    return "helm", chart_body(refs["repository"], name=name)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=service_plans,
    application=applications(),
    values=st.lists(
        st.text(
            alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
            max_size=20,
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_clone_reads_back_like_its_source(
    api: Api,
    owner_token: str,
    organization: Json,
    project: Json,
    cluster: Json,
    sessions: sessionmaker[Session],
    plan: list[str],
    application: dict[str, Any],
    values: list[str],
) -> None:
    refs = {
        "registry": str(
            add_registry(sessions, organization["id"], f"r{next(_names)}")["id"]
        ),
        "repository": add_helm_repository(sessions, organization["id"]),
    }
    environment = api.post(
        f"/project/{project['id']}/environment",
        token=owner_token,
        json={"name": f"env-{next(_names)}"},
    )
    for kind in plan:
        resource, body = _body(kind, application, refs)
        service = api.post(
            f"/environment/{environment['id']}/{resource}", token=owner_token, json=body
        )
        if resource in ("application", "container", "job"):
            for index, value in enumerate(values):
                api.post(
                    f"/{resource}/{service['id']}/environmentVariable",
                    token=owner_token,
                    json={"key": f"VAR_{index}", "value": value},
                )

    clone = api.post(
        f"/environment/{environment['id']}/clone",
        token=owner_token,
        json={"name": f"clone-{next(_names)}"},
        expect=202,
    )

    source, copy = (_services(api, owner_token, e) for e in (environment, clone))
    assert copy.keys() == source.keys()
    for name in source:
        original, copied = dict(source[name]), dict(copy[name])
        original.pop("host", None), copied.pop("host", None)
        assert _without_own_fields(copied) == _without_own_fields(original)
        if original["service_type"] in ("APPLICATION", "CONTAINER", "JOB"):
            own = [
                {
                    (e["key"], e.get("value"))
                    for e in _entries(api, owner_token, s)
                    if e["scope"] != "BUILT_IN"
                }
                for s in (source[name], copy[name])
            ]
            assert own[0] == own[1]
