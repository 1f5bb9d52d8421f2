//! Electronic licences in the store: a case that issues a licence type's item issues version 1
//! in its own write — the licence row, its transparency-log entry and its audit entry together.

use crate::write::Write;
use crate::{Result, Store, StoreError, json_col, to_json};
use tongban_domain::FieldErrors;
use tongban_domain::cases::{Case, local_date};
use tongban_domain::licences::identifier::Identifier;
use tongban_domain::licences::licence::{Holder, Licence, LicenceType, LicenceTypes};
use tongban_domain::licences::proof::LicenceProof;
use tongban_domain::records::{RecordKind, RecordRef};

/// The versioned document of licence types.
pub const TYPES: &str = "licence_types";

/// How a licence's next version is made from its current one, its type and the day.
pub trait NextVersion:
    FnOnce(
    &Licence,
    Option<&LicenceType>,
    jiff::civil::Date,
) -> std::result::Result<Licence, FieldErrors>
{
}
impl<F> NextVersion for F where
    F: FnOnce(
        &Licence,
        Option<&LicenceType>,
        jiff::civil::Date,
    ) -> std::result::Result<Licence, FieldErrors>
{
}

impl Store {
    /// The licence types as they stand (none before the first version is saved).
    pub async fn licence_types(&self) -> Result<LicenceTypes> {
        match self.list_current(TYPES).await? {
            Some(v) => LicenceTypes::read(&v.toml)
                .map_err(|e| StoreError::Corrupt(format!("licence types v{}: {e}", v.version))),
            None => Ok(LicenceTypes::default()),
        }
    }

    /// Writes a licence version and its log entry inside a write, audited.
    async fn write_licence(&self, w: &mut Write, l: &Licence, case_id: Option<&str>) -> Result<()> {
        let id = l.id();
        // The issuing unit signs the core; the signed note is the log's entry.
        let key = self
            .keys
            .signer(&l.issuer_unit)
            .map_err(StoreError::Corrupt)?;
        let entry = tongban_domain::licences::note::sign(&l.entry(), &[&key])
            .map_err(|e| StoreError::Corrupt(format!("licence entry: {}", e.code())))?;
        let index = self.log_append(w, &entry).await?;
        sqlx::query(
            "INSERT INTO licences (base, version, identifier, type_code, holder_id, unit, action,
                case_id, log_index, licence_json, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id.base())
        .bind(i64::from(id.version))
        .bind(&l.identifier)
        .bind(&l.type_code)
        .bind(&l.holder.id)
        .bind(&l.issuer_unit)
        .bind(l.action.as_str())
        .bind(case_id)
        .bind(index as i64)
        .bind(to_json(l))
        .bind(w.at().to_string())
        .execute(w.conn())
        .await?;
        let view = serde_json::json!({ "identifier": l.identifier, "action": l.action.as_str(),
            "log_index": index });
        let about = RecordRef::new(RecordKind::Licence, &l.identifier);
        self.record_changed(
            w,
            about,
            &format!("licence.{}", l.action.as_str()),
            None::<&()>,
            &view,
            &[],
        )
        .await
    }

    /// The licence an issued case gives, if its item issues a licence type.
    pub(crate) async fn issue_licence_for(
        &self,
        w: &mut Write,
        case: &Case,
    ) -> Result<Option<Licence>> {
        let types = self.licence_types().await?;
        if let Some(held) = types.renewed_by(case) {
            let renewed = self
                .next_version_in(w, held, Some(&case.id), |l, ty, today| {
                    let ty = ty.ok_or_else(|| FieldErrors::single("type_code", "unknown_type"))?;
                    l.renew(ty, today)
                })
                .await?;
            return Ok(Some(renewed));
        }
        let Some(ty) = types.for_case(case) else {
            return Ok(None);
        };
        let holder = Holder {
            id: case.applicant_id_number.clone(),
            name: case.applicant_name.clone(),
        };
        let l = self
            .issue_new(
                w,
                ty,
                &case.unit,
                holder,
                ty.fields_of(case),
                Some(&case.id),
            )
            .await?;
        Ok(Some(l))
    }

    /// Version 1 of a new licence of `ty` from `unit`: the next serial of the type and unit,
    /// signed, logged and audited in the write.
    async fn issue_new(
        &self,
        w: &mut Write,
        ty: &LicenceType,
        unit: &str,
        holder: Holder,
        fields: std::collections::BTreeMap<String, String>,
        case_id: Option<&str>,
    ) -> Result<Licence> {
        let issuer = tongban_domain::org::unit_uscc(unit);
        let serial = Self::next_counter(w, &format!("licence:{}:{unit}", ty.code)).await?;
        let l = Licence::issue(
            ty,
            holder,
            unit,
            issuer.as_str(),
            serial as u64,
            fields,
            local_date(w.now()),
        )?;
        self.write_licence(w, &l, case_id).await?;
        Ok(l)
    }

