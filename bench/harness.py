"""What the benchmarks share: empty databases of each backend, envplane and
other servers as subprocesses on loopback, tokens, measurements of those
processes read from /proc, statistics, and the way results are printed and
saved."""

import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx2
from sqlalchemy import Engine, create_engine, make_url

from envplane.core.config import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
# The scripts run with the virtualenv's interpreter; its other commands sit
# beside it.
BIN = Path(sys.executable).parent
ENVPLANE = BIN / "envplane"
UVICORN = BIN / "uvicorn"

BACKENDS = ("sqlite", "postgresql")
DEFAULT_POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
TOKEN_EMAIL = "bench@example.com"
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def isolate_environment() -> None:
    """Forget the calling shell's ENVPLANE_ settings: servers and in-process
    apps get exactly what the run gives them, and agree with each other."""
    for key in [key for key in os.environ if key.startswith("ENVPLANE_")]:
        del os.environ[key]


@contextmanager
def work_directory(path: str | None, *, keep: bool) -> Iterator[Path]:
    """Where databases, keys and server logs go: ``path`` when given (kept),
    otherwise a temporary directory removed afterwards unless ``keep``."""
    if path is not None:
        directory = Path(path).resolve()
        directory.mkdir(parents=True, exist_ok=True)
        yield directory
        return
    directory = Path(tempfile.mkdtemp(prefix="envplane-bench-"))
    try:
        yield directory
    finally:
        if keep:
            print(f"work directory kept: {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)


@dataclass(frozen=True)
class Backend:
    name: str
    url: str


def prepare_backend(name: str, *, root: Path, postgresql_url: str) -> Backend:
    """An empty database: a new SQLite file under ``root``, or the PostgreSQL
    database that ``postgresql_url`` names, dropped and created again."""
    if name == "sqlite":
        path = root / "sqlite" / "envplane.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        return Backend(name, f"sqlite:///{path}")
    if name != "postgresql":
        raise ValueError(f"unknown backend {name!r}; choose from {BACKENDS}")
    url = make_url(postgresql_url)
    database = url.database or ""
    # The database is dropped: refuse any name that does not say it is a
    # benchmark's, so that a mistyped URL cannot empty a real one.
    if "bench" not in database:
        raise SystemExit(
            f"refusing to drop PostgreSQL database {database!r}: the database "
            "named in --postgresql-url is recreated, so its name must contain "
            "'bench'"
        )
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{database}"')
    admin.dispose()
    return Backend(name, url.render_as_string(hide_password=False))


def analyze(engine: Engine) -> None:
    """On PostgreSQL, vacuum and refresh the planner's statistics, as
    autovacuum would in time, so that plans do not depend on when it last ran."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


def envplane_environment(backend: Backend, data_dir: Path) -> dict[str, str]:
    """The environment of envplane processes on ``backend``: the database, and
    a data directory holding the generated signing and encryption keys."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "ENVPLANE_DATABASE_URL": backend.url,
        "ENVPLANE_DATA_DIR": str(data_dir),
    }


def app_settings(environment: Mapping[str, str], **changes: Any) -> Settings:
    """The settings of a server started with ``environment``, for an app built
    in this process against the same database and keys."""
    return Settings(
        _env_file=None,
        DATA_DIR=Path(environment["ENVPLANE_DATA_DIR"]),
        DATABASE_URL=environment["ENVPLANE_DATABASE_URL"],
        **changes,
    )


def issue_token(environment: Mapping[str, str], *, cwd: Path) -> str:
    """A JWT printed by ``envplane token issue``, which migrates the database
    and generates the keys first."""
    result = subprocess.run(
        [str(ENVPLANE), "token", "issue", "--email", TOKEN_EMAIL],
        env=dict(environment),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"envplane token issue failed:\n{result.stderr[-3000:]}")
    return result.stdout.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def envplane_command(port: int, *, workers: int) -> list[str]:
    """``envplane serve``: migrations, then uvicorn with the app factory."""
    return [
        *(str(ENVPLANE), "serve", "--host", "127.0.0.1"),
        *("--port", str(port), "--workers", str(workers)),
    ]


def uvicorn_command(factory: str, port: int, *, workers: int) -> list[str]:
    """uvicorn serving ``factory`` as ``envplane serve`` serves its app."""
    return [
        *(str(UVICORN), "--factory", factory, "--app-dir", str(REPO_ROOT)),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        *("--log-level", "info"),
    ]


