//! What every change of a record writes besides its own row, in the same write: its audit entry
//! and the messages its effects ask for. Each capability's store writes its row and then calls
//! this, so no capability tells people or audits its own way.

use crate::inbox::Message;
use crate::write::Write;
use crate::{Result, Store};
use serde::Serialize;
use tongban_domain::records::{Notify, RecordRef};

impl Store {
    /// What every change of a record writes besides its row, in the same write: one audit entry
    /// (`action`, the states before and after) and each message the change's effects ask for,
    /// about the record, so the inbox and the e-mail link to it.
    pub(crate) async fn record_changed<B: Serialize, A: Serialize>(
        &self,
        w: &mut Write,
        about: RecordRef<'_>,
        action: &str,
        before: Option<&B>,
        after: &A,
        messages: &[Notify],
    ) -> Result<()> {
        w.audit(action, about.kind.as_str(), about.id, before, Some(after))
            .await?;
        for m in messages {
            self.notify(w, Message::new(&m.to, Some(about), m.kind))
                .await?;
        }
        Ok(())
    }
}
