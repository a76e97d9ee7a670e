"""What a claim says, and when its lease counts as over.

A claim is a small parentless commit that ``refs/taskgov/claims/<id>`` points at. Its tree holds
``claim.json`` and its message repeats the same JSON after a one-line subject, so that one
``git for-each-ref`` reads every claim without opening an object.

Times are whole seconds since the epoch, as the claimer's clock gave them. No clock is trusted
but the reader's own: a lease is over when the reader's clock has passed the recorded lease end
by more than the grace (``claims.grace`` in policy.yaml, 5 minutes by default), so a clock that
runs up to the grace ahead of the holder's never takes a live lease.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

FORMAT = 1
REF_PREFIX = "refs/taskgov/claims/"
DEFAULT_LEASE = 2 * 3600.0
DEFAULT_GRACE = 300.0
# What a claim ref's last part may be: an id as the policy makes them, nothing git would
# refuse or read as something else ("..", "@{", a trailing ".lock").
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")


class ClaimFormatError(ValueError):
    """A claim ref whose commit message is not a claim this version can read."""


class Claim(NamedTuple):
    """One claim: who holds which task, since when, and until when the lease runs.

    (A NamedTuple, not a dataclass: ``ready``'s warm path reads claims, and building a
    dataclass at import costs it more than reading them.)"""

    task: str
    holder: str  # the name the claim was made under (``--as``, else the git identity)
    identity: str  # ``Name <email>`` of the git user who made it ("" when git had none)
    claimed_at: int  # when the holder first took the task (renewals keep it)
    lease_until: int  # the end of the lease, by the claimer's clock
    lease_seconds: int  # the lease a renewal gives again by default
    renewed_at: int | None = None
    nonce: str = ""  # makes every claim commit distinct, even two made in the same second
    sha: str = ""  # the commit the ref points at ("" before it is written)

    @property
    def ref(self) -> str:
        return claim_ref(self.task)

    def expired(self, now: float, grace: float) -> bool:
        """Whether the lease is over by ``now`` (the reader's clock), ``grace`` seconds of
        clock difference allowed for."""
        return now > self.lease_until + grace

    def payload(self) -> dict[str, object]:
        """What the claim commit records (``claim.json`` and the message body)."""
        return {
            "format": FORMAT,
            "task": self.task,
            "holder": self.holder,
            "identity": self.identity,
            "claimed_at": iso(self.claimed_at),
            "lease_until": iso(self.lease_until),
            "lease_seconds": self.lease_seconds,
            "renewed_at": iso(self.renewed_at) if self.renewed_at is not None else None,
            "nonce": self.nonce,
        }

    def as_dict(self, now: float | None = None, grace: float | None = None) -> dict[str, object]:
        """JSON-ready, with the commit and (given ``now``) whether the lease is over."""
        data = {k: v for k, v in self.payload().items() if k not in ("format", "nonce")}
        data["commit"] = self.sha
        if now is not None and grace is not None:
            data["expired"] = self.expired(now, grace)
        return data

    def message(self) -> str:
        body = json.dumps(self.payload(), sort_keys=True, separators=(",", ":"))
        return f"taskgov claim {self.task} by {_subject_text(self.holder)}\n\n{body}\n"

    def renewed(self, now: int, lease_seconds: int, nonce: str) -> Claim:
        return self._replace(
            lease_until=now + lease_seconds,
            lease_seconds=lease_seconds,
            renewed_at=now,
            nonce=nonce,
            sha="",
        )


def claim_ref(task_id: str) -> str:
    return REF_PREFIX + task_id


def safe_id(task_id: str) -> bool:
    """Whether ``task_id`` can name a claim ref as it is."""
    return (
        bool(_SAFE_ID.fullmatch(task_id))
        and ".." not in task_id
        and not task_id.endswith((".lock", "."))
    )


def parse_claim(body: str, sha: str, refname: str) -> Claim:
    """The claim a commit message body records; ``ClaimFormatError`` when it is not one."""
    try:
        data = json.loads(body.strip() or "null")
    except ValueError:
        raise ClaimFormatError(f"{refname}: the claim commit holds no JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ClaimFormatError(f"{refname}: not a claim of format {FORMAT}")
    try:
        renewed = data.get("renewed_at")
        claim = Claim(
            task=_text(data, "task"),
            holder=_text(data, "holder"),
            identity=str(data.get("identity") or ""),
            claimed_at=parse_time(_text(data, "claimed_at")),
            lease_until=parse_time(_text(data, "lease_until")),
            lease_seconds=int(data.get("lease_seconds") or DEFAULT_LEASE),
            renewed_at=parse_time(renewed) if isinstance(renewed, str) else None,
            nonce=str(data.get("nonce") or ""),
            sha=sha,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ClaimFormatError(f"{refname}: {exc}") from None
    if claim_ref(claim.task) != refname:
        raise ClaimFormatError(f"{refname}: records task {claim.task!r}")
    return claim


def _text(data: dict[str, object], key: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} is not a string")
    return value


def _subject_text(text: str) -> str:
    return " ".join(text.split())[:120]


def iso(seconds: int) -> str:
    """``2026-01-23T14:05:00Z``"""
    from datetime import datetime, timezone

    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> int:
    from datetime import datetime

    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return int(moment.timestamp())
