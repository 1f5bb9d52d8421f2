-- Electronic licences: one row per version (issue, change, renewal, revocation), never edited;
-- each version is an entry of the transparency log (`log_index`), written in the same write.

CREATE TABLE licences (
    base         TEXT NOT NULL,
    version      INTEGER NOT NULL,
    identifier   TEXT NOT NULL UNIQUE,
    type_code    TEXT NOT NULL,
    holder_id    TEXT NOT NULL,
    unit         TEXT NOT NULL,
    action       TEXT NOT NULL,
    case_id      TEXT,
    log_index    INTEGER NOT NULL,
    licence_json TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (base, version)
);
CREATE INDEX licences_holder ON licences (holder_id, created_at);
CREATE INDEX licences_case ON licences (case_id);