class Server:
    """A server subprocess on loopback, in a session of its own: ready once
    every worker has started and it answers HTTP; stopped with SIGTERM, and
    SIGKILL for whatever of its process group outlives that."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        environment: Mapping[str, str],
        cwd: Path,
        port: int,
        workers: int = 1,
        log_path: Path,
    ):
        self.command = list(command)
        self.environment = dict(environment)
        self.cwd = cwd
        self.port = port
        self.workers = workers
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None, "the server is not running"
        return self.process.pid

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self, timeout: float = 90.0) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command,
                env=self.environment,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_tail()}")
            started = self.log_path.read_text(errors="replace").count(
                "Application startup complete"
            )
            if started >= self.workers and self._answers():
                return
            time.sleep(0.05)
        raise RuntimeError(
            f"server not ready after {timeout:.0f} s:\n{self.log_tail()}"
        )

    def _answers(self) -> bool:
        try:
            httpx2.get(f"{self.base_url}/", timeout=2.0)
        except httpx2.TransportError:
            return False
        return True

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 20.0) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        # Workers whose supervisor died abruptly would be left behind.
        for pid in _group_members(process.pid):
            _kill(pid)

    def serving_pids(self) -> list[int]:
        """The processes that answer requests: those holding the listening
        socket with no descendant holding it too (uvicorn's supervisor holds
        it for its workers; a single worker serves in the supervisor)."""
        inodes = _listening_inodes(self.port)
        tree = [self.pid, *_descendants(self.pid)]
        holders = [pid for pid in tree if _holds_socket(pid, inodes)]
        return [
            pid
            for pid in holders
            if not any(child in holders for child in _descendants(pid))
        ]


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name, which may hold spaces: state
    first, then ppid, pgrp, ..., utime at 11 and stime at 12."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _parents() -> dict[int, int]:
    parents = {}
    for pid in _all_pids():
        try:
            parents[pid] = int(_stat_fields(pid)[1])
        except (OSError, ValueError, IndexError):
            continue
    return parents


def _descendants(pid: int) -> list[int]:
    parents = _parents()
    found: list[int] = []
    frontier = [pid]
    while frontier:
        current = frontier.pop()
        children = [child for child, parent in parents.items() if parent == current]
        found.extend(children)
        frontier.extend(children)
    return found


def _group_members(group: int) -> list[int]:
    members = []
    for pid in _all_pids():
        try:
            if int(_stat_fields(pid)[2]) == group:
                members.append(pid)
        except (OSError, ValueError, IndexError):
            continue
    return members


def _kill(pid: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "0A":
                inodes.add(fields[9])
    return inodes


def _holds_socket(pid: int, inodes: set[str]) -> bool:
    try:
        descriptors = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for descriptor in descriptors:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{descriptor}")
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            return True
    return False


@dataclass(frozen=True)
class Memory:
    rss_kib: int
    peak_kib: int


def reset_peak_memory(pid: int) -> None:
    """Make VmHWM start again from the current resident set."""
    Path(f"/proc/{pid}/clear_refs").write_text("5\n")


def memory(pid: int) -> Memory:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return Memory(rss_kib=values["VmRSS"], peak_kib=values["VmHWM"])


def cpu_seconds(pids: Sequence[int]) -> float:
    """User and system CPU time the processes have used so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / _CLOCK_TICKS


def machine_cpu() -> tuple[float, float]:
    """Busy and total CPU seconds of the whole machine since boot, all cores."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split()[1:9]]
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / _CLOCK_TICKS, sum(fields) / _CLOCK_TICKS


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks; ``fraction`` in [0, 1]."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Spread:
    median: float
    minimum: float
    maximum: float
    p25: float
    p75: float
    count: int

    @classmethod
    def of(cls, values: Sequence[float]) -> "Spread":
        return cls(
            median=statistics.median(values),
            minimum=min(values),
            maximum=max(values),
            p25=percentile(values, 0.25),
            p75=percentile(values, 0.75),
            count=len(values),
        )


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain text table: numbers to the right, words to the left."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [
        max(len(header), *(len(row[index]) for row in cells))
        for index, header in enumerate(headers)
    ]
    numeric = [
        all(_looks_numeric(row[index]) for row in cells) and bool(cells)
        for index in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in cells)])


def _looks_numeric(text: str) -> bool:
    if text in ("n/a", "-"):
        return True
    return bool(text) and (text[0].isdigit() or text[0] in "+-.")


def run_metadata() -> dict[str, Any]:
    """Where and on what code a run happened."""

    def git(*arguments: str) -> str:
        result = subprocess.run(
            ["git", *arguments],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip()

    return {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git("rev-parse", "HEAD"),
        "uncommitted_changes": bool(git("status", "--porcelain", "--", "src")),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        # Other work on the machine skews every figure; say how busy it was.
        "load_average_1min": os.getloadavg()[0],
    }


def describe_run(metadata: Mapping[str, Any]) -> str:
    changes = " with uncommitted changes in src/" * metadata["uncommitted_changes"]
    return (
        f"commit {metadata['commit'][:10]}{changes}, Python {metadata['python']}, "
        f"{metadata['cpus']} CPUs, started {metadata['started_at']}; load average "
        f"{metadata['load_average_1min']:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end"
    )


def write_json(path: str, payload: Mapping[str, Any]) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    print(f"results written to {target}")


def parse_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def parse_backends(text: str) -> list[str]:
    names = list(BACKENDS) if text == "both" else parse_list(text)
    unknown = sorted(set(names) - set(BACKENDS))
    if unknown:
        raise SystemExit(
            f"unknown backend {', '.join(unknown)}: use sqlite, postgresql or both"
        )
    return names
