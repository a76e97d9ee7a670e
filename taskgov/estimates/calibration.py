"""Forecasts calibrated on history: reference-class forecasting with each estimator's record.

A remaining task's duration is its expected estimate times a ratio (actual effort / estimate)
drawn from the finished tasks of its most specific reference class that has enough of them
(policy ``estimates.calibration.min_class``): its assignee; else the agent its assignee names;
else its task type; else the whole repository. So a single-number estimate gets the spread the
history shows, and a chronic underestimator's numbers are scaled up, as evidence-based
scheduling does with each developer's past estimate/actual ratios.

Ratios are resampled with a little smoothing (a Gaussian kernel on their logarithms, with
Silverman's bandwidth), so that a class of a handful of tasks still has a continuous
distribution and its P80 lies between past outcomes rather than on one of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from taskgov.config import Config
from taskgov.estimates.actuals import Actuals, percentile
from taskgov.output import plural
from taskgov.plan.montecarlo import QUANTILES
from taskgov.plan.network import DONE, Calibration, Network, quantile_of
from taskgov.policy.commits import is_agent
from taskgov.spec.task import Task

DRAWS = 65_536  # smoothed-bootstrap draws behind each class's quantile table
MIN_BANDWIDTH = 0.05  # on log ratios: a class of identical ratios still gets some spread


@dataclass(frozen=True)
class ReferenceClass:
    by: str  # "assignee", "agent", "type" or "repository"
    name: str
    ratios: tuple[float, ...]

    @property
    def label(self) -> str:
        return "repository" if self.by == "repository" else f"{self.by} {self.name}"

    def table(self, seed: int) -> tuple[float, ...]:
        """The smoothed ratio distribution as ``QUANTILES`` equal-probability quantiles."""
        import numpy as np

        logs = np.log(np.array(self.ratios, dtype=float))
        rng = np.random.default_rng(seed)
        draws = rng.choice(logs, DRAWS) + rng.normal(0.0, bandwidth(logs), DRAWS)
        probabilities = (np.arange(QUANTILES) + 0.5) / QUANTILES
        return tuple(float(v) for v in np.exp(np.quantile(draws, probabilities)))


def bandwidth(logs: Any) -> float:
    """Silverman's rule of thumb for a Gaussian kernel on ``logs`` (log ratios)."""
    import numpy as np

    count = len(logs)
    if count < 2:
        return 0.25
    spread = float(np.std(logs, ddof=1))
    q75, q25 = np.percentile(logs, [75, 25])
    iqr = float(q75 - q25) / 1.34
    scale = min(spread, iqr) if iqr > 0 else spread
    return float(max(MIN_BANDWIDTH, 0.9 * scale * float(count) ** -0.2))


@dataclass(frozen=True)
class Mode:
    """Which estimates a plan used, and why."""

    calibrated: bool
    why: str
    history: int  # finished tasks with an estimate and measured effort


def choose_mode(
    config: Config, finished: int, with_actuals: int | None, requested: bool | None
) -> Mode:
    """Calibrated or not, and why. ``finished``: completed tasks; ``with_actuals``: those
    with an estimate of their own and a measured effort (``None``: history not read, as
    there are too few finished tasks to matter). ``requested``: True for ``--calibrate``,
    False for ``--no-calibrate``, None: policy ``estimates.calibration.auto_after`` decides."""
    threshold = config.calibrate_after
    count = finished if with_actuals is None else with_actuals
    if with_actuals is None:
        tasks = f"{plural(finished, 'finished task')}"
    elif with_actuals == finished:
        tasks = f"{plural(finished, 'finished task')} with actuals"
    else:
        tasks = f"{with_actuals} of {plural(finished, 'finished task')} with actuals"
    if requested is False:
        return Mode(False, "--no-calibrate: the specs' estimates as written", count)
    if requested:
        if count == 0:
            return Mode(
                False,
                f"--calibrate, but {tasks}: actuals need an estimate of the task's own and "
                "commits that name it (see taskgov actuals)",
                count,
            )
        return Mode(True, f"--calibrate: {tasks}", count)
    if threshold == 0:
        return Mode(False, "estimates.calibration.auto_after is 0: only with --calibrate", count)
    if with_actuals is not None and count >= threshold:
        return Mode(True, f"{tasks} (estimates.calibration.auto_after: {threshold})", count)
    return Mode(
        False,
        f"{tasks}; plan calibrates by itself from {threshold} with actuals "
        "(estimates.calibration.auto_after), or use --calibrate",
        count,
    )


