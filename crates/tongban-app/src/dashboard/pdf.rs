//! The leadership's monthly report as a PDF (A4): a table of every indicator for the month with
//! the same month last year and the target, then each counted indicator's line month by month
//! this year against last year, with its target. It prints only what its inputs hold, with no
//! clock and no random ids, so the same inputs and the same font give the same bytes: a past
//! report can be made again and compared by hash. Chinese is set in a subset of a TrueType
//! system font (WenQuanYi Zen Hei from Debian's `fonts-wqy-zenhei` unless `TONGBAN_PDF_FONT`
//! names another).

use super::monthly::{InputRow, Inputs, Trend};
use crate::{Error, Result};
use pdf_writer::types::UnicodeCmap;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Where the font is looked for when `TONGBAN_PDF_FONT` is not set (TrueType outlines only:
/// the PDF embeds them as a CID font of type 2).
const FONT_PATHS: [&str; 2] = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
];

/// A font file read once, named by its file and the start of its hash (kept with each report:
/// another font gives other bytes).
pub struct Font {
    data: Vec<u8>,
    pub name: String,
}

impl Font {
    /// The system's Chinese font, read on first use; an error naming the package when none is
    /// installed.
    pub fn system() -> Result<&'static Font> {
        static FONT: OnceLock<std::result::Result<Font, String>> = OnceLock::new();
        FONT.get_or_init(|| {
            let configured = std::env::var("TONGBAN_PDF_FONT").ok();
            let paths: Vec<String> = match configured {
                Some(p) => vec![p],
                None => FONT_PATHS.iter().map(|p| p.to_string()).collect(),
            };
            let path = paths
                .iter()
                .find(|p| std::path::Path::new(p).exists())
                .ok_or_else(|| {
                    format!(
                        "no Chinese font for the PDF (install fonts-wqy-zenhei or set TONGBAN_PDF_FONT): tried {}",
                        paths.join(", ")
                    )
                })?;
            let data = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
            let face = ttf_parser::Face::parse(&data, 0).map_err(|e| format!("{path}: {e}"))?;
            if face.tables().glyf.is_none() {
                return Err(format!("{path}: not a TrueType font"));
            }
            let file = path.rsplit('/').next().unwrap_or(path);
            let sha = hex::encode(Sha256::digest(&data));
            Ok(Font {
                name: format!("{file} {}", &sha[..12]),
                data,
            })
        })
        .as_ref()
        .map_err(|e| Error::Internal(e.clone()))
    }

    fn face(&self) -> Result<ttf_parser::Face<'_>> {
        ttf_parser::Face::parse(&self.data, 0).map_err(|e| Error::Internal(e.to_string()))
    }
}

#[derive(Clone, Copy)]
struct Rgb(f32, f32, f32);

const INK: Rgb = Rgb(0.1, 0.1, 0.1);
const GREY: Rgb = Rgb(0.45, 0.45, 0.45);
const RULE: Rgb = Rgb(0.8, 0.8, 0.8);
const SHADE: Rgb = Rgb(0.95, 0.95, 0.95);
const BLUE: Rgb = Rgb(0.09, 0.36, 0.67);
const RED: Rgb = Rgb(0.75, 0.1, 0.1);
const GREEN: Rgb = Rgb(0.1, 0.45, 0.2);

/// One thing drawn on a page (points from the bottom left, as PDF counts).
enum Mark {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        color: Rgb,
    },
    Line {
        points: Vec<(f32, f32)>,
        width: f32,
        color: Rgb,
        dashed: bool,
    },
    Fill {
        rect: (f32, f32, f32, f32),
        color: Rgb,
    },
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;

/// Text widths from the font's advances, to right-align figures and shorten long names.
struct Measure<'a> {
    face: &'a ttf_parser::Face<'a>,
}

impl Measure<'_> {
    fn width(&self, text: &str, size: f32) -> f32 {
        let em = f32::from(self.face.units_per_em());
        text.chars()
            .map(|c| {
                let g = self.face.glyph_index(c).unwrap_or_default();
                f32::from(self.face.glyph_hor_advance(g).unwrap_or(0)) / em * size
            })
            .sum()
    }

    /// The text, cut with "…" to fit `max` points.
    fn fit(&self, text: &str, size: f32, max: f32) -> String {
        if self.width(text, size) <= max {
            return text.to_string();
        }
        let mut out = String::new();
        for c in text.chars() {
            if self.width(&format!("{out}{c}…"), size) > max {
                break;
            }
            out.push(c);
        }
        out + "…"
    }
}

