"""The journal's table and statements (SQLite 3.24+ upserts)."""

from __future__ import annotations

__all__ = [
    "CLAIM",
    "EXPORT_COLUMNS",
    "RECORD",
    "RECORD_BY_WRITE",
    "RECORD_SKIPPED",
    "RECORD_UNCLAIMED",
    "SCHEMA",
    "SELECT_COLUMNS",
]

SCHEMA = """
CREATE TABLE IF NOT EXISTS engagive_sends (
    campaign TEXT NOT NULL,
    row_key TEXT NOT NULL,
    row_index INTEGER NOT NULL,
    recipient TEXT NOT NULL,
    status TEXT NOT NULL,
    run_id TEXT NOT NULL,
    wamid TEXT,
    meta_response TEXT,
    error TEXT,
    meta_error_code INTEGER,
    retryable INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    first_attempt_at TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (campaign, row_key)
) WITHOUT ROWID
"""

CLAIM = """
INSERT INTO engagive_sends
    (campaign, row_key, row_index, recipient, status, run_id, first_attempt_at, updated_at)
VALUES (?, ?, ?, ?, 'IN_FLIGHT', ?, ?, ?)
ON CONFLICT (campaign, row_key) DO UPDATE SET
    status = 'IN_FLIGHT', run_id = excluded.run_id, row_index = excluded.row_index,
    recipient = excluded.recipient, reason = NULL, updated_at = excluded.updated_at,
    first_attempt_at = coalesce(first_attempt_at, excluded.first_attempt_at)
WHERE run_id != excluded.run_id
"""

RECORD = """
INSERT INTO engagive_sends
    (campaign, row_key, row_index, recipient, status, run_id, wamid, meta_response, error,
     meta_error_code, retryable, attempts, reason, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (campaign, row_key) DO UPDATE SET
    status = excluded.status, run_id = excluded.run_id, wamid = excluded.wamid,
    meta_response = excluded.meta_response, error = excluded.error,
    meta_error_code = excluded.meta_error_code, retryable = excluded.retryable,
    attempts = attempts + excluded.attempts, reason = excluded.reason,
    updated_at = excluded.updated_at
"""
# An outcome for a row this run never claimed (an invalid item) overwrites neither what this
# run wrote under the key, nor a row another process holds or may have sent.
RECORD_UNCLAIMED = (
    RECORD + " WHERE run_id != excluded.run_id AND status NOT IN ('SENT', 'IN_FLIGHT', 'UNKNOWN')"
)
# A row never started this run adds nothing to what an earlier run knew about it.
RECORD_SKIPPED = """
INSERT INTO engagive_sends
    (campaign, row_key, row_index, recipient, status, run_id, wamid, meta_response, error,
     meta_error_code, retryable, attempts, reason, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (campaign, row_key) DO NOTHING
"""

EXPORT_COLUMNS = (
    "campaign",
    "key",
    "index",
    "to",
    "status",
    "wamid",
    "meta_error_code",
    "retryable",
    "attempts",
    "reason",
    "error",
    "first_attempt_at",
    "updated_at",
    "meta_response",
)


#: The columns a JournalEntry is read from, in its field order.
SELECT_COLUMNS = (
    "row_key, row_index, recipient, status, wamid, meta_error_code, retryable, attempts, "
    "reason, error, first_attempt_at, updated_at, meta_response"
)

#: The statement for each write ``_rules.record_write`` chooses.
RECORD_BY_WRITE = {
    "RECORD": RECORD,
    "RECORD_SKIPPED": RECORD_SKIPPED,
    "RECORD_UNCLAIMED": RECORD_UNCLAIMED,
}
