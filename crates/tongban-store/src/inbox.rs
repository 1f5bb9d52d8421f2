//! The inbox: one path for every message of every capability.
//!
//! A message goes to a user (`user:NAME`) or to a unit (`unit:CODE`, seen by its staff) and is
//! about one record, referred to by kind and id ([`RecordKind`]), so the inbox and the e-mail
//! link to a case, a declaration, a hotline ticket or a rectification alike. It is written inside
//! the write that caused it; when mail is on, its e-mail is queued in the same write, to the
//! user or to every active member of the unit with an address (`mail.rs` sends it later).

use crate::write::Write;
use crate::{Result, Store};
use serde::Serialize;
use sqlx::Row;
use tongban_domain::records::{RecordKind, RecordRef};

/// One message to queue.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Message<'a> {
    /// `user:NAME` or `unit:CODE`.
    pub to: &'a str,
    pub about: Option<RecordRef<'a>>,
    /// Message key, e.g. `accepted`, `overdue`, `hotline` (the catalog's `inbox.*`).
    pub kind: &'a str,
    /// With a key a second identical message is dropped, so the clock job can run again (or on
    /// another server) without notifying twice.
    pub dedupe: Option<&'a str>,
    /// A line of detail as data (see `tongban_web::i18n::inbox_detail`).
    pub detail: Option<&'a str>,
}

impl<'a> Message<'a> {
    pub fn new(to: &'a str, about: Option<RecordRef<'a>>, kind: &'a str) -> Message<'a> {
        Message {
            to,
            about,
            kind,
            dedupe: None,
            detail: None,
        }
    }
    pub fn dedupe(mut self, key: &'a str) -> Message<'a> {
        self.dedupe = Some(key);
        self
    }
    pub fn detail(mut self, detail: &'a str) -> Message<'a> {
        self.detail = Some(detail);
        self
    }
}

/// One in-app message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxMessage {
    pub id: i64,
    pub recipient: String,
    /// The kind of record it is about: `case`, `declaration`, `bundle`, `hotline_ticket`,
    /// `rectification`, `calendar_year`.
    pub about_kind: Option<String>,
    /// The id of the record it is about.
    pub about_id: Option<String>,
    /// The case or the policy declaration (`ZC…`) it is about (as `about_id`; kept for clients
    /// written before messages could be about other records).
    pub case_id: Option<String>,
    /// Message key, e.g. `accepted`, `overdue`.
    pub kind: String,
    pub created_at: String,
    pub read_at: Option<String>,
    /// A line of detail, e.g. which date moved from when to when.
    pub detail: Option<String>,
}

impl Store {
    /// Queues one message (and its e-mail) inside `w`. Returns false when `dedupe` dropped it.
    pub(crate) async fn notify(&self, w: &mut Write, m: Message<'_>) -> Result<bool> {
        let at = w.at().to_string();
        let row = sqlx::query(
            "INSERT INTO inbox (recipient, about_kind, about_id, kind, created_at, dedupe, detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (dedupe) DO NOTHING RETURNING id",
        )
        .bind(m.to)
        .bind(m.about.map(|r| r.kind.as_str()))
        .bind(m.about.map(|r| r.id))
        .bind(m.kind)
        .bind(&at)
        .bind(m.dedupe)
        .bind(m.detail)
        .fetch_optional(w.conn())
        .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        if self.mail_enabled() {
            let id: i64 = row.try_get("id")?;
            let q = if let Some(user) = m.to.strip_prefix("user:") {
                sqlx::query(
                    "INSERT INTO mail_outbox (inbox_id, address, created_at)
                     SELECT $1, email, $3 FROM users
                     WHERE username = $2 AND email IS NOT NULL AND email <> ''",
                )
                .bind(id)
                .bind(user)
            } else if let Some(unit) = m.to.strip_prefix("unit:") {
                // A unit's message goes to each of its active staff who gave an address.
                sqlx::query(
                    "INSERT INTO mail_outbox (inbox_id, address, created_at)
                     SELECT $1, email, $3 FROM users
                     WHERE unit = $2 AND disabled = 0 AND email IS NOT NULL AND email <> ''
                     ORDER BY username",
                )
                .bind(id)
                .bind(unit)
            } else {
                return Ok(true);
            };
            q.bind(&at).execute(w.conn()).await?;
        }
        Ok(true)
    }

    /// The newest messages for any of the recipients (`user:NAME`, `unit:CODE`).
    pub async fn inbox(&self, recipients: &[String], limit: i64) -> Result<Vec<InboxMessage>> {
        if recipients.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (1..=recipients.len()).map(|i| format!("${i}")).collect();
        let text = format!(
            "SELECT id, recipient, about_kind, about_id, kind, created_at, read_at, detail FROM inbox
             WHERE recipient IN ({}) ORDER BY id DESC LIMIT ${}",
            list.join(", "),
            recipients.len() + 1
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(text));
        for r in recipients {
            q = q.bind(r.clone());
        }
        let rows = q.bind(limit).fetch_all(self.reader()).await?;
        rows.iter()
            .map(|r| {
                let about_kind: Option<String> = r.try_get("about_kind")?;
                let about_id: Option<String> = r.try_get("about_id")?;
                let case_like = matches!(
                    about_kind.as_deref().and_then(RecordKind::parse),
                    Some(RecordKind::Case | RecordKind::Declaration)
                );
                Ok(InboxMessage {
                    id: r.try_get("id")?,
                    recipient: r.try_get("recipient")?,
                    case_id: about_id.clone().filter(|_| case_like),
                    about_kind,
                    about_id,
                    kind: r.try_get("kind")?,
                    created_at: r.try_get("created_at")?,
                    read_at: r.try_get("read_at")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }
}