/// A page being laid out.
#[derive(Default)]
struct Page(Vec<Mark>);

impl Page {
    fn text(&mut self, x: f32, y: f32, size: f32, text: impl Into<String>, color: Rgb) {
        self.0.push(Mark::Text {
            x,
            y,
            size,
            text: text.into(),
            color,
        });
    }
    fn right(&mut self, m: &Measure, right: f32, y: f32, size: f32, text: &str, color: Rgb) {
        self.text(right - m.width(text, size), y, size, text, color);
    }
    fn line(&mut self, points: Vec<(f32, f32)>, width: f32, color: Rgb, dashed: bool) {
        self.0.push(Mark::Line {
            points,
            width,
            color,
            dashed,
        });
    }
    fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        self.0.push(Mark::Fill {
            rect: (x, y, w, h),
            color,
        });
    }
}

fn number(v: Option<f64>, unit: &str, none: &str) -> String {
    match v {
        Some(v) => format!("{v}{unit}"),
        None => none.to_string(),
    }
}

/// The first page: the title and every indicator in one table.
fn summary(i: &Inputs, m: &Measure) -> Page {
    let l = &i.labels;
    let mut p = Page::default();
    p.text(MARGIN, 790.0, 18.0, i.title.clone(), INK);
    p.text(MARGIN, 766.0, 12.0, i.subtitle.clone(), INK);
    p.text(MARGIN, 748.0, 8.0, i.made.clone(), GREY);
    let (name_w, cols) = (205.0, [315.0, 375.0, 435.0, 505.0]);
    let mut y = 720.0;
    p.text(MARGIN, y, 9.0, l.indicator.clone(), GREY);
    for (right, h) in cols
        .iter()
        .zip([&l.this_month, &l.last_year, &l.target, &l.counted])
    {
        p.right(m, *right, y, 9.0, h, GREY);
    }
    p.text(515.0, y, 9.0, l.meets.clone(), GREY);
    p.line(
        vec![(MARGIN, y - 6.0), (PAGE_W - MARGIN, y - 6.0)],
        0.5,
        RULE,
        false,
    );
    for (n, r) in i.rows.iter().enumerate() {
        y -= 21.0;
        if n % 2 == 1 {
            p.fill(MARGIN, y - 6.0, PAGE_W - 2.0 * MARGIN, 21.0, SHADE);
        }
        p.text(MARGIN, y, 9.0, m.fit(&r.name, 9.0, name_w), INK);
        let target = match r.target {
            Some(t) => format!("{t}{}", r.unit),
            None => l.no_target.clone(),
        };
        let cells = [
            number(r.value, &r.unit, "—"),
            number(r.last_year, &r.unit, "—"),
            target,
            r.counted.clone(),
        ];
        for (right, c) in cols.iter().zip(&cells) {
            p.right(m, *right, y, 9.0, &m.fit(c, 9.0, 62.0), INK);
        }
        match r.meets {
            Some(true) => p.text(515.0, y, 9.0, l.yes.clone(), GREEN),
            Some(false) => p.text(515.0, y, 9.0, l.no.clone(), RED),
            None => p.text(515.0, y, 9.0, "—", GREY),
        }
    }
    p.line(
        vec![(MARGIN, y - 8.0), (PAGE_W - MARGIN, y - 8.0)],
        0.5,
        RULE,
        false,
    );
    p.text(MARGIN, y - 24.0, 8.0, l.note.clone(), GREY);
    p
}