def reference_classes(actuals: Actuals, config: Config) -> dict[tuple[str, str], ReferenceClass]:
    """Every group of ``actuals`` but milestones with at least ``min_class`` finished tasks,
    and the whole repository, by (by, name)."""
    classes = {
        (g.by, g.name): ReferenceClass(g.by, g.name, _positive(g.ratios))
        for g in actuals.groups
        if g.by != "milestone" and g.count >= config.calibrate_min_class
    }
    usable = [a.ratio for a in actuals.with_ratio() if a.ratio is not None]
    if usable:
        classes[("repository", "")] = ReferenceClass("repository", "", _positive(usable))
    return classes


def _positive(ratios: Sequence[float]) -> tuple[float, ...]:
    """Ratios with a floor above 0, for their logarithms (a task done in no time)."""
    return tuple(max(ratio, 1e-3) for ratio in ratios)


def class_for(
    task: Task, classes: dict[tuple[str, str], ReferenceClass], config: Config
) -> ReferenceClass | None:
    """The most specific reference class with enough history for ``task``."""
    if task.assignee:
        found = classes.get(("assignee", task.assignee))
        if found:
            return found
        if is_agent(task.assignee, config.agents_allowed):
            for (by, name), candidate in sorted(classes.items()):
                if by == "agent" and (
                    name.lower() == task.assignee.lower() or is_agent(task.assignee, (name,))
                ):
                    return candidate
    if task.type:
        found = classes.get(("type", task.type))
        if found:
            return found
    return classes.get(("repository", ""))


def calibrate(
    network: Network, actuals: Actuals, config: Config, seed: int
) -> tuple[Network, list[ReferenceClass]]:
    """``network`` with every task's duration drawn from its reference class's history, and
    the classes used (row ``n`` of the calibration is ``classes[n]``)."""
    classes = reference_classes(actuals, config)
    used: list[ReferenceClass] = []
    rows = []
    for task, status, estimate in zip(
        network.tasks, network.statuses, network.estimates, strict=True
    ):
        # History scales estimates: a task without one of its own (or an unreadable spec's
        # placeholder) keeps the policy's default, and finished work (plan --all) stays.
        own = estimate.source != "default" and estimate.expected > 0 and not task.unreadable
        found = class_for(task, classes, config) if own and status not in DONE else None
        if found is None:
            rows.append(-1)
            continue
        if found not in used:
            used.append(found)
        rows.append(used.index(found))
    tables = tuple(c.table(seed + n) for n, c in enumerate(used))
    means = tuple(sum(t) / len(t) for t in tables)
    calibration = Calibration(
        scales=tuple(e.expected for e in network.estimates),
        rows=tuple(rows),
        tables=tables,
        means=means,
        deviations=tuple(
            math.sqrt(sum((v - mean) ** 2 for v in t) / len(t))
            for t, mean in zip(tables, means, strict=True)
        ),
    )
    return replace(network, calibration=calibration), used


def summary(network: Network, used: Sequence[ReferenceClass]) -> list[dict[str, Any]]:
    """The reference classes a calibrated plan used: their history and the tasks they set."""
    calibration = network.calibration
    if calibration is None:
        return []
    tasks: dict[int, list[str]] = {}
    for node, row in enumerate(calibration.rows):
        if row >= 0:
            tasks.setdefault(row, []).append(network.tasks[node].id)
    return [
        {
            "class": found.label,
            "by": found.by,
            "name": found.name or None,
            "history": len(found.ratios),
            "median_ratio": round(percentile(list(found.ratios), 0.5), 3),
            "mean_ratio": round(calibration.means[row], 3),
            "p80_ratio": round(quantile_of(calibration.tables[row], 0.8), 3),
            "tasks": tasks.get(row, []),
        }
        for row, found in enumerate(used)
    ]
