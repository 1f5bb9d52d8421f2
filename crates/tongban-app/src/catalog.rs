//! The service catalog's use cases that every edge shares: importing a spreadsheet of guides
//! (every row valid, or nothing is imported) and exporting the published catalog. The table
//! format itself, which the edit form uses too, is [`sheet`].

pub mod sheet;

use crate::messages::Lang;
use crate::{Error, Result};
use sheet::RowError;
use tongban_store::Store;
use tongban_store::catalog::ImportSummary;

/// What an import did: the guides written, or every problem of the file and nothing written.
pub enum Imported {
    Done(ImportSummary),
    Refused(Vec<RowError>),
}

/// Imports a `.xlsx` or `.csv` of guides in one write, as `actor`, with `note` on every new
/// version (and publishes them if asked). Problems are named by row, column and reason in
/// `lang`. Who may import is the edge's to check (the web: catalog editors; the CLI: whoever
/// runs it on the server).
pub async fn import(
    store: &Store,
    actor: &str,
    file_name: &str,
    bytes: &[u8],
    lang: Lang,
    publish: bool,
    note: &str,
) -> Result<Imported> {
    let rows = sheet::read_table(file_name, bytes)?;
    let units = store.unit_codes().await?;
    Ok(
        match sheet::parse_rows(&rows, lang, &|u| units.contains(u)) {
            Ok(guides) => Imported::Done(store.import_items(actor, &guides, publish, note).await?),
            Err(errors) => Imported::Refused(errors),
        },
    )
}

/// The published catalog as an `.xlsx` workbook with Chinese headers, with how many items it
/// holds (built off the async runtime: a large catalog takes a while).
pub async fn export(store: &Store) -> Result<(Vec<u8>, usize)> {
    let guides = store.published_guides().await?;
    let n = guides.len();
    let bytes = tokio::task::spawn_blocking(move || sheet::export_xlsx(&guides))
        .await
        .map_err(|e| Error::Internal(e.to_string()))??;
    Ok((bytes, n))
}
