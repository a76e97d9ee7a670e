"""``taskgov simulate``: waves with a barrier against a rolling frontier, on the current plan.

Each sample draws every remaining task's duration from the planner's beta-PERT distribution
(``taskgov.plan.montecarlo``) and plays both ways of running the plan with the same draws:

- waves (barrier): the planner's waves (``taskgov.plan.waves``: Kahn layers split so that
  none holds more tasks than workers or more of a resource than its capacity); a wave starts
  when every task of the one before has finished.
- rolling frontier (what ``dispatch --exec`` does): a task starts as soon as its
  prerequisites have finished and a worker and its resources are free, most urgent first
  (the parallel schedule generation scheme of ``taskgov.plan.sgs``).

Utilization is the work done (the sum of the durations) over workers x completion time.
``mutual_exclusion`` dependencies are exclusive tokens in both, as in a dispatch run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from taskgov.errors import CheckFailed, CycleError
from taskgov.repo import Repository
from taskgov.state import TaskState

if TYPE_CHECKING:
    import numpy as np

    from taskgov.plan.build import Calibrator

WORKERS = "workers"


def compare(
    repo: Repository,
    states: Mapping[str, TaskState],
    workers: int,
    *,
    samples: int = 1000,
    seed: int | None = None,
    calibrator: Calibrator | None = None,
) -> dict[str, Any]:
    """Completion time and utilization of both models, as JSON-ready data (hours).
    ``calibrator``: durations from history, as ``taskgov plan`` would draw them."""
    import numpy as np

    from taskgov.dispatch.pools import MUTEX, task_demands
    from taskgov.plan.build import ranked, timing_of, uncalibrated
    from taskgov.plan.cpm import levels
    from taskgov.plan.montecarlo import sample_durations
    from taskgov.plan.network import build_network
    from taskgov.plan.waves import OverCapacity, split_waves

    network = build_network(repo, states)
    if network.cycles:
        raise CycleError("dependency cycle: " + " -> ".join(network.cycles[0]))
    calibration = uncalibrated()
    if calibrator is not None:
        network, calibration = calibrator(network)
    seed = repo.config.seed if seed is None else seed
    order, timing = timing_of(network)
    position = {node: i for i, node in enumerate(ranked(network, timing))}
    pools = task_demands(repo, network.tasks)
    limits = dict(repo.config.resources)
    limits.update({name: 1.0 for need in pools.values() for name in need if MUTEX in name})
    limits[WORKERS] = float(workers)
    demands = [{**pools.get(t.id, {}), WORKERS: 1.0} for t in network.tasks]
    try:
        waves = split_waves(levels(network, order), position.__getitem__, demands, limits)
    except OverCapacity as exc:
        task = network.tasks[exc.node]
        raise CheckFailed(f"{task.path}: {task.id} {exc}") from None
    durations = sample_durations(network, samples=samples, seed=seed)
    barrier = np.zeros(samples)
    for wave in waves:
        barrier += durations[wave].max(axis=0)
    rolling = _rolling(network.succs, demands, limits, position, durations)
    work = durations.sum(axis=0)
    return {
        "tasks": network.size,
        "workers": workers,
        "samples": samples,
        "seed": seed,
        "unit": "hours",
        "waves": len(waves),
        "work": _stats(work),
        "barrier": _model(barrier, work, workers),
        "rolling": _model(rolling, work, workers),
        "speedup": round(float(barrier.mean() / rolling.mean()), 3) if rolling.mean() else None,
        "rolling_not_slower": round(float(np.mean(rolling <= barrier + 1e-9)), 4),
        "calibration": calibration,
    }


def _rolling(
    succs: tuple[tuple[int, ...], ...],
    demands: list[dict[str, float]],
    limits: Mapping[str, float],
    position: Mapping[int, int],
    durations: np.ndarray,
) -> np.ndarray:
    import numpy as np

    from taskgov.plan.rcpsp import Project, prepare
    from taskgov.plan.sgs import parallel

    size, samples = durations.shape
    if size == 0:
        return np.zeros(samples)
    names = sorted(limits)
    network = prepare(
        Project(
            durations=tuple(float(d) for d in durations[:, 0]),
            successors=succs,
            demands=tuple(tuple(d.get(name, 0.0) for name in names) for d in demands),
            capacities=tuple(limits[name] for name in names),
            resource_names=tuple(names),
        )
    )
    key = [(float(position[n]),) for n in range(size)]
    finish = np.empty(samples)
    for sample in range(samples):
        drawn = replace(network, durations=tuple(durations[:, sample].tolist()))
        finish[sample] = parallel(drawn, key)[1]
    return finish


def _stats(values: np.ndarray) -> dict[str, float]:
    import numpy as np

    p50, p80, p95 = (float(v) for v in np.percentile(values, [50, 80, 95]))
    return {
        "mean": round(float(values.mean()), 2),
        "p50": round(p50, 2),
        "p80": round(p80, 2),
        "p95": round(p95, 2),
    }


def _model(makespan: np.ndarray, work: np.ndarray, workers: int) -> dict[str, Any]:
    import numpy as np

    safe = np.where(makespan > 0, makespan, 1.0)
    utilization = np.where(makespan > 0, work / (workers * safe), 0.0)
    return {"completion": _stats(makespan), "utilization": round(float(utilization.mean()), 4)}
