"""Campaign jobs on procrastinate: a campaign split into chunk jobs, each a ``send_many`` over
the shared Postgres journal, run by any number of worker processes.

The job engine only moves chunks of work and hands each out *at least* once (a killed
worker's job is run again); the journal keeps the promise that no row is sent twice.

Modules: ``_items`` (send items to and from a job's JSON arguments), ``_offset`` (a chunk's
rows keyed and indexed as rows of the whole campaign), ``_jobs`` (:class:`CampaignJobs`:
plan, run a chunk, status, the worker).

May import: ``_client`` and every layer below it, procrastinate (only here) and, through the
journal, psycopg; never the command line or the public doors. Its public names are shown by
the ``engagive_async.campaigns`` door, which imports them from ``_jobs``.
"""
