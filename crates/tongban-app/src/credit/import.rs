//! A unit's credit records from a spreadsheet (`.xlsx` or `.csv`): every row valid and all of
//! them entered in one write, or none and every problem named by row, column and reason.
//!
//! Columns (the header row: the key, or its label in either language): `subject_kind`
//! (市场主体 / 自然人), `subject_id`, `subject_name`, `kind` (行政许可, 行政处罚, 经营异常名录,
//! 严重失信主体名单, 红名单…), `severity` (轻微 / 一般 / 严重), `document`, `decided_on`
//! (YYYY-MM-DD), `legal_basis`, and optionally `summary`, `publish_months`. The deciding unit is
//! the importer's own.

use crate::messages::Lang;
use crate::table::{RowError, choose, match_header, read_table, reason};
use crate::{Error, Result};
use tongban_domain::FieldErrors;
use tongban_domain::accounts::Role;
use tongban_domain::credit::lists::CreditLists;
use tongban_domain::credit::{CreditKind, NewRecord, Severity, SubjectKind};
use tongban_store::Store;
use tongban_store::accounts::User;

pub const COLUMNS: [&str; 10] = [
    "subject_kind",
    "subject_id",
    "subject_name",
    "kind",
    "severity",
    "document",
    "decided_on",
    "legal_basis",
    "summary",
    "publish_months",
];
const REQUIRED: [&str; 8] = [
    "subject_kind",
    "subject_id",
    "subject_name",
    "kind",
    "severity",
    "document",
    "decided_on",
    "legal_basis",
];
/// A unit enters at most this many records in one file.
pub const MAX_ROWS: usize = 5_000;

/// What an import did: the records entered, or every problem and nothing entered.
pub enum Imported {
    Done(Vec<String>),
    Refused(Vec<RowError>),
}

/// One row as a record of `unit`, each unreadable cell named by its field.
fn record_of(
    cell: &dyn Fn(&str) -> String,
    unit: &str,
    lists: &CreditLists,
) -> Result<NewRecord, FieldErrors> {
    let mut e = FieldErrors::new();
    let kinds = [SubjectKind::Enterprise, SubjectKind::Person];
    let subject_kind = choose(
        &cell("subject_kind"),
        &kinds,
        SubjectKind::as_str,
        "credit.subject",
    )
    .or_else(|| {
        choose(
            &cell("subject_kind"),
            &kinds,
            SubjectKind::as_str,
            "credit.subject_short",
        )
    })
    .unwrap_or_else(|| {
        e.push_detail("subject_kind", "unknown_value", cell("subject_kind"));
        SubjectKind::Enterprise
    });
    let kind = choose(
        &cell("kind"),
        &CreditKind::ALL,
        CreditKind::as_str,
        "credit.kind",
    )
    .unwrap_or_else(|| {
        e.push_detail("kind", "unknown_value", cell("kind"));
        CreditKind::Penalty
    });
    let severity = choose(
        &cell("severity"),
        &[Severity::Minor, Severity::Ordinary, Severity::Serious],
        Severity::as_str,
        "credit.severity",
    )
    .unwrap_or_else(|| {
        e.push_detail("severity", "unknown_value", cell("severity"));
        Severity::Ordinary
    });
    let decided_on = cell("decided_on").parse().unwrap_or_else(|_| {
        e.push_detail("decided_on", "invalid_date", cell("decided_on"));
        jiff::civil::date(2000, 1, 1)
    });
    let publish_months = match cell("publish_months").as_str() {
        "" => None,
        m => m.parse::<u8>().map(Some).unwrap_or_else(|_| {
            e.push_detail("publish_months", "out_of_range", "1–3");
            None
        }),
    };
    let new = NewRecord {
        subject_kind,
        subject_id: cell("subject_id"),
        subject_name: cell("subject_name"),
        kind,
        severity,
        unit: unit.to_string(),
        document: cell("document"),
        decided_on,
        legal_basis: cell("legal_basis"),
        summary: cell("summary"),
        publish_months,
        case_id: None,
    };
    if !lists.collects(kind, unit) && !e.0.iter().any(|x| x.field == "kind") {
        e.push_detail("kind", "not_in_data_list", unit);
    }
    // What cannot be read is reported with what the record then breaks.
    if let Err(rules) = new.validate() {
        for f in rules.0 {
            if !e.0.iter().any(|x| x.field == f.field) {
                e.0.push(f);
            }
        }
    }
    e.into_result(new)
}

