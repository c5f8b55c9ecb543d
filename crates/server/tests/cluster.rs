//! Cluster mode end to end: two real `hongyan serve` processes as nodes `a` and `b` of one
//! cluster on the PostgreSQL every machine here runs (in a schema of this test's own), both
//! linked to one simulated China Mobile gateway in a process of its own. Node `a` accepts a
//! request and is SIGKILLed while most of it still waits behind the channel's rate limit;
//! node `b` takes over what `a` left and every message is delivered, each sent to the carrier
//! once, apart from what `a` had in flight.

mod support;

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};
use support::*;

const MESSAGES: usize = 120;

fn postgres_url(schema: &str) -> String {
    let base = std::env::var("HONGYAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "host=127.0.0.1 port=5432 user=postgres dbname=test".to_owned());
    format!("{base} options='-c search_path={schema}'")
}

fn fresh_schema(tag: &str) -> String {
    let schema = format!("hy_{tag}_{}", std::process::id());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let base = std::env::var("HONGYAN_TEST_POSTGRES")
            .unwrap_or_else(|_| "host=127.0.0.1 port=5432 user=postgres dbname=test".to_owned());
        let pool = hongyan_store_postgres::connect(&base, None).await.expect("PostgreSQL (see the README)");
        let client = pool.get().await.unwrap();
        client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")).await.unwrap();
    });
    schema
}

/// The configuration of node `node`: the simulator's channel (at 20 submits/s, so a request
/// of 120 takes six seconds to send), the cluster, and the key file every node shares.
fn node_config(dir: &Path, sim: &CmppSim, node: &str, schema: &str, keys: &Path) -> [String; 2] {
    let extra = format!(
        "rate = 20\n\n[encryption]\nkey_file = \"{}\"\n\n[cluster]\npostgres = \"{}\"\nnode = \"{node}\"\n",
        keys.display(),
        postgres_url(schema)
    );
    sim.config(dir, &extra)
}

fn send(server: &Server, cred: &Credential, to: &[String]) -> Vec<String> {
    let body = json!({ "to": to, "content": "您的申报已受理。", "category": "notification" });
    let (status, answer) = server.request("POST", "/api/v1/messages", Some(cred), Some(&body));
    assert_eq!(status, 200, "{answer}");
    answer["results"].as_array().unwrap().iter().map(|r| r["message_id"].as_str().unwrap().to_owned()).collect()
}

fn status_of(server: &Server, cred: &Credential, id: &str) -> Value {
    let (code, detail) = server.request("GET", &format!("/api/v1/messages/{id}"), Some(cred), None);
    assert_eq!(code, 200, "{detail}");
    detail
}

#[test]
fn a_node_killed_mid_request_leaves_nothing_unsent() {
    let schema = fresh_schema("cluster");
    let (dir_a, dir_b) = (data_dir("cluster-a"), data_dir("cluster-b"));
    let keys = dir_a.join("shared.keys");
    std::fs::write(&keys, hongyan_store_sqlite::seal::new_entry(1)).unwrap();
    let sim = CmppSim::start(&dir_a, &["--report-delay-ms", "200"]);
    let config_a = node_config(&dir_a, &sim, "a", &schema, &keys);
    let config_b = node_config(&dir_b, &sim, "b", &schema, &keys);
    let a = Server::start(&dir_a, &[&config_a[0], &config_a[1]]);
    let b = Server::start(&dir_b, &[&config_b[0], &config_b[1]]);
    let cred = create_account_with(&dir_a, "etax", &["--signature", "某省税务局", "--config", &config_a[1]]);

    let numbers: Vec<String> = (0..MESSAGES).map(|i| format!("139{i:08}")).collect();
    let ids = send(&a, &cred, &numbers);
    assert_eq!(ids.len(), MESSAGES);
    std::thread::sleep(Duration::from_millis(1500));
    let log_a = a.kill();

    for id in &ids {
        let done = eventually(Duration::from_secs(60), || {
            let d = status_of(&b, &cred, id);
            (d["status"] == "delivered").then_some(d)
        });
        assert!(
            done.is_some(),
            "message {id}: {}\nnode b:\n{}\nnode a:\n{log_a}",
            status_of(&b, &cred, id),
            b.log_text()
        );
    }
    let log_b = b.log_text();
    assert!(log_b.contains("took over messages a dead node left unsent"), "{log_b}");
    let (status, log_b) = b.terminate();
    assert!(status.success(), "{log_b}");
    let submits = sim.stop();
    // Node a's link window (16) is the most it can have had in flight when it died.
    assert!((MESSAGES..=MESSAGES + 16).contains(&submits), "{submits} submits for {MESSAGES} messages");
}
