"""The latency benchmark runs and measures every scripted turn (its figures are quoted from
benchmarks/roleplay_latency.py, never asserted in a test: speed lives in benchmarks)."""

import importlib.util

from ..conftest import REPO


def test_roleplay_latency_benchmark_measures_every_turn():
    spec = importlib.util.spec_from_file_location(
        "roleplay_latency", REPO / "benchmarks" / "roleplay_latency.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    report = module.run(rounds=2)
    assert report["scripts"] >= 20 and report["turns"] > 100
    assert 0 < report["turn_ms"]["p50"] <= report["turn_ms"]["p95"] <= report["turn_ms"]["max"]
