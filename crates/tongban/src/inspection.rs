//! `tongban inspection`: the draws of 双随机、一公开 from the command line. `verify` reruns a
//! published draw record with no server and no store, as anyone may.

use clap::Subcommand;
use std::path::PathBuf;
use tongban_domain::inspection::draw::{self, DrawRecord};

#[derive(Subcommand, Debug)]
pub enum InspectionCommand {
    /// Rerun a published draw record (JSON) and compare it byte for byte; names the first
    /// difference when it does not reproduce.
    Verify { file: PathBuf },
}

pub fn run(command: InspectionCommand) -> Result<(), String> {
    match command {
        InspectionCommand::Verify { file } => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let record: DrawRecord = serde_json::from_str(&text)
                .map_err(|e| format!("{}: not a draw record: {e}", file.display()))?;
            match draw::verify(&record) {
                Ok(()) => {
                    println!("draw reproduced: {} checks", record.checks.len());
                    Ok(())
                }
                Err(e) => Err(format!(
                    "draw NOT reproduced: {}: {}{}",
                    e.field,
                    e.code,
                    e.detail.map(|d| format!(" ({d})")).unwrap_or_default()
                )),
            }
        }
    }
}
