"""One log record per commit, in the seed's field names plus taskgov's."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from taskgov.config import Config
from taskgov.git.history import Commit
from taskgov.git.trailers import parse_trailers, trailer_ids
from taskgov.policy.commits import human_approvals, is_agent, name_of

# Conventional Commit types and the seed's words for them.
TYPES = {
    "feat": "feature",
    "feature": "feature",
    "fix": "bugfix",
    "bugfix": "bugfix",
    "refactor": "refactor",
    "docs": "documentation",
    "doc": "documentation",
    "test": "test",
    "tests": "test",
    "perf": "performance",
    "build": "build",
    "ci": "ci",
    "chore": "chore",
    "style": "style",
    "revert": "revert",
    "calibration": "calibration",
}
_CONVENTIONAL = re.compile(r"^(?P<type>[A-Za-z]+)(?:\([^)]*\))?!?:\s*(?P<rest>.*)$")
_SQUASH_PR = re.compile(r"\s*\(#(?P<number>\d+)\)\s*$")
_MERGE_PR = re.compile(r"^Merge pull request #(?P<number>\d+)\b")

# Fields derived from history (verify compares these); the rest are observations of the
# post-commit hook, which history cannot recreate and rebuild carries over.
SEED_FIELDS = (
    "date",
    "commit",
    "type",
    "summary",
    "files_changed",
    "lines_added",
    "lines_removed",
    "decision_id",
    "human_approved",
    "approver",
    "task_id",
    "branch",
    "pr",
)
TASKGOV_FIELDS = (
    "author",
    "co_authors",
    "ai_assisted",
    "agents",
    "task_ids",
    "closes",
    "decision_ids",
    "reviewers",
    "merge",
)
DERIVED = SEED_FIELDS + TASKGOV_FIELDS
OBSERVED = ("agent_env", "hand_kept")
# Seed fields a person may write by hand that history cannot know better.
HAND_FIELDS = ("type", "summary", "decision_id", "human_approved", "approver", "task_id", "pr")


_STRICT_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:Z|([+-])(\d\d):(\d\d))"
)


def utc_date(stamp: str) -> str:
    """The UTC calendar date of an ISO 8601 time with offset, as git prints it. The log's
    ``date`` is the author date in UTC, the convention of the seed's own log.

    git's strict ISO form (``%aI``) is read by hand: every commit pays for this, and the
    ``datetime`` module costs the hook more to import than the arithmetic below."""
    match = _STRICT_ISO.fullmatch(stamp)
    if match is None:
        return _utc_date_of_any(stamp)
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    sign, off_hours, off_minutes = match.groups()[6:]
    offset = (int(off_hours) * 60 + int(off_minutes)) * (-1 if sign == "-" else 1) if sign else 0
    days = _days_from_civil(year, month, day)
    if _civil_from_days(days) != (year, month, day) or hour > 23 or minute > 59 or second > 59:
        return _utc_date_of_any(stamp)  # not a real date: as datetime says
    shifted = days + (hour * 60 + minute - offset) // 1440
    year, month, day = _civil_from_days(shifted)
    return f"{year:04d}-{month:02d}-{day:02d}"


def _utc_date_of_any(stamp: str) -> str:
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp[:10]
    if moment.tzinfo is None:
        return moment.date().isoformat()
    return moment.astimezone(dt.timezone.utc).date().isoformat()


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    year -= month <= 2
    era = year // 400
    of_era = year - era * 400
    of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    return era * 146097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year - 719468


def _civil_from_days(days: int) -> tuple[int, int, int]:
    days += 719468
    era = days // 146097
    of_era = days - era * 146097
    year_of_era = (of_era - of_era // 1460 + of_era // 36524 - of_era // 146096) // 365
    of_year = of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * of_year + 2) // 153
    day = of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + (3 if shifted_month < 10 else -9)
    return year_of_era + era * 400 + (month <= 2), month, day


def commit_type(subject: str) -> str:
    match = _CONVENTIONAL.match(subject)
    if match is None:
        return "merge" if subject.startswith("Merge ") else "other"
    return TYPES.get(match.group("type").lower(), match.group("type").lower())


def summary_of(subject: str) -> str:
    match = _CONVENTIONAL.match(subject)
    text = match.group("rest") if match else subject
    text = _SQUASH_PR.sub("", text).strip()
    return text[:1].upper() + text[1:]


Remote = Callable[[], "str | None"] | str | None  # origin's URL, or how to ask for it


def pr_of(subject: str, remote_url: Remote) -> str | int | None:
    match = _SQUASH_PR.search(subject) or _MERGE_PR.match(subject)
    if match is None:
        return None
    number = int(match.group("number"))
    url = remote_url() if callable(remote_url) else remote_url  # asked only when needed
    base = _web_url(url) if url else None
    return f"{base}/pull/{number}" if base else number


def _web_url(remote: str) -> str | None:
    """``https://host/owner/repo`` for common GitHub-style remotes, else None."""
    match = re.match(
        r"^(?:https?://(?:[^@/]+@)?|ssh://git@|git@)([^/:]+)[:/](.+?)(?:\.git)?/?$", remote.strip()
    )
    if match is None or "github" not in match.group(1):
        return None
    return f"https://{match.group(1)}/{match.group(2)}"


