"""``taskgov plan`` and ``ready``'s ranking on real repositories: a textbook PERT network with
published answers, soft dependencies, cycles, redundant edges, waves and the Monte Carlo."""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest
from conftest import GitRepo, spec_yaml

from taskgov.plan.cpm import redundant_edges
from taskgov.plan.montecarlo import beta_pert, pert_stddev
from taskgov.plan.network import Network
from taskgov.spec.effort import Estimate
from taskgov.spec.task import Task

# Hillier & Lieberman, Introduction to Operations Research, the Reliable Construction Co.
# project: (activity, optimistic, most likely, pessimistic, predecessors). Published answers:
# critical path A B C E F J L N, mean length 44, variance 9, and slacks D/G/H/M 4, I 2, K 1.
RELIABLE = [
    ("A", 1, 2, 3, ""),
    ("B", 2, 3.5, 8, "A"),
    ("C", 6, 9, 18, "B"),
    ("D", 4, 5.5, 10, "C"),
    ("E", 1, 4.5, 5, "C"),
    ("F", 4, 4, 10, "E"),
    ("G", 5, 6.5, 11, "D"),
    ("H", 5, 8, 17, "EG"),
    ("I", 3, 7.5, 9, "C"),
    ("J", 3, 9, 9, "FI"),
    ("K", 4, 4, 4, "J"),
    ("L", 1, 5.5, 7, "J"),
    ("M", 1, 2, 3, "H"),
    ("N", 5, 5.5, 9, "KL"),
]


def tid(letter: str) -> str:
    return f"TASK-2026-{ord(letter) - ord('A') + 1:03d}"


def write_reliable(repo: GitRepo) -> None:
    blocks: dict[str, list[str]] = {}
    for name, *_, preds in RELIABLE:
        for p in preds:
            blocks.setdefault(tid(p), []).append(tid(name))
    files = {}
    for name, o, m, p, preds in RELIABLE:
        files[f"docs/tasks/active/{tid(name)}.yaml"] = spec_yaml(
            tid(name),
            f"Build step {name}",
            blocked_by=tuple(tid(x) for x in preds),
            blocks=tuple(blocks.get(tid(name), ())),
            extra=f"planning:\n  estimate: {{optimistic: {o}, likely: {m}, pessimistic: {p}}}\n",
        )
    repo.commit("Add the project", files)


def test_textbook_pert_network_gives_the_published_answers(run, repo: GitRepo) -> None:
    write_reliable(repo)
    result = run(repo.path, "plan", "--json", "--deadline", "47")
    assert result.code == 0, result.err
    data = result.json()
    assert data["critical_path"] == [tid(x) for x in "ABCEFJLN"]
    assert data["expected_duration"] == 44
    slack = {t["id"]: t["slack"] for t in data["tasks"]}
    assert {x: slack[tid(x)] for x in "DGHMIK"} == {
        "D": 4,
        "G": 4,
        "H": 4,
        "M": 4,
        "I": 2,
        "K": 1,
    }
    assert all(slack[tid(x)] == 0 for x in "ABCEFJLN")
    on_path = [t for t in data["tasks"] if t["id"] in data["critical_path"]]
    # The textbook's variance ((p - o) / 6)^2; taskgov reports the beta-PERT distribution's own
    # standard deviation, the one it samples from, which is a little wider.
    assert sum(((t["pessimistic"] - t["optimistic"]) / 6) ** 2 for t in on_path) == 9
    assert sum(t["stddev"] ** 2 for t in on_path) == pytest.approx(9.30, abs=0.01)
    # The normal approximation on the one path says P(T <= 47) = Phi(1) = 0.841; paths that
    # merge into J, H and N make the whole network slower, which the simulation captures.
    estimates = data["estimates"]
    assert 44 < estimates["mean"] < 45.5
    assert 0.70 < data["deadline_probability"] < 0.841
    assert estimates["p50"] < estimates["p80"] < estimates["p95"]
    assert 2.5 < data["stddev"] < 3.5
    assert data["metrics"]["nodes"] == 14
    assert data["metrics"]["edges"] == 16
    assert data["metrics"]["longest_path"] == 8  # A B C E F J L N, the deepest chain
    assert data["waves"][0] == [tid("A")]


