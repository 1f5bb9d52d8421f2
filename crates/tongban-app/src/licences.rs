//! Verifying an electronic licence: from the text a scanner read off its QR code, a proof file,
//! or a picture of the code (PNG or JPEG, photographed on a phone); offline against a trust
//! file, or on the server, which adds what the log knows since (a change, a revocation).

use tongban_domain::licences::licence::Licence;
use tongban_domain::licences::proof::{self, LicenceProof, Status, Trust, Verdict};
use tongban_store::Store;

/// The longest side a picture is read at: a phone photo is scaled down first (a QR code needs
/// a few pixels a module, not twelve megapixels).
const MAX_SIDE: usize = 1600;

/// The text of the first QR code in a greyscale picture.
fn read_qr(width: usize, height: usize, grey: &[u8]) -> Result<String, &'static str> {
    let step = width.max(height).div_ceil(MAX_SIDE).max(1);
    let (w, h) = (width / step, height / step);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        grey[(y * step) * width + x * step]
    });
    let grids = img.detect_grids();
    let grid = grids.first().ok_or("no_qr_code")?;
    grid.decode()
        .map(|(_, text)| text)
        .map_err(|_| "qr_unreadable")
}

/// Greyscale from 8-bit pixels of `channels` samples (alpha ignored).
fn to_grey(pixels: &[u8], channels: usize) -> Vec<u8> {
    match channels {
        1 | 2 => pixels.chunks(channels).map(|p| p[0]).collect(),
        _ => pixels
            .chunks(channels)
            .map(|p| {
                ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000)
                    as u8
            })
            .collect(),
    }
}

fn png_text(bytes: &[u8]) -> Result<String, &'static str> {
    let mut d = png::Decoder::new(std::io::Cursor::new(bytes));
    d.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = d.read_info().map_err(|_| "image_unreadable")?;
    let (w, h) = reader.info().size();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err("image_unreadable");
    }
    let mut buf = vec![0; reader.output_buffer_size().ok_or("image_unreadable")?];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|_| "image_unreadable")?;
    let channels = info.color_type.samples();
    let pixels = &buf[..info.line_size * info.height as usize];
    // Rows may be padded: take each row's pixels.
    let row = info.width as usize * channels;
    let packed: Vec<u8> = pixels
        .chunks(info.line_size)
        .flat_map(|r| &r[..row])
        .copied()
        .collect();
    read_qr(
        info.width as usize,
        info.height as usize,
        &to_grey(&packed, channels),
    )
}

/// The largest picture decoded (a phone photo is 4000 × 3000): a small file claiming a huge
/// size must not take the server's memory.
const MAX_PIXELS: u64 = 50_000_000;

fn jpeg_text(bytes: &[u8]) -> Result<String, &'static str> {
    let mut d = jpeg_decoder::Decoder::new(std::io::Cursor::new(bytes));
    d.read_info().map_err(|_| "image_unreadable")?;
    let info = d.info().ok_or("image_unreadable")?;
    if u64::from(info.width) * u64::from(info.height) > MAX_PIXELS {
        return Err("image_unreadable");
    }
    let pixels = d.decode().map_err(|_| "image_unreadable")?;
    let info = d.info().ok_or("image_unreadable")?;
    let channels = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => 1,
        jpeg_decoder::PixelFormat::RGB24 => 3,
        _ => return Err("image_unreadable"),
    };
    read_qr(
        usize::from(info.width),
        usize::from(info.height),
        &to_grey(&pixels, channels),
    )
}

/// The proof in what was given: a picture of the code, or its text. Errors are reason codes.
pub fn read(bytes: &[u8]) -> Result<LicenceProof, &'static str> {
    let text = if bytes.starts_with(b"\x89PNG") {
        png_text(bytes)?
    } else if bytes.starts_with(&[0xff, 0xd8]) {
        jpeg_text(bytes)?
    } else {
        String::from_utf8(bytes.to_vec()).map_err(|_| proof::FormatError::WrongPrefix.code())?
    };
    LicenceProof::from_text(&text).map_err(|e| e.code())
}

/// The verdict with no server: `trust` from `/log/trust`, `status` a newer status if one was
/// fetched.
pub fn verify_offline(
    input: &[u8],
    status: Option<&[u8]>,
    trust: &Trust,
    today: jiff::civil::Date,
) -> Verdict {
    let p = match read(input) {
        Ok(p) => p,
        Err(reason) => return Verdict::unreadable(reason),
    };
    let s = match status.map(read).transpose() {
        Ok(s) => s,
        Err(reason) => return Verdict::unreadable(reason),
    };
    proof::verify(&p, s.as_ref(), trust, today)
}

