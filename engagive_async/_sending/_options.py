"""BatchOptions: how one batch runs, checked once and carried as one value.

``send_many`` takes them as keywords (what its readers see), builds this once, and everything
below it (the batch engine, the pace, the retry of each item) reads the one object.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs

from engagive_async._checks._arguments import at_least, check_positive
from engagive_async._errors import ValidationError
from engagive_async._http._retry import RetryPolicy
from engagive_async._pacing._protocol import Pacing
from engagive_async._pacing._throttle import Throttle
from engagive_async._sending._send_journal import ItemJournal, SendJournal
from engagive_async.models.batch import BatchProgress, SendOutcome

__all__ = ["DEFAULT_CONCURRENCY", "BatchOptions"]

DEFAULT_CONCURRENCY = 32


def _check_rate(_instance: object, _attribute: object, rate: float | None) -> None:
    if rate is not None:
        check_positive(rate, "rate_limit")


def _check_deadline(
    _instance: object, _attribute: object, deadline: float | dt.datetime | None
) -> None:
    if isinstance(deadline, dt.datetime) and deadline.tzinfo is None:
        raise ValidationError("deadline", "a datetime must be timezone-aware")


@attrs.frozen(kw_only=True)
class BatchOptions:
    """The options of ``send_many``; see :meth:`MessagesResource.send_many` for each."""

    concurrency: int = attrs.field(default=DEFAULT_CONCURRENCY, validator=at_least(1))
    ordered: bool = False
    rate_limit: float | None = attrs.field(default=None, validator=_check_rate)
    deadline: float | dt.datetime | None = attrs.field(default=None, validator=_check_deadline)
    grace: float = attrs.field(default=10.0, validator=at_least(0))
    stop_on: Callable[[SendOutcome], bool] | None = None
    on_progress: Callable[[BatchProgress], object] | None = None
    journal: SendJournal | ItemJournal | None = None
    retry: RetryPolicy | None = None
    trace_sends: bool | float = True
    pacing: Pacing | None = None

    def __attrs_post_init__(self) -> None:
        if self.pacing is not None and self.rate_limit is not None:
            raise ValidationError(
                "rate_limit", "give rate_limit or pacing, not both: a shared pace has its own rate"
            )

    def pace(self) -> Pacing:
        """The batch's pace: the shared one given as ``pacing``, else a fresh in-process one."""
        if self.pacing is not None:
            return self.pacing
        # A tenth of a second's worth of burst: a whole second's worth would let a batch open
        # with one rate's worth of sends at once, which is what per-number limits punish.
        rate = self.rate_limit
        return Throttle(rate, burst=max(1, int((rate or 0) / 10)))
