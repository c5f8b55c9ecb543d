//! End to end: the real binary, real HTTP, a real SQLite file, a real CMPP 3.0 link over TCP
//! to the simulated China Mobile gateway, real signals.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::*;

fn send(server: &Server, cred: &Credential, to: &[&str], content: &str) -> Value {
    let (status, body) = server.request(
        "POST",
        "/api/v1/messages",
        Some(cred),
        Some(&json!({ "to": to, "content": content, "category": "verification" })),
    );
    assert_eq!(status, 200, "{body}");
    body
}

fn accepted_ids(answer: &Value) -> Vec<String> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "accepted")
        .map(|r| r["message_id"].as_str().unwrap().to_owned())
        .collect()
}

fn status_of(server: &Server, cred: &Credential, id: &str) -> Value {
    let (code, detail) = server.request("GET", &format!("/api/v1/messages/{id}"), Some(cred), None);
    assert_eq!(code, 200, "{detail}");
    detail
}

fn wait_all_delivered(server: &Server, cred: &Credential, ids: &[String], limit: Duration) {
    for id in ids {
        let done = eventually(limit, || {
            let d = status_of(server, cred, id);
            (d["status"] == "delivered").then_some(d)
        });
        assert!(
            done.is_some(),
            "message {id} not delivered: {} \nlog:\n{}",
            status_of(server, cred, id),
            server.log_text()
        );
    }
}

#[test]
fn a_message_travels_to_the_simulated_gateway_and_back() {
    let data = data_dir("walk");
    let server = Server::start(&data, &["--sim-report-delay-ms", "200"]);
    // The account is created by a second process while the server runs, on the same file.
    let cred = create_account_with(&data, "etax", &["--signature", "某省税务局", "--extension", "01"]);
    let answer =
        send(&server, &cred, &["+86 138-0013-8000", "19212345678", "123"], "您的验证码是 123456，5 分钟内有效。");
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results[0]["status"], "accepted");
    assert_eq!(results[0]["to"], "13800138000");
    assert_eq!(results[0]["carrier"], "china_mobile");
    assert_eq!(results[0]["segments"], 1);
    assert_eq!((results[1]["status"].as_str(), results[1]["error"].as_str()), (Some("rejected"), Some("no_channel")));
    assert_eq!(results[2]["error"], "invalid_number");

    let id = results[0]["message_id"].as_str().unwrap().to_owned();
    wait_all_delivered(&server, &cred, std::slice::from_ref(&id), Duration::from_secs(20));
    let d = status_of(&server, &cred, &id);
    assert!(d["submitted_at"].as_str().is_some_and(|t| t.ends_with("+08:00")), "{d}");
    assert!(d["carrier_msg_id"].as_str().is_some_and(|m| m.parse::<u64>().is_ok()), "{d}");
    assert_eq!(d["report_stat"], "DELIVRD");
    assert!(d["report_time"].is_string(), "{d}");
    assert_eq!(d["segment_details"][0]["report_raw"]["stat"], "DELIVRD");
    assert_eq!(d["content"], "【某省税务局】您的验证码是 123456，5 分钟内有效。", "signed by the platform");
    // The signature's extension code rides on the source number; the report's Dest_Id echoes it.
    assert_eq!(d["segment_details"][0]["report_raw"]["dest_id"], "10690000123401");

    let (code, list) = server.request("GET", "/api/v1/messages?to=13800138000", Some(&cred), None);
    assert_eq!(code, 200);
    assert_eq!(list["messages"][0]["id"], id.as_str());

    assert!(results[1]["reason"].as_str().unwrap().contains("china_broadnet"), "{answer}");

    // China Unicom numbers go over SGIP 1.2; the simulated SMG connects back to deliver the report.
    let answer = send(&server, &cred, &["18612345678"], "您的验证码是 111222");
    assert_eq!(answer["results"][0]["carrier"], "china_unicom");
    let unicom = accepted_ids(&answer);
    wait_all_delivered(&server, &cred, &unicom, Duration::from_secs(20));
    let d = status_of(&server, &cred, &unicom[0]);
    assert_eq!(d["channel"], "china-unicom-sim");
    assert_eq!(d["segment_details"][0]["report_raw"]["protocol"], "SGIP 1.2");

    // China Telecom numbers go over SMGP 3.0 to the simulated SMGW.
    let answer = send(&server, &cred, &["18912345678"], "您的验证码是 654321");
    assert_eq!(answer["results"][0]["carrier"], "china_telecom");
    let telecom = accepted_ids(&answer);
    wait_all_delivered(&server, &cred, &telecom, Duration::from_secs(20));
    let d = status_of(&server, &cred, &telecom[0]);
    assert_eq!(d["channel"], "china-telecom-sim");
    assert_eq!(d["segment_details"][0]["report_raw"]["protocol"], "SMGP 3.0");
    assert_eq!(d["carrier_msg_id"].as_str().map(str::len), Some(20), "SMGP MsgID as 20 hex digits: {d}");

    // A long message: three segments, three reports, one delivered message.
    let long = "尊敬的纳税人：".repeat(22);
    let answer = send(&server, &cred, &["13900139000"], &long);
    assert_eq!(answer["results"][0]["segments"], 3);
    let long_id = accepted_ids(&answer);
    wait_all_delivered(&server, &cred, &long_id, Duration::from_secs(20));
    assert_eq!(status_of(&server, &cred, &long_id[0])["segment_details"].as_array().unwrap().len(), 3);

    let (code, err) = server.request(
        "POST",
        "/api/v1/messages",
        Some(&Credential { key_id: cred.key_id.clone(), secret: "wrong".into() }),
        Some(&json!({})),
    );
    assert_eq!((code, err["error"]["code"].as_str()), (401, Some("unauthorized")));

    let (status, log) = server.terminate();
    assert!(status.success(), "SIGTERM exit: {status}\n{log}");
    assert!(log.contains("SIMULATED"), "the log says the channel is simulated");
    assert!(log.contains("stopped cleanly"), "{log}");
    assert!(!log.contains("13800138000"), "numbers are never logged whole");
}

