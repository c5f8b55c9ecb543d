//! A large request killed halfway through its writing is not accepted in part: the server is
//! SIGKILLed while a 60,000-number request is being written (its first rows already show in
//! the listing), and after the restart none of its messages is left and the gateway — a
//! separate process that survives the kill — never got a submit for any of them. The client
//! had no answer, so it may send the request again.

mod support;

use std::time::Duration;

use serde_json::json;
use support::*;

const NUMBERS: usize = 60_000;

#[test]
fn a_large_request_killed_while_it_is_written_leaves_no_message_and_sends_nothing() {
    let data = data_dir("half-written");
    let sim = CmppSim::start(&data, &[]);
    let config = sim.config(&data, "");
    let args = [config[0].as_str(), config[1].as_str()];
    let server = Server::start(&data, &args);
    let cred = create_account(&data, "etax");

    let to: Vec<String> = (0..NUMBERS).map(|i| format!("138{i:08}")).collect();
    let (port, client) = (server.port, cred.clone());
    let sender = std::thread::spawn(move || {
        let body = json!({"to": to, "content": "您有一条新的税务通知", "category": "notification"});
        http(port, "POST", "/api/v1/messages", Some(&client), Some(&body)).map(|(s, _)| s)
    });
    // The first pieces are committed (they show in the listing) while the rest is written.
    let listed = |server: &Server| {
        let (_, page) = server.request("GET", "/api/v1/messages?limit=5", Some(&cred), None);
        page["messages"].as_array().map_or(0, Vec::len)
    };
    let midway = eventually(Duration::from_secs(60), || (listed(&server) > 0).then_some(()));
    assert!(midway.is_some(), "no row of the request showed up:\n{}", server.log_text());
    assert!(!sender.is_finished(), "the request was answered before the kill: nothing was half written");
    server.kill();
    let answer = sender.join().unwrap();
    assert!(answer.is_err(), "the client got an answer ({answer:?}) from a killed server");

    let server = Server::start(&data, &args);
    assert!(server.log_text().contains("took back a request whose writing had not finished"), "{}", server.log_text());
    assert_eq!(listed(&server), 0, "messages of the unanswered request remain");
    drop(server);

    let submits = sim.stop();
    assert_eq!(submits, 0, "the gateway got submits of a request that was never accepted");
}
