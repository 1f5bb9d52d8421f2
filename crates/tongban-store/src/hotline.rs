//! The 12345 hotline: the routing catalog and the tickets (JSON plus the columns the boards, the
//! units' queues and Open311's filters query).

use crate::{Page, Result, Store, StoreError, json_col, to_json};
use sqlx::Row;
use tongban_domain::dashboard::{indicators::Records, tally};
use tongban_domain::hotline::{Route, Ticket};
use tongban_domain::records::{RecordKind, RecordRef};

/// Which tickets to list. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub ids: Vec<String>,
    /// Lead unit (a unit's queue also shows the tickets it assists: see `assisting`).
    pub unit: Option<String>,
    pub states: Vec<String>,
    pub business: Option<bool>,
    pub service_code: Option<String>,
    pub filed_by: Option<String>,
    /// `received_at` bounds, RFC 3339.
    pub since: Option<String>,
    pub until: Option<String>,
}

impl Store {
    pub async fn routes(&self) -> Result<Vec<Route>> {
        let rows = sqlx::query("SELECT route_json FROM hotline_routes ORDER BY code")
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(|r| json_col(r, "route_json")).collect()
    }

    /// Adds or replaces a routing entry.
    pub async fn save_route(&self, actor: &str, route: &Route) -> Result<()> {
        let mut w = self.begin_write(actor).await?;
        let before: Option<Route> =
            sqlx::query("SELECT route_json FROM hotline_routes WHERE code = $1")
                .bind(&route.code)
                .fetch_optional(w.conn())
                .await?
                .map(|r| json_col(&r, "route_json"))
                .transpose()?;
        let at = w.at().to_string();
        if before.is_some() {
            sqlx::query(
                "UPDATE hotline_routes SET route_json = $2, updated_at = $3 WHERE code = $1",
            )
        } else {
            sqlx::query(
                "INSERT INTO hotline_routes (code, route_json, updated_at) VALUES ($1, $2, $3)",
            )
        }
        .bind(&route.code)
        .bind(to_json(route))
        .bind(&at)
        .execute(w.conn())
        .await?;
        w.audit(
            "hotline.route",
            "hotline_route",
            &route.code,
            before.as_ref(),
            Some(route),
        )
        .await?;
        w.commit().await
    }

