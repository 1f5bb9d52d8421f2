//! Accounts, sessions, API tokens and login throttling.
//!
//! Secrets never reach the database in clear: sessions and API tokens are stored as SHA-256
//! hashes of the random value the client holds, passwords as argon2 hashes made by the caller.

use crate::{Result, Store, StoreError};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use tongban_domain::accounts::{ApplicantIdentity, NewUser, Role};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit: Option<String>,
    pub identity: Option<ApplicantIdentity>,
    pub disabled: bool,
    pub created_at: String,
}

impl User {
    /// What the audit trail records of an account: no password hash, identity number masked.
    fn audit_view(&self) -> serde_json::Value {
        let identity = self.identity.as_ref().map(|i| match i {
            ApplicantIdentity::Enterprise(u) => u.to_string(),
            ApplicantIdentity::Citizen(id) => id.masked(),
        });
        serde_json::json!({
            "username": self.username, "display_name": self.display_name, "role": self.role,
            "unit": self.unit, "identity": identity, "disabled": self.disabled,
        })
    }
}

const USER_COLUMNS: &str =
    "u.username, u.display_name, u.role, u.unit, u.identity_json, u.disabled, u.created_at";

fn user(row: &AnyRow) -> Result<User> {
    let role: String = row.try_get("role")?;
    let identity: Option<String> = row.try_get("identity_json")?;
    Ok(User {
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
        unit: row.try_get("unit")?,
        identity: identity
            .map(|j| {
                serde_json::from_str(&j).map_err(|e| StoreError::Corrupt(format!("identity: {e}")))
            })
            .transpose()?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        created_at: row.try_get("created_at")?,
    })
}

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    pub expires_at: String,
}

