//! The bundle's timeline as an SVG Gantt chart: one row per part, from the bundle's start to now
//! (or its end), with the time a part waited for its inputs, waited for acceptance, and was
//! handled, and where it ended. Plain SVG, no script; it scrolls inside its box on a phone.

use jiff::Timestamp;
use tongban_domain::bundles::{Bundle, Part};
use tongban_domain::cases::CaseState;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What the chart needs from the page: each row's two lines of text (item, unit), the words of
/// the tooltips in the reader's language (`waiting`, `received`, `handled`, or a skip reason),
/// and how to print a time.
pub struct Words<'a> {
    pub label: &'a dyn Fn(&Part) -> (String, String),
    pub tip: &'a dyn Fn(&str) -> String,
    pub time: &'a dyn Fn(Timestamp) -> String,
}

const WAITING: &str = "#cfd8dc";
const RECEIVED: &str = "#f9a825";
const HANDLED: &str = "#1565c0";
const DONE: &str = "#2e7d32";
const FAILED: &str = "#c62828";

pub fn svg(b: &Bundle, now: Timestamp, w: &Words) -> String {
    let start = b.created_at;
    let end = b
        .completed_at
        .unwrap_or(now)
        .max(start + jiff::SignedDuration::from_mins(1));
    let span = end.duration_since(start).as_secs_f64();
    let (left, width, row): (f64, f64, f64) = (200.0, 440.0, 34.0);
    let height = 40.0 + row * b.parts.len() as f64;
    let x = |t: Timestamp| -> f64 {
        left + width * (t.duration_since(start).as_secs_f64() / span).clamp(0.0, 1.0)
    };
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 660 {height}" role="img" class="gantt" aria-label="{}">"#,
        esc(&b.id)
    );
    out.push_str(&format!(
        r##"<text x="{left}" y="14" font-size="10" fill="#555">{}</text><text x="{}" y="14" font-size="10" fill="#555" text-anchor="end">{}</text>"##,
        esc(&(w.time)(start)),
        left + width,
        esc(&(w.time)(end))
    ));
    for (i, p) in b.parts.iter().enumerate() {
        let y = 24.0 + row * i as f64;
        let (item, unit) = (w.label)(p);
        out.push_str(&format!(
            r##"<text class="row-label" x="4" y="{}" font-size="11" fill="#222">{}</text><text class="row-unit" x="4" y="{}" font-size="9" fill="#666">{}</text>"##,
            y + 11.0,
            esc(&item),
            y + 23.0,
            esc(&unit)
        ));
        out.push_str(&format!(
            r##"<rect x="{left}" y="{}" width="{width}" height="1" fill="#eee"/>"##,
            y + 28.0
        ));
        let bar = |from: f64, to: f64, color: &str, what: &str| {
            format!(
                r##"<rect x="{from:.1}" y="{}" width="{:.1}" height="14" fill="{color}"><title>{}</title></rect>"##,
                y + 8.0,
                (to - from).max(2.0),
                esc(what)
            )
        };
        let Some(started) = p.started_at else {
            // Not started: waiting for its inputs, or never (skipped).
            let (color, tip) = match &p.skipped {
                Some(why) => (FAILED, (w.tip)(why)),
                None => (WAITING, (w.tip)("waiting")),
            };
            out.push_str(
                &bar(left, x(end), color, &tip).replace("<rect ", r#"<rect opacity="0.5" "#),
            );
            continue;
        };
        let handled_end = p.finished_at.unwrap_or(end);
        if started > start {
            out.push_str(&bar(x(start), x(started), WAITING, &(w.tip)("waiting")));
        }
        let closed_badly =
            matches!(p.case_state, Some(s) if s.is_closed() && s != CaseState::Issued);
        match p.accepted_at {
            Some(a) => {
                out.push_str(&bar(x(started), x(a), RECEIVED, &(w.tip)("received")));
                let color = match p.case_state {
                    Some(CaseState::Issued) => DONE,
                    _ if closed_badly => FAILED,
                    _ => HANDLED,
                };
                out.push_str(&bar(x(a), x(handled_end), color, &(w.tip)("handled")));
            }
            None => {
                let color = if closed_badly { FAILED } else { RECEIVED };
                out.push_str(&bar(
                    x(started),
                    x(handled_end),
                    color,
                    &(w.tip)("received"),
                ));
            }
        }
    }
    out.push_str("</svg>");
    out
}
