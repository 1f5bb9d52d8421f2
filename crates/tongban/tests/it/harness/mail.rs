//! A loopback SMTP peer for the e-mail tests.

/// A minimal SMTP peer on loopback that accepts every message and records (recipient, data).
pub fn smtp_sink() -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let got: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>> = Default::default();
    let store = got.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut w) = conn else { continue };
            let mut r = BufReader::new(w.try_clone().unwrap());
            let _ = w.write_all(b"220 sink ESMTP\r\n");
            let (mut rcpt, mut line) = (String::new(), String::new());
            loop {
                line.clear();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let cmd = line.trim_end().to_string();
                if cmd.starts_with("EHLO") {
                    let _ = w.write_all(b"250-sink\r\n250 8BITMIME\r\n");
                } else if cmd.starts_with("RCPT TO:") {
                    rcpt = cmd[8..].trim_matches(['<', '>']).to_string();
                    let _ = w.write_all(b"250 ok\r\n");
                } else if cmd == "DATA" {
                    let _ = w.write_all(b"354 go\r\n");
                    let mut data = String::new();
                    loop {
                        line.clear();
                        r.read_line(&mut line).unwrap();
                        if line == ".\r\n" {
                            break;
                        }
                        data.push_str(&line);
                    }
                    store.lock().unwrap().push((rcpt.clone(), data));
                    let _ = w.write_all(b"250 queued\r\n");
                } else if cmd == "QUIT" {
                    let _ = w.write_all(b"221 bye\r\n");
                    break;
                } else {
                    let _ = w.write_all(b"250 ok\r\n");
                }
            }
        }
    });
    (addr, got)
}

/// The decoded subject of a message as the SMTP sink received it.
pub fn subject(message: &str) -> String {
    use base64::Engine;
    let b64 = message
        .lines()
        .find_map(|l| l.strip_prefix("Subject: =?UTF-8?B?"))
        .unwrap()
        .trim_end_matches("?=");
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
    .unwrap()
}