def derive(commit: Commit, config: Config, branch: str, remote_url: Remote) -> dict[str, Any]:
    """The record of ``commit`` (without observed fields)."""
    trailers = parse_trailers(commit.message)
    co_authors = [v for k, v in trailers if k.lower() == "co-authored-by"]
    assisted = [v for k, v in trailers if k.lower() == "assisted-by"]
    agents = [v for v in co_authors + assisted if is_agent(v, config.agents_allowed)]
    reviewers = [v for k, v in trailers if k.lower() == "reviewed-by"]
    # Only a person's approval: not an agent's, not the author's own.
    author = f"{commit.author_name} <{commit.author_email}>"
    approvals = human_approvals(trailers, author, config.agents_allowed)
    # Only values shaped like task ids are logged as ids (``Task: whatever`` names no task).
    shaped = re.compile(config.id_pattern)
    task_ids = [
        i
        for i in trailer_ids(trailers, "task") + trailer_ids(trailers, "closes")
        if shaped.search(i)
    ]
    closes = [i for i in trailer_ids(trailers, "closes") if shaped.search(i)]
    decisions = trailer_ids(trailers, "decision")
    # The log's own month files are bookkeeping, not the commit's work: not counted.
    log_dir = config.paths.contributions.strip("/") + "/"
    changes = [c for c in commit.changes if not c.path.startswith(log_dir)]
    added = sum(c.added or 0 for c in changes)
    removed = sum(c.removed or 0 for c in changes)
    return {
        "date": utc_date(commit.author_date),
        "commit": commit.sha,
        "type": commit_type(commit.subject),
        "summary": summary_of(commit.subject),
        "files_changed": len(changes),
        "lines_added": added if commit.complete else None,  # None: objects missing
        "lines_removed": removed if commit.complete else None,
        "decision_id": decisions[0] if decisions else None,
        "human_approved": bool(approvals),
        "approver": name_of(approvals[0]) if approvals else None,
        "task_id": task_ids[0] if task_ids else None,
        "branch": branch,
        "pr": pr_of(commit.subject, remote_url),
        "author": f"{commit.author_name} <{commit.author_email}>",
        "co_authors": co_authors,
        "ai_assisted": bool(agents),
        "agents": agents,
        "task_ids": list(dict.fromkeys(task_ids)),
        "closes": closes,
        "decision_ids": decisions,
        "reviewers": [name_of(r) for r in reviewers],
        "merge": commit.is_merge,
    }


def month_of(record: dict[str, Any]) -> str:
    date = str(record.get("date") or "")
    return date[:7] if re.match(r"^\d{4}-\d{2}", date) else "unknown"


def apply_observed(record: dict[str, Any], agent_env: list[str], config: Config) -> None:
    """Add what the post-commit hook saw: the agent variables set while the commit was made
    make it AI-assisted, crediting the identity the policy names for each."""
    if not agent_env:
        return
    record["agent_env"] = list(agent_env)
    identities = dict(config.agent_env)
    agents = list(record.get("agents") or [])
    for name in agent_env:
        identity = identities.get(name, name)
        if identity not in agents:
            agents.append(identity)
    record["agents"] = agents
    record["ai_assisted"] = True