/// One indicator's line this year against last year, in the box whose top left is (x, top).
fn chart(p: &mut Page, m: &Measure, i: &Inputs, r: &InputRow, t: &Trend, x: f32, top: f32) {
    let labels = &i.months;
    let (w, h) = (235.0, 150.0);
    p.text(x, top - 10.0, 9.0, m.fit(&r.name, 9.0, w), INK);
    let (left, right, bottom, ceil) = (x + 30.0, x + w - 6.0, top - h + 14.0, top - 22.0);
    let values = t.this_year.iter().chain(&t.last_year).flatten().copied();
    let max = {
        let most = values.chain(r.target).fold(0.0f64, f64::max);
        if t.percent {
            100.0
        } else {
            (most * 1.1).max(1.0)
        }
    };
    let fy = |v: f64| bottom + (ceil - bottom) * (v / max) as f32;
    let slots = labels.len().max(1) as f32;
    let fx = |k: usize| left + (right - left) * (k as f32 + 0.5) / slots;
    for v in [0.0, max / 2.0, max] {
        p.line(vec![(left, fy(v)), (right, fy(v))], 0.4, RULE, false);
        let label = format!("{}", (v * 10.0).round() / 10.0);
        p.right(m, left - 3.0, fy(v) - 2.5, 6.5, &label, GREY);
    }
    for (k, label) in labels.iter().enumerate() {
        let lx = fx(k) - m.width(label, 6.5) / 2.0;
        p.text(lx, bottom - 9.0, 6.5, label.clone(), GREY);
    }
    if let Some(target) = r.target.filter(|v| *v <= max) {
        p.line(
            vec![(left, fy(target)), (right, fy(target))],
            0.8,
            RED,
            true,
        );
    }
    let runs = |series: &[Option<f64>]| -> Vec<Vec<(f32, f32)>> {
        let mut runs: Vec<Vec<(f32, f32)>> = vec![Vec::new()];
        for (k, v) in series.iter().enumerate() {
            match v {
                Some(v) => runs.last_mut().unwrap().push((fx(k), fy(*v))),
                None => runs.push(Vec::new()),
            }
        }
        runs.into_iter().filter(|r| !r.is_empty()).collect()
    };
    if t.this_year.iter().chain(&t.last_year).all(Option::is_none) {
        let w = m.width(&i.labels.nothing, 8.0);
        p.text(
            (left + right - w) / 2.0,
            (bottom + ceil) / 2.0 + 8.0,
            8.0,
            i.labels.nothing.clone(),
            GREY,
        );
    }
    for run in runs(&t.last_year) {
        p.line(run, 0.8, GREY, true);
    }
    for run in runs(&t.this_year) {
        for &(px, py) in &run {
            p.fill(px - 1.5, py - 1.5, 3.0, 3.0, BLUE);
        }
        p.line(run, 1.2, BLUE, false);
    }
}

/// Every page of the report, with a footer naming the page and the inputs' hash.
fn layout(i: &Inputs, inputs_sha: &str, m: &Measure) -> Vec<Page> {
    let mut pages = vec![summary(i, m)];
    let charted: Vec<(&InputRow, &Trend)> = i
        .rows
        .iter()
        .filter_map(|r| r.trend.as_ref().map(|t| (r, t)))
        .collect();
    for chunk in charted.chunks(8) {
        let mut p = Page::default();
        p.text(MARGIN, 800.0, 12.0, i.labels.trend_title.clone(), INK);
        p.text(MARGIN, 784.0, 8.0, i.labels.legend.clone(), GREY);
        for (k, (r, t)) in chunk.iter().enumerate() {
            let x = MARGIN + (k % 2) as f32 * 260.0;
            let top = 770.0 - (k / 2) as f32 * 172.0;
            chart(&mut p, m, i, r, t, x, top);
        }
        pages.push(p);
    }
    let total = pages.len();
    for (n, p) in pages.iter_mut().enumerate() {
        let page = i
            .labels
            .page
            .replace("{n}", &(n + 1).to_string())
            .replace("{m}", &total.to_string());
        p.text(
            MARGIN,
            30.0,
            7.0,
            format!("{}{inputs_sha}", i.labels.inputs_hash),
            GREY,
        );
        p.right(m, PAGE_W - MARGIN, 30.0, 7.0, &page, GREY);
    }
    pages
}

fn compress(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = z.write_all(bytes);
    z.finish().unwrap_or_default()
}

