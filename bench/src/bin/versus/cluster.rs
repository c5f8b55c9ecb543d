//! `cluster`: the `http-batch` load on Hongyan in cluster mode, with one, two and three nodes
//! on one PostgreSQL (the machine's, in a schema of the run's own), one after the other;
//! `cluster-steady`: the paced `steady` load on one node and on three.
//! The requests reach the nodes through a round-robin TCP balancer in this process; the
//! channel's four binds to the sink are shared out among the nodes by their leases. The
//! shape matters here, not the absolute figures: every node shares the same two cores with
//! PostgreSQL, the sink, the receiver and the load.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{ensure, Context};

use crate::batch::{self, PER_REQUEST};
use crate::hongyan::{request, Prepared};
use crate::load::MakeRequest;
use crate::peers::{number, Running};
use crate::report::{Row, Table};
use crate::sink::WINDOW;
use crate::solo::Solo;
use crate::{Args, Scenario};

/// The rows' names: one per number of nodes.
const NODES: [&str; 3] = ["Hongyan", "Hongyan, 2 nodes", "Hongyan, 3 nodes"];
/// How long the nodes get to share the binds out before the load (the full run only).
const SETTLE: Duration = Duration::from_secs(15);

pub(crate) async fn run(args: &Args) -> anyhow::Result<Vec<Row>> {
    let requests = args.messages(Scenario::Cluster).div_ceil(PER_REQUEST);
    let total = requests * PER_REQUEST;
    let mut rows = Vec::new();
    for nodes in 1..=NODES.len() {
        rows.push(one(args, nodes, requests).await.with_context(|| format!("{} node(s)", nodes))?);
    }
    let concurrency = args.concurrency(Scenario::Cluster);
    Table {
        scenario: Scenario::Cluster.name(),
        title: format!(
            "scenario cluster: http-batch on 1, 2 and 3 nodes of one PostgreSQL — {requests} requests of {PER_REQUEST} \
             numbers ({total} numbers), concurrency {concurrency} spread round-robin over the nodes, {links} SMPP \
             binds to the sink shared out among the nodes, window {WINDOW} each, every report pushed to an HTTP \
             receiver; msg/s: first request → the last number reported delivered",
            links = args.links(Scenario::Cluster)
        ),
        notes: vec!["every node, PostgreSQL and the harness share the machine's cores: the shape, not the figures".into()],
        rows: &rows,
        reports: true,
        params: vec![("messages", total.to_string()), ("concurrency", concurrency.to_string())],
    }
    .print();
    Ok(rows)
}

async fn one(args: &Args, nodes: usize, requests: u64) -> anyhow::Result<Row> {
    let total = requests * PER_REQUEST;
    let mut c = Nodes::start(args, Scenario::Cluster, nodes, total).await?;
    let row = batch::measure_batch(args, &c.solo, &c.auth, &mut c.running, requests).await;
    c.finish(args, row.is_ok());
    Ok(Row { peer: NODES[nodes - 1], ..row? })
}

/// `cluster-steady`: the `steady` load (single-message requests paced at 1,000 a second,
/// spread over the nodes) on one node and on three, for the latency from request to submit.
pub(crate) async fn steady(args: &Args) -> anyhow::Result<Vec<Row>> {
    let total = args.messages(Scenario::ClusterSteady);
    let concurrency = args.concurrency(Scenario::ClusterSteady);
    let mut rows = Vec::new();
    for nodes in [1, 3] {
        let mut c = Nodes::start(args, Scenario::ClusterSteady, nodes, total).await?;
        let row = crate::paced::measure_steady(&c.solo, &mut c.running, total, concurrency).await;
        c.finish(args, row.is_ok());
        rows.push(Row { peer: NODES[nodes - 1], ..row.with_context(|| format!("{nodes} node(s)"))? });
    }
    Table {
        scenario: Scenario::ClusterSteady.name(),
        title: format!(
            "scenario cluster-steady: {total} single-message requests paced at 1,000/s, {concurrency} connections \
             spread round-robin over 1 and 3 nodes of one PostgreSQL, {links} SMPP binds to the sink shared out \
             among the nodes, no receipts; msg/s: first request → last submit_sm (the pace caps it)",
            links = args.links(Scenario::ClusterSteady)
        ),
        notes: vec!["every node, PostgreSQL and the harness share the machine's cores".into()],
        rows: &rows,
        reports: false,
        params: vec![("messages", total.to_string()), ("pace_per_s", "1000".into())],
    }
    .print();
    Ok(rows)
}

