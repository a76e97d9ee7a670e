"""The board of a run: what each task is doing now, for the live view and the metrics.

A task is ``running``, ``merging`` (finished, in the merge queue), ``queued`` (its
prerequisites are merged; it waits for a worker, its resources, a retry's backoff or the
machine's load), ``blocked`` (waits on prerequisites, or ``held`` behind one that failed),
``done`` (merged), ``failed`` or ``skipped``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from taskgov.dispatch.jobs import Job

VIEW_STATUSES = ("running", "merging", "queued", "blocked", "done", "failed", "skipped")


def view_status(job: Job, jobs: Mapping[str, Job]) -> str:
    if job.status == "running":
        return "running"
    if job.status == "queued":
        return "merging"
    if job.status == "pending":
        waiting = any(jobs[p].status != "done" for p in job.preds if p in jobs)
        return "blocked" if waiting else "queued"
    if job.status == "held":
        return "blocked"
    if job.status in ("failed", "cancelled"):
        return "failed"
    return job.status  # done, skipped


def board(
    run: str,
    jobs: Mapping[str, Job],
    started: float,
    plan_hours: float,
    throttled: str = "",
) -> dict[str, Any]:
    """The board as JSON-ready data: seconds elapsed (wall clock), the plan's estimate in
    hours (the critical path on PERT means), counts per status and one row per task."""
    now = time.monotonic()
    rows = []
    counts = dict.fromkeys(VIEW_STATUSES, 0)
    for job in sorted(jobs.values(), key=lambda j: j.rank):
        status = view_status(job, jobs)
        counts[status] += 1
        rows.append(
            {
                "task": job.task.id,
                "title": job.task.title,
                "status": status,
                "worker": job.worker if status == "running" else "",
                "attempt": job.attempts,
                "elapsed": round(now - job.started, 1) if status == "running" else None,
                "estimate_hours": round(job.estimate_hours, 2),
                "reason": job.reason,
            }
        )
    return {
        "run": run,
        "elapsed": round(now - started, 1),
        "plan_hours": round(plan_hours, 2),
        "throttled": throttled,
        "counts": counts,
        "tasks": rows,
    }
