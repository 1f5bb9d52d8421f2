//! PostgreSQL's own programs: finding them (`pg_dump` for backups) and a throwaway cluster for
//! the tests and `tongban bench cluster`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A PostgreSQL program: on the PATH, else the newest of Debian's versioned directories.
pub fn pg_bin(name: &str) -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(name)).collect())
        .unwrap_or_default();
    if let Ok(dirs) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = dirs
            .flatten()
            .map(|d| d.path().join("bin").join(name))
            .collect();
        versions.sort();
        candidates.extend(versions.into_iter().rev());
    }
    candidates.into_iter().find(|p| p.exists())
}

/// Starts a throwaway cluster in `dir` (initdb, then pg_ctl on a free port, trusting local
/// connections, fsync off) that stops and is removed once this process has gone, whatever way
/// it ends. Returns `postgres://tongban@127.0.0.1:PORT`. For the tests and the benchmarks only.
pub fn throwaway_cluster(dir: &Path) -> Result<String, String> {
    let initdb = pg_bin("initdb").ok_or("initdb not found (install Debian's postgresql)")?;
    let pg_ctl = pg_bin("pg_ctl").ok_or("pg_ctl not found")?;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        l.local_addr().map_err(|e| e.to_string())?.port()
    };
    // PostgreSQL refuses to run as root: run it as the `postgres` account then.
    let as_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let run = |args: Vec<String>| -> Result<(), String> {
        let mut cmd = if as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]);
            c
        } else {
            Command::new(&args[0])
        };
        let rest = if as_root { &args[..] } else { &args[1..] };
        let out = cmd.args(rest).output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).to_string())
        }
    };
    if as_root {
        Command::new("chown")
            .args(["-R", "postgres", &dir.to_string_lossy()])
            .status()
            .map_err(|e| e.to_string())?;
        let parent = dir.parent().unwrap().to_string_lossy().to_string();
        Command::new("chmod")
            .args(["755", &parent])
            .status()
            .map_err(|e| e.to_string())?;
    }
    let data = dir.join("data").to_string_lossy().to_string();
    run(vec![
        initdb.to_string_lossy().into(),
        "-D".into(),
        data.clone(),
        "-U".into(),
        "tongban".into(),
        "-A".into(),
        "trust".into(),
        "-E".into(),
        "UTF8".into(),
        "--no-locale".into(),
    ])
    .map_err(|e| format!("initdb failed: {e}"))?;
    let opts = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
        dir.to_string_lossy()
    );
    run(vec![
        pg_ctl.to_string_lossy().into(),
        "-D".into(),
        data.clone(),
        "-o".into(),
        opts,
        "-l".into(),
        format!("{}/log", dir.to_string_lossy()),
        "-w".into(),
        "start".into(),
    ])
    .map_err(|e| format!("pg_ctl start failed: {e}"))?;
    // Stop the cluster once this test process has gone, whatever way it ends.
    let stop = if as_root {
        format!(
            "runuser -u postgres -- {} -D {data} -m immediate stop",
            pg_ctl.to_string_lossy()
        )
    } else {
        format!("{} -D {data} -m immediate stop", pg_ctl.to_string_lossy())
    };
    let watchdog = format!(
        "while kill -0 {} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {}",
        std::process::id(),
        dir.to_string_lossy()
    );
    Command::new("sh")
        .args(["-c", &watchdog])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    Ok(format!("postgres://tongban@127.0.0.1:{port}"))
}