    /// Takes in a ticket; `build` gets the new id (`H2026-000123`) and the time.
    pub async fn create_hotline_ticket(
        &self,
        actor: &str,
        token: &str,
        build: impl FnOnce(String, jiff::Timestamp) -> Ticket,
    ) -> Result<Ticket> {
        let mut w = self.begin_write(actor).await?;
        let now = w.now();
        let year = tongban_domain::cases::local_date(now).year();
        let n = Self::next_counter(&mut w, &format!("hotline:{year}")).await?;
        let t = build(format!("H{year}-{n:06}"), now);
        sqlx::query(
            "INSERT INTO hotline_tickets (id, token, source, category, state, business, lead, service_code,
                filed_by, received_at, updated_at, reply_due, ticket_json, about_uscc)
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $9, NULL, $10, $11)",
        )
        .bind(&t.id)
        .bind(token)
        .bind(serde_json::to_value(t.source).expect("enum").as_str().unwrap_or_default().to_string())
        .bind(t.intake.category.as_str())
        .bind(t.state.as_str())
        .bind(i64::from(t.business))
        .bind(&t.intake.service_code)
        .bind(&t.filed_by)
        .bind(w.at().to_string())
        .bind(to_json(&t))
        .bind(&t.intake.about_uscc)
        .execute(w.conn())
        .await?;
        // Repeated complaints about one registered entity raise a risk warning in this write.
        if let Some(uscc) = &t.intake.about_uscc {
            let name: Option<String> =
                sqlx::query_scalar("SELECT name FROM enterprises WHERE uscc = $1")
                    .bind(uscc)
                    .fetch_optional(w.conn())
                    .await?;
            if let Some(name) = name {
                self.warn_on_repeated_complaints(&mut w, uscc, &name)
                    .await?;
            }
        }
        let after = serde_json::json!({"category": t.intake.category, "business": t.business,
            "source": t.source, "service_code": t.intake.service_code});
        w.audit(
            "hotline.intake",
            "hotline_ticket",
            &t.id,
            None::<&()>,
            Some(&after),
        )
        .await?;
        w.commit().await?;
        Ok(t)
    }

    pub async fn hotline_ticket(&self, id: &str) -> Result<Option<Ticket>> {
        self.json_by("hotline_tickets", "ticket_json", "id", id)
            .await
    }

    /// The ticket id an Open311 token stands for.
    pub async fn hotline_ticket_by_token(&self, token: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT id FROM hotline_tickets WHERE token = $1")
            .bind(token)
            .fetch_optional(self.reader())
            .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// Lists tickets, newest first, with the total.
    pub async fn list_hotline_tickets(
        &self,
        f: &TicketFilter,
        page: Page,
    ) -> Result<(Vec<Ticket>, i64)> {
        self.query_hotline(f, page, true).await
    }

    /// The newest `limit` tickets matching the filter, without counting them all (Open311's
    /// lists over a large table).
    pub async fn recent_hotline_tickets(
        &self,
        f: &TicketFilter,
        limit: u32,
    ) -> Result<Vec<Ticket>> {
        let page = Page {
            page: 1,
            per_page: limit,
        };
        Ok(self.query_hotline(f, page, false).await?.0)
    }

    async fn query_hotline(
        &self,
        f: &TicketFilter,
        page: Page,
        count: bool,
    ) -> Result<(Vec<Ticket>, i64)> {
        let mut conds: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let param = |binds: &mut Vec<String>, v: String| {
            binds.push(v);
            format!("${}", binds.len())
        };
        if !f.ids.is_empty() {
            let list: Vec<String> = f.ids.iter().map(|i| param(&mut binds, i.clone())).collect();
            conds.push(format!("id IN ({})", list.join(", ")));
        }
        if let Some(u) = &f.unit {
            let b = param(&mut binds, format!("%,{u},%"));
            // Lead or assisting now.
            conds.push(format!("units LIKE {b}"));
        }
        if !f.states.is_empty() {
            let list: Vec<String> = f
                .states
                .iter()
                .map(|s| param(&mut binds, s.clone()))
                .collect();
            conds.push(format!("state IN ({})", list.join(", ")));
        }
        if let Some(b) = f.business {
            conds.push(format!("business = {}", i64::from(b)));
        }
        if let Some(s) = &f.service_code {
            let a = param(&mut binds, s.clone());
            conds.push(format!("service_code = {a}"));
        }
        if let Some(s) = &f.filed_by {
            let a = param(&mut binds, s.clone());
            conds.push(format!("filed_by = {a}"));
        }
        if let Some(s) = &f.since {
            let a = param(&mut binds, s.clone());
            conds.push(format!("received_at >= {a}"));
        }
        if let Some(s) = &f.until {
            let a = param(&mut binds, s.clone());
            conds.push(format!("received_at <= {a}"));
        }
        let where_ = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        let n = binds.len();
        let total = if count { "COUNT(*) OVER ()" } else { "0" };
        let text = format!(
            "SELECT ticket_json, {total} AS total FROM hotline_tickets {where_}
             ORDER BY received_at DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(text));
        for b in &binds {
            q = q.bind(b.clone());
        }
        let rows = q
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(self.lagging_reader())
            .await?;
        let total = crate::total_of(&rows)?;
        let tickets = rows
            .iter()
            .map(|r| json_col(r, "ticket_json"))
            .collect::<Result<Vec<Ticket>>>()?;
        Ok((tickets, total))
    }

    /// Every ticket a unit led at some point, for its indicators.
    pub async fn hotline_tickets_of(&self, unit: &str) -> Result<Vec<Ticket>> {
        let rows = sqlx::query("SELECT ticket_json FROM hotline_tickets WHERE ticket_json LIKE $1")
            .bind(format!("%\"lead\":\"{unit}\"%"))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(|r| json_col(r, "ticket_json")).collect()
    }

    /// Changes a ticket in one write (and marks the ticket it merged into).
    pub async fn change_hotline_ticket<E: From<StoreError>>(
        &self,
        actor: &str,
        id: &str,
        action: &str,
        f: impl FnOnce(
            &Ticket,
            jiff::Timestamp,
        ) -> std::result::Result<(Ticket, tongban_domain::hotline::Effects), E>,
    ) -> std::result::Result<Ticket, E> {
        let mut w = self.begin_write(actor).await?;
        let before: Ticket = w
            .read_json("hotline_tickets", "ticket_json", "hotline_ticket", id)
            .await?;
        let (t, fx) = f(&before, w.now())?;
        self.write_hotline(&mut w, &t).await?;
        if let Some(target) = t
            .merged_into
            .as_ref()
            .filter(|_| before.merged_into.is_none())
        {
            let mut other: Ticket = w
                .read_json("hotline_tickets", "ticket_json", "hotline_ticket", target)
                .await?;
            other.merged.push(t.id.clone());
            self.write_hotline(&mut w, &other).await?;
        }
        let b = serde_json::json!({"state": before.state});
        let a = serde_json::json!({"state": t.state, "lead": t.lead, "assisting": t.assisting,
            "merged_into": t.merged_into, "reopened": t.reopened});
        let about = RecordRef::new(RecordKind::HotlineTicket, &t.id);
        self.record_changed(
            &mut w,
            about,
            &format!("hotline.{action}"),
            Some(&b),
            &a,
            &fx.messages,
        )
        .await?;
        w.commit().await?;
        Ok(t)
    }

    pub(crate) async fn write_hotline(
        &self,
        w: &mut crate::write::Write,
        t: &Ticket,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE hotline_tickets SET state = $2, lead = $3, updated_at = $4, reply_due = $5, ticket_json = $6,
                units = $7
             WHERE id = $1",
        )
        .bind(&t.id)
        .bind(t.state.as_str())
        .bind(&t.lead)
        .bind(w.at().to_string())
        .bind(t.reply_due().map(|d| d.to_string()))
        .bind(to_json(t))
        .bind(t.lead.as_ref().map(|l| {
            let mut all = vec![l.clone()];
            all.extend(t.assisting.iter().cloned());
            format!(",{},", all.join(","))
        }))
        .execute(w.conn())
        .await?;
        let parts = tally::of_hotline_ticket(t);
        self.tally(w, Records::HotlineTickets, &t.id, parts).await
    }
}