/// The verdict on the server: the same checks, with the log's newest status of the licence.
pub async fn verify(store: &Store, input: &[u8]) -> crate::Result<Verdict> {
    let p = match read(input) {
        Ok(p) => p,
        Err(reason) => return Ok(Verdict::unreadable(reason)),
    };
    let Some(trust) = store.trust().await? else {
        return Ok(Verdict::unreadable("log_not_signed"));
    };
    let today = tongban_domain::cases::local_date(store.now());
    // The identifier as the entry states it; the status is only used once both verify.
    let identifier = tongban_domain::licences::note::split(&p.entry)
        .ok()
        .and_then(|(text, _)| {
            serde_json::from_str::<tongban_domain::licences::licence::Core>(text.trim_end()).ok()
        })
        .map(|c| c.identifier);
    let status = match identifier {
        Some(id) if p.checkpoint.size > 0 => {
            store.licence_status(&id, Some(p.checkpoint.size)).await?
        }
        _ => None,
    };
    let v = proof::verify(&p, status.as_ref(), &trust, today);
    // A status the log cannot link to an older checkpoint of its own means that checkpoint was
    // never the log's.
    Ok(match v.status {
        Status::Forged if v.reason == "status_not_consistent" => Verdict {
            reason: "not_in_log",
            ..v
        },
        _ => v,
    })
}

/// What a new version of a licence does.
#[derive(Debug, Clone)]
pub enum NextVersion {
    /// 变更: the type's fields, new values.
    Change(std::collections::BTreeMap<String, String>),
    /// 延续: valid again for the type's years.
    Renew,
    /// 注销, with the reason.
    Revoke(String),
}

/// Who may make a licence's next version: the issuing unit's clerks and approvers, and
/// administrators.
fn may_follow(user: &tongban_store::accounts::User, licence: &Licence) -> bool {
    use tongban_domain::accounts::Role;
    match user.role {
        Role::Admin => true,
        Role::Clerk | Role::Approver => user.unit.as_deref() == Some(licence.issuer_unit.as_str()),
        _ => false,
    }
}

/// May this user change, renew or revoke the licence (the page shows the forms only then)?
pub fn may_act(user: Option<&tongban_store::accounts::User>, licence: &Licence) -> bool {
    user.is_some_and(|u| may_follow(u, licence))
}

/// A change, renewal or revocation of the licence whose current identifier is given: a new
/// version, signed, logged and audited in one write.
pub async fn next_version(
    store: &Store,
    user: &tongban_store::accounts::User,
    identifier: &str,
    what: NextVersion,
) -> crate::Result<Licence> {
    let versions = store.licence_versions(identifier).await?;
    let (current, _) = versions.last().ok_or(crate::Error::NotFound)?;
    if !may_follow(user, current) {
        return Err(crate::Error::Forbidden);
    }
    let unknown = || tongban_domain::FieldErrors::single("type_code", "unknown_type");
    Ok(store
        .licence_next_version(&user.username, identifier, |l, ty, today| match what {
            NextVersion::Change(fields) => l.change(ty.ok_or_else(unknown)?, fields, today),
            NextVersion::Renew => l.renew(ty.ok_or_else(unknown)?, today),
            NextVersion::Revoke(reason) => l.revoke(&reason, today),
        })
        .await?)
}

/// The licences a holder holds today (current version, not revoked, within validity) with
/// their types: what may stand in for an application's materials.
pub async fn held(
    store: &Store,
    holder_id: &str,
) -> crate::Result<Vec<(Licence, tongban_domain::licences::licence::LicenceType)>> {
    if holder_id.is_empty() {
        return Ok(Vec::new());
    }
    let today = tongban_domain::cases::local_date(store.now());
    let types = store.licence_types().await?;
    Ok(store
        .licences_of(holder_id)
        .await?
        .into_iter()
        .filter(|l| {
            !l.revoked() && l.valid_from <= today && l.valid_until.is_none_or(|u| u >= today)
        })
        .filter_map(|l| {
            let ty = types.get(&l.type_code)?.clone();
            Some((l, ty))
        })
        .collect())
}

/// A held licence as the clerk sees it on a case: verified from the log as a verifier would
/// (its proof at the newest checkpoint, and its newest status).
pub async fn check_held(store: &Store, identifier: &str) -> crate::Result<Verdict> {
    match store.licence_proof(identifier).await? {
        Some(p) => verify(store, p.to_text().as_bytes()).await,
        None => Ok(Verdict::unreadable("not_in_log")),
    }
}
