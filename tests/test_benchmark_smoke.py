"""The benchmark script still works: its quickest run gives addon and native rows."""

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, OdooRunner


def test_benchmark_quick_run(tmp_path):
    runner = OdooRunner()  # skips outside ./mto test
    output = tmp_path / "RESULTS.md"
    env = dict(os.environ, ROOT=str(ROOT))
    proc = subprocess.run(
        [
            runner.python,
            str(Path(ROOT) / "benchmarks" / "bench.py"),
            "--quick",
            "--scenario",
            "S2,S5",
            "--sizes",
            "20",
            "--repeat",
            "1",
            "--template",
            runner.template,
            "--db-prefix",
            f"mto_bench_smoke{os.getpid()}",
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    text = output.read_text()
    rows = [line for line in text.splitlines() if line.startswith("| S")]
    modes = {row.split("|")[4].strip() for row in rows}
    assert {"native", "addon"} <= modes, text
    assert any(row.startswith("| S2 ") for row in rows), text
    assert any("explain rules" in row for row in rows), text
    assert "Machine:" in text and "PostgreSQL" in text, text
    # the worker's peak memory (MiB) beside the queries, on every measured row
    assert "| Queries | Peak MiB |" in text, text
    for row in rows:
        if not row.startswith("| Scen.") and "error" not in row:
            assert float(row.split("|")[10]) > 0, row
    # S2: the floor measured beside addon and native, the addon's time above it
    # per rule, and the records compared with native's by value
    assert "| addon above floor per rule (ms) | Records equal to native |" in text
    s2 = {
        row.split("|")[4].strip(): row.split("|")
        for row in rows
        if row.startswith("| S2 ")
    }
    assert {"native", "addon", "floor"} <= set(s2), text
    assert float(s2["floor"][6]) > 0, s2["floor"]
    assert "PO lines" in s2["floor"][11], s2["floor"]
    float(s2["addon"][14])  # addon above floor per rule (ms), a number
    # the floor of the run's batches: the same lines, here in one batch
    batches = s2["floor, run's batches"]
    assert batches[11] == s2["floor"][11], text
    assert "S2 N=20: addon / floor " in text, text
    assert s2["addon"][15].strip() == "yes" or s2["addon"][15].strip().startswith(
        "no: "
    ), s2["addon"]
    sys.stdout.write(text)