def test_the_simulation_is_reproducible_and_depends_on_the_seed(run, repo: GitRepo) -> None:
    write_reliable(repo)
    first = run(repo.path, "plan", "--json").json()
    again = run(repo.path, "plan", "--json").json()
    other = run(repo.path, "plan", "--json", "--seed", "7").json()
    assert first == again
    assert first["estimates"]["seed"] == 0
    assert other["estimates"]["seed"] == 7
    assert first["estimates"] != other["estimates"]
    assert other["estimates"]["p50"] == pytest.approx(first["estimates"]["p50"], abs=0.3)


def test_a_single_chain_matches_the_sum_of_its_tasks() -> None:
    from taskgov.plan.montecarlo import simulate

    estimates = [Estimate(o, m, p) for _, o, m, p, _ in RELIABLE]
    size = len(estimates)
    network = Network(
        tasks=tuple(Task(f"T{i}", "Do it", "ready", "medium", f"T{i}.yaml") for i in range(size)),
        statuses=("ready",) * size,
        estimates=tuple(estimates),
        preds=((), *tuple((i - 1,) for i in range(1, size))),
        succs=(*tuple((i + 1,) for i in range(size - 1)), ()),
        edges=(),
        soft=(),
    )
    result = simulate(network, list(range(size)), samples=20_000, seed=3)
    mean = sum(e.expected for e in estimates)
    sd = math.sqrt(sum(pert_stddev(e) ** 2 for e in estimates))
    assert result.mean == pytest.approx(mean, abs=0.1)
    assert result.stddev == pytest.approx(sd, rel=0.03)


def test_beta_pert_shape() -> None:
    assert beta_pert(Estimate(2, 2, 2)) == (1.0, 1.0)
    alpha, beta = beta_pert(Estimate(0, 2, 6))
    assert (alpha, beta) == (pytest.approx(1 + 4 * 2 / 6), pytest.approx(1 + 4 * 4 / 6))
    assert pert_stddev(Estimate(0, 3, 6)) == pytest.approx(6 / math.sqrt(28))


def test_soft_dependencies_are_listed_and_left_out(run, repo: GitRepo) -> None:
    repo.commit(
        "specs",
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001"),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002",
                extra="""\
                planning:
                  depends_on:
                    - {task: TASK-2026-001, confidence: 0.3}
                    - {task: TASK-2026-003, hard: false}
                """,
            ),
            "docs/tasks/active/TASK-2026-003.yaml": spec_yaml("TASK-2026-003"),
        },
    )
    data = run(repo.path, "plan", "--json").json()
    assert data["edges"] == []
    assert [(e["from"], e["to"], e["reason"]) for e in data["soft_edges"]] == [
        ("TASK-2026-001", "TASK-2026-002", "confidence 0.3 below 0.5"),
        ("TASK-2026-003", "TASK-2026-002", "not hard"),
    ]
    assert data["waves"] == [["TASK-2026-001", "TASK-2026-002", "TASK-2026-003"]]
    lowered = run(repo.path, "plan", "--json", "--min-confidence", "0.2").json()
    assert [(e["from"], e["to"]) for e in lowered["edges"]] == [("TASK-2026-001", "TASK-2026-002")]
    assert lowered["expected_duration"] == 8


def test_cycles_exit_3_with_each_cycle_as_a_path(run, repo: GitRepo) -> None:
    repo.commit(
        "specs",
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml(
                "TASK-2026-001", blocked_by=("TASK-2026-002",), blocks=("TASK-2026-002",)
            ),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", blocked_by=("TASK-2026-001",), blocks=("TASK-2026-001",)
            ),
            "docs/tasks/active/TASK-2026-003.yaml": spec_yaml("TASK-2026-003"),
        },
    )
    result = run(repo.path, "plan")
    assert result.code == 3
    assert result.err.strip() == "dependency cycle: TASK-2026-001 -> TASK-2026-002 -> TASK-2026-001"
    as_json = run(repo.path, "plan", "--json")
    assert as_json.code == 3
    assert as_json.json()["cycles"] == [["TASK-2026-001", "TASK-2026-002", "TASK-2026-001"]]
    ready = run(repo.path, "ready", "--json").json()["ready"]
    assert [(t["id"], t["slack_hours"]) for t in ready] == [("TASK-2026-003", None)]


