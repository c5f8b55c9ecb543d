//! What operators' tools read, from the real binary: `/readyz` with its checks, `/metrics`
//! checked by Prometheus's own `promtool`, the Grafana dashboard's queries against the names
//! actually served, and both refusing what they should.

mod support;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use support::{create_account, data_dir, eventually, http, Server};

/// GET `path`; the status and the body as text.
fn get_text(port: u16, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    // The server answers with Content-Length (no chunking) for both endpoints.
    (status, body.to_owned())
}

/// The value of the sample `name{labels…}` whose labels include every one of `want`.
fn sample(text: &str, name: &str, want: &[&str]) -> Option<f64> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        let (series, value) = l.rsplit_once(' ')?;
        let (n, labels) = series.split_once('{').unwrap_or((series, ""));
        (n == name && want.iter().all(|w| labels.contains(w))).then(|| value.parse().ok())?
    })
}

fn promtool_check(text: &str) -> String {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (Debian package prometheus; ./scripts/test installs it)");
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "promtool check metrics failed:\n{said}");
    said
}

#[test]
fn readiness_metrics_checked_by_promtool_and_the_dashboard_uses_only_served_names() {
    let dir = data_dir("ops");
    let server = Server::start(&dir, &[]);
    // The embedded default's three simulated channels log in shortly after start.
    let ready = eventually(Duration::from_secs(20), || {
        let (status, body) = http(server.port, "GET", "/readyz", None, None).ok()?;
        (status == 200).then_some(body)
    })
    .expect("ready once the simulators' links are up");
    assert_eq!(ready["checks"]["store"]["ok"], true, "{ready}");
    for carrier in ["china_mobile", "china_unicom", "china_telecom"] {
        assert_eq!(ready["checks"]["carriers"]["by_carrier"][carrier]["ok"], true, "{carrier}: {ready}");
    }

    let cred = create_account(&dir, "etax");
    let body = json!({"to": ["13800138000"], "content": "您的验证码是 123456", "category": "verification"});
    let (status, answer) = http(server.port, "POST", "/api/v1/messages", Some(&cred), Some(&body)).unwrap();
    assert_eq!(status, 200, "{answer}");
    let text = eventually(Duration::from_secs(20), || {
        let (status, text) = get_text(server.port, "/metrics");
        assert_eq!(status, 200, "{text}");
        sample(&text, "hongyan_reports_total", &["outcome=\"delivered\""]).filter(|&n| n >= 1.0).map(|_| text)
    })
    .expect("the message's report counted");
    let accepted =
        sample(&text, "hongyan_messages_accepted_total", &["carrier=\"china_mobile\"", "category=\"verification\""]);
    assert_eq!(accepted, Some(1.0), "{text}");
    let sent = sample(
        &text,
        "hongyan_http_requests_total",
        &["route=\"/api/v1/messages\"", "method=\"POST\"", "status=\"200\""],
    );
    assert_eq!(sent, Some(1.0));
    assert!(sample(&text, "hongyan_store_commit_seconds_count", &[]).unwrap() >= 1.0);
    assert!(sample(&text, "hongyan_link_round_trip_seconds_count", &[]).unwrap() >= 1.0);
    let submitted = sample(&text, "hongyan_submits_total", &["channel=\"china-mobile-sim\"", "answer=\"accepted\""]);
    assert_eq!(submitted, Some(1.0));
    let links_up = text.lines().filter(|l| l.starts_with("hongyan_channel_links_up{") && l.ends_with(" 1")).count();
    assert_eq!(links_up, 3, "{text}");
    assert!(!text.contains("13800138000"), "no number in the metrics");
    promtool_check(&text);

    // Every series the dashboard queries is one the server serves.
    let served: BTreeSet<&str> =
        text.lines().filter_map(|l| l.strip_prefix("# TYPE ")).filter_map(|l| l.split(' ').next()).collect();
    let dashboard: Value =
        serde_json::from_str(&std::fs::read_to_string("../../docs/grafana-dashboard.json").unwrap()).unwrap();
    let mut queried = BTreeSet::new();
    collect_exprs(&dashboard, &mut queried);
    assert!(queried.len() >= 10, "the dashboard queries {queried:?}");
    for name in &queried {
        let base = ["_bucket", "_sum", "_count"].iter().find_map(|s| name.strip_suffix(s)).unwrap_or(name);
        assert!(served.contains(base), "the dashboard queries {name}, which /metrics does not serve");
    }
}

