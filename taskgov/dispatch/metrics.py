"""``--metrics-port``: the run's Prometheus metrics, served with the official client.

Metrics (all ``taskgov_dispatch_*``): ``tasks{status}`` (the board's counts: running,
merging, queued, blocked, done, failed, skipped), ``events_total{event}`` (started, merged,
failed, retried, cancelled, throttled, renewed, ...), ``task_seconds`` (a histogram of the
commands' run times), ``elapsed_seconds``, ``plan_estimate_hours`` (the critical path on PERT
means), ``throttled`` (1 while backpressure holds new starts), ``load_percent{resource}``
(the last CPU and memory sample, with thresholds) and ``run_info{run}``.
"""

from __future__ import annotations

from typing import Any

from taskgov.dispatch.board import VIEW_STATUSES
from taskgov.errors import UsageError

BUCKETS = (1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400, float("inf"))


def parse_address(text: str) -> tuple[str, int]:
    """``PORT`` (on 127.0.0.1) or ``HOST:PORT``."""
    host, _, port = text.rpartition(":")
    try:
        number = int(port)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise UsageError(f"--metrics-port: {text!r} is not a port (or HOST:PORT)")
    return host or "127.0.0.1", number


class RunMetrics:
    """A registry of its own, served over HTTP until ``close``."""

    def __init__(self, address: str) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        host, port = parse_address(address)
        self.registry = registry = CollectorRegistry()
        name = "taskgov_dispatch_"
        self.tasks = Gauge(
            name + "tasks", "Tasks of the run by status", ["status"], registry=registry
        )
        self.events = Counter(name + "events", "Events of the run", ["event"], registry=registry)
        self.seconds = Histogram(
            name + "task_seconds", "Run time of task commands", buckets=BUCKETS, registry=registry
        )
        self.elapsed = Gauge(name + "elapsed_seconds", "Wall time of the run", registry=registry)
        self.estimate = Gauge(
            name + "plan_estimate_hours", "The plan's critical path", registry=registry
        )
        self.throttled = Gauge(name + "throttled", "1 while starts are held", registry=registry)
        self.load = Gauge(name + "load_percent", "Machine load", ["resource"], registry=registry)
        self.info = Gauge(name + "run_info", "The run", ["run"], registry=registry)
        for status in VIEW_STATUSES:
            self.tasks.labels(status=status).set(0)
        from prometheus_client import start_http_server

        try:
            self.server, self.thread = start_http_server(port, addr=host, registry=registry)
        except OSError as exc:
            raise UsageError(f"--metrics-port: cannot serve on {host}:{port}: {exc}") from None
        self.host, self.port = host, self.server.server_port

    def event(self, record: dict[str, Any]) -> None:
        self.events.labels(event=record["event"]).inc()
        if record["event"] == "run":
            self.info.labels(run=record["run"]).set(1)
        if record["event"] == "finished" and "seconds" in record:
            self.seconds.observe(float(record["seconds"]))

    def board(self, board: dict[str, Any]) -> None:
        for status, count in board["counts"].items():
            self.tasks.labels(status=status).set(count)
        self.elapsed.set(board["elapsed"])
        self.estimate.set(board["plan_hours"])
        self.throttled.set(1 if board["throttled"] else 0)
        for resource, percent in board.get("load", {}).items():
            self.load.labels(resource=resource).set(percent)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
