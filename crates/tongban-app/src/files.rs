//! Files people hand in (materials of a case, of a policy declaration): checked by their bytes
//! and kept content-addressed.

use crate::Result;
use tongban_domain::FieldErrors;
use tongban_domain::cases::FileRef;
use tongban_store::Store;

/// One uploaded file, as the edge received it.
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Checks an uploaded material (its kind by its bytes, its size) and stores it.
pub async fn keep(store: &Store, up: Upload) -> Result<FileRef> {
    if up.bytes.is_empty() {
        return Err(FieldErrors::single("file", "required").into());
    }
    if up.bytes.len() > tongban_store::files::MAX_FILE_BYTES {
        let mut e = FieldErrors::new();
        e.push_detail("file", "file_too_large", "10 MB");
        return Err(e.into());
    }
    let Some(kind) = tongban_store::files::sniff_content_type(&up.bytes, &up.filename) else {
        let mut e = FieldErrors::new();
        e.push_detail("file", "material_type", "PDF, JPEG, PNG, OFD");
        return Err(e.into());
    };
    // The name as shown, never a path: the last segment, without control characters.
    let name: String = up
        .filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    let name = if name.is_empty() {
        "file".to_string()
    } else {
        name
    };
    Ok(store.put_file(&name, kind, up.bytes).await?)
}
