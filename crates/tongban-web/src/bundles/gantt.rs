//! The bundle's timeline as an SVG Gantt chart: one row per part, from the bundle's start to now
//! (or its end), with the time a part waited for its inputs, waited for acceptance, and was
//! handled, and where it ended. Plain SVG, no script, readable on a phone.

use jiff::Timestamp;
use tongban_domain::bundles::{Bundle, Part};
use tongban_domain::cases::CaseState;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `label(part)` gives each row's text (item and unit in the reader's language).
pub fn svg(
    b: &Bundle,
    now: Timestamp,
    label: &dyn Fn(&Part) -> String,
    time: &dyn Fn(Timestamp) -> String,
) -> String {
    let start = b.created_at;
    let end = b
        .completed_at
        .unwrap_or(now)
        .max(start + jiff::SignedDuration::from_mins(1));
    let span = end.duration_since(start).as_secs_f64();
    let (left, width, row): (f64, f64, f64) = (150.0, 430.0, 30.0);
    let height = 40.0 + row * b.parts.len() as f64;
    let x = |t: Timestamp| -> f64 {
        left + width * (t.duration_since(start).as_secs_f64() / span).clamp(0.0, 1.0)
    };
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 {height}" role="img" class="gantt" aria-label="{}">"#,
        esc(&b.id)
    );
    out.push_str(&format!(
        r##"<text x="{left}" y="14" font-size="10" fill="#555">{}</text><text x="{}" y="14" font-size="10" fill="#555" text-anchor="end">{}</text>"##,
        esc(&time(start)),
        left + width,
        esc(&time(end))
    ));
    for (i, p) in b.parts.iter().enumerate() {
        let y = 24.0 + row * i as f64;
        out.push_str(&format!(
            r##"<text x="4" y="{}" font-size="11" fill="#222">{}</text>"##,
            y + 14.0,
            esc(&label(p))
        ));
        out.push_str(&format!(
            r##"<rect x="{left}" y="{}" width="{width}" height="1" fill="#ddd"/>"##,
            y + 20.0
        ));
        let Some(started) = p.started_at else {
            // Not started: waiting for its inputs (or never, if skipped).
            let color = if p.skipped.is_some() {
                "#c62828"
            } else {
                "#bbb"
            };
            out.push_str(&format!(
                r##"<rect x="{left}" y="{}" width="{}" height="12" fill="{color}" opacity="0.35"><title>{}</title></rect>"##,
                y + 5.0,
                (x(end) - left).max(2.0),
                esc(p.skipped.as_deref().unwrap_or("waiting"))
            ));
            continue;
        };
        let finished = p.finished_at;
        let accepted = p.accepted_at;
        let handled_end = finished.unwrap_or(end);
        let seg = |from: Timestamp, to: Timestamp, color: &str, what: &str| {
            format!(
                r##"<rect x="{:.1}" y="{}" width="{:.1}" height="12" fill="{color}"><title>{what}</title></rect>"##,
                x(from),
                y + 5.0,
                (x(to) - x(from)).max(2.0)
            )
        };
        if started > start {
            out.push_str(&seg(start, started, "#cfd8dc", "waiting for inputs"));
        }
        match accepted {
            Some(a) => {
                out.push_str(&seg(started, a, "#f9a825", "received"));
                let color = match p.case_state {
                    Some(CaseState::Issued) => "#2e7d32",
                    Some(s) if s.is_closed() => "#c62828",
                    _ => "#1565c0",
                };
                out.push_str(&seg(a, handled_end, color, "handled"));
            }
            None => {
                let color = match p.case_state {
                    Some(s) if s.is_closed() => "#c62828",
                    _ => "#f9a825",
                };
                out.push_str(&seg(started, handled_end, color, "received"));
            }
        }
    }
    out.push_str("</svg>");
    out
}