#[test]
fn messages_accepted_before_a_sigkill_are_submitted_after_restart() {
    let data = data_dir("kill");
    // The gateway never answers submits in this run, so nothing gets past `accepted`.
    let server = Server::start(&data, &["--sim-submit-latency-ms", "600000"]);
    let cred = create_account(&data, "etax");
    let numbers: Vec<String> = (0..40).map(|i| format!("1380013{i:04}")).collect();
    let numbers: Vec<&str> = numbers.iter().map(String::as_str).collect();
    let mut ids = accepted_ids(&send(&server, &cred, &numbers, "您的验证码是 654321"));
    for i in 0..5 {
        ids.extend(accepted_ids(&send(&server, &cred, &[&format!("1390013{i:04}")], "通知：您有一条新的税务消息")));
    }
    assert_eq!(ids.len(), 45);
    for id in &ids {
        assert_eq!(status_of(&server, &cred, id)["status"], "accepted");
    }
    server.kill();

    let server = Server::start(&data, &["--sim-report-delay-ms", "100"]);
    assert!(server.log_text().contains("resuming"), "{}", server.log_text());
    wait_all_delivered(&server, &cred, &ids, Duration::from_secs(30));
    let (_, list) = server.request("GET", "/api/v1/messages?limit=500", Some(&cred), None);
    assert_eq!(list["messages"].as_array().unwrap().len(), 45, "nothing lost, nothing doubled");
}

#[test]
fn the_simulator_keeps_undelivered_reports_across_a_kill() {
    let data = data_dir("owed");
    let server = Server::start(&data, &["--sim-report-delay-ms", "2500"]);
    let cred = create_account(&data, "etax");
    let ids = accepted_ids(&send(&server, &cred, &["13800138000"], "您的验证码是 111111"));
    let submitted = eventually(Duration::from_secs(10), || {
        (status_of(&server, &cred, &ids[0])["status"] == "submitted").then_some(())
    });
    assert!(submitted.is_some(), "{}", server.log_text());
    // Killed before the report was due: only the simulator's journal still knows it is owed,
    // and the platform will not submit a `submitted` message again.
    server.kill();
    let server = Server::start(&data, &["--sim-report-delay-ms", "2500"]);
    wait_all_delivered(&server, &cred, &ids, Duration::from_secs(20));
    assert!(server.log_text().contains("owed"), "{}", server.log_text());
}

#[test]
fn sigterm_drains_and_nothing_is_lost() {
    let data = data_dir("drain");
    let server = Server::start(&data, &["--sim-submit-latency-ms", "300", "--sim-report-delay-ms", "100"]);
    let cred = create_account(&data, "etax");
    let numbers: Vec<String> = (0..60).map(|i| format!("1500013{i:04}")).collect();
    let numbers: Vec<&str> = numbers.iter().map(String::as_str).collect();
    let ids = accepted_ids(&send(&server, &cred, &numbers, "您的验证码是 222222"));
    assert_eq!(ids.len(), 60);
    let (status, log) = server.terminate();
    assert!(status.success(), "{status}\n{log}");
    assert!(log.contains("draining"), "{log}");
    assert!(log.contains("stopped cleanly"), "{log}");

    let server = Server::start(&data, &["--sim-report-delay-ms", "100"]);
    wait_all_delivered(&server, &cred, &ids, Duration::from_secs(30));
}