/// The report's bytes for `inputs`, printing `inputs_sha` on every page.
pub fn render(inputs: &Inputs, inputs_sha: &str, font: &Font) -> Result<Vec<u8>> {
    let face = font.face()?;
    let measure = Measure { face: &face };
    let pages = layout(inputs, inputs_sha, &measure);

    // The glyphs the pages use, each with a character it stands for (for copying text out).
    let mut used: BTreeMap<u16, char> = BTreeMap::from([(0, ' ')]);
    for mark in pages.iter().flat_map(|p| &p.0) {
        if let Mark::Text { text, .. } = mark {
            for c in text.chars() {
                used.entry(face.glyph_index(c).unwrap_or_default().0)
                    .or_insert(c);
            }
        }
    }
    let gids: Vec<u16> = used.keys().copied().collect();
    let remapper = subsetter::GlyphRemapper::new_from_glyphs_sorted(&gids);
    let subset = subsetter::subset(&font.data, 0, &remapper)
        .map_err(|e| Error::Internal(format!("font subset: {e}")))?;
    let new_gid = |c: char| {
        let old = face.glyph_index(c).unwrap_or_default().0;
        remapper.get(old).unwrap_or(0)
    };

    let (catalog, tree, info, type0, cid, descriptor, file, cmap) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
        Ref::new(6),
        Ref::new(7),
        Ref::new(8),
    );
    let page_ids: Vec<(Ref, Ref)> = (0..pages.len() as i32)
        .map(|k| (Ref::new(9 + 2 * k), Ref::new(10 + 2 * k)))
        .collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().map(|p| p.0))
        .count(pages.len() as i32);
    pdf.document_info(info)
        .title(TextStr(&format!("{} {}", inputs.title, inputs.subtitle)))
        .producer(TextStr("Tongban"));

    // The subset's tag: six letters from its bytes, so the same subset has the same name.
    let tag: String = Sha256::digest(&subset)[..6]
        .iter()
        .map(|b| char::from(b'A' + b % 26))
        .collect();
    let base = format!("{tag}+WenQuanYiZenHei");
    let em = f32::from(face.units_per_em());
    let scale = |v: i16| f32::from(v) / em * 1000.0;
    let system = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    pdf.type0_font(type0)
        .base_font(Name(base.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap);
    let widths: Vec<f32> = remapper
        .remapped_gids()
        .map(|old| {
            f32::from(
                face.glyph_hor_advance(ttf_parser::GlyphId(old))
                    .unwrap_or(0),
            ) / em
                * 1000.0
        })
        .collect();
    let mut c = pdf.cid_font(cid);
    c.subtype(CidFontType::Type2)
        .base_font(Name(base.as_bytes()))
        .system_info(system)
        .font_descriptor(descriptor)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    c.widths().consecutive(0, widths);
    c.finish();
    let bbox = face.global_bounding_box();
    pdf.font_descriptor(descriptor)
        .name(Name(base.as_bytes()))
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(
            scale(bbox.x_min),
            scale(bbox.y_min),
            scale(bbox.x_max),
            scale(bbox.y_max),
        ))
        .italic_angle(0.0)
        .ascent(scale(face.ascender()))
        .descent(scale(face.descender()))
        .cap_height(scale(face.capital_height().unwrap_or(face.ascender())))
        .stem_v(80.0)
        .font_file2(file);
    let packed = compress(&subset);
    pdf.stream(file, &packed)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), subset.len() as i32);
    let mut unicode = UnicodeCmap::new(Name(b"Tongban-UCS"), system);
    for (old, ch) in &used {
        if let Some(new) = remapper.get(*old) {
            unicode.pair(new, *ch);
        }
    }
    pdf.stream(cmap, unicode.finish().as_slice());

    for (page, (id, content_id)) in pages.iter().zip(&page_ids) {
        let mut p = pdf.page(*id);
        p.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree)
            .contents(*content_id);
        p.resources().fonts().pair(Name(b"F1"), type0);
        p.finish();
        let mut content = Content::new();
        for mark in &page.0 {
            match mark {
                Mark::Fill { rect, color } => {
                    content.set_fill_rgb(color.0, color.1, color.2);
                    content.rect(rect.0, rect.1, rect.2, rect.3).fill_nonzero();
                }
                Mark::Line {
                    points,
                    width,
                    color,
                    dashed,
                } => {
                    content.set_stroke_rgb(color.0, color.1, color.2);
                    content.set_line_width(*width);
                    match dashed {
                        true => content.set_dash_pattern([3.0, 2.0], 0.0),
                        false => content.set_dash_pattern([], 0.0),
                    };
                    let mut it = points.iter();
                    if let Some(&(x, y)) = it.next() {
                        content.move_to(x, y);
                        for &(x, y) in it {
                            content.line_to(x, y);
                        }
                        content.stroke();
                    }
                }
                Mark::Text {
                    x,
                    y,
                    size,
                    text,
                    color,
                } => {
                    let glyphs: Vec<u8> = text
                        .chars()
                        .flat_map(|c| new_gid(c).to_be_bytes())
                        .collect();
                    content.set_fill_rgb(color.0, color.1, color.2);
                    content
                        .begin_text()
                        .set_font(Name(b"F1"), *size)
                        .next_line(*x, *y)
                        .show(Str(&glyphs))
                        .end_text();
                }
            }
        }
        let packed = compress(&content.finish());
        pdf.stream(*content_id, &packed).filter(Filter::FlateDecode);
    }
    Ok(pdf.finish())
}
