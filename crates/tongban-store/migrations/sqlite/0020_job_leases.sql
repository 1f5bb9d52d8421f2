-- Background work shared by every server of a cluster (see jobs.rs). A job (the clock pass, the
-- monthly report, the scheduled backup) is run by whoever holds its lease; a server killed in
-- the middle leaves the lease to run out, and a peer takes the job over then.
CREATE TABLE job_leases (
    job           TEXT PRIMARY KEY,
    holder        TEXT NOT NULL DEFAULT '',
    -- RFC 3339 in the district's offset, like every stored time: compared as text.
    lease_until   TEXT NOT NULL DEFAULT '',
    passes        BIGINT NOT NULL DEFAULT 0,
    failures      BIGINT NOT NULL DEFAULT 0,
    last_started  TEXT,
    last_finished TEXT,
    last_error    TEXT
);

-- Each e-mail row is claimed by one sender for a while; a sender that dies leaves the claim to
-- run out and the row is sent by the next pass, anywhere.
ALTER TABLE mail_outbox ADD COLUMN lease_holder TEXT;
ALTER TABLE mail_outbox ADD COLUMN lease_until TEXT;