/// The `hongyan_…` names in every `expr` of a Grafana dashboard.
fn collect_exprs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(expr)) = map.get("expr") {
                let mut rest = expr.as_str();
                while let Some(i) = rest.find("hongyan_") {
                    let name: String =
                        rest[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    rest = &rest[i + name.len()..];
                    out.insert(name);
                }
            }
            map.values().for_each(|v| collect_exprs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_exprs(v, out)),
        _ => {}
    }
}

#[test]
fn a_carrier_without_a_link_is_not_ready_and_metrics_answer_only_allowed_ranges() {
    let dir = data_dir("ops-down");
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let config = dir.join("hongyan.toml");
    std::fs::write(
        &config,
        format!(
            "[metrics]\nallow = [\"10.0.0.0/8\"]\n[[channel]]\nname = \"cmcc\"\nprotocol = \"cmpp\"\naddress = \"{dead}\"\n\
             username = \"901234\"\npassword = \"p\"\nsource = \"1069\"\ncarriers = [\"china_mobile\"]\n"
        ),
    )
    .unwrap();
    let server = Server::start(&dir, &["--config", config.to_str().unwrap()]);
    let (status, body) = http(server.port, "GET", "/readyz", None, None).unwrap();
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["ready"], false);
    assert_eq!(body["checks"]["store"]["ok"], true, "the store is fine: {body}");
    assert_eq!(body["checks"]["carriers"]["by_carrier"]["china_mobile"]["ok"], false, "{body}");
    assert_eq!(body["checks"]["carriers"]["by_carrier"]["china_mobile"]["channels_up"], json!([]));
    assert_eq!(http(server.port, "GET", "/healthz", None, None).unwrap().0, 200, "alive all the same");
    let (status, text) = get_text(server.port, "/metrics");
    assert_eq!(status, 403, "loopback is not in [metrics] allow: {text}");
    assert!(text.contains("\"code\":\"forbidden\""), "{text}");
}

#[test]
fn the_acceptance_command_writes_the_period_as_json_html_and_a_workbook() {
    let dir = data_dir("ops-acceptance");
    let server = Server::start(&dir, &[]);
    eventually(Duration::from_secs(20), || {
        (http(server.port, "GET", "/readyz", None, None).ok()?.0 == 200).then_some(())
    })
    .expect("ready");
    let cred = create_account(&dir, "etax");
    let body = json!({"to": ["13800138000", "13900139000"], "content": "通知：申报期截止", "category": "notification"});
    assert_eq!(http(server.port, "POST", "/api/v1/messages", Some(&cred), Some(&body)).unwrap().0, 200);
    let fault = json!({"symptom": "部分纳税人收不到通知", "channel": "china-mobile-sim"});
    let (status, opened) = http(server.port, "POST", "/api/v1/incidents", Some(&cred), Some(&fault)).unwrap();
    assert_eq!(status, 201, "{opened}");
    eventually(Duration::from_secs(20), || {
        let (_, text) = get_text(server.port, "/metrics");
        (sample(&text, "hongyan_submits_total", &["answer=\"accepted\""]).unwrap_or(0.0) >= 1.0).then_some(())
    })
    .expect("submitted");
    // The minute so far is kept at the stop.
    let (status, log) = server.terminate();
    assert!(status.success(), "{log}");

    let today =
        hongyan_store::Timestamp::from_system(std::time::SystemTime::now()).to_rfc3339_beijing()[..10].to_owned();
    let data = dir.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["acceptance", "--from", &today, "--to", &today, "--data-dir", data];
        args.extend_from_slice(extra);
        Command::new(support::BIN).args(&args).output().unwrap()
    };
    let out = run(&["--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: BTreeSet<&str> = r["channels"].as_array().unwrap().iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, BTreeSet::from(["china-mobile-sim", "china-telecom-sim", "china-unicom-sim"]));
    let mobile = r["channels"].as_array().unwrap().iter().find(|c| c["name"] == "china-mobile-sim").unwrap();
    assert_eq!(mobile["figures"]["submits"], 2, "{mobile}");
    assert!(mobile["figures"]["up_seconds"].as_f64().unwrap() > 0.0);
    assert_eq!(r["passed"], false, "today's availability counts the hours before the start as down");
    assert!(String::from_utf8_lossy(&out.stderr).contains("some figure was not met"));
    assert_eq!(r["incidents"]["list"][0]["symptom"], "部分纳税人收不到通知", "the sealed text read with the keys");
    assert_eq!(r["billing"][0]["messages"], 2);

    let html = dir.join("acceptance.html");
    assert!(run(&["--format", "html", "--out", html.to_str().unwrap()]).status.success());
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("验收报告") && page.contains("china-unicom-sim") && page.contains("部分纳税人收不到通知"));
    let en = run(&["--format", "html", "--lang", "en"]);
    assert!(String::from_utf8_lossy(&en.stdout).contains("Acceptance report"));
    let xlsx = dir.join("acceptance.xlsx");
    assert!(run(&["--format", "xlsx", "--out", xlsx.to_str().unwrap()]).status.success());
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..2], b"PK");
    let refused = run(&["--format", "xlsx"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("give --out FILE"));
}