impl Store {
    /// Creates an account. The caller validated `new` and hashed the password.
    pub async fn create_user(
        &self,
        actor: &str,
        new: &NewUser,
        password_hash: &str,
    ) -> Result<User> {
        let mut w = self.begin_write(actor).await?;
        let exists = sqlx::query("SELECT username FROM users WHERE username = $1")
            .bind(&new.username)
            .fetch_optional(w.conn())
            .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict {
                field: "username",
                code: "username_taken",
            });
        }
        let user = User {
            username: new.username.clone(),
            display_name: new.display_name.clone(),
            role: new.role,
            unit: new.unit.clone(),
            identity: new.identity.clone(),
            disabled: false,
            created_at: w.at().to_string(),
        };
        sqlx::query(
            "INSERT INTO users (username, display_name, role, unit, identity_json, password_hash, disabled, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7)",
        )
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(user.role.as_str())
        .bind(&user.unit)
        .bind(user.identity.as_ref().map(crate::to_json))
        .bind(password_hash)
        .bind(&user.created_at)
        .execute(w.conn())
        .await?;
        w.audit::<(), _>(
            "user.create",
            "user",
            &user.username,
            None,
            Some(&user.audit_view()),
        )
        .await?;
        w.commit().await?;
        Ok(user)
    }

    /// The account and its password hash.
    pub async fn user_with_password(&self, username: &str) -> Result<Option<(User, String)>> {
        let row = sqlx::query(sql!(
            "SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.username = $1"
        ))
        .bind(username)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| Ok((user(&r)?, r.try_get("password_hash")?)))
            .transpose()
    }

    /// Sets (or clears) the address e-mail notices go to.
    pub async fn set_email(&self, actor: &str, username: &str, email: Option<&str>) -> Result<()> {
        let mut w = self.begin_write(actor).await?;
        let n = sqlx::query("UPDATE users SET email = $2 WHERE username = $1")
            .bind(username)
            .bind(email)
            .execute(w.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound {
                entity: "user",
                id: username.to_string(),
            });
        }
        let after = serde_json::json!({ "email": email });
        w.audit("user.email", "user", username, None::<&()>, Some(&after))
            .await?;
        w.commit().await
    }

    pub async fn user(&self, username: &str) -> Result<Option<User>> {
        let row = sqlx::query(sql!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.username = $1"
        ))
        .bind(username)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| user(&r)).transpose()
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(sql!(
            "SELECT {USER_COLUMNS} FROM users u ORDER BY u.role, u.username"
        ))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(user).collect()
    }

    /// Records a successful login: clears the throttle and stores the session.
    pub async fn create_session(
        &self,
        user: &User,
        token_hash: &str,
        csrf: &str,
        expires_at: &str,
        throttle_key: &str,
    ) -> Result<()> {
        let mut w = self.begin_write(&user.username).await?;
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(throttle_key)
            .execute(w.conn())
            .await?;
        sqlx::query("INSERT INTO sessions (token_hash, username, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(&user.username)
            .bind(csrf)
            .bind(w.at().to_string())
            .bind(expires_at)
            .execute(w.conn())
            .await?;
        let after = serde_json::json!({ "expires_at": expires_at });
        w.audit::<(), _>("session.login", "user", &user.username, None, Some(&after))
            .await?;
        w.commit().await
    }

    /// The live session behind a cookie, if any. `now` is RFC 3339 in the district offset, so
    /// text comparison orders correctly.
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        let now = crate::rfc3339(self.now());
        let row = sqlx::query(sql!(
            "SELECT {USER_COLUMNS}, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.username = s.username
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| {
            Ok(Session {
                user: user(&r)?,
                csrf: r.try_get("csrf")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    pub async fn delete_session(&self, username: &str, token_hash: &str) -> Result<()> {
        let mut w = self.begin_write(username).await?;
        let n = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(w.conn())
            .await?;
        if n.rows_affected() > 0 {
            w.audit::<(), ()>("session.logout", "user", username, None, None)
                .await?;
        }
        w.commit().await
    }

    /// Counts a failed login for `key` (username and client address) inside a window that
    /// starts at the first failure; returns the failures so far in the window.
    pub async fn record_login_failure(
        &self,
        username: &str,
        key: &str,
        window_start_after: &str,
    ) -> Result<i64> {
        let mut w = self.begin_write("anonymous").await?;
        let row = sqlx::query("SELECT failures, first_at FROM login_failures WHERE key = $1")
            .bind(key)
            .fetch_optional(w.conn())
            .await?;
        let failures = match row {
            Some(r) if r.try_get::<String, _>("first_at")?.as_str() > window_start_after => {
                let n = r.try_get::<i64, _>("failures")? + 1;
                sqlx::query("UPDATE login_failures SET failures = $2 WHERE key = $1")
                    .bind(key)
                    .bind(n)
                    .execute(w.conn())
                    .await?;
                n
            }
            _ => {
                sqlx::query(
                    "INSERT INTO login_failures (key, failures, first_at) VALUES ($1, 1, $2)
                     ON CONFLICT (key) DO UPDATE SET failures = 1, first_at = $2",
                )
                .bind(key)
                .bind(w.at().to_string())
                .execute(w.conn())
                .await?;
                1
            }
        };
        let after = serde_json::json!({ "failures": failures });
        w.audit::<(), _>("session.login_failed", "user", username, None, Some(&after))
            .await?;
        w.commit().await?;
        Ok(failures)
    }

    /// Failures recorded for `key` since `window_start_after`.
    pub async fn login_failures(&self, key: &str, window_start_after: &str) -> Result<i64> {
        let row =
            sqlx::query("SELECT failures FROM login_failures WHERE key = $1 AND first_at > $2")
                .bind(key)
                .bind(window_start_after)
                .fetch_optional(self.reader())
                .await?;
        Ok(row.map(|r| r.try_get("failures")).transpose()?.unwrap_or(0))
    }

    /// Stores a new API token for `username`; returns its id.
    pub async fn create_api_token(
        &self,
        actor: &str,
        username: &str,
        name: &str,
        id: &str,
        token_hash: &str,
    ) -> Result<()> {
        let mut w = self.begin_write(actor).await?;
        let exists = sqlx::query("SELECT username FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(w.conn())
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound {
                entity: "user",
                id: username.to_string(),
            });
        }
        sqlx::query("INSERT INTO api_tokens (id, token_hash, username, name, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(token_hash)
            .bind(username)
            .bind(name)
            .bind(w.at().to_string())
            .execute(w.conn())
            .await?;
        let after = serde_json::json!({ "id": id, "username": username, "name": name });
        w.audit::<(), _>("token.create", "api_token", id, None, Some(&after))
            .await?;
        w.commit().await
    }

    pub async fn user_by_api_token(&self, token_hash: &str) -> Result<Option<User>> {
        let row = sqlx::query(sql!(
            "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.username = t.username
             WHERE t.token_hash = $1 AND u.disabled = 0"
        ))
        .bind(token_hash)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| user(&r)).transpose()
    }
}
