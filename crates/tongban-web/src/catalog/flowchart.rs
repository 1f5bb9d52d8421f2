//! The handling process of a guide drawn as an SVG flowchart, generated from the item's steps:
//! one box per step, top to bottom, coloured by who acts. Printable, no script, no fonts needed
//! beyond the reader's own.

use crate::i18n::T;
use tongban_domain::catalog::{Step, StepActor};

const WIDTH: u32 = 360;
const BOX_H: u32 = 52;
const GAP: u32 = 30;
const MARGIN: u32 = 10;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn colours(actor: StepActor) -> (&'static str, &'static str) {
    match actor {
        StepActor::Applicant => ("#e8f1fb", "#2b6cb0"),
        StepActor::Clerk => ("#eaf7ee", "#2f855a"),
        StepActor::Approver => ("#fdf2e9", "#c05621"),
    }
}

/// The SVG document for `steps`, labelled in the reader's language.
pub fn svg(steps: &[Step], t: T) -> String {
    let n = steps.len() as u32;
    let height = MARGIN * 2 + n * BOX_H + n.saturating_sub(1) * GAP;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="{}" font-family="sans-serif">"#,
        escape(t.get("guide.flowchart"))
    );
    out.push_str(r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>"##);
    for (i, step) in steps.iter().enumerate() {
        let y = MARGIN + i as u32 * (BOX_H + GAP);
        let (fill, stroke) = colours(step.actor);
        let actor = t.get(&format!("actor.{}", step.actor.as_str()));
        out.push_str(&format!(
            r##"<g><rect x="{MARGIN}" y="{y}" width="{}" height="{BOX_H}" rx="8" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/><text x="{}" y="{}" text-anchor="middle" font-size="16" fill="#1a202c">{}. {}</text><text x="{}" y="{}" text-anchor="middle" font-size="12" fill="{stroke}">{}</text></g>"##,
            WIDTH - 2 * MARGIN,
            WIDTH / 2,
            y + 23,
            i + 1,
            escape(&step.name),
            WIDTH / 2,
            y + 42,
            escape(actor),
        ));
        if i + 1 < steps.len() {
            let (y1, y2) = (y + BOX_H, y + BOX_H + GAP - 2);
            out.push_str(&format!(r##"<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="#555" stroke-width="1.5" marker-end="url(#arrow)"/>"##, x = WIDTH / 2));
        }
    }
    out.push_str("</svg>");
    out
}
