//! The e-mail outbox: one row per inbox message to a user with an address, written in the same
//! transaction as the message when mail is enabled, and sent later by the mail job. Delivery is
//! claimed row by row, so two servers never send the same row at once.

use crate::{Result, Store};
use sqlx::Row;

/// A message waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMail {
    pub id: i64,
    pub address: String,
    pub kind: String,
    /// The record the message is about (kind and id), for the link.
    pub about_kind: Option<String>,
    pub about_id: Option<String>,
    pub attempts: i64,
    /// The inbox message's line of detail.
    pub detail: Option<String>,
}

/// Rows are retried this many times, then left with their last error for an administrator.
pub const MAX_ATTEMPTS: i64 = 5;

impl Store {
    /// Queue e-mail for inbox messages from now on (set when SMTP is configured).
    pub fn with_mail(mut self, enabled: bool) -> Store {
        self.mail = enabled;
        self
    }

    pub(crate) fn mail_enabled(&self) -> bool {
        self.mail
    }

    pub async fn pending_mail(&self, limit: i64) -> Result<Vec<PendingMail>> {
        let rows = sqlx::query(
            "SELECT m.id, m.address, m.attempts, i.kind, i.about_kind, i.about_id, i.detail FROM mail_outbox m
             JOIN inbox i ON i.id = m.inbox_id
             WHERE m.sent_at IS NULL AND m.attempts < $1 ORDER BY m.id LIMIT $2",
        )
        .bind(MAX_ATTEMPTS)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PendingMail {
                    id: r.try_get("id")?,
                    address: r.try_get("address")?,
                    kind: r.try_get("kind")?,
                    about_kind: r.try_get("about_kind")?,
                    about_id: r.try_get("about_id")?,
                    attempts: r.try_get("attempts")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }

    /// Takes a row for sending; false if another sender took it first.
    pub async fn claim_mail(&self, m: &PendingMail) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE mail_outbox SET attempts = attempts + 1 WHERE id = $1 AND attempts = $2 AND sent_at IS NULL",
        )
        .bind(m.id)
        .bind(m.attempts)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    pub async fn mail_done(&self, id: i64, error: Option<&str>) -> Result<()> {
        let now = crate::rfc3339(self.now());
        let q = match error {
            None => {
                sqlx::query("UPDATE mail_outbox SET sent_at = $2, last_error = NULL WHERE id = $1")
                    .bind(id)
                    .bind(now)
            }
            Some(e) => sqlx::query("UPDATE mail_outbox SET last_error = $2 WHERE id = $1")
                .bind(id)
                .bind(e.to_string()),
        };
        q.execute(&self.write).await?;
        Ok(())
    }
}
