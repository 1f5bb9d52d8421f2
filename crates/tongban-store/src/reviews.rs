//! 好差评: window visits, ratings and rectification tickets. A bad rating and its ticket are
//! written in one transaction; the unique indexes hold "one rating per case, one per visit" even
//! against two submissions at once.

use crate::inbox::Message;
use crate::write::Write;
use crate::{Result, Store, StoreError, json_col, to_json};
use serde::Serialize;
use sqlx::Row;
use tongban_domain::cases::local_date;
use tongban_domain::dashboard::{indicators::Records, tally};
use tongban_domain::records::{RecordKind, RecordRef};
use tongban_domain::reviews::{Rating, RatingFact, Ticket, TicketFact};

/// A service at a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Visit {
    pub id: String,
    /// What the QR code carries: `/rate/{token}`.
    pub token: String,
    /// 取号 number, e.g. `A012`.
    pub ticket: String,
    pub unit: String,
    pub item_code: Option<String>,
    pub served_by: String,
    pub served_at: String,
    pub rated: bool,
}

fn visit(r: &sqlx::any::AnyRow) -> Result<Visit> {
    Ok(Visit {
        id: r.try_get("id")?,
        token: r.try_get("token")?,
        ticket: r.try_get("ticket")?,
        unit: r.try_get("unit")?,
        item_code: r.try_get("item_code")?,
        served_by: r.try_get("served_by")?,
        served_at: r.try_get("served_at")?,
        rated: r.try_get::<i64, _>("rated")? != 0,
    })
}

const VISIT_COLUMNS: &str =
    "v.id, v.token, v.ticket, v.unit, v.item_code, v.served_by, v.served_at,
    (SELECT COUNT(*) FROM ratings r WHERE r.visit_id = v.id) AS rated";

