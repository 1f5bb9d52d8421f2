//! The e-mail outbox: one row per inbox message to a user with an address, written in the same
//! transaction as the message when mail is enabled, and sent later by the mail job. Delivery is
//! claimed row by row for a while (`claim_mail`), so two servers never send the same row at once
//! and a row whose sender died is sent by another.

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

    /// Claims up to `limit` rows for `holder` to send within `ttl`: rows never sent, under the
    /// attempt limit, and not claimed by a live sender. On PostgreSQL the rows are picked with
    /// `FOR UPDATE SKIP LOCKED`, so two servers claiming at once take different rows; on both
    /// stores each claim is a conditional update, so a row is never claimed twice while its
    /// claim runs. A sender that dies leaves its claim to run out; the row is sent again then.
    pub async fn claim_mail(
        &self,
        holder: &str,
        limit: i64,
        ttl: jiff::SignedDuration,
    ) -> Result<Vec<PendingMail>> {
        let (now, until) = self.lease_times(ttl);
        let pick = match self.backend {
            crate::Backend::Postgres => {
                "SELECT id FROM mail_outbox
                 WHERE sent_at IS NULL AND attempts < $1 AND (lease_until IS NULL OR lease_until < $2)
                 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED"
            }
            crate::Backend::Sqlite => {
                "SELECT id FROM mail_outbox
                 WHERE sent_at IS NULL AND attempts < $1 AND (lease_until IS NULL OR lease_until < $2)
                 ORDER BY id LIMIT $3"
            }
        };
        let mut tx = self.begin_claim().await?;
        let ids: Vec<i64> = sqlx::query_scalar(pick)
            .bind(MAX_ATTEMPTS)
            .bind(&now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        let mut claimed = Vec::new();
        for id in ids {
            let n = sqlx::query(
                "UPDATE mail_outbox SET attempts = attempts + 1, lease_holder = $2, lease_until = $3
                 WHERE id = $1 AND sent_at IS NULL AND (lease_until IS NULL OR lease_until < $4)",
            )
            .bind(id)
            .bind(holder)
            .bind(&until)
            .bind(&now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                claimed.push(id);
            }
        }
        let mut out = Vec::new();
        for id in claimed {
            let r = sqlx::query(
                "SELECT m.id, m.address, m.attempts, i.kind, i.about_kind, i.about_id, i.detail FROM mail_outbox m
                 JOIN inbox i ON i.id = m.inbox_id WHERE m.id = $1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            out.push(PendingMail {
                id: r.try_get("id")?,
                address: r.try_get("address")?,
                kind: r.try_get("kind")?,
                about_kind: r.try_get("about_kind")?,
                about_id: r.try_get("about_id")?,
                attempts: r.try_get("attempts")?,
                detail: r.try_get("detail")?,
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Rows waiting to be sent (claimed or not), and the oldest one's creation time.
    pub async fn mail_backlog(&self) -> Result<(i64, Option<String>)> {
        let r = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM mail_outbox
             WHERE sent_at IS NULL AND attempts < $1",
        )
        .bind(MAX_ATTEMPTS)
        .fetch_one(&self.write)
        .await?;
        Ok((r.try_get("n")?, r.try_get("oldest")?))
    }

    /// Ends `holder`'s claim on a row: sent, or failed with its error (tried again by a later
    /// pass). A claim that ran out and was taken by another sender is left to that sender.
    pub async fn mail_done(&self, id: i64, holder: &str, error: Option<&str>) -> Result<()> {
        let now = crate::rfc3339(self.now());
        let q = match error {
            None => sqlx::query(
                "UPDATE mail_outbox SET sent_at = $3, last_error = NULL, lease_until = NULL
                 WHERE id = $1 AND lease_holder = $2",
            )
            .bind(id)
            .bind(holder)
            .bind(now),
            Some(e) => sqlx::query(
                "UPDATE mail_outbox SET last_error = $3, lease_until = NULL
                 WHERE id = $1 AND lease_holder = $2",
            )
            .bind(id)
            .bind(holder)
            .bind(e.to_string()),
        };
        q.execute(&self.write).await?;
        Ok(())
    }
}
