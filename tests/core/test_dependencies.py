"""Each request is one transaction, committed before its answer leaves: a
commit the database refuses is an error, never a success, and keeps nothing."""

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.fixtures.api import Api

Json = dict[str, Any]


def _refuse(_session: Session) -> None:
    raise RuntimeError("commit refused")


class TestRequestTransaction:
    def test_refused_commit_is_an_error_and_keeps_nothing(
        self, app: FastAPI, api: Api, owner_token: str, project: Json, cluster: Json
    ) -> None:
        path = f"/project/{project['id']}/environment"
        event.listen(app.state.sessions, "before_commit", _refuse)
        try:
            with TestClient(app, raise_server_exceptions=False) as client:
                response = client.post(
                    path,
                    json={"name": "never-kept", "cluster": cluster["id"]},
                    headers={"Authorization": f"Bearer {owner_token}"},
                )
        finally:
            event.remove(app.state.sessions, "before_commit", _refuse)

        assert response.status_code == 500, response.text
        assert api.get(path, token=owner_token)["results"] == []

    def test_connections_go_back_to_the_pool(
        self, app: FastAPI, api: Api, owner_token: str, project: Json, cluster: Json
    ) -> None:
        path = f"/project/{project['id']}/environment"
        created = api.post(
            path, token=owner_token, json={"name": "e", "cluster": cluster["id"]}
        )
        api.get(f"/environment/{created['id']}", token=owner_token)
        api.get(
            f"/environment/{created['id']}/nothing-here", token=owner_token, expect=404
        )
        api.post(path, token=owner_token, json={"name": ""}, expect=400)

        assert app.state.engine.pool.checkedout() == 0
