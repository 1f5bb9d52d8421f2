use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = tongban::cli::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("TONGBAN_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if tongban::config::log_format_of(std::env::args()) == "json" {
        // One object a line; the request span's fields (its id) on every line within it.
        logs.json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        logs.init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(tongban::cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tongban: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