/// `nodes` nodes of one cluster in a schema of their own, behind a round-robin balancer,
/// with the sink (and the receiver) of `solo`.
struct Nodes {
    solo: Solo,
    running: Running,
    auth: String,
    schema: String,
}

impl Nodes {
    async fn start(args: &Args, scenario: Scenario, nodes: usize, total: u64) -> anyhow::Result<Self> {
        let solo = Solo::start(args, scenario, total, scenario == Scenario::Cluster).await?;
        let schema = format!("hy_versus_{}_{nodes}", std::process::id());
        psql(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))?;
        let keys = solo.dir.join("cluster.keys");
        std::fs::write(&keys, hongyan_store_sqlite::seal::new_entry(1)).context("writing the shared key file")?;
        let mut prepared: Vec<Prepared> = Vec::new();
        for i in 0..nodes {
            let dir = solo.dir.join(format!("node-{i}"));
            std::fs::create_dir_all(&dir)?;
            let extra = cluster_text(&keys, &schema, i);
            let setup = crate::hongyan::Setup { dir: &dir, ..solo.setup(args, &extra, scenario == Scenario::Cluster) };
            prepared.push(match prepared.first() {
                None => setup.prepare()?,
                Some(first) => setup.join((first.account, first.auth.clone()))?,
            });
        }
        let mut procs = Vec::new();
        for p in &prepared {
            procs.push(p.spawn("hongyan.log")?);
        }
        let http = balance(prepared.iter().map(Prepared::http).collect()).await?;
        let auth = prepared[0].auth.clone();
        let for_make = auth.clone();
        let make: MakeRequest = Arc::new(move |i| request(&for_make, &[number(i)], "notification"));
        let running = Running { procs, http, make };
        if nodes > 1 && !args.quick {
            tokio::time::sleep(SETTLE).await;
        }
        Ok(Self { solo, running, auth, schema })
    }

    fn finish(mut self, args: &Args, ok: bool) {
        self.solo.finish(args, &mut self.running, ok);
        let _ = psql(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
    }
}

/// The database the nodes share: `HONGYAN_TEST_POSTGRES`, else the machine's.
fn postgres() -> String {
    std::env::var("HONGYAN_TEST_POSTGRES").unwrap_or_else(|_| "host=127.0.0.1 port=5432 user=postgres dbname=test".into())
}

fn psql(sql: &str) -> anyhow::Result<()> {
    let out = Command::new("psql").arg(postgres()).args(["-q", "-v", "ON_ERROR_STOP=1", "-c", sql]).output();
    let out = out.context("running psql (PostgreSQL's client)")?;
    ensure!(out.status.success(), "psql: {}", String::from_utf8_lossy(&out.stderr));
    Ok(())
}

fn cluster_text(keys: &Path, schema: &str, node: usize) -> String {
    format!(
        "\n[encryption]\nkey_file = \"{}\"\n\n[cluster]\npostgres = \"{} options='-c search_path={schema}'\"\nnode = \"n{node}\"\n",
        keys.display(),
        postgres()
    )
}

/// A round-robin TCP balancer in front of `nodes`: each connection goes to the next node.
async fn balance(nodes: Vec<SocketAddr>) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let next = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let node = nodes[next.fetch_add(1, Ordering::Relaxed) % nodes.len()];
            tokio::spawn(async move {
                if let Ok(mut server) = tokio::net::TcpStream::connect(node).await {
                    let _ = client.set_nodelay(true);
                    let _ = server.set_nodelay(true);
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });
    Ok(addr)
}
