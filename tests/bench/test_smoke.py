"""The benchmarks still start and report: each runs once at its smallest, on
SQLite, as a subprocess the way a person runs it. Their figures are not
checked here; they are read by hand."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(module: str, *args: str, output: Path) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", module, *args, "--json", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report: dict[str, object] = json.loads(output.read_text())
    return report


def test_clone(tmp_path: Path) -> None:
    report = _run(
        "bench.clone",
        *("--backend", "sqlite", "--sizes", "S", "--repeat", "1"),
        output=tmp_path / "clone.json",
    )

    [result] = report["results"]  # type: ignore[misc]
    assert result["rows_checked"] is True
    assert result["statements"] > 0
    assert result["ratio"] > 0


def test_api(tmp_path: Path) -> None:
    report = _run(
        "bench.api",
        *("--backend", "sqlite", "--size", "S", "--workers", "1"),
        *("--concurrency", "2", "--duration", "0.5", "--warmup", "0"),
        *("--endpoints", "get_environment,create_delete"),
        output=tmp_path / "api.json",
    )

    cells = report["cells"]
    assert isinstance(cells, list)
    served = {(cell["server"], cell["endpoint"]) for cell in cells}
    assert served == {
        ("envplane", "get_environment"),
        ("envplane", "create_delete"),
        ("ceiling", "ceiling"),
    }
    assert all(cell["requests"] > 0 and not cell["errors"] for cell in cells)
