-- The receiver's schema, version 1. Every table is keyed first by the
-- 16-byte device id and hash-partitioned on it, so that one device's rows
-- live in one partition and the same tables distribute on Citus
-- (create_distributed_table(..., 'device_id')). Subjects appear only as the
-- device's keyed hashes (32 bytes); nothing personal is stored in the clear.

CREATE TABLE device (
    device_id     bytea   NOT NULL CHECK (length(device_id) = 16),
    public_key    bytea   NOT NULL CHECK (length(public_key) = 32),
    replay_state  bytea   NOT NULL,            -- custos_erase_replay_state, no secret
    registered_at bigint  NOT NULL,
    PRIMARY KEY (device_id)
) PARTITION BY HASH (device_id);

-- One row per consent event carried by a verified consent receipt.
CREATE TABLE consent_event (
    device_id     bytea   NOT NULL,
    event_key     bytea   NOT NULL,            -- BLAKE2b of (subject, purpose, ordinal, time, status)
    subject_hash  bytea   NOT NULL CHECK (length(subject_hash) = 32),
    purpose       text    NOT NULL,
    status        text    NOT NULL,            -- dpv:ConsentGiven, ...
    event_time    bigint  NOT NULL,
    batch_hash    bytea   NOT NULL,
    PRIMARY KEY (device_id, event_key)
) PARTITION BY HASH (device_id);
CREATE INDEX consent_event_subject ON consent_event (device_id, subject_hash, purpose, event_time);

-- The signed receipts themselves, kept as proof (GDPR Art. 7(1)).
CREATE TABLE consent_batch (
    device_id     bytea   NOT NULL,
    batch_hash    bytea   NOT NULL,
    body          bytea   NOT NULL,
    received_at   bigint  NOT NULL,
    PRIMARY KEY (device_id, batch_hash)
) PARTITION BY HASH (device_id);

CREATE TABLE deletion_receipt (
    device_id     bytea   NOT NULL,
    body_hash     bytea   NOT NULL,
    receipt_id    bytea   NOT NULL,
    scope         text    NOT NULL,
    subject_hash  bytea,
    purpose       integer,
    erased_at     bigint  NOT NULL,
    body          bytea   NOT NULL,
    received_at   bigint  NOT NULL,
    PRIMARY KEY (device_id, body_hash)
) PARTITION BY HASH (device_id);

CREATE TABLE erase_request (
    device_id     bytea   NOT NULL,
    request_id    bytea   NOT NULL,
    counter       bigint  NOT NULL,
    scope         integer NOT NULL,
    subject_hash  bytea,
    purpose       integer,
    requested_at  bigint  NOT NULL,
    body_hash     bytea   NOT NULL,
    body          bytea   NOT NULL,
    received_at   bigint  NOT NULL,
    acked_at      bigint,                      -- NULL: pending
    rows_erased   bigint,
    PRIMARY KEY (device_id, request_id),
    UNIQUE (device_id, body_hash)
) PARTITION BY HASH (device_id);
CREATE INDEX erase_request_pending ON erase_request (device_id) WHERE acked_at IS NULL;

-- The reference erase hook's sample of "cloud data": what a maker's real
-- tables would hold about a subject (keyed by the same hash).
CREATE TABLE cloud_clip (
    device_id     bytea   NOT NULL,
    clip_id       bigint  NOT NULL,
    subject_hash  bytea   NOT NULL,
    purpose       integer NOT NULL,
    PRIMARY KEY (device_id, clip_id)
) PARTITION BY HASH (device_id);

DO $$
DECLARE t text; i int;
BEGIN
  FOREACH t IN ARRAY ARRAY['device','consent_event','consent_batch','deletion_receipt','erase_request','cloud_clip'] LOOP
    FOR i IN 0..{partitions_minus_one} LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES WITH (MODULUS {partitions}, REMAINDER %s)',
                     t || '_p' || i, t, i);
    END LOOP;
  END LOOP;
END $$;
