//! "Never lose a message", proven under load: clients send single-message requests as fast as
//! 1,000 a second, the server is SIGKILLed in the middle, and restarted. Every message the
//! server said it accepted reaches `delivered`; none is missing; and the simulated gateway —
//! a separate process that survives the kill — counts how many submits it got in all, so the
//! re-sent ones can be counted against the documented window.
//!
//! The window: a message can be submitted twice only if its SUBMIT was on the wire (sent, its
//! response not yet stored) when the process died: at most `connections × window` segments
//! (here 2 × 16 = 32), plus those whose response was received but whose outcome was still in
//! the writer's queue, which is bounded by the same window.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use support::*;

const CONNECTIONS: u32 = 2;
const WINDOW: u32 = 16;

#[test]
fn a_sigkill_under_load_loses_nothing_and_resends_at_most_the_window() {
    let data = data_dir("noloss");
    let sim = CmppSim::start(&data, &["--report-delay-ms", "100"]);
    let config = sim.config(&data, &format!("connections = {CONNECTIONS}\nwindow = {WINDOW}\n"));
    let args = [config[0].as_str(), config[1].as_str()];
    let server = Server::start(&data, &args);
    let cred = Arc::new(create_account(&data, "etax"));

    // Eight clients, each paced to 125 requests a second: 1,000 a second in all, for up to
    // four seconds; the kill comes after two.
    let accepted = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let port = server.port;
    let clients: Vec<_> = (0..8)
        .map(|c| {
            let (accepted, stop, cred) = (accepted.clone(), stop.clone(), cred.clone());
            std::thread::spawn(move || {
                for i in 0..500u32 {
                    let due = started + Duration::from_millis(u64::from(i) * 8);
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let body = json!({"to": [format!("138{c:02}{i:06}")], "content": "您有一条新的税务通知", "category": "notification"});
                    match http(port, "POST", "/api/v1/messages", Some(&cred), Some(&body)) {
                        Ok((200, a)) => {
                            let id = a["results"][0]["message_id"].as_str().unwrap().to_owned();
                            accepted.lock().unwrap().push(id);
                        }
                        _ => return, // the server is gone
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(2));
    server.kill();
    let killed_at = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    clients.into_iter().for_each(|c| c.join().unwrap());
    let accepted = Arc::try_unwrap(accepted).unwrap().into_inner().unwrap();
    let rate = accepted.len() as f64 / killed_at.as_secs_f64();
    println!("accepted {} messages in {killed_at:?} before the kill ({rate:.0}/s)", accepted.len());
    assert!(accepted.len() > 100, "the load ran");

    let server = Server::start(&data, &args);
    for id in &accepted {
        let done = eventually(Duration::from_secs(60), || {
            let (_, d) = server.request("GET", &format!("/api/v1/messages/{id}"), Some(&cred), None);
            (d["status"] == "delivered").then_some(())
        });
        assert!(done.is_some(), "accepted message {id} never delivered:\n{}", server.log_text());
    }
    // Every stored message is final too, not only those whose answer reached a client.
    let mut stored = 0;
    let mut before = String::new();
    loop {
        let path = format!("/api/v1/messages?limit=500{before}");
        let (_, page) = server.request("GET", &path, Some(&cred), None);
        let msgs = page["messages"].as_array().unwrap();
        stored += msgs.len();
        assert!(msgs.iter().all(|m| m["status"] == "delivered" || m["status"] == "submitted"), "final or about to be");
        match page["next_before"].as_str() {
            Some(cursor) => before = format!("&before={cursor}"),
            None => break,
        }
    }
    assert!(stored >= accepted.len(), "{stored} stored, {} acknowledged", accepted.len());
    drop(server);

    let submits = sim.stop();
    let resent = submits.saturating_sub(stored);
    println!("stored {stored}, submits at the gateway {submits}: {resent} re-sent after the kill");
    assert!(submits >= stored, "every stored message was submitted");
    assert!(
        resent <= 2 * (CONNECTIONS * WINDOW) as usize,
        "{resent} re-sent; the window allows {}",
        2 * CONNECTIONS * WINDOW
    );
}
