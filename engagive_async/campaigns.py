"""Campaigns across worker processes and machines: chunk jobs on procrastinate.

Needs the ``procrastinate`` extra: ``pip install 'engagive_async[procrastinate]'``.
:class:`CampaignJobs` splits a campaign into chunk jobs (``plan``), runs them in any number of
worker processes (``work``), and reports on them (``status``); every chunk is a ``send_many``
over one shared :class:`~engagive_async.PostgresJournal`, so a job run twice (redelivered, or
re-run after its worker was killed) sends nothing twice. See ``docs/scaling-out.md``.
"""

from engagive_async._campaigns._jobs import (
    CampaignJobs,
    CampaignPlan,
    CampaignStatus,
    ChunkIncompleteError,
    ChunkReport,
    procrastinate_app,
)
from engagive_async._public import present as _present

__all__ = [
    "CampaignJobs",
    "CampaignPlan",
    "CampaignStatus",
    "ChunkIncompleteError",
    "ChunkReport",
    "procrastinate_app",
]

_present(__name__, globals(), __all__)
