-- 双随机、一公开 and credit: versioned lists, plans and checks, risk warnings, the district's own
-- commitments. PostgreSQL dialect.

-- Lists edited as documents and kept with their history (照单监管): every edit is a new version,
-- none is changed. `list` names the document (inspection_matters, inspectors).
CREATE TABLE list_versions (
    list       TEXT NOT NULL,
    version    BIGINT NOT NULL,
    toml       TEXT NOT NULL,
    note       TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (list, version)
);

-- A plan: published with the hashes of its frozen lists and a commitment to its nonce; the
-- nonce itself stays here, unpublished, until the draw reveals it.
CREATE TABLE inspection_plans (
    id         TEXT PRIMARY KEY,
    state      TEXT NOT NULL,
    draw_on    TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    plan_json  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A check of a drawn plan. `team` holds the team's accounts as ,a,b, so an inspector's list can
-- find them; `due` and `published_on` are the clock on publication.
CREATE TABLE inspection_checks (
    id           TEXT PRIMARY KEY,
    plan_id      TEXT NOT NULL,
    entity       TEXT NOT NULL,
    team         TEXT NOT NULL,
    due          TEXT NOT NULL,
    published_on TEXT,
    check_json   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX inspection_checks_plan ON inspection_checks (plan_id, id);
CREATE INDEX inspection_checks_due ON inspection_checks (published_on, due);
CREATE INDEX inspection_checks_entity ON inspection_checks (entity);

-- The industry of a registered entity: which inspection matters apply to it.
ALTER TABLE enterprises ADD COLUMN industry TEXT;

-- 绿色通道: a case of a trustworthy applicant (by the credit lists) comes first in its queue.
ALTER TABLE cases ADD COLUMN green_channel BIGINT NOT NULL DEFAULT 0;

-- Risk warnings (风险预警): an entity for a unit to verify by `due`; `answered_on` is the clock.
CREATE TABLE risk_warnings (
    id          TEXT PRIMARY KEY,
    entity      TEXT NOT NULL,
    unit        TEXT NOT NULL,
    source      TEXT NOT NULL,
    due         TEXT NOT NULL,
    answered_on TEXT,
    warning_json TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX risk_warnings_unit ON risk_warnings (unit, answered_on, due);
CREATE INDEX risk_warnings_entity ON risk_warnings (entity, source);

-- The enterprise a hotline call is about: repeated complaints raise a risk warning.
ALTER TABLE hotline_tickets ADD COLUMN about_uscc TEXT;
CREATE INDEX hotline_tickets_about ON hotline_tickets (about_uscc, received_at);

-- The district's own commitments to enterprises (政务诚信): kept, late or broken is computed
-- from `due` and `fulfilled_on`.
CREATE TABLE gov_promises (
    id           TEXT PRIMARY KEY,
    unit         TEXT NOT NULL,
    enterprise   TEXT NOT NULL,
    due          TEXT NOT NULL,
    fulfilled_on TEXT,
    promise_json TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX gov_promises_unit ON gov_promises (unit, due);
