"""Bounded load on a real server's API, against a ceiling on the same stack.

For each worker count: ``envplane serve --workers W`` on loopback, and for
each endpoint and concurrency one cell of ``--duration`` seconds driven by the
load client (``bench/load.py``, a process of its own); then the ceiling
(``bench/ceiling.py``: one primary-key read answering the shape of GET
environment) served by uvicorn with the same worker count, at the same
concurrencies. Each endpoint's requests per second are reported as a
fraction of the ceiling's.

    .venv/bin/python -m bench.api --workers 1,2 --concurrency 1,16,64
"""

import argparse
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import Engine, delete

from bench import harness
from bench.dataset import SIZES, Builder, Source
from envplane.core.config import Settings
from envplane.core.database import (
    create_db_engine,
    create_session_factory,
    transaction,
)
from envplane.models import Environment


@dataclass(frozen=True)
class Endpoint:
    name: str
    operation: str
    description: str
    # Whether its cells leave rows behind to clean up afterwards.
    writes: bool = False


ENDPOINTS = {
    endpoint.name: endpoint
    for endpoint in (
        Endpoint("get_environment", "get", "GET /environment/{id}"),
        Endpoint("list_variables", "get", "GET /environment/{id}/environmentVariable"),
        Endpoint("list_services", "get", "GET /environment/{id}/services"),
        Endpoint(
            "create_delete",
            "create_delete",
            "POST /project/{id}/environment, then DELETE /environment/{id}; "
            "each counts as a request",
            writes=True,
        ),
        Endpoint(
            "clone", "clone", "POST /environment/{id}/clone of the source", writes=True
        ),
    )
}
CEILING = Endpoint("ceiling", "get", "GET /environment/{id} of bench/ceiling.py")
PATHS = {
    "get_environment": "/environment/{environment}",
    "list_variables": "/environment/{environment}/environmentVariable",
    "list_services": "/environment/{environment}/services",
    "ceiling": "/environment/{environment}",
}


@dataclass
class Cell:
    server: str
    workers: int
    endpoint: str
    concurrency: int
    requests: int = 0
    requests_per_second: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    error_samples: dict[str, str] = field(default_factory=dict)
    unfinished: int = 0
    elapsed_seconds: float = 0.0
    server_cpu_ms_per_request: float = 0.0
    machine_busy: float = 0.0
    client_cpu_share: float = 0.0
    of_ceiling: float | None = None
    skipped: str = ""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    harness.isolate_environment()
    metadata = harness.run_metadata()
    workers = [int(item) for item in harness.parse_list(args.workers)]
    concurrencies = [int(item) for item in harness.parse_list(args.concurrency)]
    endpoints = [ENDPOINTS[name] for name in _endpoint_names(args.endpoints)]
    with harness.work_directory(args.workdir, keep=args.keep) as root:
        payload = run(args, root, workers, concurrencies, endpoints)
    print(f"\n{harness.describe_run(metadata)}")
    if args.json:
        harness.write_json(args.json, {**payload, "metadata": metadata})
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.api",
        description="Bounded load on the API of a real server, against a ceiling.",
    )
    parser.add_argument(
        "--duration", type=float, default=5.0, help="seconds per cell (default 5)"
    )
    parser.add_argument("--workers", default="1,2", help="uvicorn worker counts")
    parser.add_argument("--concurrency", default="1,16,64", help="connections")
    parser.add_argument(
        "--endpoints",
        default="all",
        help=f"comma separated, from {', '.join(ENDPOINTS)} (default all)",
    )
    parser.add_argument(
        "--clone-max-concurrency",
        type=int,
        default=64,
        help="skip clone cells above this concurrency (default %(default)s)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=1.0,
        help="seconds of untimed load per endpoint on each server (default 1)",
    )
    parser.add_argument(
        "--drain",
        type=float,
        default=60.0,
        help="seconds a cell waits for requests still in flight (default 60)",
    )
    parser.add_argument(
        "--size", default="M", help="size of the environment read and cloned"
    )
    parser.add_argument(
        "--backend", default="postgresql", help="postgresql (default) or sqlite"
    )
    parser.add_argument(
        "--postgresql-url",
        default=harness.DEFAULT_POSTGRESQL_URL,
        help="a database that is dropped and recreated; its name must contain "
        "'bench' (default %(default)s)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write results here")
    parser.add_argument("--workdir", help="keep databases, keys and logs here")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary work directory"
    )
    return parser