#[test]
fn json_log_lines_go_to_a_daily_file_without_numbers_or_codes() {
    let dir = data_dir("log-json");
    let config = dir.join("hongyan.toml");
    let file = dir.join("logs").join("hongyan.log");
    std::fs::write(&config, format!("[log]\nformat = \"json\"\nfile = \"{}\"\n", file.display())).unwrap();
    let server = Server::start(&dir, &["--config", config.to_str().unwrap()]);
    let cred = create_account(&dir, "etax");
    let body = json!({"to": ["13800138000"], "content": "您的验证码是 735194", "category": "verification"});
    let (status, answer) = http(server.port, "POST", "/api/v1/messages", Some(&cred), Some(&body)).unwrap();
    assert_eq!(status, 200, "{answer}");
    let id = answer["results"][0]["message_id"].as_str().unwrap().to_owned();
    eventually(Duration::from_secs(20), || {
        let (_, m) = http(server.port, "GET", &format!("/api/v1/messages/{id}"), Some(&cred), None).ok()?;
        (m["status"] == "delivered").then_some(())
    })
    .expect("delivered");
    let (status, _) = server.terminate();
    assert!(status.success());

    let logs: Vec<_> = std::fs::read_dir(dir.join("logs")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    let name = logs[0].file_name().unwrap().to_str().unwrap().to_owned();
    assert!(
        name.starts_with("hongyan-20") && name.ends_with(".log") && name.len() == "hongyan-2026-12-07.log".len(),
        "{name}"
    );
    let text = std::fs::read_to_string(&logs[0]).unwrap();
    let lines: Vec<Value> =
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    assert!(lines.iter().all(|l| l["level"].is_string() && l["message"].is_string() && l["timestamp"].is_string()));
    assert!(lines.iter().any(|l| l["message"] == "stopped cleanly: store flushed"), "{text}");
    assert!(!text.contains("13800138000") && !text.contains("735194"), "a number or a code in the log:\n{text}");
    assert!(server_stderr_is_quiet(&dir), "lines went to the file, not stderr");
}

/// The server's stderr (captured by the support module) holds no log lines when a file is set.
fn server_stderr_is_quiet(dir: &std::path::Path) -> bool {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                n.to_string_lossy().starts_with("server-") && p.extension().is_some_and(|x| x == "log")
            })
        })
        .all(|p| !std::fs::read_to_string(p).unwrap().contains("INFO"))
}

/// `hongyan serve` gives freed memory back within 10 ms (mimalloc's purge delay, set by starting
/// itself again with it) and stays the process its supervisor started: same process id.
#[test]
fn serve_returns_memory_promptly_as_the_process_it_was_started_as() {
    let dir = data_dir("ops-purge");
    let server = Server::start(&dir, &[]);
    assert_eq!(http(server.port, "GET", "/healthz", None, None).unwrap().0, 200);
    let environ = std::fs::read(format!("/proc/{}/environ", server.child.id())).unwrap();
    let vars: Vec<&[u8]> = environ.split(|b| *b == 0).collect();
    assert!(vars.contains(&&b"MIMALLOC_PURGE_DELAY=10"[..]), "the serving process has the setting");
}