impl Store {
    /// A run-time setting, if set.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(self.reader())
            .await?;
        Ok(row.map(|r| r.try_get("value")).transpose()?)
    }

    /// Sets a run-time setting, with its audit entry.
    pub async fn set_setting(&self, actor: &str, key: &str, value: &str) -> Result<()> {
        let mut w = self.begin_write(actor).await?;
        let before: Option<String> = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(w.conn())
            .await?
            .map(|r| r.try_get("value"))
            .transpose()?;
        let at = w.at().to_string();
        if before.is_some() {
            sqlx::query(
                "UPDATE settings SET value = $2, updated_at = $3, updated_by = $4 WHERE key = $1",
            )
        } else {
            sqlx::query(
                "INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4)",
            )
        }
        .bind(key)
        .bind(value)
        .bind(&at)
        .bind(actor)
        .execute(w.conn())
        .await?;
        w.audit("setting.set", "setting", key, before.as_ref(), Some(&value))
            .await?;
        w.commit().await
    }

    /// Records a service at a window and issues its ticket number (per unit and day).
    pub async fn create_visit(
        &self,
        actor: &str,
        unit: &str,
        item_code: Option<&str>,
        token: &str,
    ) -> Result<Visit> {
        let mut w = self.begin_write(actor).await?;
        let day = local_date(w.now());
        let n = Self::next_counter(&mut w, &format!("visit:{unit}:{day}")).await?;
        let all = Self::next_counter(&mut w, "visit").await?;
        let v = Visit {
            id: format!("V{all:08}"),
            token: token.to_string(),
            ticket: format!("A{n:03}"),
            unit: unit.to_string(),
            item_code: item_code.map(str::to_string),
            served_by: actor.to_string(),
            served_at: w.at().to_string(),
            rated: false,
        };
        sqlx::query(
            "INSERT INTO visits (id, token, ticket, unit, item_code, served_by, served_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&v.id)
        .bind(&v.token)
        .bind(&v.ticket)
        .bind(&v.unit)
        .bind(&v.item_code)
        .bind(&v.served_by)
        .bind(&v.served_at)
        .execute(w.conn())
        .await?;
        let after = serde_json::json!({"ticket": v.ticket, "unit": v.unit, "item": v.item_code});
        w.audit("visit.serve", "visit", &v.id, None::<&()>, Some(&after))
            .await?;
        let parts = tally::of_visit(&v.unit, w.now());
        self.tally_new(&mut w, Records::Visits, &v.id, parts)
            .await?;
        w.commit().await?;
        Ok(v)
    }

    pub async fn visit_by_token(&self, token: &str) -> Result<Option<Visit>> {
        let row = sqlx::query(sql!(
            "SELECT {VISIT_COLUMNS} FROM visits v WHERE v.token = $1"
        ))
        .bind(token)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| visit(&r)).transpose()
    }

    /// The unit's visits of today, newest first (the window's list).
    pub async fn visits_today(&self, unit: &str) -> Result<Vec<Visit>> {
        let day = local_date(self.now()).to_string();
        let rows = sqlx::query(sql!(
            "SELECT {VISIT_COLUMNS} FROM visits v WHERE v.unit = $1 AND v.served_at >= $2 ORDER BY v.id DESC"
        ))
        .bind(unit)
        .bind(day)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(visit).collect()
    }

    /// Stores a rating, and its rectification ticket when it is bad, in one write. A second
    /// rating of the same case or visit is a conflict (`already_rated`).
    pub async fn save_rating(
        &self,
        actor: &str,
        build: impl FnOnce(String, jiff::Timestamp) -> (Rating, Option<Ticket>),
    ) -> Result<(Rating, Option<Ticket>)> {
        let mut w = self.begin_write(actor).await?;
        let n = Self::next_counter(&mut w, "rating").await?;
        let (rating, ticket) = build(format!("P{n:08}"), w.now());
        let taken = sqlx::query(
            "SELECT id FROM ratings WHERE ($1 <> '' AND case_id = $1) OR ($2 <> '' AND visit_id = $2)",
        )
        .bind(rating.case_id.clone().unwrap_or_default())
        .bind(rating.visit_id.clone().unwrap_or_default())
        .fetch_optional(w.conn())
        .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict {
                field: "rating",
                code: "already_rated",
            });
        }
        sqlx::query(
            "INSERT INTO ratings (id, channel, case_id, visit_id, unit, item_code, level, removed, created_at, rating_json)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)",
        )
        .bind(&rating.id)
        .bind(rating.channel.as_str())
        .bind(&rating.case_id)
        .bind(&rating.visit_id)
        .bind(&rating.unit)
        .bind(&rating.item_code)
        .bind(rating.overall.as_str())
        .bind(w.at().to_string())
        .bind(to_json(&rating))
        .execute(w.conn())
        .await?;
        self.tally_new(
            &mut w,
            Records::Ratings,
            &rating.id,
            tally::of_rating(&rating),
        )
        .await?;
        // The trail records the rating without the rater's identity.
        let after = serde_json::json!({"overall": rating.overall, "channel": rating.channel,
            "case": rating.case_id, "visit": rating.visit_id, "real_name": rating.real_name.is_some()});
        w.audit(
            "rating.create",
            "rating",
            &rating.id,
            None::<&()>,
            Some(&after),
        )
        .await?;
        let ticket = match ticket {
            Some(mut t) => {
                let m = Self::next_counter(&mut w, "rectification").await?;
                t.id = format!("Z{m:08}");
                self.insert_ticket(&mut w, &t).await?;
                Some(t)
            }
            None => None,
        };
        w.commit().await?;
        Ok((rating, ticket))
    }

    async fn insert_ticket(&self, w: &mut Write, t: &Ticket) -> Result<()> {
        sqlx::query(
            "INSERT INTO rectifications (id, rating_id, unit, state, due, updated_at, ticket_json)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&t.id)
        .bind(&t.rating_id)
        .bind(&t.unit)
        .bind(t.state.as_str())
        .bind(t.due.to_string())
        .bind(w.at().to_string())
        .bind(to_json(t))
        .execute(w.conn())
        .await?;
        let after = serde_json::json!({"rating": t.rating_id, "due": t.due, "urgent": t.urgent});
        w.audit(
            "rectification.open",
            "rectification",
            &t.id,
            None::<&()>,
            Some(&after),
        )
        .await?;
        let unit = format!("unit:{}", t.unit);
        let about = Some(RecordRef::new(RecordKind::Rectification, &t.id));
        self.notify(w, Message::new(&unit, about, "rectification"))
            .await?;
        Ok(())
    }

    pub async fn rating(&self, id: &str) -> Result<Option<Rating>> {
        self.json_by("ratings", "rating_json", "id", id).await
    }

    pub async fn rating_of_case(&self, case_id: &str) -> Result<Option<Rating>> {
        self.json_by("ratings", "rating_json", "case_id", case_id)
            .await
    }

    pub async fn ticket(&self, id: &str) -> Result<Option<Ticket>> {
        self.json_by("rectifications", "ticket_json", "id", id)
            .await
    }

    /// Tickets of a unit (or all), open ones first by due date.
    pub async fn tickets(&self, unit: Option<&str>) -> Result<Vec<Ticket>> {
        let rows = sqlx::query(
            "SELECT ticket_json FROM rectifications WHERE ($1 = '' OR unit = $1)
             ORDER BY CASE WHEN state = 'closed' THEN 1 ELSE 0 END, due, id",
        )
        .bind(unit.unwrap_or(""))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| json_col(r, "ticket_json")).collect()
    }

    /// A rectification ticket's row, its columns following the ticket.
    pub(crate) async fn write_rectification(&self, w: &mut Write, t: &Ticket) -> Result<()> {
        sqlx::query(
            "UPDATE rectifications SET state = $2, due = $3, updated_at = $4, ticket_json = $5
             WHERE id = $1",
        )
        .bind(&t.id)
        .bind(t.state.as_str())
        .bind(t.due.to_string())
        .bind(w.at().to_string())
        .bind(to_json(t))
        .execute(w.conn())
        .await?;
        self.tally(
            w,
            Records::Rectifications,
            &t.id,
            tally::of_rectification(t),
        )
        .await
    }

    /// Changes a ticket in one write; `removed` marks its rating removed (on appeal).
    pub async fn change_ticket<E: From<StoreError>>(
        &self,
        actor: &str,
        id: &str,
        action: &str,
        f: impl FnOnce(
            &Ticket,
            jiff::Timestamp,
        )
            -> std::result::Result<(Ticket, tongban_domain::reviews::TicketEffects), E>,
    ) -> std::result::Result<Ticket, E> {
        let mut w = self.begin_write(actor).await?;
        let before: Ticket = w
            .read_json("rectifications", "ticket_json", "rectification", id)
            .await?;
        let (t, fx) = f(&before, w.now())?;
        let removed = fx.remove_rating;
        self.write_rectification(&mut w, &t).await?;
        if removed {
            let mut r: Rating = w
                .read_json("ratings", "rating_json", "rating", &t.rating_id)
                .await?;
            r.removed = true;
            sqlx::query("UPDATE ratings SET removed = 1, rating_json = $2 WHERE id = $1")
                .bind(&t.rating_id)
                .bind(to_json(&r))
                .execute(w.conn())
                .await
                .map_err(StoreError::from)?;
            self.tally(&mut w, Records::Ratings, &r.id, tally::of_rating(&r))
                .await?;
        }
        let b = serde_json::json!({"state": before.state});
        let a = serde_json::json!({"state": t.state, "removed": removed, "remedy": t.remedy,
            "appeal": t.appeal.as_ref().map(|a| (&a.ground, &a.decision)),
            "callback_satisfied": t.callback.as_ref().map(|c| c.satisfied)});
        let about = RecordRef::new(RecordKind::Rectification, id);
        self.record_changed(
            &mut w,
            about,
            &format!("rectification.{action}"),
            Some(&b),
            &a,
            &[],
        )
        .await?;
        w.commit().await?;
        Ok(t)
    }

    /// The facts behind the public statistics of a unit or an item (both empty: the district):
    /// services delivered (issued cases and visits), ratings and tickets.
    pub async fn review_facts(
        &self,
        unit: &str,
        item: &str,
    ) -> Result<(usize, Vec<RatingFact>, Vec<TicketFact>)> {
        let cases: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM cases WHERE state = 'issued' AND ($1 = '' OR unit = $1) AND ($2 = '' OR item_code = $2)",
        )
        .bind(unit)
        .bind(item)
        .fetch_one(self.reader())
        .await?
        .try_get("n")?;
        let visits: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM visits WHERE ($1 = '' OR unit = $1) AND ($2 = '' OR item_code = $2)",
        )
        .bind(unit)
        .bind(item)
        .fetch_one(self.reader())
        .await?
        .try_get("n")?;
        let rows = sqlx::query(
            "SELECT level, removed FROM ratings WHERE ($1 = '' OR unit = $1) AND ($2 = '' OR item_code = $2)",
        )
        .bind(unit)
        .bind(item)
        .fetch_all(self.reader())
        .await?;
        let mut ratings = Vec::new();
        for r in rows {
            let level: String = r.try_get("level")?;
            ratings.push(RatingFact {
                level: tongban_domain::reviews::Level::parse(&level)
                    .ok_or_else(|| StoreError::Corrupt(format!("rating level {level}")))?,
                removed: r.try_get::<i64, _>("removed")? != 0,
            });
        }
        let rows = sqlx::query(
            "SELECT t.ticket_json FROM rectifications t JOIN ratings r ON r.id = t.rating_id
             WHERE ($1 = '' OR r.unit = $1) AND ($2 = '' OR r.item_code = $2)",
        )
        .bind(unit)
        .bind(item)
        .fetch_all(self.reader())
        .await?;
        let mut tickets = Vec::new();
        for r in rows {
            let t: Ticket = json_col(&r, "ticket_json")?;
            tickets.push(TicketFact {
                rectified_on: t.rectified_at.map(local_date),
                due: t.due,
                callback_satisfied: t.callback.as_ref().map(|c| c.satisfied),
            });
        }
        Ok(((cases + visits) as usize, ratings, tickets))
    }
}