#[test]
fn signatures_are_managed_from_the_command_line() {
    let data = data_dir("sigcli");
    let server = Server::start(&data, &["--sim-report-delay-ms", "50"]);
    let cred = create_account_with(&data, "etax", &["--signature", "某省税务局"]);
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(BIN).args(args).arg("--data-dir").arg(&data).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, out) = cli(&["signature", "add", "1", "纳税服务", "--extension", "02"]);
    assert!(ok && out.contains("pending"), "{out}");
    let id = out.split_whitespace().nth(1).unwrap().to_owned();
    let (ok, out) = cli(&["signature", "default", "1", &id, "--category", "marketing"]);
    assert!(!ok && out.contains("not an approved signature"), "a pending signature cannot be used: {out}");
    assert!(cli(&["signature", "approve", &id]).0);
    assert!(cli(&["signature", "default", "1", &id, "--category", "marketing"]).0);
    let (_, list) = cli(&["signature", "list", "1"]);
    assert!(list.contains("【纳税服务】\tapproved\text=02"), "{list}");

    // Marketing now goes out as 纳税服务 with its extension; verification is unchanged. The
    // account's signing rules are cached for up to 10 s, so wait for the change to show.
    let signed = eventually(Duration::from_secs(15), || {
        let (_, a) = server.request(
            "POST",
            "/api/v1/messages",
            Some(&cred),
            Some(&json!({"to": ["13800138000"], "content": "新政策解读", "category": "marketing"})),
        );
        let id = a["results"][0]["message_id"].as_str()?.to_owned();
        let (_, d) = server.request("GET", &format!("/api/v1/messages/{id}"), Some(&cred), None);
        (d["content"] == "【纳税服务】新政策解读").then_some(())
    });
    assert!(signed.is_some(), "marketing messages carry the new default signature");
    let answer = send(&server, &cred, &["13800138000"], "验证码 1234");
    let id = accepted_ids(&answer).remove(0);
    assert_eq!(status_of(&server, &cred, &id)["content"], "【某省税务局】验证码 1234");
}

#[test]
fn limits_and_blacklist_from_the_command_line() {
    let data = data_dir("limitcli");
    let server = Server::start(&data, &["--sim-report-delay-ms", "50"]);
    let cred = create_account(&data, "etax");
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(BIN).args(args).arg("--data-dir").arg(&data).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(cli(&["account", "limits", "1", "--rate", "1", "--daily", "100"]).contains("rate 1/s, daily quota 100"));
    cli(&["blacklist", "add", "+86 138 0013 8000", "--reason", "complaint"]);
    assert!(cli(&["blacklist", "list"]).contains("13800138000"));

    let (code, answer) = server.request(
        "POST",
        "/api/v1/messages",
        Some(&cred),
        Some(&json!({"to": ["13800138000", "13900139000"], "content": "通知", "category": "notification"})),
    );
    assert_eq!(code, 200, "{answer}");
    assert_eq!(answer["results"][0]["error"], "blacklisted");
    assert_eq!(answer["results"][1]["status"], "accepted");
    let many: Vec<String> = (0..11).map(|i| format!("1370013{i:04}")).collect();
    let (code, err) = server.request(
        "POST",
        "/api/v1/messages",
        Some(&cred),
        Some(&json!({"to": many, "content": "通知", "category": "notification"})),
    );
    assert_eq!((code, err["error"]["code"].as_str()), (429, Some("rate_limited")), "rate 1/s holds 10: {err}");
}

#[test]
fn templates_free_text_and_sensitive_words_end_to_end() {
    let data = data_dir("templates");
    let words = data.join("words.txt");
    std::fs::write(&words, "# 敏感词\n刷单\n").unwrap();
    let config = data.join("hongyan.toml");
    std::fs::write(
        &config,
        format!(
            "[simulators]\nenabled = true\nreport_delay_ms = 50\n[content]\nsensitive_words = [\"发票代开\"]\nsensitive_words_file = \"{}\"\n",
            words.display()
        ),
    )
    .unwrap();
    let server = Server::start(&data, &["--config", config.to_str().unwrap()]);
    let cred = create_account_with(&data, "etax", &["--signature", "某省税务局"]);
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(BIN).args(args).arg("--data-dir").arg(&data).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let added = cli(&[
        "template",
        "add",
        "1",
        "login",
        "您的验证码是${code}，${minutes}分钟内有效。",
        "--category",
        "verification",
    ]);
    assert!(added.contains("variables: code, minutes"), "{added}");
    cli(&["template", "approve", "1"]);
    cli(&["account", "free-text", "1", "off"]);

    let post = |body: Value| server.request("POST", "/api/v1/messages", Some(&cred), Some(&body));
    let (code, answer) = post(
        json!({"to": ["13800138000"], "template_id": 1, "params": {"code": "135790", "minutes": "5"}, "category": "verification"}),
    );
    assert_eq!(code, 200, "{answer}");
    let id = accepted_ids(&answer).remove(0);
    wait_all_delivered(&server, &cred, std::slice::from_ref(&id), Duration::from_secs(20));
    assert_eq!(status_of(&server, &cred, &id)["content"], "【某省税务局】您的验证码是135790，5分钟内有效。");

    let (code, err) = post(
        json!({"to": ["13900139000"], "template_id": 1, "params": {"code": "abc", "minutes": "5"}, "category": "verification"}),
    );
    assert_eq!((code, err["error"]["code"].as_str()), (422, Some("invalid_params")), "{err}");
    // Free text is off for this account (the change shows within the 10 s rules cache).
    let refused = eventually(Duration::from_secs(15), || {
        let (code, err) = post(json!({"to": ["13900139000"], "content": "自由文本", "category": "notification"}));
        (code == 403 && err["error"]["code"] == "free_text_not_allowed").then_some(())
    });
    assert!(refused.is_some(), "free text refused once the right is withdrawn");
    cli(&["account", "free-text", "1", "on"]);
    let word = eventually(Duration::from_secs(15), || {
        let (code, err) = post(json!({"to": ["13900139000"], "content": "专业刷单", "category": "notification"}));
        (code == 422).then(|| err["error"]["message"].as_str().unwrap_or_default().to_owned())
    });
    assert!(word.is_some_and(|m| m.contains("刷单")), "words from the file are enforced and named");
}

