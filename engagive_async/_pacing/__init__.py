"""Pacing: how fast requests may go, and the pause every sender shares after a rate limit.

Modules: ``_throttle`` (:class:`Throttle`, one pace for every worker of one batch, in process).
The pipeline waits on a pace before each attempt and reports rate limits to it, so a pause
reaches every worker at once.

May import: ``_checks``, ``_policy``, ``_observe``, ``_errors``, ``models``.
"""