def _endpoint_names(text: str) -> list[str]:
    names = list(ENDPOINTS) if text == "all" else harness.parse_list(text)
    unknown = sorted(set(names) - set(ENDPOINTS))
    if unknown:
        raise SystemExit(f"unknown endpoint {', '.join(unknown)}")
    return names


def run(
    args: argparse.Namespace,
    root: Path,
    workers: Sequence[int],
    concurrencies: Sequence[int],
    endpoints: Sequence[Endpoint],
) -> dict[str, Any]:
    [backend_name] = harness.parse_backends(args.backend)
    backend = harness.prepare_backend(
        backend_name, root=root, postgresql_url=args.postgresql_url
    )
    environment = harness.envplane_environment(backend, root / "data")
    token = harness.issue_token(environment, cwd=root)
    size = SIZES[args.size.upper()]
    print(f"== {backend.name}: building {size.name}")
    with Builder(harness.app_settings(environment, LOG_LEVEL="WARNING"), token) as b:
        workspace = b.workspace()
        source = b.environment(workspace, size, f"source-{size.name}")
    engine = create_db_engine(backend.url)
    harness.analyze(engine)
    load = Load(args, token, source, workspace.project_id, engine)

    cells: list[Cell] = []
    answers: dict[str, int] = {}
    try:
        for count in workers:
            command = harness.envplane_command(
                port := harness.free_port(), workers=count
            )
            with _server(command, environment, root, port, count, "envplane") as server:
                answers |= _answer_sizes(server, token, source, endpoints)
                for endpoint in endpoints:
                    cells += load.endpoint(server, endpoint, concurrencies)
            factory = "bench.ceiling:create_app"
            command = harness.uvicorn_command(
                factory, port := harness.free_port(), workers=count
            )
            with _server(command, environment, root, port, count, "ceiling") as server:
                cells += load.endpoint(server, CEILING, concurrencies, label="ceiling")
    finally:
        engine.dispose()

    _relate_to_ceiling(cells)
    notes = _notes(args, backend, source, endpoints, answers)
    print()
    print(_table(cells))
    for note in notes:
        print(f"- {note}")
    for cell in cells:
        for status, sample in cell.error_samples.items():
            print(f"  {cell.server} {cell.endpoint} c={cell.concurrency}: {status}")
            print(f"    {sample}")
    return {
        "benchmark": "api",
        "settings": {
            "backend": backend.name,
            "duration": args.duration,
            "workers": list(workers),
            "concurrency": list(concurrencies),
            "warmup": args.warmup,
            "clone_max_concurrency": args.clone_max_concurrency,
        },
        "source": source.summary(),
        "endpoints": {
            endpoint.name: {
                "description": endpoint.description,
                "answer_bytes": answers.get(endpoint.name),
            }
            for endpoint in endpoints
        },
        "cells": [asdict(cell) for cell in cells],
        "notes": notes,
    }


def _server(
    command: list[str],
    environment: dict[str, str],
    root: Path,
    port: int,
    workers: int,
    name: str,
) -> harness.Server:
    print(f"== {name}, {workers} worker{'s' * (workers > 1)}")
    return harness.Server(
        command,
        environment=environment,
        cwd=root,
        port=port,
        workers=workers,
        log_path=root / f"{name}-{workers}.log",
    )


def _answer_sizes(
    server: harness.Server, token: str, source: Source, endpoints: Sequence[Endpoint]
) -> dict[str, int]:
    """Bytes of each read endpoint's answer, to tell the cells apart."""
    sizes = {}
    headers = {"Authorization": f"Bearer {token}"}
    with httpx2.Client(base_url=server.base_url, headers=headers) as client:
        for endpoint in endpoints:
            if endpoint.name in PATHS:
                path = PATHS[endpoint.name].format(environment=source.environment_id)
                response = client.get(path)
                response.raise_for_status()
                sizes[endpoint.name] = len(response.content)
    return sizes