#[test]
fn the_bootstrap_administrator_is_printed_once_and_must_change_the_password() {
    let data = data_dir("bootstrap");
    let server = Server::start(&data, &[]);
    let (status, log) = server.terminate();
    assert!(status.success(), "{log}");
    let printed = std::fs::read_to_string(data.join("server-0.out")).unwrap();
    let password =
        printed.split("password ").nth(1).and_then(|r| r.split_whitespace().next()).expect(&printed).to_owned();
    assert!(!log.contains(&password), "the password is on stdout only, never in the log");

    let server = Server::start(&data, &[]);
    let again = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".out"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .filter(|t| t.contains("password"))
        .count();
    assert_eq!(again, 1, "printed at the first start only");
    let (code, me) =
        server.request("POST", "/api/v1/auth/login", None, Some(&json!({"username": "admin", "password": password})));
    assert_eq!((code, me["must_change_password"].as_bool()), (200, Some(true)), "{me}");
    let (status, log) = server.terminate();
    assert!(status.success(), "{log}");
}

#[test]
fn a_statement_for_a_payment_period_from_the_api_and_the_command_line() {
    let data = data_dir("period");
    let today = &hongyan_types::Timestamp::from_system(std::time::SystemTime::now()).to_rfc3339_beijing()[..10];
    let config = data.join("hongyan.toml");
    let text = format!("[[billing.period]]\nname = \"本期\"\nfrom = \"{today}\"\nto = \"{today}\"\n");
    std::fs::write(&config, text).unwrap();
    let server = Server::start(&data, &["--config", config.to_str().unwrap(), "--sim-report-delay-ms", "100"]);
    let cred = create_account_with(&data, "etax", &["--signature", "某省税务局"]);
    let answer = send(&server, &cred, &["13800138000"], "您的申报已受理。");
    let ids = accepted_ids(&answer);
    wait_all_delivered(&server, &cred, &ids, Duration::from_secs(20));
    let d = status_of(&server, &cred, &ids[0]);
    assert_eq!(
        (d["sender"].as_str(), d["interface"].as_str()),
        (Some(format!("key:{}", cred.key_id).as_str()), Some("http"))
    );
    assert_eq!(d["client_addr"], "127.0.0.1", "who sent it, from where");

    let (status, s) = server.request("GET", "/api/v1/statement?period=%E6%9C%AC%E6%9C%9F", Some(&cred), None);
    assert_eq!(status, 200, "{s}");
    assert_eq!(
        (&s["from"], &s["total"]["messages"], &s["total"]["billed_segments"]),
        (&json!(today), &json!(1), &json!(1))
    );
    let (status, e) = server.request("GET", "/api/v1/statement?period=nope", Some(&cred), None);
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("invalid_period")));

    let out = std::process::Command::new(BIN)
        .args(["statement", "--period", "本期", "--config"])
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("account_id,account,carrier,category,"), "{csv}");
    assert!(csv.contains(",\"etax\",china_mobile,verification,1,1,1,"), "{csv}");
    assert!(csv.ends_with("total,,,,1,1,,,0.0000\n"), "{csv}");
    let bad = std::process::Command::new(BIN)
        .args(["statement", "--period", "本期"])
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("no payment period"));

    // The command line's JSON is the API's, object for object.
    let account = s["account_id"].to_string();
    let cli = std::process::Command::new(BIN)
        .args(["statement", "--period", "本期", "--format", "json", "--account", &account, "--config"])
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let from_cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(from_cli, s, "one statement, one shape");
}
