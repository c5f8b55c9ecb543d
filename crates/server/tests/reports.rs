//! Reports end to end: the real binary, the simulated gateways of all three networks, and a
//! callback receiver on a real socket (a plain std HTTP/1.1 server, not our client's library).

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use support::*;

/// One callback request as received.
struct Received {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map_or("", |(_, v)| v.as_str())
    }
}

/// Answers 503 to the first request and 200 to the rest; keeps every request.
fn receiver() -> (u16, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let keep = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = Vec::new();
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            loop {
                line.clear();
                reader.read_line(&mut line).unwrap();
                let Some((k, v)) = line.trim_end().split_once(": ") else { break };
                headers.push((k.to_owned(), v.to_owned()));
            }
            let r = Received { headers, body: Vec::new() };
            let len: usize = r.header("content-length").parse().unwrap();
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let first = keep.lock().unwrap().is_empty();
            keep.lock().unwrap().push(Received { body, ..r });
            let status = if first { "503 Service Unavailable" } else { "200 OK" };
            let _ = (&stream)
                .write_all(format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes());
        }
    });
    (port, got)
}

fn cli(data: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(BIN).args(args).arg("--data-dir").arg(data).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

/// Report events pushed so far, by message id, after checking every request's signature.
fn pushed_reports(got: &Mutex<Vec<Received>>, secret: &str) -> Vec<Value> {
    let got = got.lock().unwrap();
    let mut out = Vec::new();
    for r in got.iter().skip(1) {
        let ts: i64 = r.header("x-hongyan-timestamp").parse().unwrap();
        assert_eq!(r.header("x-hongyan-signature"), hongyan_notify::sign::signature(secret, ts, &r.body));
        assert!(r.header("content-type").starts_with("application/json"));
        out.extend(serde_json::from_slice::<Vec<Value>>(&r.body).unwrap());
    }
    out
}

#[test]
fn reports_from_all_networks_are_pushed_signed_and_can_be_pulled() {
    let data = data_dir("reports");
    let server = Server::start(&data, &["--sim-report-delay-ms", "100"]);
    let cred = create_account_with(&data, "etax", &["--signature", "某省税务局"]);
    let (port, got) = receiver();

    let (ok, out) = cli(&data, &["callback", "set", "1", "ftp://tax.example/cb"]);
    assert!(!ok && out.contains("https://"), "another scheme is refused with the reason: {out}");
    let (ok, out) = cli(&data, &["callback", "set", "1", &format!("http://127.0.0.1:{port}/sms/reports")]);
    assert!(ok, "{out}");
    let secret = out
        .lines()
        .find_map(|l| l.rsplit_once(": ").filter(|(k, _)| k.contains("secret")))
        .unwrap()
        .1
        .trim()
        .to_owned();
    assert_eq!(secret.len(), 64, "{out}");

    let long = "尊敬的纳税人：".repeat(12);
    let (status, answer) = server.request(
        "POST",
        "/api/v1/messages",
        Some(&cred),
        Some(&json!({ "to": ["13800138000", "18612345678", "18912345678"], "content": long, "category": "notification" })),
    );
    assert_eq!(status, 200, "{answer}");
    let segments: u64 = answer["results"].as_array().unwrap().iter().map(|r| r["segments"].as_u64().unwrap()).sum();
    assert_eq!(segments, 6, "two segments to each network");

    let reports = eventually(Duration::from_secs(30), || {
        let r = pushed_reports(&got, &secret);
        (r.len() >= 6).then_some(r)
    })
    .expect("six pushed reports");
    assert_eq!(got.lock().unwrap()[0].header("x-hongyan-signature").len(), 71, "the refused first POST was signed too");
    let mut seen: Vec<(String, u64)> =
        reports.iter().map(|r| (r["to"].as_str().unwrap().to_owned(), r["segment"].as_u64().unwrap())).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 6, "one report per segment of each network: {reports:?}");
    assert!(reports.iter().all(|r| r["stat"] == "DELIVRD" && r["type"] == "report"));
    let seqs: Vec<u64> = reports.iter().map(|r| r["seq"].as_str().unwrap().parse().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] <= w[1]), "in order: {seqs:?}");

    // The same reports wait for a client that pulls, independently of the push.
    let (status, page) = server.request("GET", "/api/v1/reports?limit=100", Some(&cred), None);
    assert_eq!(status, 200);
    assert_eq!(page["reports"].as_array().unwrap().len(), 6, "{page}");
    let (status, acked) =
        server.request("POST", "/api/v1/reports/ack", Some(&cred), Some(&json!({ "cursor": page["cursor"] })));
    assert_eq!((status, &acked["acked"]), (200, &page["cursor"]));
    let (_, empty) = server.request("GET", "/api/v1/reports", Some(&cred), None);
    assert_eq!(empty["reports"], json!([]));

    let (ok, out) = cli(&data, &["callback", "failures"]);
    assert!(ok && out.trim().is_empty(), "nothing was given up: {out}");
    let (status, log) = server.terminate();
    assert!(status.success(), "{log}");
    assert!(!log.contains(&secret), "the callback secret is never logged");
}

/// Everything the simulated gateways wrote under `DATA/sim/`, as text.
fn sim_files(data: &std::path::Path) -> String {
    let Ok(dir) = std::fs::read_dir(data.join("sim")) else { return String::new() };
    dir.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default()).collect()
}

/// The simulated gateways keep the reports they owe in the data folder, across a restart;
/// the handset numbers there are sealed with the data keys like the store's, never in clear.
#[test]
fn simulator_journals_in_the_data_folder_hold_no_phone_number() {
    let data = data_dir("sim-journal");
    // Reports an hour away: still owed (journaled) when the process dies.
    let server = Server::start(&data, &["--sim-report-delay-ms", "3600000"]);
    let cred = create_account_with(&data, "etax", &["--signature", "某省税务局"]);
    let numbers = ["13800138000", "18612345678", "18912345678"];
    let body = json!({ "to": numbers, "content": "您的申报已受理", "category": "notification" });
    let (status, answer) = server.request("POST", "/api/v1/messages", Some(&cred), Some(&body));
    assert_eq!(status, 200, "{answer}");
    eventually(Duration::from_secs(30), || (sim_files(&data).matches("\"op\":\"add\"").count() >= 3).then_some(()))
        .unwrap_or_else(|| panic!("each network owes a report: {}", sim_files(&data)));
    server.kill();
    let kept = sim_files(&data);
    for n in numbers {
        assert!(!kept.contains(n), "{n} in clear under DATA/sim/: {kept}");
    }
    let again = Server::start(&data, &["--sim-report-delay-ms", "3600000"]);
    let owed = eventually(Duration::from_secs(10), || {
        let log = again.log_text();
        (log.matches("reports owed from the last run").count() == 3).then_some(log)
    });
    assert!(owed.is_some(), "the three journals are read back: {}", again.log_text());
    for n in numbers {
        assert!(!sim_files(&data).contains(n), "rewritten at the restart, still sealed");
    }
}
