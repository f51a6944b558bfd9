"""Environment clone: latency through a real server, against the floor of one
hand-written set-based SQL transaction copying the same rows.

For each backend and size: build the source environment in process, count the
SQL statements of one clone in process, start ``envplane serve`` on loopback,
then clone the source ``--repeat`` times over HTTP, each clone followed by one
floor copy, measuring the serving process's peak RSS around every clone.
``--concurrent N`` instead fires N clones at once at a two-worker server on
PostgreSQL and checks every copy in the database.

    .venv/bin/python -m bench.clone --backend both --sizes S,M,L --repeat 7
    .venv/bin/python -m bench.clone --concurrent 50
"""

import argparse
import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import (
    BindParameter,
    Connection,
    Engine,
    Uuid,
    bindparam,
    func,
    select,
    text,
)
from sqlalchemy.orm import Session

from bench import harness
from bench.dataset import SIZES, Builder, Source, environment_rows
from envplane.core.database import create_db_engine, recorded_statements
from envplane.models import Environment, Service, Variable
from envplane.models.base import UTCDateTime, utcnow

CLONE_MODE = "PREVIEW"
CLONE_TIMEOUT_SECONDS = 600.0

NOTES = (
    "Sources are built through the API in process; plain values and secrets "
    "beyond those the API made for each service are replicated from one of its "
    "rows in bulk.",
    "Clone: POST /environment/{id}/clone over loopback HTTP to `envplane serve` "
    "(1 worker), after one untimed warm-up clone per size; the latency is the "
    "client's, from request to full answer.",
    "Floor: one transaction of raw SQL (temporary id map, then INSERT ... SELECT "
    "per table with parents re-pointed through the map), timed from BEGIN to "
    "COMMIT in this process. It copies the source's built-in rows re-pointed at "
    "the copies instead of regenerating them (their values derive from the new "
    "ids and the database passwords, encrypted in Python), so it writes exactly "
    "as many rows as the clone.",
    "Statements: one clone of the same source through a TestClient on an app "
    "whose engine counts before_cursor_execute, authentication included; on "
    "SQLite the count includes BEGIN IMMEDIATE.",
    "Peak RSS: VmHWM of the serving process after each clone, reset with "
    "clear_refs before it; the largest over the repeats, and the growth over "
    "the resident set just before that clone.",
)


@dataclass
class SizeResult:
    backend: str
    size: str
    services: int
    entries: int
    builtins: int
    rows: int
    statements: int
    floor_statements: int
    clone_ms: harness.Spread
    floor_ms: harness.Spread
    ratio: float
    peak_rss_mib: float
    rss_growth_mib: float
    rows_checked: bool


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    harness.isolate_environment()
    metadata = harness.run_metadata()
    with harness.work_directory(args.workdir, keep=args.keep) as root:
        if args.concurrent:
            payload = run_concurrent(args, root)
        else:
            payload = run_latency(args, root)
    print(f"\n{harness.describe_run(metadata)}")
    if args.json:
        harness.write_json(args.json, {**payload, "metadata": metadata})
    return 0 if payload.get("ok", True) else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.clone",
        description="Benchmark environment clone against a set-based SQL floor.",
    )
    parser.add_argument(
        "--backend", default="both", help="sqlite, postgresql or both (default)"
    )
    parser.add_argument(
        "--sizes", default="S,M,L", help="comma separated, from S, M and L"
    )
    parser.add_argument(
        "--repeat", type=int, default=7, help="timed clones per size (default 7)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write results here")
    parser.add_argument(
        "--concurrent",
        type=int,
        default=0,
        metavar="N",
        help="instead, fire N concurrent clones of an M environment at a "
        "two-worker server on PostgreSQL and verify them",
    )
    parser.add_argument(
        "--postgresql-url",
        default=harness.DEFAULT_POSTGRESQL_URL,
        help="a database that is dropped and recreated; its name must contain "
        "'bench' (default %(default)s)",
    )
    parser.add_argument("--workdir", help="keep databases, keys and logs here")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary work directory"
    )
    return parser


