"""Pacing: how fast requests may go, and the pause every sender shares after a rate limit.

Modules: ``_protocol`` (:class:`Pacing`, what the pipeline asks of a pace), ``_throttle``
(:class:`Throttle`, one pace for every worker of one batch, in process, the default),
``_postgres`` (:class:`PostgresPacing`, one pace per number shared by every worker through
PostgreSQL, leased in blocks). The pipeline waits on a pace before each attempt and reports rate
limits to it, so a pause reaches every worker.

May import: ``_checks``, ``_policy``, ``_observe``, ``_errors``, ``models``; ``psycopg`` (the
``postgres`` extra) only when a ``PostgresPacing`` connects.
"""

from engagive_async._pacing._postgres import PacingUnavailableError, PostgresPacing
from engagive_async._pacing._protocol import Pacing
from engagive_async._pacing._throttle import Throttle

__all__ = ["Pacing", "PacingUnavailableError", "PostgresPacing", "Throttle"]
