"""``taskgov simulate``: waves with a barrier against a rolling frontier on sampled durations,
checked against the planner's own Monte Carlo and against hand-computed schedules."""

from __future__ import annotations

import numpy as np
import pytest

from taskgov.dispatch.simulate import compare
from taskgov.git.activity import read_activity
from taskgov.repo import load_repo
from taskgov.state import derive_states
from tests.conftest import GitRepo, spec_yaml

A, B, C, D, E = (f"TASK-2026-00{n}" for n in range(1, 6))


def fixed(hours: float) -> str:
    return (
        f"planning:\n  estimate: {{optimistic: {hours}, likely: {hours}, pessimistic: {hours}}}\n"
    )


def loaded(repo: GitRepo):  # type: ignore[no-untyped-def]
    model = load_repo(repo.path)
    return model, derive_states(model, read_activity(repo.path, ""))


def test_fixed_durations_give_the_schedules_worked_out_by_hand(repo: GitRepo, run) -> None:  # type: ignore[no-untyped-def]
    """A (1 h) and B (5 h) wait on nothing; C (1 h) waits on A; D (1 h) on C. With 2 workers
    the waves are {A, B}, {C}, {D}: 5 + 1 + 1 = 7 h. Rolling: C and D run beside B: 5 h."""
    repo.commit(
        "chore: specs",
        {
            f"docs/tasks/active/{A}.yaml": spec_yaml(A, "One", priority="high", extra=fixed(1)),
            f"docs/tasks/active/{B}.yaml": spec_yaml(B, "Two", extra=fixed(5)),
            f"docs/tasks/active/{C}.yaml": spec_yaml(C, "Three", blocked_by=(A,), extra=fixed(1)),
            f"docs/tasks/active/{D}.yaml": spec_yaml(D, "Four", blocked_by=(C,), extra=fixed(1)),
        },
    )
    data = run(repo.path, "simulate", "--workers", "2", "--samples", "50", "--json").json()
    assert isinstance(data, dict)
    assert data["waves"] == 3
    assert data["barrier"]["completion"] == {"mean": 7.0, "p50": 7.0, "p80": 7.0, "p95": 7.0}
    assert data["rolling"]["completion"]["mean"] == 5.0
    assert data["barrier"]["utilization"] == pytest.approx(8 / (2 * 7), abs=1e-4)
    assert data["rolling"]["utilization"] == pytest.approx(8 / (2 * 5), abs=1e-4)
    assert data["speedup"] == 1.4
    assert data["rolling_not_slower"] == 1.0
    one = run(repo.path, "simulate", "--workers", "1", "--samples", "10", "--json").json()
    assert isinstance(one, dict)
    assert one["barrier"]["completion"]["mean"] == one["rolling"]["completion"]["mean"] == 8.0
    text = run(repo.path, "simulate", "--workers", "2", "--samples", "50")
    assert text.code == 0
    assert all(len(line) <= 80 for line in text.out.splitlines())
    assert "waves (3, barrier)" in text.out
    assert "1.4x as fast" in text.out


def test_an_exclusive_resource_is_never_shared(repo: GitRepo) -> None:
    """B and E both need the one db: even with 3 workers they run one after the other."""
    db = "  resources: {db: 1}\n"
    repo.commit(
        "chore: specs",
        {
            "docs/governance/policy.yaml": "resources:\n  db: 1\n",
            f"docs/tasks/active/{B}.yaml": spec_yaml(B, "Two", extra=fixed(2) + db),
            f"docs/tasks/active/{E}.yaml": spec_yaml(E, "Five", extra=fixed(3) + db),
            f"docs/tasks/active/{A}.yaml": spec_yaml(A, "One", extra=fixed(1)),
        },
    )
    data = compare(*loaded(repo), 3, samples=20)
    assert data["rolling"]["completion"]["mean"] == 5.0
    assert data["barrier"]["completion"]["mean"] == 5.0  # waves {A, B}/{E} or {A, E}/{B}


def test_with_enough_workers_the_rolling_frontier_is_the_planners_monte_carlo(
    repo: GitRepo,
) -> None:
    """Nothing limits the frontier, so each sample's completion is its longest path: the
    same draws as ``taskgov plan``'s Monte Carlo give the same numbers."""
    from taskgov.plan.build import timing_of
    from taskgov.plan.cpm import levels
    from taskgov.plan.montecarlo import project_durations
    from taskgov.plan.network import build_network

    repo.commit(
        "chore: specs",
        {
            f"docs/tasks/active/{A}.yaml": spec_yaml(A, "One", effort="2-6h"),
            f"docs/tasks/active/{B}.yaml": spec_yaml(B, "Two", effort="1-9h"),
            f"docs/tasks/active/{C}.yaml": spec_yaml(C, "Three", blocked_by=(A, B), effort="3h"),
            f"docs/tasks/active/{D}.yaml": spec_yaml(D, "Four", blocked_by=(A,), effort="1-2d"),
            f"docs/tasks/active/{E}.yaml": spec_yaml(E, "Five", effort="4-5h"),
        },
    )
    model, states = loaded(repo)
    data = compare(model, states, 5, samples=400, seed=7)
    network = build_network(model, states)
    order, _ = timing_of(network)
    totals = project_durations(network, levels(network, order), samples=400, seed=7)
    p50, p80, p95 = np.percentile(totals, [50, 80, 95])
    assert data["rolling"]["completion"] == {
        "mean": round(float(totals.mean()), 2),
        "p50": round(float(p50), 2),
        "p80": round(float(p80), 2),
        "p95": round(float(p95), 2),
    }
    assert data["barrier"]["completion"]["mean"] >= data["rolling"]["completion"]["mean"]
    assert data["rolling_not_slower"] == 1.0
    again = compare(model, states, 5, samples=400, seed=7)
    assert again == data  # reproducible by seed


def test_bad_samples_and_cycles(repo: GitRepo, run) -> None:  # type: ignore[no-untyped-def]
    repo.commit(
        "chore: specs",
        {
            f"docs/tasks/active/{A}.yaml": spec_yaml(A, "One", blocked_by=(B,)),
            f"docs/tasks/active/{B}.yaml": spec_yaml(B, "Two", blocked_by=(A,)),
        },
    )
    assert run(repo.path, "simulate", "--samples", "0").code == 2
    assert run(repo.path, "simulate").code == 3
