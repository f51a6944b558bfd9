"""A request whose transaction the database ends as a deadlock victim runs
again; other failures are not retried."""

import threading

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from envplane.core.dependencies import SessionDep


class TestRetry:
    def test_deadlock_victim_runs_again(
        self, app: FastAPI, engine: Engine, is_postgresql: bool
    ) -> None:
        if not is_postgresql:
            pytest.skip("deadlock detection needs PostgreSQL")
        attempts: list[int] = []
        request_holds_first = threading.Event()
        rival_holds_second = threading.Event()

        def rival() -> None:
            # Holds lock 2, then waits for lock 1, which the request holds while
            # it waits for lock 2. The rival waits longer before it looks for a
            # deadlock, so the request is the one PostgreSQL ends.
            with engine.connect() as connection, connection.begin():
                connection.execute(text("SET LOCAL deadlock_timeout = '5s'"))
                connection.execute(text("SELECT pg_advisory_xact_lock(2)"))
                rival_holds_second.set()
                request_holds_first.wait(10)
                connection.execute(text("SELECT pg_advisory_xact_lock(1)"))

        @app.post("/deadlocked")
        def deadlocked(session: SessionDep) -> dict[str, int]:
            attempts.append(len(attempts) + 1)
            if len(attempts) == 1:
                session.execute(text("SET LOCAL deadlock_timeout = '10ms'"))
                session.execute(text("SELECT pg_advisory_xact_lock(1)"))
                request_holds_first.set()
                rival_holds_second.wait(10)
            session.execute(text("SELECT pg_advisory_xact_lock(2)"))
            session.execute(text("SELECT pg_advisory_xact_lock(1)"))
            return {"attempts": len(attempts)}

        thread = threading.Thread(target=rival)
        thread.start()
        with TestClient(app) as client:
            response = client.post("/deadlocked", json={"kept": "across attempts"})
        thread.join(10)

        assert response.status_code == 200, response.text
        assert response.json() == {"attempts": 2}

    def test_other_errors_not_retried(self, app: FastAPI) -> None:
        attempts: list[int] = []

        @app.post("/broken")
        def broken(session: SessionDep) -> None:
            attempts.append(1)
            session.execute(text("SELECT * FROM no_such_table"))

        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.post("/broken")

        assert response.status_code == 500
        assert attempts == [1]
