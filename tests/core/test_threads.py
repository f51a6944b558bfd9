"""Read requests run on a few threads of their own; writes do not queue
behind them."""

import threading

import anyio
import httpx2
from fastapi import FastAPI

from envplane.core.routing import APIRouter
from envplane.core.threads import use_read_threads


class Gate:
    """Holds every handler that enters until opened, counting how many were
    inside at once."""

    def __init__(self) -> None:
        self.opened = threading.Event()
        self._lock = threading.Lock()
        self.inside = self.most_inside = 0

    def hold(self) -> None:
        with self._lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        self.opened.wait(10)
        with self._lock:
            self.inside -= 1


def gated_app(gate: Gate) -> FastAPI:
    router = APIRouter()

    @router.get("/read")
    def read() -> dict[str, str]:
        gate.hold()
        return {}

    @router.post("/write", status_code=200)
    def write() -> dict[str, str]:
        return {}

    app = FastAPI()
    app.include_router(router)
    return app


class TestReadThreads:
    def test_reads_take_turns_on_their_threads_and_writes_pass(self) -> None:
        gate = Gate()
        transport = httpx2.ASGITransport(app=gated_app(gate))
        statuses: list[int] = []

        async def read(client: httpx2.AsyncClient) -> None:
            statuses.append((await client.get("/read")).status_code)

        async def scenario() -> None:
            use_read_threads(2)
            async with (
                httpx2.AsyncClient(transport=transport, base_url="http://x") as client,
                anyio.create_task_group() as group,
            ):
                for _ in range(5):
                    group.start_soon(read, client)
                with anyio.fail_after(5):
                    while gate.inside < 2:
                        await anyio.sleep(0.01)
                    # Both read threads are taken; a write still gets through.
                    assert (await client.post("/write")).status_code == 200
                assert gate.inside == 2
                gate.opened.set()

        anyio.run(scenario)

        assert gate.most_inside == 2
        assert statuses == [200] * 5
