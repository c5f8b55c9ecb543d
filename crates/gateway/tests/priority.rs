//! Priority lanes over real TCP: a verification code accepted behind a bulk marketing job is
//! submitted after at most about one window of that job, not after all of it.

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use hongyan_engine::{ChannelSpec, Engine, SystemClock};
use hongyan_gateway::run_channel;
use hongyan_sim::cmpp::{CmppSim, CmppSimConfig};
use hongyan_sim::{ReportBook, Scenario};
use hongyan_store::{MessageFilter, MessageId, Store};
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::{Carrier, Category};
use tokio::net::TcpListener;
use tokio::sync::watch;

const WINDOW: usize = 16;

async fn accept(engine: &Engine, to: Vec<String>, category: Category) -> Vec<MessageId> {
    support::accept_ids(engine, 1, to, category).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verification_code_overtakes_a_bulk_job() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // Slow answers keep the window full, so the bulk job queues up behind it.
    let scenario = Scenario {
        report_delay: Duration::from_millis(5),
        submit_latency: Duration::from_millis(40),
        ..Scenario::default()
    };
    let cfg = CmppSimConfig {
        accounts: HashMap::from([("901234".to_owned(), "s".to_owned())]),
        scenario,
        gateway_code: 1001,
        session: Default::default(),
    };
    let (_stop_sim, sim_rx) = watch::channel(false);
    tokio::spawn(CmppSim::new(cfg, ReportBook::in_memory()).serve(listener, sim_rx));

    let dir = std::env::temp_dir().join(format!("hongyan-priority-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("db")).unwrap());
    let spec = ChannelSpec::new("ch", &[Carrier::ChinaMobile]);
    let (engine, mut queues) = Engine::new(store.clone(), Arc::new(SystemClock), &[spec]).await.unwrap();
    // Account 1, signed for every category.
    let account = engine.create_account("test").await.unwrap().account.id;
    engine.sign_with(account, "测试", "").await.unwrap();
    let channel = support::cmpp_channel("ch", addr, WINDOW);
    let (_stop, stop_rx) = watch::channel(false);
    tokio::spawn(run_channel(channel, engine.clone(), queues.remove(0).1, stop_rx));

    let bulk: Vec<String> = (0..300).map(|i| format!("1380013{i:04}")).collect();
    accept(&engine, bulk, Category::MARKETING).await;
    // The whole job has reached the channel (its lanes, the wire or the carrier) before the
    // code comes: on a loaded machine a fixed pause was not always enough.
    for _ in 0..1000 {
        let f = engine.channel_figures().into_iter().find(|f| f.name == "ch").expect("the channel's figures");
        if f.backlog + f.in_flight + f.submitted as usize >= 300 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let filter = MessageFilter { account_id: Some(1), limit: 500, ..Default::default() };
    let code = accept(&engine, vec!["13900139000".into()], Category::VERIFICATION).await[0];

    let submitted_at = |id: MessageId| {
        let store = store.clone();
        async move { store.get_message(1, id).await.unwrap().and_then(|m| m.submitted_at) }
    };
    let mut code_at = None;
    for _ in 0..200 {
        code_at = submitted_at(code).await;
        if code_at.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let code_at = code_at.expect("the verification code was submitted");
    let all = store.list_messages(filter).await.unwrap();
    // Counted from the code's acceptance, by the carrier's answer times (not by what the store
    // had committed at that moment, which lags behind a busy link): from then on, only about a
    // window may pass it.
    let accepted_at = all.iter().find(|m| m.message.id == code).map(|m| m.message.accepted_at).expect("the code");
    let bulk_already = all
        .iter()
        .filter(|m| m.message.category == Category::MARKETING)
        .filter(|m| m.submitted_at.is_some_and(|t| t <= accepted_at))
        .count();
    let bulk_before = all
        .iter()
        .filter(|m| m.message.category == Category::MARKETING)
        .filter(|m| m.submitted_at.is_some_and(|t| t <= code_at))
        .count();
    // Those on the wire when the code arrived may be answered first, and the window refills
    // as answers come: at most about two windows overtake it, never the rest of the job.
    assert!(
        bulk_before - bulk_already <= 2 * WINDOW,
        "{} bulk messages were answered before the code ({bulk_already} already were when it came)",
        bulk_before - bulk_already
    );
    let bulk_after = all.iter().filter(|m| m.message.category == Category::MARKETING).count() - bulk_before;
    assert!(bulk_after > 100, "most of the bulk job was still waiting ({bulk_after}), so the test means something");
}
