//! `hongyan backup` while the server runs and takes messages, then `hongyan restore` into a new
//! data folder: refused without the backed-up data keys or with other ones, refused over
//! existing data, and with the right keys a server on the restored folder finds every message
//! accepted before the backup, with its text, its report and its sender's key.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use support::{create_account, data_dir, eventually, http, Server, BIN};

fn hongyan(args: &[&str], data: &Path) -> Output {
    Command::new(BIN).args(args).arg("--data-dir").arg(data).output().unwrap()
}

fn said(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn a_backup_taken_under_load_restores_every_message() {
    let a = data_dir("backup-a");
    let server = Server::start(&a, &[]);
    let cred = create_account(&a, "etax");
    let mut ids = Vec::new();
    for batch in 0..3 {
        let to: Vec<String> = (0..100).map(|i| format!("1380013{:04}", batch * 100 + i)).collect();
        let body = json!({"to": to, "content": format!("第{batch}批：您的申报已受理"), "category": "notification"});
        let (status, answer) = http(server.port, "POST", "/api/v1/messages", Some(&cred), Some(&body)).unwrap();
        assert_eq!(status, 200, "{answer}");
        ids.extend(answer["results"].as_array().unwrap().iter().map(|r| r["message_id"].as_str().unwrap().to_owned()));
    }
    // More messages keep coming while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let sender = {
        let (stop, cred, port) = (stop.clone(), cred.clone(), server.port);
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let body = json!({"to": [format!("1390013{:04}", n % 10_000)], "content": "运行中", "category": "notification"});
                if let Ok((200, _)) = http(port, "POST", "/api/v1/messages", Some(&cred), Some(&body)) {
                    n += 1;
                }
            }
            n
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let file = a.join("backup.db");
    let out = hongyan(&["backup", "--out", file.to_str().unwrap()], &a);
    stop.store(true, Ordering::Relaxed);
    let during = sender.join().unwrap();
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("message(s)"), "{}", said(&out));
    assert!(during > 0, "messages were sent during the backup");
    let again = hongyan(&["backup", "--out", file.to_str().unwrap()], &a);
    assert!(!again.status.success() && said(&again).contains("will not overwrite"), "{}", said(&again));
    drop(server);

    let b = data_dir("backup-b");
    let no_keys = hongyan(&["restore", file.to_str().unwrap()], &b);
    assert!(!no_keys.status.success() && said(&no_keys).contains("hongyan.keys"), "{}", said(&no_keys));
    // Other keys (a fresh installation's) cannot open it: refused, and nothing left behind.
    let other = data_dir("backup-other");
    drop(Server::start(&other, &[]));
    std::fs::copy(other.join("hongyan.keys"), b.join("hongyan.keys")).unwrap();
    let wrong = hongyan(&["restore", file.to_str().unwrap()], &b);
    assert!(!wrong.status.success() && said(&wrong).contains("cannot open this backup"), "{}", said(&wrong));
    assert!(!b.join("hongyan.db").exists(), "a refused restore leaves no database");

    std::fs::copy(a.join("hongyan.keys"), b.join("hongyan.keys")).unwrap();
    let ok = hongyan(&["restore", file.to_str().unwrap()], &b);
    assert!(ok.status.success(), "{}", said(&ok));
    let over = hongyan(&["restore", file.to_str().unwrap()], &b);
    assert!(!over.status.success() && said(&over).contains("will not overwrite"), "{}", said(&over));

    let restored = Server::start(&b, &[]);
    for (i, id) in ids.iter().enumerate() {
        let (status, m) = http(restored.port, "GET", &format!("/api/v1/messages/{id}"), Some(&cred), None).unwrap();
        assert_eq!(status, 200, "message {i} ({id}) not found after the restore: {m}");
        assert_eq!(m["content"], format!("【etax】第{}批：您的申报已受理", i / 100), "{m}");
    }
    let path = "/api/v1/messages?to=13800130150";
    let found = eventually(Duration::from_secs(5), || {
        let (_, list) = http(restored.port, "GET", path, Some(&cred), None).ok()?;
        (list["messages"].as_array()?.len() == 1).then_some(list)
    });
    assert!(found.is_some(), "found by recipient after the restore");
}
