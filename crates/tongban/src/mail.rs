//! E-mail notices over SMTP, when configured: the mail job sends the outbox rows the store
//! queued beside inbox messages. The client speaks plain SMTP (EHLO, MAIL, RCPT, DATA) to a relay
//! such as the district's mail server or a local MTA; no TLS, so point it at a trusted relay.

use base64::Engine;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tongban_app::messages::{Lang, catalog};
use tongban_store::Store;
use tongban_store::mail::PendingMail;

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// `host:port` of the relay.
    pub relay: String,
    pub from: String,
    /// Base URL of this platform for links in messages, e.g. `https://tongban.xihu.gov.cn`.
    pub public_url: String,
}

/// How long a sender keeps the rows it claimed before a peer may send them.
const CLAIM: jiff::SignedDuration = jiff::SignedDuration::from_secs(300);

/// Sends what is waiting as `holder` (this server); returns how many were sent. A failure is
/// recorded on the row and retried on a later pass (up to the store's attempt limit).
pub async fn send_pending(store: &Store, smtp: &SmtpConfig, holder: &str) -> Result<usize, String> {
    let mut sent = 0;
    let claimed = store
        .claim_mail(holder, 50, CLAIM)
        .await
        .map_err(|e| e.to_string())?;
    for m in claimed {
        let (subject, body) = compose(&m, &smtp.public_url);
        let result = tokio::time::timeout(
            Duration::from_secs(30),
            send(
                &smtp.relay,
                &smtp.from,
                &m.address,
                &subject,
                &body,
                &message_id(m.id, &smtp.public_url),
            ),
        )
        .await
        .unwrap_or_else(|_| Err("timed out".into()));
        let error = result.as_ref().err().map(String::as_str);
        if let Some(e) = error {
            tracing::warn!(id = m.id, error = %e, "mail not sent");
        } else {
            sent += 1;
        }
        store
            .mail_done(m.id, holder, error)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(sent)
}

/// The same Message-ID every time a row is sent: should a sender die between the relay's
/// acceptance and the row being marked sent, the copy sent again is recognisably the same
/// message to the relay and the reader's mail client.
fn message_id(row: i64, public_url: &str) -> String {
    let host = public_url
        .split("://")
        .nth(1)
        .unwrap_or(public_url)
        .split(['/', ':'])
        .next()
        .filter(|h| !h.is_empty())
        .unwrap_or("tongban.localhost");
    format!("<outbox-{row}@{host}>")
}

/// Subject and body in Chinese (the message catalog's `inbox.*` texts).
fn compose(m: &PendingMail, public_url: &str) -> (String, String) {
    let c = catalog();
    let mut what = c.get(Lang::Zh, &format!("inbox.{}", m.kind)).to_string();
    if let Some(d) = &m.detail {
        what = format!(
            "{what}（{}）",
            tongban_app::messages::inbox_detail(Lang::Zh, &m.kind, d)
        );
    }
    let app = c.get(Lang::Zh, "app.name");
    let about = m.about_kind.as_deref().zip(m.about_id.as_deref());
    match about.and_then(|(kind, id)| Some((kind, id, tongban_web::pages::record_path(kind, id)?)))
    {
        Some((kind, id, path)) => {
            let label = c.get(Lang::Zh, &format!("record.{kind}"));
            (
                format!("{app}：{label} {id} {what}"),
                format!(
                    "{what}\r\n\r\n{label}编号：{id}\r\n查看详情：{}{path}\r\n\r\n{}\r\n",
                    public_url.trim_end_matches('/'),
                    c.get(Lang::Zh, "app.footer")
                ),
            )
        }
        None => (format!("{app}：{what}"), format!("{what}\r\n")),
    }
}

async fn reply(conn: &mut BufReader<TcpStream>, expect: &[u16]) -> Result<(), String> {
    let mut line = String::new();
    loop {
        line.clear();
        if conn.read_line(&mut line).await.map_err(|e| e.to_string())? == 0 {
            return Err("connection closed".into());
        }
        // Multi-line replies continue with `250-…` and end with `250 …`.
        if line.as_bytes().get(3) != Some(&b'-') {
            break;
        }
    }
    let code: u16 = line
        .get(..3)
        .and_then(|c| c.parse().ok())
        .ok_or("malformed reply")?;
    if expect.contains(&code) {
        Ok(())
    } else {
        Err(format!("SMTP: {}", line.trim_end()))
    }
}

async fn command(
    conn: &mut BufReader<TcpStream>,
    line: &str,
    expect: &[u16],
) -> Result<(), String> {
    conn.get_mut()
        .write_all(format!("{line}\r\n").as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    reply(conn, expect).await
}

fn clean(addr: &str) -> Result<&str, String> {
    if addr.is_empty() || addr.contains(['\r', '\n', '<', '>', ' ']) || !addr.contains('@') {
        return Err(format!("not an address: {addr:?}"));
    }
    Ok(addr)
}

pub async fn send(
    relay: &str,
    from: &str,
    to: &str,
    subject: &str,
    body: &str,
    message_id: &str,
) -> Result<(), String> {
    let (from, to) = (clean(from)?, clean(to)?);
    let stream = TcpStream::connect(relay)
        .await
        .map_err(|e| format!("{relay}: {e}"))?;
    let mut conn = BufReader::new(stream);
    reply(&mut conn, &[220]).await?;
    command(&mut conn, "EHLO tongban", &[250]).await?;
    command(&mut conn, &format!("MAIL FROM:<{from}>"), &[250]).await?;
    command(&mut conn, &format!("RCPT TO:<{to}>"), &[250, 251]).await?;
    command(&mut conn, "DATA", &[354]).await?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let date = jiff::Zoned::now()
        .strftime("%a, %d %b %Y %H:%M:%S %z")
        .to_string();
    // Base64 body lines of 76 characters never start with a dot, so no dot-stuffing is needed.
    let encoded = b64.encode(body.as_bytes());
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
        .collect();
    let message = format!(
        "Message-ID: {message_id}\r\nFrom: <{from}>\r\nTo: <{to}>\r\nSubject: =?UTF-8?B?{}?=\r\nDate: {date}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n.",
        b64.encode(subject.as_bytes()),
        lines.join("\r\n")
    );
    command(&mut conn, &message, &[250]).await?;
    command(&mut conn, "QUIT", &[221]).await?;
    Ok(())
}
