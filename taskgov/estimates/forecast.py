"""A plan whose durations come from history where the history is good enough: the glue
between ``taskgov.plan`` (which never reads history) and actuals and calibration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from taskgov.estimates.actuals import Actuals, compute_actuals
from taskgov.estimates.calibration import Mode, calibrate, choose_mode, summary
from taskgov.estimates.history import read_history
from taskgov.plan.build import Calibrator, PlanOptions, make_plan
from taskgov.plan.network import Network
from taskgov.repo import Repository
from taskgov.state import TaskState


def actuals_of(repo: Repository, states: Mapping[str, TaskState], revision: str) -> Actuals:
    """The actuals of ``repo``'s finished tasks from the history reachable from
    ``revision`` (a commit id; "" for a repository without commits)."""
    return compute_actuals(repo, states, read_history(repo.root, repo.config, revision))


def forecast(
    repo: Repository,
    states: Mapping[str, TaskState],
    options: PlanOptions,
    *,
    revision: str,
    calibrate_mode: bool | None = None,
    generated_at: str = "",
) -> dict[str, Any]:
    """``make_plan`` with the calibration ``calibrate_mode`` asks for (True, False, or None:
    the policy's threshold decides), reporting in ``calibration`` which mode it used and why.
    History is read only when it could be used."""
    return make_plan(
        repo,
        states,
        options,
        generated_at=generated_at,
        calibrator=calibrator(repo, states, options, revision, calibrate_mode),
    )


def calibrator(
    repo: Repository,
    states: Mapping[str, TaskState],
    options: PlanOptions,
    revision: str,
    requested: bool | None,
) -> Calibrator:
    config = repo.config
    finished = sum(1 for s in states.values() if s.status == "completed")
    threshold = config.calibrate_after
    if requested is False or (requested is None and (threshold == 0 or finished < threshold)):
        # Too few finished tasks to calibrate (or told not to): history is not read.
        early = choose_mode(config, finished, None, requested)
        return lambda network: (network, _report(early, []))
    seed = config.seed if options.seed is None else options.seed

    def apply(network: Network) -> tuple[Network, dict[str, Any]]:
        if network.size == 0:  # nothing left to plan: no history to read
            return network, _report(Mode(False, "nothing left to plan", 0), [])
        actuals = actuals_of(repo, states, revision)
        mode = choose_mode(config, finished, len(actuals.with_ratio()), requested)
        if not mode.calibrated:
            return network, _report(mode, [])
        calibrated, used = calibrate(network, actuals, config, seed)
        return calibrated, _report(mode, summary(calibrated, used))

    return apply


def _report(mode: Mode, classes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "calibrated": mode.calibrated,
        "why": mode.why,
        "history": mode.history,
        "classes": classes,
    }