class Load:
    """Runs cells of load against a server with the load client."""

    def __init__(
        self,
        args: argparse.Namespace,
        token: str,
        source: Source,
        project_id: str,
        engine: Engine,
    ):
        self.args = args
        self.token = token
        self.source = source
        self.project_id = project_id
        self.engine = engine

    def endpoint(
        self,
        server: harness.Server,
        endpoint: Endpoint,
        concurrencies: Sequence[int],
        *,
        label: str = "envplane",
    ) -> list[Cell]:
        """A warm-up, then one cell per concurrency."""
        if self.args.warmup > 0:
            self._drive(server, endpoint, min(4, max(concurrencies)), self.args.warmup)
            self._clean(endpoint)
        cells = []
        for concurrency in concurrencies:
            cell = Cell(label, server.workers, endpoint.name, concurrency)
            limit = self.args.clone_max_concurrency
            if endpoint.name == "clone" and concurrency > limit:
                cell.skipped = f"above --clone-max-concurrency {limit}"
                cells.append(cell)
                continue
            pids = sorted({server.pid, *server.serving_pids()})
            cpu, machine = harness.cpu_seconds(pids), harness.machine_cpu()
            outcome = self._drive(server, endpoint, concurrency, self.args.duration)
            cpu = harness.cpu_seconds(pids) - cpu
            busy, total = (
                now - then
                for now, then in zip(harness.machine_cpu(), machine, strict=True)
            )
            _fill(cell, outcome, server_cpu=cpu, machine_busy=busy / total)
            cells.append(cell)
            print(
                f"   {label} {endpoint.name} c={concurrency}: "
                f"{cell.requests_per_second:.0f}/s, p50 {cell.p50_ms:.1f} ms"
            )
            self._clean(endpoint)
        return cells

    def _drive(
        self,
        server: harness.Server,
        endpoint: Endpoint,
        concurrency: int,
        duration: float,
    ) -> dict[str, Any]:
        job: dict[str, Any] = {
            "port": server.port,
            "token": self.token,
            "operation": endpoint.operation,
            "concurrency": concurrency,
            "duration": duration,
            "drain": self.args.drain,
            "project_id": self.project_id,
            "environment_id": self.source.environment_id,
            "name_prefix": f"load-{uuid.uuid4().hex[:8]}",
        }
        if endpoint.name in PATHS:
            job["path"] = PATHS[endpoint.name].format(
                environment=self.source.environment_id
            )
        result = subprocess.run(
            [sys.executable, "-m", "bench.load"],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            cwd=harness.REPO_ROOT,
            timeout=duration + self.args.drain + 60,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"load client failed:\n{result.stderr[-3000:]}")
        outcome: dict[str, Any] = json.loads(result.stdout)
        return outcome

    def _clean(self, endpoint: Endpoint) -> None:
        """Drop what a writing cell made, so the next starts from the source
        alone; on PostgreSQL also vacuum, as autovacuum would in time."""
        if not endpoint.writes:
            return
        started = time.perf_counter()
        source_id = uuid.UUID(self.source.environment_id)
        with transaction(create_session_factory(self.engine)) as session:
            session.execute(
                delete(Environment).where(
                    Environment.project_id == uuid.UUID(self.project_id),
                    Environment.id != source_id,
                )
            )
        harness.analyze(self.engine)
        print(f"   (cleaned up in {time.perf_counter() - started:.1f} s)")


