"""The Postgres journal's schema and statements (psycopg placeholders, ``{s}`` the schema).

The claim is one statement: the upsert takes the row only where the rerun rules allow it (its
``WHERE`` mirrors :func:`~engagive_async._journal._rules.skip_reason_for`), and the same
statement reads the row as it stood, so a lost claim says why without a second round trip.
"""

from __future__ import annotations

__all__ = [
    "CLAIM",
    "RECORD",
    "RECORD_BY_WRITE",
    "RECORD_FIELDS",
    "RECORD_SKIPPED",
    "RECORD_UNCLAIMED",
    "SCHEMA",
    "SCHEMA_VERSION",
    "SELECT_COLUMNS",
    "SKIP_CHECK",
]

#: Bumped with every change of the tables; a journal refuses a database from a newer version.
SCHEMA_VERSION = 1

#: Run in order, in one transaction under an advisory lock (workers may start together).
SCHEMA = (
    "CREATE SCHEMA IF NOT EXISTS {s}",
    """CREATE TABLE IF NOT EXISTS {s}.engagive_journal_version (
    version integer PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
)""",
    """CREATE TABLE IF NOT EXISTS {s}.engagive_sends (
    campaign text NOT NULL,
    row_key text NOT NULL,
    row_index bigint NOT NULL,
    recipient text NOT NULL,
    status text NOT NULL,
    run_id text NOT NULL,
    wamid text,
    meta_response text,
    error text,
    meta_error_code bigint,
    retryable boolean NOT NULL DEFAULT false,
    attempts integer NOT NULL DEFAULT 0,
    reason text,
    first_attempt_at timestamptz,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (campaign, row_key)
)""",
    "INSERT INTO {s}.engagive_journal_version (version) VALUES (%(version)s) "
    "ON CONFLICT DO NOTHING",
)

_ISO = """to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"+00:00"')"""

#: The columns a JournalEntry is read from, in its field order (times as ISO 8601 UTC text).
SELECT_COLUMNS = (
    # retryable as 0/1, as SQLite stores it, so both journals export the same CSV.
    "row_key, row_index, recipient, status, wamid, meta_error_code, retryable::int, attempts, "
    f"reason, error, {_ISO.format(col='first_attempt_at')}, {_ISO.format(col='updated_at')}, "
    "meta_response"
)

#: The rows of a chunk, each with whether an IN_FLIGHT claim is old enough to be taken over.
SKIP_CHECK = """
SELECT row_key, status, recipient, retryable, run_id,
       updated_at < now() - %(stale)s * interval '1 second'
FROM {s}.engagive_sends WHERE campaign = %(campaign)s AND row_key = ANY(%(keys)s)
"""

CLAIM = """
WITH prior AS (
    SELECT status, recipient, retryable, run_id FROM {s}.engagive_sends
    WHERE campaign = %(campaign)s AND row_key = %(key)s
), claimed AS (
    INSERT INTO {s}.engagive_sends AS t
        (campaign, row_key, row_index, recipient, status, run_id, first_attempt_at, updated_at)
    VALUES (%(campaign)s, %(key)s, %(index)s, %(recipient)s, 'IN_FLIGHT', %(run)s, now(), now())
    ON CONFLICT (campaign, row_key) DO UPDATE SET
        status = 'IN_FLIGHT', run_id = excluded.run_id, row_index = excluded.row_index,
        reason = NULL, updated_at = excluded.updated_at,
        first_attempt_at = coalesce(t.first_attempt_at, excluded.first_attempt_at)
    WHERE t.run_id <> excluded.run_id AND t.recipient = excluded.recipient AND (
        t.status = 'SKIPPED'
        OR (t.status = 'FAILED' AND t.retryable)
        OR (%(resend)s AND t.status = 'UNKNOWN')
        OR (%(resend)s AND t.status = 'IN_FLIGHT'
            AND t.updated_at < now() - %(stale)s * interval '1 second')
    )
    RETURNING 1
)
SELECT (SELECT count(*) FROM claimed), prior.status, prior.recipient, prior.retryable,
       prior.run_id
FROM (SELECT 1) AS one LEFT JOIN prior ON true
"""

# Outcomes are written in groups: one statement inserts every row of the group from arrays
# (one array per column), so a group of 64 outcomes is one round trip. A group never holds a
# row key twice (an upsert may not touch one row twice).
_RECORD_INSERT = """
INSERT INTO {s}.engagive_sends AS t
    (campaign, row_key, row_index, recipient, status, run_id, wamid, meta_response, error,
     meta_error_code, retryable, attempts, reason, updated_at)
SELECT %(campaign)s, u.row_key, u.row_index, u.recipient, u.status, %(run)s, u.wamid,
       u.meta_response, u.error, u.meta_error_code, u.retryable, u.attempts, u.reason, now()
FROM unnest(%(key)s::text[], %(index)s::bigint[], %(recipient)s::text[], %(status)s::text[],
            %(wamid)s::text[], %(meta)s::text[], %(error)s::text[], %(code)s::bigint[],
            %(retryable)s::boolean[], %(attempts)s::integer[], %(reason)s::text[])
     AS u(row_key, row_index, recipient, status, wamid, meta_response, error, meta_error_code,
          retryable, attempts, reason)
"""

#: The per-row parameters of a record statement, in the order of their arrays.
RECORD_FIELDS = (
    "key", "index", "recipient", "status", "wamid", "meta", "error", "code", "retryable",
    "attempts", "reason",
)  # fmt: skip

RECORD = (
    _RECORD_INSERT
    + """ON CONFLICT (campaign, row_key) DO UPDATE SET
    status = excluded.status, run_id = excluded.run_id, wamid = excluded.wamid,
    meta_response = excluded.meta_response, error = excluded.error,
    meta_error_code = excluded.meta_error_code, retryable = excluded.retryable,
    attempts = t.attempts + excluded.attempts, reason = excluded.reason,
    updated_at = excluded.updated_at
"""
)
# An outcome for a row this run never claimed (an invalid item) overwrites neither what this
# run wrote under the key, nor a row another worker holds or may have sent.
RECORD_UNCLAIMED = (
    RECORD
    + " WHERE t.run_id <> excluded.run_id AND t.status NOT IN ('SENT', 'IN_FLIGHT', 'UNKNOWN')"
)
# A row never started adds nothing to what the journal knew about it.
RECORD_SKIPPED = _RECORD_INSERT + "ON CONFLICT (campaign, row_key) DO NOTHING"

#: The statement for each write ``_rules.record_write`` chooses.
RECORD_BY_WRITE = {
    "RECORD": RECORD,
    "RECORD_SKIPPED": RECORD_SKIPPED,
    "RECORD_UNCLAIMED": RECORD_UNCLAIMED,
}
