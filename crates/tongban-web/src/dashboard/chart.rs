//! Charts drawn on the server as SVG: no script, readable on a phone, each with its text
//! alternative (the page shows the table behind it too). Bars by unit with the target as a line;
//! a trend of this year against last year, month by month.

use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The upper end of the axis: the largest value or target, at least 1 (100 for shares).
fn axis_max(values: impl Iterator<Item = f64>, target: Option<f64>, percent: bool) -> f64 {
    let m = values.chain(target).fold(0.0f64, f64::max);
    if percent {
        m.max(100.0)
    } else {
        m.max(1.0) * 1.1
    }
}

/// Horizontal bars, one per label, with the target as a dashed line.
pub fn bars(
    title: &str,
    rows: &[(String, Option<f64>)],
    target: Option<f64>,
    percent: bool,
) -> String {
    let (w, label_w, row_h) = (320.0, 120.0, 22.0);
    let h = row_h * rows.len().max(1) as f64 + 24.0;
    let max = axis_max(rows.iter().filter_map(|r| r.1), target, percent);
    let x = |v: f64| label_w + (w - label_w - 40.0) * v / max;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let name: String = label.chars().take(9).collect();
        let _ = write!(
            s,
            r#"<text x="{lx}" y="{ty}" text-anchor="end" font-size="11">{n}</text>"#,
            lx = label_w - 4.0,
            ty = y + 14.0,
            n = esc(&name)
        );
        if let Some(v) = v {
            let _ = write!(
                s,
                r#"<rect x="{label_w}" y="{y}" width="{bw:.1}" height="{bh}" class="bar"/><text x="{tx:.1}" y="{ty}" font-size="11">{v}</text>"#,
                bw = (x(*v) - label_w).max(1.0),
                bh = row_h - 6.0,
                tx = x(*v) + 3.0,
                ty = y + 13.0,
            );
        }
    }
    if let Some(t) = target {
        let _ = write!(
            s,
            r#"<line x1="{tx:.1}" x2="{tx:.1}" y1="0" y2="{h}" class="target"/>"#,
            tx = x(t)
        );
    }
    s.push_str("</svg>");
    s
}

/// A trend: this period's months against the same months a year earlier, the target dashed.
pub fn lines(
    title: &str,
    months: &[String],
    now: &[Option<f64>],
    before: &[Option<f64>],
    target: Option<f64>,
    percent: bool,
) -> String {
    let (w, h, pad) = (320.0, 160.0, 28.0);
    let max = axis_max(now.iter().chain(before).flatten().copied(), target, percent);
    let n = months.len().max(2) as f64 - 1.0;
    let x = |i: usize| pad + (w - 2.0 * pad) * i as f64 / n;
    let y = |v: f64| h - pad - (h - 2.0 * pad) * v / max;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    );
    let _ = write!(
        s,
        r#"<line x1="{pad}" x2="{x2}" y1="{yb}" y2="{yb}" class="axis"/><text x="2" y="{yt}" font-size="10">{max:.0}</text>"#,
        x2 = w - pad,
        yb = h - pad,
        yt = pad
    );
    for (i, m) in months.iter().enumerate() {
        let _ = write!(
            s,
            r#"<text x="{tx:.1}" y="{ty}" text-anchor="middle" font-size="9">{m}</text>"#,
            tx = x(i),
            ty = h - pad + 12.0,
            m = esc(m.get(5..).unwrap_or(m))
        );
    }
    if let Some(t) = target {
        let _ = write!(
            s,
            r#"<line x1="{pad}" x2="{x2}" y1="{ty:.1}" y2="{ty:.1}" class="target"/>"#,
            x2 = w - pad,
            ty = y(t)
        );
    }
    for (series, class) in [(before, "last-year"), (now, "this-year")] {
        let pts: Vec<String> = series
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", x(i), y(v))))
            .collect();
        if !pts.is_empty() {
            let _ = write!(
                s,
                r#"<polyline points="{}" class="{class}"/>"#,
                pts.join(" ")
            );
            for p in &pts {
                let (px, py) = p.split_once(',').unwrap_or(("0", "0"));
                let _ = write!(
                    s,
                    r#"<circle cx="{px}" cy="{py}" r="2.5" class="{class}"/>"#
                );
            }
        }
    }
    s.push_str("</svg>");
    s
}