def _fill(
    cell: Cell, outcome: dict[str, Any], *, server_cpu: float, machine_busy: float
) -> None:
    latencies = outcome["latency_ms"]
    elapsed = outcome["elapsed_seconds"]
    cell.requests = outcome["ok"]
    cell.elapsed_seconds = elapsed
    cell.requests_per_second = cell.requests / elapsed if elapsed else 0.0
    cell.p50_ms = harness.percentile(latencies, 0.50)
    cell.p99_ms = harness.percentile(latencies, 0.99)
    cell.max_ms = max(latencies, default=float("nan"))
    cell.errors = outcome["errors"]
    cell.error_samples = outcome["error_samples"]
    cell.unfinished = outcome["unfinished"]
    handled = cell.requests + sum(cell.errors.values())
    cell.server_cpu_ms_per_request = server_cpu * 1000 / handled if handled else 0.0
    cell.machine_busy = machine_busy
    cell.client_cpu_share = outcome["client_cpu_seconds"] / elapsed if elapsed else 0


def _relate_to_ceiling(cells: Sequence[Cell]) -> None:
    ceilings = {
        (cell.workers, cell.concurrency): cell.requests_per_second
        for cell in cells
        if cell.server == "ceiling" and not cell.skipped
    }
    for cell in cells:
        ceiling = ceilings.get((cell.workers, cell.concurrency))
        if ceiling and not cell.skipped:
            cell.of_ceiling = cell.requests_per_second / ceiling


def _table(cells: Sequence[Cell]) -> str:
    rows = []
    for cell in cells:
        head = [cell.server, cell.workers, cell.endpoint, cell.concurrency]
        if cell.skipped:
            rows.append([*head, "-", "-", "-", "-", "-", "-", "-", "-", "-"])
            continue
        errors = sum(cell.errors.values()) + cell.unfinished
        rows.append(
            [
                *head,
                cell.requests,
                f"{cell.requests_per_second:.1f}",
                f"{cell.p50_ms:.1f}",
                f"{cell.p99_ms:.1f}",
                errors,
                "n/a" if cell.of_ceiling is None else f"{cell.of_ceiling:.3f}",
                f"{cell.server_cpu_ms_per_request:.2f}",
                f"{cell.machine_busy:.0%}",
                f"{cell.client_cpu_share:.0%}",
            ]
        )
    headers = [
        "server",
        "workers",
        "endpoint",
        "conc",
        "requests",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "of ceiling",
        "server CPU ms/req",
        "machine busy",
        "client CPU",
    ]
    return harness.table(headers, rows)


def _notes(
    args: argparse.Namespace,
    backend: harness.Backend,
    source: Source,
    endpoints: Sequence[Endpoint],
    answers: dict[str, int],
) -> list[str]:
    notes = [
        f"{backend.name}; every cell runs {args.duration:g} s of closed-loop load "
        f"(each connection sends its next request when the previous answer is "
        f"in), then waits up to {args.drain:g} s for requests in flight; req/s "
        "counts successful answers over that whole window.",
        f"Source environment: {source.size.name}, {source.services} services, "
        f"{source.entries} entries, {source.builtins} built-ins.",
        "Server CPU: user and system time of the serving processes per answered "
        "request (PostgreSQL's own processes not included); machine busy: all "
        "cores, everything running; client CPU: the load client's share of one "
        "core.",
        f"Before each server's cells, {args.warmup:g} s of untimed load per "
        "endpoint at concurrency 4; clones and created environments are deleted "
        "after every cell, outside its timing.",
    ]
    for endpoint in endpoints:
        size = answers.get(endpoint.name)
        answer = f" (answer {size} bytes)" if size is not None else ""
        notes.append(f"{endpoint.name}: {endpoint.description}{answer}.")
    if any(e.name == "clone" for e in endpoints):
        notes.append(
            f"clone cells above concurrency {args.clone_max_concurrency} are "
            "skipped (--clone-max-concurrency): each clone holds a pooled "
            f"connection, a worker has at most {_pooled_connections()}, and "
            "beyond that a cell measures queueing for up to the pool's 30 s "
            "timeout."
        )
    return notes


def _pooled_connections() -> int:
    """The most connections one worker's pool opens, by default."""
    fields = Settings.model_fields
    size, overflow = fields["DATABASE_POOL_SIZE"], fields["DATABASE_MAX_OVERFLOW"]
    return int(size.default) + int(overflow.default)


if __name__ == "__main__":
    raise SystemExit(main())