def run_latency(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    sizes = [SIZES[name] for name in harness.parse_list(args.sizes.upper())]
    backends = harness.parse_backends(args.backend)
    if args.repeat < 1:
        raise SystemExit("--repeat must be at least 1")
    results: list[SizeResult] = []
    sources: list[dict[str, Any]] = []
    for name in backends:
        backend = harness.prepare_backend(
            name, root=root, postgresql_url=args.postgresql_url
        )
        print(f"== {name}: building {', '.join(size.name for size in sizes)}")
        for result, source in _run_backend(backend, root, sizes, args.repeat):
            results.append(result)
            sources.append({"backend": name, **source.summary()})
            print(f"   {name} {result.size}: clone {result.clone_ms.median:.1f} ms")

    print()
    for size in sizes:
        print(f"{size.name}: {size.describe()}")
    print(_table(results))
    for note in NOTES:
        print(f"- {note}")
    return {
        "benchmark": "clone",
        "settings": {"repeat": args.repeat, "sizes": [s.name for s in sizes]},
        "sources": sources,
        "results": [asdict(result) for result in results],
        "notes": list(NOTES),
        "ok": all(result.rows_checked for result in results),
    }


def _run_backend(
    backend: harness.Backend, root: Path, sizes: Sequence[Any], repeat: int
) -> Iterator[tuple[SizeResult, Source]]:
    environment = harness.envplane_environment(backend, root / backend.name / "data")
    token = harness.issue_token(environment, cwd=root)
    settings = harness.app_settings(environment, LOG_LEVEL="WARNING")
    with Builder(settings, token) as builder:
        workspace = builder.workspace()
        sources = []
        for size in sizes:
            source = builder.environment(workspace, size, f"source-{size.name}")
            statements = _clone_statements(builder, source)
            sources.append((source, statements))

    engine = create_db_engine(backend.url)
    harness.analyze(engine)
    server = harness.Server(
        harness.envplane_command(port := harness.free_port(), workers=1),
        environment=environment,
        cwd=root,
        port=port,
        log_path=root / backend.name / "server.log",
    )
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with (
            server,
            httpx2.Client(
                base_url=server.base_url, headers=headers, timeout=CLONE_TIMEOUT_SECONDS
            ) as client,
        ):
            [pid] = server.serving_pids()
            client.get("/organization").raise_for_status()
            for source, statements in sources:
                yield (
                    _measure(backend, engine, client, pid, source, statements, repeat),
                    source,
                )
    finally:
        engine.dispose()


def _measure(
    backend: harness.Backend,
    engine: Engine,
    client: httpx2.Client,
    pid: int,
    source: Source,
    statements: int,
    repeat: int,
) -> SizeResult:
    name = source.size.name
    _clone(client, source, f"warm-up-{name}")
    clone_seconds, floor_seconds, copies = [], [], []
    peak_kib, growth_kib = 0, 0
    floor_statements = 0
    for number in range(repeat):
        harness.reset_peak_memory(pid)
        before = harness.memory(pid).rss_kib
        started = time.perf_counter()
        copies.append(_clone(client, source, f"clone-{name}-{number}"))
        clone_seconds.append(time.perf_counter() - started)
        peak = harness.memory(pid).peak_kib
        if peak > peak_kib:
            peak_kib, growth_kib = peak, peak - before

        with recorded_statements(engine) as seen:
            started = time.perf_counter()
            with engine.begin() as connection:
                copies.append(floor_copy(connection, source, f"floor-{name}-{number}"))
            floor_seconds.append(time.perf_counter() - started)
        floor_statements = len(seen)

    with Session(engine) as session:
        counted = [environment_rows(session, copy) for copy in copies]
    if set(counted) != {source.rows}:
        print(f"   ! {backend.name} {name}: copies hold {sorted(set(counted))} rows")
    clone_ms = harness.Spread.of([seconds * 1000 for seconds in clone_seconds])
    floor_ms = harness.Spread.of([seconds * 1000 for seconds in floor_seconds])
    return SizeResult(
        backend=backend.name,
        size=name,
        services=source.services,
        entries=source.entries,
        builtins=source.builtins,
        rows=source.rows,
        statements=statements,
        floor_statements=floor_statements,
        clone_ms=clone_ms,
        floor_ms=floor_ms,
        ratio=clone_ms.median / floor_ms.median,
        peak_rss_mib=peak_kib / 1024,
        rss_growth_mib=growth_kib / 1024,
        rows_checked=set(counted) == {source.rows},
    )


def _clone(client: httpx2.Client, source: Source, name: str) -> uuid.UUID:
    response = client.post(
        f"/environment/{source.environment_id}/clone",
        json={"name": name, "mode": CLONE_MODE},
    )
    if response.status_code != 202:
        raise RuntimeError(
            f"clone {name} answered {response.status_code}: {response.text[:2000]}"
        )
    return uuid.UUID(response.json()["id"])


def _clone_statements(builder: Builder, source: Source) -> int:
    """Statements of one clone of ``source``, through the builder's app."""
    path = f"/environment/{source.environment_id}/clone"
    body = {"name": f"counted-{source.size.name}", "mode": CLONE_MODE}
    with recorded_statements(builder.app.state.engine) as seen:
        builder.call("POST", path, expect=202, body=body)
    return len(seen)


def floor_copy(connection: Connection, source: Source, name: str) -> uuid.UUID:
    """Copy the source's environment, stages, services, entries and built-ins
    with one INSERT ... SELECT per table, parents re-pointed through a
    temporary id map; answer the copy's id."""
    postgresql = connection.dialect.name == "postgresql"
    new_id = "gen_random_uuid()" if postgresql else "lower(hex(randomblob(16)))"
    id_type = "uuid" if postgresql else "CHAR(32)"
    copy_id = uuid.uuid4()
    parameters: list[BindParameter[Any]] = [
        bindparam("source", uuid.UUID(source.environment_id), type_=Uuid()),
        bindparam("copy", copy_id, type_=Uuid()),
        bindparam("now", utcnow(), type_=UTCDateTime()),
    ]

    def run(sql: str, **values: Any) -> None:
        used = [parameter for parameter in parameters if f":{parameter.key}" in sql]
        statement = text(sql).bindparams(*used)
        connection.execute(statement, values)

    run(
        "INSERT INTO environments (id, project_id, cluster_id, name, mode,"
        " last_updated_by, created_at, updated_at)"
        " SELECT :copy, project_id, cluster_id, :name, :mode, last_updated_by,"
        " :now, NULL FROM environments WHERE id = :source",
        name=name,
        mode=CLONE_MODE,
    )
    run(
        f"CREATE TEMPORARY TABLE bench_id_map (old_id {id_type} PRIMARY KEY,"
        f" new_id {id_type} NOT NULL)" + (" ON COMMIT DROP" if postgresql else "")
    )
    run(
        f"INSERT INTO bench_id_map (old_id, new_id)"
        f" SELECT id, {new_id} FROM deployment_stages WHERE environment_id = :source"
        f" UNION ALL SELECT id, {new_id} FROM services WHERE environment_id = :source"
        f" UNION ALL SELECT id, {new_id} FROM variables"
        f" WHERE environment_id = :source"
    )
    run(
        "INSERT INTO deployment_stages (id, environment_id, name, description,"
        " position, created_at, updated_at)"
        " SELECT m.new_id, :copy, s.name, s.description, s.position, :now, NULL"
        " FROM deployment_stages s JOIN bench_id_map m ON m.old_id = s.id"
        " WHERE s.environment_id = :source"
    )
    run(
        "INSERT INTO services (id, environment_id, kind, name, configuration,"
        " deployment_stage_id, is_skipped, created_at, updated_at)"
        " SELECT m.new_id, :copy, s.kind, s.name, s.configuration, stage.new_id,"
        " s.is_skipped, :now, NULL"
        " FROM services s JOIN bench_id_map m ON m.old_id = s.id"
        " LEFT JOIN bench_id_map stage ON stage.old_id = s.deployment_stage_id"
        " WHERE s.environment_id = :source"
    )
    # Owners that are not copied services are the environment itself.
    run(
        "INSERT INTO variables (id, owner_id, scope, project_id, environment_id,"
        " service_id, is_secret, key, value, variable_type, mount_path,"
        " description, enable_interpolation_in_file, parent_id, created_at,"
        " updated_at)"
        " SELECT m.new_id, COALESCE(owner.new_id, :copy), v.scope, v.project_id,"
        " :copy, service.new_id, v.is_secret, v.key, v.value, v.variable_type,"
        " v.mount_path, v.description, v.enable_interpolation_in_file,"
        " COALESCE(parent.new_id, v.parent_id), :now, NULL"
        " FROM variables v JOIN bench_id_map m ON m.old_id = v.id"
        " LEFT JOIN bench_id_map owner ON owner.old_id = v.owner_id"
        " LEFT JOIN bench_id_map service ON service.old_id = v.service_id"
        " LEFT JOIN bench_id_map parent ON parent.old_id = v.parent_id"
        " WHERE v.environment_id = :source"
    )
    if not postgresql:
        run("DROP TABLE bench_id_map")
    return copy_id


def _table(results: Sequence[SizeResult]) -> str:
    def spread(value: harness.Spread) -> str:
        return f"{value.median:.1f} ({value.minimum:.1f}-{value.maximum:.1f})"

    rows = [
        [
            result.backend,
            result.size,
            result.services,
            result.entries,
            result.rows,
            result.statements,
            spread(result.clone_ms),
            spread(result.floor_ms),
            f"{result.ratio:.1f}",
            f"{result.peak_rss_mib:.0f} (+{result.rss_growth_mib:.1f})",
            "yes" if result.rows_checked else "NO",
        ]
        for result in results
    ]
    headers = [
        "backend",
        "size",
        "services",
        "entries",
        "rows/copy",
        "statements",
        "clone ms median (min-max)",
        "floor ms median (min-max)",
        "clone/floor",
        "peak RSS MiB (growth)",
        "rows equal",
    ]
    return harness.table(headers, rows)


def run_concurrent(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    """N clones of one M environment at once, through a two-worker server on
    PostgreSQL; then every copy is checked in the database."""
    if "postgresql" not in harness.parse_backends(args.backend):
        raise SystemExit("--concurrent runs on PostgreSQL only")
    count = args.concurrent
    backend = harness.prepare_backend(
        "postgresql", root=root, postgresql_url=args.postgresql_url
    )
    environment = harness.envplane_environment(backend, root / "concurrent" / "data")
    token = harness.issue_token(environment, cwd=root)
    print("== postgresql: building M")
    with Builder(harness.app_settings(environment, LOG_LEVEL="WARNING"), token) as b:
        workspace = b.workspace()
        source = b.environment(workspace, SIZES["M"], "source-M")
    engine = create_db_engine(backend.url)
    harness.analyze(engine)

    port = harness.free_port()
    log_path = root / "concurrent" / "server.log"
    server = harness.Server(
        harness.envplane_command(port, workers=2),
        environment=environment,
        cwd=root,
        port=port,
        workers=2,
        log_path=log_path,
    )
    with server:
        print(f"== {count} concurrent clones, 2 workers")
        answers, elapsed = asyncio.run(
            _fire(server.base_url, token, source, count=count)
        )

    # Transactions the database ended as deadlock victims or serialization
    # failures, which the server ran again.
    retries = log_path.read_text().count("database.transaction.retried")
    try:
        checks = _check_copies(engine, workspace.project_id, source, answers)
    finally:
        engine.dispose()
    statuses = Counter(answer["status"] for answer in answers)
    latencies = [answer["seconds"] * 1000 for answer in answers]
    errors = sorted({answer["body"] for answer in answers if answer["status"] != 202})
    ok = statuses == Counter({202: count}) and checks["ok"]

    print(
        f"\nsource: {source.services} services, {source.entries} entries,"
        f" {source.builtins} built-ins, {source.stages} stages"
    )
    print(
        harness.table(
            ["status", "count"], [[status, n] for status, n in sorted(statuses.items())]
        )
    )
    for body in errors:
        print(f"error body: {body}")
    print(
        f"total {elapsed:.2f} s; latency p50 {harness.percentile(latencies, 0.5):.0f}"
        f" ms, p99 {harness.percentile(latencies, 0.99):.0f} ms, max"
        f" {max(latencies):.0f} ms"
    )
    print(
        f"database: {checks['new_environments']} new environments (expected"
        f" {count}); {checks['mismatched']} differ from the source in services,"
        f" entries or built-ins; every 202 answer names one of them:"
        f" {'yes' if checks['answers_found'] else 'NO'}"
    )
    print(f"transactions the server ran again at the database's request: {retries}")
    print("verdict:", "OK" if ok else "FAILED")
    return {
        "benchmark": "clone-concurrent",
        "settings": {"concurrent": count, "workers": 2, "size": "M"},
        "source": source.summary(),
        "statuses": {str(status): n for status, n in statuses.items()},
        "errors": errors,
        "total_seconds": elapsed,
        "latency_ms": asdict(harness.Spread.of(latencies)),
        "database": checks,
        "retried_transactions": retries,
        "ok": ok,
    }


async def _fire(
    base_url: str, token: str, source: Source, *, count: int
) -> tuple[list[dict[str, Any]], float]:
    limits = httpx2.Limits(max_connections=count)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx2.AsyncClient(
        base_url=base_url,
        headers=headers,
        limits=limits,
        timeout=CLONE_TIMEOUT_SECONDS,
    ) as client:

        async def clone(number: int) -> dict[str, Any]:
            started = time.perf_counter()
            response = await client.post(
                f"/environment/{source.environment_id}/clone",
                json={"name": f"concurrent-{number:03d}", "mode": CLONE_MODE},
            )
            seconds = time.perf_counter() - started
            body = response.json() if response.status_code == 202 else None
            return {
                "status": response.status_code,
                "seconds": seconds,
                "id": body["id"] if body else None,
                "body": "" if body else response.text[:500],
            }

        started = time.perf_counter()
        answers = await asyncio.gather(*(clone(number) for number in range(count)))
        return list(answers), time.perf_counter() - started


def _check_copies(
    engine: Engine, project_id: str, source: Source, answers: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """Count, in the database, the copies' services, entries and built-ins."""
    project = uuid.UUID(project_id)
    with Session(engine) as session:
        copies = session.scalars(
            select(Environment.id).where(
                Environment.project_id == project,
                Environment.name.like("concurrent-%"),
            )
        ).all()
        services = dict(
            session.execute(
                select(Service.environment_id, func.count())
                .where(Service.environment_id.in_(copies))
                .group_by(Service.environment_id)
            ).all()
        )
        entries = Counter[tuple[uuid.UUID | None, bool]]()
        for environment_id, scope, number in session.execute(
            select(Variable.environment_id, Variable.scope, func.count())
            .where(Variable.environment_id.in_(copies))
            .group_by(Variable.environment_id, Variable.scope)
        ):
            entries[(environment_id, scope == "BUILT_IN")] += number
    mismatched = [
        copy
        for copy in copies
        if services.get(copy, 0) != source.services
        or entries[(copy, False)] != source.entries
        or entries[(copy, True)] != source.builtins
    ]
    answered = {uuid.UUID(answer["id"]) for answer in answers if answer["id"]}
    return {
        "new_environments": len(copies),
        "mismatched": len(mismatched),
        "answers_found": answered <= set(copies),
        "ok": len(copies) == len(answers)
        and not mismatched
        and answered == set(copies),
    }


if __name__ == "__main__":
    raise SystemExit(main())
