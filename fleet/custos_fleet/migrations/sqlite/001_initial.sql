-- The same schema as migrations/postgresql/001_initial.sql, for the embedded
-- default (the demo without PostgreSQL): no partitions, same keys.
CREATE TABLE device (
    device_id BLOB PRIMARY KEY CHECK (length(device_id) = 16),
    public_key BLOB NOT NULL CHECK (length(public_key) = 32),
    replay_state BLOB NOT NULL,
    registered_at INTEGER NOT NULL
);
CREATE TABLE consent_event (
    device_id BLOB NOT NULL, event_key BLOB NOT NULL,
    subject_hash BLOB NOT NULL CHECK (length(subject_hash) = 32),
    purpose TEXT NOT NULL, status TEXT NOT NULL, event_time INTEGER NOT NULL, batch_hash BLOB NOT NULL,
    PRIMARY KEY (device_id, event_key)
);
CREATE INDEX consent_event_subject ON consent_event (device_id, subject_hash, purpose, event_time);
CREATE TABLE consent_batch (
    device_id BLOB NOT NULL, batch_hash BLOB NOT NULL, body BLOB NOT NULL, received_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, batch_hash)
);
CREATE TABLE deletion_receipt (
    device_id BLOB NOT NULL, body_hash BLOB NOT NULL, receipt_id BLOB NOT NULL, scope TEXT NOT NULL,
    subject_hash BLOB, purpose INTEGER, erased_at INTEGER NOT NULL, body BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, body_hash)
);
CREATE TABLE erase_request (
    device_id BLOB NOT NULL, request_id BLOB NOT NULL, counter INTEGER NOT NULL, scope INTEGER NOT NULL,
    subject_hash BLOB, purpose INTEGER, requested_at INTEGER NOT NULL, body_hash BLOB NOT NULL,
    body BLOB NOT NULL, received_at INTEGER NOT NULL, acked_at INTEGER, rows_erased INTEGER,
    PRIMARY KEY (device_id, request_id), UNIQUE (device_id, body_hash)
);
CREATE INDEX erase_request_pending ON erase_request (device_id) WHERE acked_at IS NULL;
CREATE TABLE cloud_clip (
    device_id BLOB NOT NULL, clip_id INTEGER NOT NULL, subject_hash BLOB NOT NULL, purpose INTEGER NOT NULL,
    PRIMARY KEY (device_id, clip_id)
);