    /// A new version of a licence (change, renewal, revocation) from its current one, in one
    /// write with its log entry and audit entry. Only the current version can be followed: an
    /// older identifier is refused as superseded, a revoked licence as revoked.
    pub async fn licence_next_version(
        &self,
        actor: &str,
        identifier: &str,
        next: impl NextVersion,
    ) -> Result<Licence> {
        let mut w = self.begin_write(actor).await?;
        let n = self.next_version_in(&mut w, identifier, None, next).await?;
        w.commit().await?;
        Ok(n)
    }

    /// The next version inside a write (a case's renewal writes it with the case).
    async fn next_version_in(
        &self,
        w: &mut Write,
        identifier: &str,
        case_id: Option<&str>,
        next: impl NextVersion,
    ) -> Result<Licence> {
        let not_found = || StoreError::NotFound {
            entity: "licence",
            id: identifier.to_string(),
        };
        let id = Identifier::parse(identifier).map_err(|_| not_found())?;
        let types = self.licence_types().await?;
        let row: Option<String> = sqlx::query_scalar(
            "SELECT licence_json FROM licences WHERE base = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(id.base())
        .fetch_optional(w.conn())
        .await?;
        let current: Licence = match row {
            Some(j) => serde_json::from_str(&j)
                .map_err(|e| StoreError::Corrupt(format!("licence {identifier}: {e}")))?,
            None => return Err(not_found()),
        };
        if current.identifier != identifier {
            return Err(StoreError::Conflict {
                field: "identifier",
                code: "superseded",
            });
        }
        let n = next(&current, types.get(&current.type_code), local_date(w.now()))?;
        self.write_licence(w, &n, case_id).await?;
        Ok(n)
    }

    /// The licence a paid grant gives, if its policy issues a licence type: the paying unit
    /// certifies the grant (兑现确认书), in the payment's write.
    pub(crate) async fn issue_grant_licence(
        &self,
        w: &mut Write,
        d: &tongban_domain::policies::Declaration,
        payer: &str,
    ) -> Result<Option<Licence>> {
        let types = self.licence_types().await?;
        let Some(ty) = types.for_policy(&d.policy) else {
            return Ok(None);
        };
        let holder = Holder {
            id: d.uscc.clone(),
            name: d.enterprise_name.clone(),
        };
        let l = self
            .issue_new(w, ty, payer, holder, ty.fields_of_grant(d), None)
            .await?;
        Ok(Some(l))
    }

    /// Every version of the licence one of whose identifiers is given, oldest first.
    pub async fn licence_versions(&self, identifier: &str) -> Result<Vec<(Licence, u64)>> {
        let Ok(id) = tongban_domain::licences::identifier::Identifier::parse(identifier) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT licence_json, log_index FROM licences WHERE base = $1 ORDER BY version",
        )
        .bind(id.base())
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let index: i64 = sqlx::Row::try_get(r, "log_index")?;
                Ok((json_col(r, "licence_json")?, index as u64))
            })
            .collect()
    }

    /// The current version of every licence a holder holds, newest first.
    pub async fn licences_of(&self, holder_id: &str) -> Result<Vec<Licence>> {
        let rows = sqlx::query(
            "SELECT l.licence_json FROM licences l
             WHERE l.holder_id = $1
               AND l.version = (SELECT MAX(version) FROM licences m WHERE m.base = l.base)
             ORDER BY l.created_at DESC, l.base",
        )
        .bind(holder_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| json_col(r, "licence_json")).collect()
    }

    /// What the version's QR code carries: its proof at the newest checkpoint (`None` for an
    /// unknown identifier or while the log does not sign).
    pub async fn licence_proof(&self, identifier: &str) -> Result<Option<LicenceProof>> {
        let index: Option<i64> =
            sqlx::query_scalar("SELECT log_index FROM licences WHERE identifier = $1")
                .bind(identifier)
                .fetch_optional(self.reader())
                .await?;
        match index {
            Some(i) => self.log_proof(i as u64, None).await,
            None => Ok(None),
        }
    }

    /// The newest version of the licence one of whose identifiers is given, proved at the newest
    /// checkpoint and linked to the older checkpoint of size `since` (a status, for offline
    /// verifiers).
    pub async fn licence_status(
        &self,
        identifier: &str,
        since: Option<u64>,
    ) -> Result<Option<LicenceProof>> {
        let Some((_, index)) = self.licence_versions(identifier).await?.pop() else {
            return Ok(None);
        };
        self.log_proof(index, since).await
    }

    /// The licence a case issued, if any.
    pub async fn licence_of_case(&self, case_id: &str) -> Result<Option<Licence>> {
        self.json_by("licences", "licence_json", "case_id", case_id)
            .await
    }
}
