//! Benchmarks (never tests): figures for the README's Performance section.

#[derive(clap::Subcommand, Debug)]
pub enum BenchCommand {
    /// Catalog search through HTTP and the uniformity report on generated items.
    Catalog {
        #[arg(long, default_value_t = 10_000)]
        items: usize,
        #[arg(long, default_value_t = 2_000)]
        requests: usize,
    },
}

pub async fn run(_command: BenchCommand) -> Result<(), String> {
    Err("not yet".into())
}
