//! Spreadsheets people upload (`.xlsx`, `.csv`): read into rows of text, a header row matched to
//! field keys by the key or its label in either language, and every problem named by row, column
//! and reason. The catalog's import and the credit records' import read their files this way.

use crate::messages::{Lang, catalog};
use crate::{Error, Result};

/// Largest upload accepted (a 10 000-item catalog exports to about 4 MiB).
pub const MAX_UPLOAD_BYTES: usize = 16 * 1024 * 1024;

/// One problem found in an uploaded file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RowError {
    /// Spreadsheet row number (the header is row 1).
    pub row: usize,
    /// Column label as in the file, or the field path for nested cells.
    pub column: String,
    pub reason: String,
}

/// Reads an uploaded `.xlsx` or `.csv` into rows of cells (the first sheet of a workbook).
pub fn read_table(file_name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(Error::TooLarge);
    }
    let lower = file_name.to_lowercase();
    if lower.ends_with(".xlsx") {
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
                .map_err(|_| Error::Unreadable("file_unreadable"))?;
        let range = book
            .worksheet_range_at(0)
            .ok_or_else(|| Error::Unreadable("file_empty"))?
            .map_err(|_| Error::Unreadable("file_unreadable"))?;
        Ok(range
            .rows()
            .map(|r| r.iter().map(cell_text).collect())
            .collect())
    } else if lower.ends_with(".csv") {
        let text = std::str::from_utf8(bytes).map_err(|_| Error::Unreadable("csv_not_utf8"))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        reader
            .records()
            .map(|r| {
                r.map(|rec| rec.iter().map(str::to_string).collect())
                    .map_err(|_| Error::Unreadable("file_unreadable"))
            })
            .collect()
    } else {
        Err(Error::Unreadable("file_type"))
    }
}

fn cell_text(c: &calamine::Data) -> String {
    use calamine::Data;
    match c {
        Data::Empty => String::new(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// Whether `s` names the enumeration value `key` (message `{prefix}.{key}`): the key itself, or
/// its Chinese or English label.
pub fn names_value(s: &str, prefix: &str, key: &str) -> bool {
    let s = s.trim();
    let full = format!("{prefix}.{key}");
    s == key
        || s == catalog().get(Lang::Zh, &full)
        || s.eq_ignore_ascii_case(catalog().get(Lang::En, &full))
}

/// Finds the variant whose key or Chinese or English label is `s`.
pub fn choose<V: Copy>(
    s: &str,
    all: &[V],
    key: impl Fn(V) -> &'static str,
    prefix: &str,
) -> Option<V> {
    all.iter()
        .copied()
        .find(|v| names_value(s, prefix, key(*v)))
}

/// The header row matched to `keys`: a header is the key itself or the label of
/// `{prefix}.{key}` for one of `prefixes`, in either language. Returns each column's key and
/// the problems: a header that names no key, a required key without a column.
pub fn match_header(
    header: &[String],
    keys: &[&'static str],
    prefixes: &[&str],
    required: &[&str],
    lang: Lang,
) -> (Vec<Option<&'static str>>, Vec<RowError>) {
    let i18n = catalog();
    let mut errors = Vec::new();
    let mut columns = Vec::new();
    for h in header {
        let h = h.trim();
        let key = keys
            .iter()
            .copied()
            .find(|k| h == *k || prefixes.iter().any(|p| names_value(h, p, k)));
        if key.is_none() && !h.is_empty() {
            errors.push(RowError {
                row: 1,
                column: h.to_string(),
                reason: i18n.get(lang, "import.unknown_column").into(),
            });
        }
        columns.push(key);
    }
    for k in required {
        if !columns.contains(&Some(*k)) {
            errors.push(RowError {
                row: 1,
                // Named as the first way of naming it.
                column: prefixes.first().map_or_else(
                    || k.to_string(),
                    |p| i18n.get(lang, &format!("{p}.{k}")).to_string(),
                ),
                reason: i18n.get(lang, "import.missing_column").into(),
            });
        }
    }
    (columns, errors)
}

/// The reason of a field error as a row error's words (`error.{code}` with its detail).
pub fn reason(lang: Lang, code: &str, detail: Option<&str>) -> String {
    catalog()
        .get(lang, &format!("error.{code}"))
        .replace("{detail}", detail.unwrap_or(""))
}

/// A workbook of one sheet: a bold header row, then the rows, every cell as text.
pub fn write_xlsx(sheet_name: &str, header: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let internal = |e: rust_xlsxwriter::XlsxError| Error::Internal(e.to_string());
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name).map_err(internal)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in header.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, h, &bold)
            .map_err(internal)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet
                .write_string((r + 1) as u32, c as u16, cell)
                .map_err(internal)?;
        }
    }
    book.save_to_buffer().map_err(internal)
}