def test_redundant_edges_are_reported_with_the_longer_path(run, repo: GitRepo) -> None:
    repo.commit(
        "specs",
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml(
                "TASK-2026-001", blocks=("TASK-2026-002", "TASK-2026-003")
            ),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", blocked_by=("TASK-2026-001",), blocks=("TASK-2026-003",)
            ),
            "docs/tasks/active/TASK-2026-003.yaml": spec_yaml(
                "TASK-2026-003", blocked_by=("TASK-2026-001", "TASK-2026-002")
            ),
        },
    )
    data = run(repo.path, "plan", "--json").json()
    assert data["redundant_edges"] == [
        {"from": "TASK-2026-001", "to": "TASK-2026-003", "via": "TASK-2026-002"}
    ]
    assert len(data["edges"]) == 3  # reported, never dropped


@pytest.mark.parametrize("seed", range(20))
def test_redundant_edges_match_networkx_transitive_reduction(seed: int) -> None:
    rng = random.Random(seed)
    size = rng.randint(2, 60)
    pairs = {
        (a, b)
        for _ in range(rng.randint(0, size * 3))
        for a, b in [sorted(rng.sample(range(size), 2))]
    }
    preds: list[list[int]] = [[] for _ in range(size)]
    succs: list[list[int]] = [[] for _ in range(size)]
    for a, b in pairs:
        succs[a].append(b)
        preds[b].append(a)
    network = Network(
        tasks=(),
        statuses=(),
        estimates=(),
        preds=tuple(tuple(p) for p in preds),
        succs=tuple(tuple(s) for s in succs),
        edges=(),
        soft=(),
    )
    order = list(range(size))
    found = redundant_edges(network, order)
    graph = nx.DiGraph(list(pairs))
    graph.add_nodes_from(range(size))
    expected = pairs - set(nx.transitive_reduction(graph).edges)
    assert {(a, b) for a, b, _ in found} == expected
    for a, b, via in found:
        assert via in succs[a]
        assert via != b
        assert nx.has_path(graph, via, b)


def test_waves_split_by_size_and_resources(run, repo: GitRepo) -> None:
    gpu = "planning:\n  resources: {gpu: 1}\n"
    repo.commit(
        "specs",
        {
            "docs/governance/policy.yaml": "resources:\n  gpu: 1\n",
            **{
                f"docs/tasks/active/TASK-2026-00{n}.yaml": spec_yaml(
                    f"TASK-2026-00{n}", extra=gpu if n <= 2 else ""
                )
                for n in range(1, 6)
            },
        },
    )
    data = run(repo.path, "plan", "--json").json()
    assert data["waves"] == [
        ["TASK-2026-001", "TASK-2026-003", "TASK-2026-004", "TASK-2026-005"],
        ["TASK-2026-002"],
    ]
    sized = run(repo.path, "plan", "--json", "--max-wave-size", "2").json()
    assert sized["waves"] == [
        ["TASK-2026-001", "TASK-2026-003"],
        ["TASK-2026-002", "TASK-2026-004"],
        ["TASK-2026-005"],
    ]
    assert {t["id"]: t["wave"] for t in sized["tasks"]}["TASK-2026-005"] == 2


def test_a_task_asking_more_than_a_resource_has_is_an_error(run, repo: GitRepo) -> None:
    repo.commit(
        "specs",
        {
            "docs/governance/policy.yaml": "resources:\n  gpu: 1\n",
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml(
                "TASK-2026-001", extra="planning:\n  resources: {gpu: 2}\n"
            ),
        },
    )
    result = run(repo.path, "plan")
    assert result.code == 1
    assert result.err.strip() == (
        "taskgov: error: docs/tasks/active/TASK-2026-001.yaml: TASK-2026-001 needs 2 gpu but the "
        "policy provides 1"
    )


