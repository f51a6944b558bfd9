"""The load client: one cell of a load run, in a process of its own.

Reads a job as JSON on stdin, keeps ``concurrency`` keep-alive connections
busy with one operation for ``duration`` seconds, waits for the requests in
flight (at most ``drain`` seconds more), and prints the outcome as JSON.

The client is aiohttp's, whose C parser keeps its CPU cost per request a
fraction of the server's: on a 2-core machine a heavier client would set the
pace of the lighter cells. The client's own CPU use is reported with every
cell so that a reader can tell.

    echo '{"port": 8000, ...}' | python -m bench.load
"""

import asyncio
import json
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp

Json = dict[str, Any]


@dataclass(frozen=True)
class Job:
    port: int
    token: str
    # "get", "create_delete" or "clone".
    operation: str
    concurrency: int
    duration: float
    drain: float = 60.0
    path: str = ""
    project_id: str = ""
    environment_id: str = ""
    name_prefix: str = "load"


async def _send(
    session: aiohttp.ClientSession, method: str, path: str, body: Json | None = None
) -> tuple[int, bytes]:
    async with session.request(method, path, json=body) as response:
        return response.status, await response.read()


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    samples: dict[str, str] = field(default_factory=dict)

    def record(self, started: float, status: int, expected: int, body: bytes) -> bool:
        if status == expected:
            self.latencies.append(time.perf_counter() - started)
            return True
        self.errors[str(status)] += 1
        self.samples.setdefault(str(status), body[:300].decode(errors="replace"))
        return False


async def _operate(
    job: Job, session: aiohttp.ClientSession, tally: Tally, number: int
) -> None:
    """One operation: a GET, a create then a delete, or a clone."""
    name = f"{job.name_prefix}-{number}"
    started = time.perf_counter()
    if job.operation == "get":
        status, body = await _send(session, "GET", job.path)
        tally.record(started, status, 200, body)
    elif job.operation == "create_delete":
        path = f"/project/{job.project_id}/environment"
        status, body = await _send(session, "POST", path, {"name": name})
        if tally.record(started, status, 201, body):
            environment_id = json.loads(body)["id"]
            started = time.perf_counter()
            path = f"/environment/{environment_id}"
            status, body = await _send(session, "DELETE", path)
            tally.record(started, status, 204, body)
    elif job.operation == "clone":
        path = f"/environment/{job.environment_id}/clone"
        body_sent = {"name": name, "mode": "PREVIEW"}
        status, body = await _send(session, "POST", path, body_sent)
        tally.record(started, status, 202, body)
    else:
        raise ValueError(f"unknown operation {job.operation!r}")


async def run(job: Job) -> Json:
    session = aiohttp.ClientSession(
        base_url=f"http://127.0.0.1:{job.port}",
        headers={"Authorization": f"Bearer {job.token}"},
        connector=aiohttp.TCPConnector(limit=job.concurrency),
        timeout=aiohttp.ClientTimeout(total=job.duration + job.drain),
    )
    async with session:
        return await _load(job, session)


async def _load(job: Job, session: aiohttp.ClientSession) -> Json:
    tally = Tally()
    counter = iter(range(sys.maxsize))
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    deadline = started + job.duration
    finished: list[float] = []

    async def worker() -> None:
        while time.perf_counter() < deadline:
            try:
                await _operate(job, session, tally, next(counter))
            except (aiohttp.ClientError, TimeoutError) as error:
                tally.errors[type(error).__name__] += 1
                tally.samples.setdefault(type(error).__name__, str(error)[:300])
                await asyncio.sleep(0.01)
        finished.append(time.perf_counter())

    tasks = [asyncio.create_task(worker()) for _ in range(job.concurrency)]
    _, pending = await asyncio.wait(tasks, timeout=job.duration + job.drain)
    for task in pending:
        task.cancel()
    # A cancelled worker's request never finished; the window ends at the
    # cut-off for them.
    elapsed = (max(finished) if not pending else deadline + job.drain) - started
    latencies = sorted(seconds * 1000 for seconds in tally.latencies)
    return {
        "ok": len(latencies),
        "errors": dict(tally.errors),
        "error_samples": tally.samples,
        "unfinished": len(pending),
        "elapsed_seconds": elapsed,
        "latency_ms": latencies,
        "client_cpu_seconds": _cpu_seconds() - cpu_before,
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    job = Job(**json.loads(sys.stdin.read()))
    print(json.dumps(asyncio.run(run(job))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