/// Turns table rows into records of `unit`, or every problem with row, column and reason.
pub fn parse_rows(
    rows: &[Vec<String>],
    unit: &str,
    lists: &CreditLists,
    lang: Lang,
) -> std::result::Result<Vec<NewRecord>, Vec<RowError>> {
    let i18n = crate::messages::catalog();
    let Some(header) = rows.first() else {
        return Err(vec![RowError {
            row: 1,
            column: String::new(),
            reason: i18n.get(lang, "import.empty").into(),
        }]);
    };
    let (columns, mut errors) = match_header(
        header,
        &COLUMNS,
        &["credit.col", "field", "credit"],
        &REQUIRED,
        lang,
    );
    if rows.len() - 1 > MAX_ROWS {
        errors.push(RowError {
            row: MAX_ROWS + 2,
            column: String::new(),
            reason: i18n.get(lang, "import.too_many_rows").into(),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut records = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |k: &str| {
            columns
                .iter()
                .position(|c| *c == Some(k))
                .and_then(|p| row.get(p))
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        match record_of(&cell, unit, lists) {
            Ok(r) => records.push(r),
            Err(fe) => {
                for f in fe.0 {
                    let column = columns
                        .iter()
                        .position(|c| *c == Some(f.field.as_str()))
                        .and_then(|p| header.get(p).cloned())
                        .unwrap_or_else(|| {
                            i18n.get(lang, &format!("credit.col.{}", f.field))
                                .to_string()
                        });
                    errors.push(RowError {
                        row: i + 1,
                        column,
                        reason: reason(lang, f.code, f.detail.as_deref()),
                    });
                }
            }
        }
    }
    if records.is_empty() && errors.is_empty() {
        errors.push(RowError {
            row: 2,
            column: String::new(),
            reason: i18n.get(lang, "import.empty").into(),
        });
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(errors)
    }
}

/// A unit's clerk or approver imports records of their unit, all in one write or none.
pub async fn import(
    store: &Store,
    user: &User,
    file_name: &str,
    bytes: &[u8],
    lang: Lang,
) -> Result<Imported> {
    let unit = match (&user.role, &user.unit) {
        (Role::Clerk | Role::Approver, Some(u)) => u.clone(),
        _ => return Err(Error::Forbidden),
    };
    let rows = read_table(file_name, bytes)?;
    let lists = store.credit_lists().await?;
    Ok(match parse_rows(&rows, &unit, &lists, lang) {
        Ok(records) => Imported::Done(store.record_credit_many(&user.username, records).await?),
        Err(errors) => Imported::Refused(errors),
    })
}

/// A workbook to fill in: the columns with their Chinese labels, and `rows` below (the page's
/// template carries one example row).
pub fn template_xlsx(rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let i18n = crate::messages::catalog();
    let header: Vec<String> = COLUMNS
        .iter()
        .map(|k| i18n.get(Lang::Zh, &format!("credit.col.{k}")).to_string())
        .collect();
    crate::table::write_xlsx(i18n.get(Lang::Zh, "credit.import_sheet"), &header, rows)
}

/// The example row of the template.
pub fn example_row() -> Vec<String> {
    [
        "市场主体",
        "91360103MA39K2R741",
        "南昌市西湖区洪城数智科技有限公司",
        "行政处罚",
        "一般",
        "洪西市监罚〔2026〕1号",
        "2026-12-01",
        "《中华人民共和国广告法》第五十五条",
        "发布虚假广告",
        "",
    ]
    .map(str::to_string)
    .to_vec()
}