def test_estimates_fall_back_to_effort_then_the_default_and_say_so(run, repo: GitRepo) -> None:
    repo.commit(
        "specs",
        {
            "docs/governance/policy.yaml": "estimates:\n  default_hours: 5\n",
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", effort="2-4d"),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml("TASK-2026-002", effort=""),
        },
    )
    data = run(repo.path, "plan", "--json").json()
    tasks = {t["id"]: t for t in data["tasks"]}
    assert tasks["TASK-2026-001"]["optimistic"] == 16
    assert tasks["TASK-2026-001"]["pessimistic"] == 32
    assert tasks["TASK-2026-001"]["estimate_source"] == "classification.estimated_effort"
    assert tasks["TASK-2026-002"]["expected"] == 5
    assert tasks["TASK-2026-002"]["estimate_source"] == "default"
    assert any("5 h assumed" in note and "TASK-2026-002" in note for note in data["assumptions"])
    text = run(repo.path, "plan")
    assert "note: 1 task has no estimate; 5 h assumed" in text.err


def _chain(efforts: list[str], extra: dict[int, str] | None = None) -> dict[str, str]:
    """A chain of tasks, one effort each (``extra``: more spec text by position)."""
    ids = [f"TASK-2026-{n:03d}" for n in range(1, len(efforts) + 1)]
    return {
        f"docs/tasks/active/{task}.yaml": spec_yaml(
            task,
            effort=effort,
            blocked_by=tuple(ids[n - 1 : n]) if n else (),
            blocks=tuple(ids[n + 1 : n + 2]),
            extra=(extra or {}).get(n, ""),
        )
        for n, (task, effort) in enumerate(zip(ids, efforts, strict=True))
    }


def test_single_number_estimates_get_the_default_spread_and_say_so(run, repo: GitRepo) -> None:
    equal = "planning:\n  estimate: {optimistic: 6, likely: 6, pessimistic: 6}\n"
    repo.commit("specs", _chain(["8h", "1d", "2-4h", "", "6h"], extra={4: equal}))
    data = run(repo.path, "plan", "--json").json()
    tasks = {t["id"]: t for t in data["tasks"]}
    # a single number is the expected effort, from 0.75x to 1.75x it
    assert tasks["TASK-2026-001"]["optimistic"] == 6
    assert tasks["TASK-2026-001"]["likely"] == 7
    assert tasks["TASK-2026-001"]["pessimistic"] == 14
    assert tasks["TASK-2026-001"]["expected"] == 8
    assert tasks["TASK-2026-004"]["expected"] == 8  # the default, spread as well
    assert tasks["TASK-2026-004"]["pessimistic"] == 14
    assert (tasks["TASK-2026-003"]["optimistic"], tasks["TASK-2026-003"]["pessimistic"]) == (2, 4)
    assert tasks["TASK-2026-005"]["stddev"] == 0  # three equal points are taken as written
    assert data["expected_duration"] == 8 + 8 + 3 + 8 + 6  # the means are the numbers written
    assert data["single_point_spread"] == {
        "low": 0.75,
        "high": 1.75,
        "applied_to": ["TASK-2026-001", "TASK-2026-002", "TASK-2026-004"],
    }
    estimates = data["estimates"]
    assert estimates["p50"] < estimates["p80"] < estimates["p95"]
    assert any(
        "3 single-number estimates read as the expected effort, spread 0.75x to 1.75x" in note
        for note in data["assumptions"]
    )
    text = run(repo.path, "plan")
    assert "estimates.single_point_spread" in text.err


