//! A bulk job larger than a lane holds in memory: the messages beyond it wait as ids and are
//! read back from the store as the lane drains. Over real TCP to the CMPP simulator: every
//! message is submitted exactly once, in order within its lane, and a verification code
//! accepted behind the job still overtakes what is parked.

mod support;

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use hongyan_gateway::run_channel;
use hongyan_sim::cmpp::{CmppSim, CmppSimConfig};
use hongyan_sim::{ReportBook, Scenario};
use hongyan_store::{MessageFilter, MessageId};
use hongyan_types::Category;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// More than a lane keeps in memory (20,000 segments), in two requests.
const BULK: usize = 24_000;

async fn accept(p: &support::Platform, to: Vec<String>, category: Category) -> Vec<MessageId> {
    support::accept_ids(&p.engine, p.account, to, category).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_beyond_the_memory_cap_is_sent_once_each_from_the_store() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let cfg = CmppSimConfig {
        accounts: HashMap::from([("901234".to_owned(), "s".to_owned())]),
        scenario: Scenario { report_delay: Duration::from_secs(3600), ..Scenario::default() },
        gateway_code: 1001,
        session: Default::default(),
    };
    let (_stop_sim, sim_rx) = watch::channel(false);
    let sim = CmppSim::new(cfg, ReportBook::in_memory());
    tokio::spawn(sim.clone().serve(listener, sim_rx));

    let mut p = support::platform("parked").await;
    // The whole job is accepted before the link starts, so most of it must be parked.
    let half: Vec<String> = (0..BULK / 2).map(|i| format!("1380{i:07}")).collect();
    let rest: Vec<String> = (BULK / 2..BULK).map(|i| format!("1380{i:07}")).collect();
    let mut bulk = accept(&p, half, Category::MARKETING).await;
    bulk.extend(accept(&p, rest, Category::MARKETING).await);
    let code = accept(&p, vec!["13900139000".into()], Category::VERIFICATION).await[0];

    let channel = support::cmpp_channel("mobile", addr, 64);
    let (_stop, stop_rx) = watch::channel(false);
    tokio::spawn(run_channel(channel, p.engine.clone(), p.queues.remove(0).1, stop_rx));

    let total = BULK + 1;
    for _ in 0..1200 {
        if sim.counters.submits.load(Ordering::Relaxed) as usize >= total {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A little longer, so a duplicate submit would have time to show.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sim.counters.submits.load(Ordering::Relaxed) as usize, total, "each message submitted once");

    let mut all = Vec::new();
    let mut filter = MessageFilter { account_id: Some(p.account), limit: 1000, ..Default::default() };
    loop {
        let page = p.store.list_messages(filter.clone()).await.unwrap();
        let Some(last) = page.last() else { break };
        filter.before = Some(last.message.id);
        all.extend(page);
    }
    assert_eq!(all.len(), total);
    let at = |id: MessageId| all.iter().find(|m| m.message.id == id).and_then(|m| m.submitted_at);
    assert!(all.iter().all(|m| m.submitted_at.is_some()), "every message was submitted and recorded");
    let last_bulk = bulk.iter().filter_map(|&id| at(id)).max().expect("bulk submitted");
    assert!(at(code).expect("code") < last_bulk, "the code overtook the parked part of the job");
    // Within the lane the job went out in the order it was accepted (answer times are
    // recorded per group commit, so compare the first and the last thousand).
    let first = bulk[..1000].iter().filter_map(|&id| at(id)).max().expect("first");
    let last = bulk[BULK - 1000..].iter().filter_map(|&id| at(id)).min().expect("last");
    assert!(first <= last, "parked messages came back in order");
}