def test_a_spread_of_one_plans_single_numbers_as_exact(run, repo: GitRepo) -> None:
    policy = "estimates:\n  single_point_spread: [1, 1]\n"
    repo.commit("specs", {"docs/governance/policy.yaml": policy, **_chain(["8h", "4h"])})
    data = run(repo.path, "plan", "--json").json()
    assert data["estimates"]["p50"] == data["estimates"]["p95"] == 12
    assert data["single_point_spread"]["applied_to"] == []
    assert any("planned as exact" in note for note in data["assumptions"])


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("[2, 3]", "0 < low <= 1 <= high <= 10"),
        ("[0.9, 9]", "too lopsided"),
        ("[0.5]", "single_point_spread"),
        ("wide", "single_point_spread"),
    ],
)
def test_a_bad_spread_is_a_one_line_error(run, repo: GitRepo, value: str, words: str) -> None:
    policy = f"estimates:\n  single_point_spread: {value}\n"
    repo.commit("specs", {"docs/governance/policy.yaml": policy, **_chain(["8h"])})
    result = run(repo.path, "plan")
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert "docs/governance/policy.yaml" in result.err
    assert words in result.err
    assert "Traceback" not in result.err


def test_completed_work_is_left_out_unless_all(run, repo: GitRepo) -> None:
    repo.commit(
        "specs",
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml(
                "TASK-2026-001", status="completed", blocks=("TASK-2026-002",)
            ),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", blocked_by=("TASK-2026-001",)
            ),
        },
    )
    remaining = run(repo.path, "plan", "--json").json()
    assert [t["id"] for t in remaining["tasks"]] == ["TASK-2026-002"]
    assert remaining["expected_duration"] == 4
    everything = run(repo.path, "plan", "--json", "--all").json()
    assert everything["scope"] == "all"
    assert everything["critical_path"] == ["TASK-2026-001", "TASK-2026-002"]
    assert everything["expected_duration"] == 8


def test_ready_ranks_by_priority_then_slack_then_id(run, repo: GitRepo) -> None:
    repo.commit(
        "specs",
        {
            # 001 and 002 are both ready and medium; 002 leads into a long chain, so it has
            # no slack and comes first despite its id.
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001", effort="2h"),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", effort="2h", blocks=("TASK-2026-003",)
            ),
            "docs/tasks/active/TASK-2026-003.yaml": spec_yaml(
                "TASK-2026-003", effort="10h", blocked_by=("TASK-2026-002",)
            ),
            "docs/tasks/active/TASK-2026-004.yaml": spec_yaml("TASK-2026-004", priority="high"),
        },
    )
    ready = run(repo.path, "ready", "--json").json()["ready"]
    assert [(t["id"], t["slack_hours"]) for t in ready] == [
        ("TASK-2026-004", 8.0),
        ("TASK-2026-002", 0.0),
        ("TASK-2026-001", 10.0),
    ]
    text = run(repo.path, "ready").out.splitlines()
    assert text[0].split() == ["ID", "PRIORITY", "MILESTONE", "HOURS", "SLACK", "TITLE"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--deadline", "-1"), "Invalid value for '--deadline'"),
        (("--json", "--format", "md"), "--json and --format are exclusive"),
        (("--samples", "5"), "Invalid value for '--samples'"),
        (("--min-confidence", "2"), "Invalid value for '--min-confidence'"),
    ],
)
def test_bad_options_exit_2(run, repo: GitRepo, args: tuple[str, ...], message: str) -> None:
    repo.commit("specs", {"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    result = run(repo.path, "plan", *args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_policy_planning_defaults_apply(run, repo: GitRepo) -> None:
    repo.commit(
        "specs",
        {
            "docs/governance/policy.yaml": "planning:\n  samples: 500\n  seed: 9\n",
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001"),
        },
    )
    data = run(repo.path, "plan", "--json").json()
    assert (data["estimates"]["samples"], data["estimates"]["seed"]) == (500, 9)
    repo.write({"docs/governance/policy.yaml": "planning:\n  samples: 5\n"})
    bad = run(repo.path, "plan")
    assert bad.code == 2
    assert "docs/governance/policy.yaml:2: planning.samples:" in bad.err


def test_stats_counts_hours_and_the_team_duration(run, repo: GitRepo) -> None:
    write_reliable(repo)
    data = run(repo.path, "stats", "--json", "--workers", "2").json()
    assert data["tasks"] == 14
    assert data["by_status"] == {"ready": 1, "blocked": 13}
    assert data["by_milestone"] == {"M1": 14}
    work = sum((o + 4 * m + p) / 6 for _, o, m, p, _ in RELIABLE)
    assert data["hours"]["remaining"] == pytest.approx(work, abs=0.01)
    assert data["critical_path"] == {"tasks": [tid(x) for x in "ABCEFJLN"], "hours": 44}
    assert data["parallelizable_share"] == pytest.approx(1 - 44 / work, abs=1e-4)
    duration = data["duration"]
    assert duration["one_worker_hours"] == pytest.approx(work, abs=0.01)
    # Two workers cannot beat the critical path, nor half the work.
    assert max(44, work / 2) <= duration["team_hours"] < work
    text = run(repo.path, "stats", "--workers", "2").out
    assert "critical path: 44 h through 8 tasks" in text
    assert f"with 2 workers ({duration['speedup']:g}x)" in text


def test_the_schedule_respects_workers_and_resources(run, repo: GitRepo) -> None:
    from taskgov.plan.rcpsp import Project, check

    write_reliable(repo)
    data = run(repo.path, "plan", "--json", "--workers", "1").json()
    tasks = {t["id"]: t for t in data["tasks"]}
    assert data["makespan"] == pytest.approx(sum(t["expected"] for t in tasks.values()), abs=0.05)
    ids = [t["id"] for t in data["tasks"]]
    starts = {row["id"]: row["start"] for row in data["schedule"]}
    succs = {i: [] for i in ids}
    for edge in data["edges"]:
        succs[edge["from"]].append(ids.index(edge["to"]))
    project = Project(
        durations=tuple(tasks[i]["expected"] for i in ids),
        successors=tuple(tuple(succs[i]) for i in ids),
        demands=tuple((1.0,) for _ in ids),
        capacities=(1.0,),
    )
    assert check(project, [starts[i] for i in ids], tolerance=0.02) == []
    two = run(repo.path, "plan", "--json", "--workers", "2").json()
    assert 44 <= two["makespan"] < data["makespan"]


def test_plan_out_writes_the_artifacts_deterministically(run, repo: GitRepo, monkeypatch) -> None:
    write_reliable(repo)
    out = repo.path / "build" / "plan"
    first = run(repo.path, "plan", "--out", str(out))
    assert first.code == 0, first.err
    written = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(written) == ["Plan.md", "dag.json", "waves.json"]
    assert b"```mermaid\ngantt" in written["Plan.md"]
    again = run(repo.path, "plan", "--out", str(out))
    assert again.code == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == written
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    stamped = run(repo.path, "plan", "--json").json()
    assert stamped["generated_at"] == "1970-01-02T00:00:00Z"


def test_ready_answers_from_the_cache_until_something_changes(
    run, repo: GitRepo, monkeypatch
) -> None:
    from taskgov.spec import snapshot

    repo.commit(
        "specs",
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001"),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml("TASK-2026-002"),
        },
    )
    answer = repo.path / ".git" / "taskgov" / "ready.answer"

    def ids() -> list[str]:
        return [t["id"] for t in run(repo.path, "ready", "--json").json()["ready"]]

    # Files written in the last two seconds are "racy": no answer is cached for them.
    assert ids() == ["TASK-2026-001", "TASK-2026-002"]
    assert not answer.exists()
    monkeypatch.setattr(snapshot, "RACY_NS", 0)  # what two seconds of waiting would do
    assert ids() == ["TASK-2026-001", "TASK-2026-002"]
    assert answer.exists()
    cached = answer.read_bytes()
    assert ids() == ["TASK-2026-001", "TASK-2026-002"]
    assert answer.read_bytes() == cached  # answered from the cache
    # An edit of the same size is seen through the file's stat data.
    spec = repo.spec("TASK-2026-002")
    spec.write_text(spec.read_text().replace('"ready"', '"draft"'))
    assert ids() == ["TASK-2026-001"]
    # A commit that closes a task changes HEAD, and with it the answer.
    repo.git("add", "-A")
    repo.git("commit", "-qm", "Finish it\n\nCloses: TASK-2026-001")
    assert ids() == []
    # So does the policy: the answer is computed and stored again.
    before = answer.read_bytes()
    repo.write({"docs/governance/policy.yaml": "estimates:\n  default_hours: 3\n"})
    assert ids() == []
    assert answer.read_bytes() != before


def test_the_library_plans_like_the_cli(run, repo: GitRepo) -> None:
    import taskgov

    write_reliable(repo)
    loaded = taskgov.load_repo(repo.path)
    activity = taskgov.read_activity(loaded.root, loaded.config.target_branch)
    states = taskgov.derive_states(loaded, activity)
    plan = taskgov.make_plan(loaded, states, taskgov.PlanOptions(workers=2, deadline=47))
    cli = run(repo.path, "plan", "--json", "--workers", "2", "--deadline", "47").json()
    assert plan["critical_path"] == cli["critical_path"]
    assert plan["estimates"] == cli["estimates"]
    assert plan["schedule"] == cli["schedule"]
    assert [t.id for t in taskgov.frontier(loaded, states)] == [tid("A")]
    assert taskgov.project_stats(loaded, states, 2)["critical_path"]["hours"] == 44


def test_leaving_out_transitive_edges_does_not_change_the_simulation(repo: GitRepo) -> None:
    import numpy as np

    import taskgov
    from taskgov.plan.build import timing_of
    from taskgov.plan.cpm import levels
    from taskgov.plan.montecarlo import project_durations
    from taskgov.plan.network import build_network

    write_reliable(repo)
    loaded = taskgov.load_repo(repo.path)
    network = build_network(loaded, taskgov.derive_states(loaded))
    order, _ = timing_of(network)
    depth = levels(network, order)
    # B -> H would be implied by B -> C -> E -> H: add it as a declared, redundant edge.
    extra = [(network.index[tid("B")], network.index[tid("H")])]
    preds = [list(p) for p in network.preds]
    preds[extra[0][1]].append(extra[0][0])
    widened = Network(
        network.tasks,
        network.statuses,
        network.estimates,
        tuple(tuple(sorted(p)) for p in preds),
        network.succs,
        (),
        (),
    )
    plain = project_durations(network, depth, samples=2000, seed=1)
    with_edge = project_durations(widened, depth, samples=2000, seed=1)
    skipped = project_durations(widened, depth, samples=2000, seed=1, redundant=extra)
    assert np.array_equal(plain, with_edge)
    assert np.array_equal(plain, skipped)


@pytest.mark.parametrize(
    ("fmt", "start"), [("mermaid", "flowchart"), ("dot", "digraph"), ("md", "#")]
)
def test_plan_prints_other_formats(run, repo: GitRepo, fmt: str, start: str) -> None:
    write_reliable(repo)
    result = run(repo.path, "plan", "--format", fmt)
    assert result.code == 0, result.err
    assert result.out.lstrip().startswith(start)
    assert tid("N").replace("-", "_") in result.out or tid("N") in result.out


def test_tasks_waiting_on_a_task_with_no_spec_are_held_as_ready_leaves_them_out(
    run, repo: GitRepo
) -> None:  # type: ignore[no-untyped-def]
    repo.write(
        {
            "docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001"),
            "docs/tasks/active/TASK-2026-002.yaml": spec_yaml(
                "TASK-2026-002", blocked_by=("TASK-2026-404",)
            ),
            "docs/tasks/active/TASK-2026-003.yaml": spec_yaml(
                "TASK-2026-003", blocked_by=("TASK-2026-002",)
            ),
        }
    )
    repo.commit("chore: specs")
    plan = run(repo.path, "plan", "--json").json()
    assert [t["id"] for t in plan["tasks"]] == ["TASK-2026-001"]
    assert plan["waves"] == [["TASK-2026-001"]]
    assert plan["held"] == [
        {"id": "TASK-2026-002", "reason": "depends on TASK-2026-404, which exists nowhere"},
        {"id": "TASK-2026-003", "reason": "waits on TASK-2026-002, which is held"},
    ]
    ready = run(repo.path, "ready", "--json").json()
    assert [t["id"] for t in ready["ready"]] == ["TASK-2026-001"]
    text = run(repo.path, "plan").out
    assert "held, not scheduled (2 tasks):" in text
