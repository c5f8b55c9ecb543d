//! Cluster mode (`[cluster]`): the store of record on PostgreSQL, this process's life as a
//! node (its lease, adopting what dead nodes left unsent), the jobs that run once in the
//! cluster, and `hongyan migrate`.
//!
//! ```text
//! hongyan migrate --config FILE     apply the PostgreSQL schema [cluster] names, then exit
//! ```

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use hongyan_config::Cluster;
use hongyan_engine::Engine;
use hongyan_gateway::LinkGates;
use hongyan_store::Store;
use hongyan_store_postgres::{node_lease, Lease, Leases, PgError, PgStore};
use hongyan_store_sqlite::seal::KeyRing;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::link_leases::LinkLeases;

#[derive(clap::Args)]
pub(crate) struct MigrateOptions {
    /// The configuration file; its `[cluster] postgres` is the database
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
}

/// `hongyan migrate`: nodes apply the schema at start too; this is for doing it ahead of an
/// upgrade, or with an account allowed to change the schema that the nodes' is not.
pub(crate) async fn migrate(o: MigrateOptions) -> Result<()> {
    let config = crate::serve::load_config(Some(&o.config))?;
    let cluster = config.cluster.context("the configuration has no [cluster]: the embedded SQLite needs no migrate")?;
    let pool = hongyan_store_postgres::connect(&cluster.postgres, None).await.context("[cluster] postgres")?;
    let applied = hongyan_store_postgres::migrate(&pool).await.context("applying the schema")?;
    match applied.is_empty() {
        true => println!("the schema is up to date"),
        false => println!("applied: {}", applied.join(", ")),
    }
    Ok(())
}

/// The store an administration command works on: with a configuration that has `[cluster]`,
/// the cluster's PostgreSQL (with the data keys, which every node shares); else the SQLite
/// file in `data_dir`, with the data keys when the command touches sealed data (`sealed`).
pub(crate) async fn admin_store(
    config: Option<&std::path::Path>,
    data_dir: &std::path::Path,
    sealed: bool,
) -> Result<Arc<dyn Store>> {
    let loaded = crate::serve::load_config(config)?;
    if let Some(cluster) = &loaded.cluster {
        let ring = crate::keys_cmd::ring(&loaded.encryption, data_dir)?;
        let store = PgStore::open(&cluster.postgres, None, Some(ring)).await.context("[cluster] postgres")?;
        return Ok(Arc::new(store));
    }
    if sealed {
        return Ok(Arc::new(crate::keys_cmd::open_sealed(config, data_dir)?));
    }
    let path = data_dir.join("hongyan.db");
    let store = hongyan_store_sqlite::SqliteStore::open_unsealed(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    Ok(Arc::new(store))
}

/// How long a node's (and a job's) lease lasts without renewal: a dead node's messages and
/// jobs are taken over within this and one look of the others.
const LEASE_TTL: Duration = Duration::from_secs(6);
/// How often leases are renewed, well inside their time.
const RENEW_EVERY: Duration = Duration::from_secs(2);
/// How long one renewal may take before it counts as failed.
const RENEW_WAIT: Duration = Duration::from_secs(1);
/// How long after its last renewal a node stops handing messages to its links: well before
/// its lease can lapse and another node adopt them.
const PAUSE_AFTER: Duration = Duration::from_secs(3);
/// How often a node looks for dead nodes' messages.
const ADOPT_EVERY: Duration = Duration::from_secs(2);
/// Messages adopted per statement.
const ADOPT_BATCH: usize = 1000;

/// This process as a node of the cluster: its lease, kept while it lives.
pub(crate) struct Node {
    store: PgStore,
    leases: Leases,
    lease: Lease,
    /// This node's slot of the message ids (`slot:K`), held with the node's lease.
    slot: Lease,
}

/// The store of a node of the cluster: PostgreSQL, its schema brought up to date, and the
/// node's lease taken.
/// A database that does not answer is waited for (a node started, or started again in
/// place, while PostgreSQL fails over); a wrong address or a refused login stops the start.
pub(crate) async fn open(cluster: &Cluster, ring: KeyRing) -> Result<(Arc<dyn Store>, Node)> {
    let store = loop {
        match PgStore::open(&cluster.postgres, None, Some(ring.clone())).await {
            Ok(store) => break store.with_node(&cluster.node),
            Err(PgError::Unavailable(e)) => {
                tracing::warn!(error = %e, "PostgreSQL does not answer; trying again in 2 s");
                tokio::time::sleep(RENEW_EVERY).await;
            }
            Err(e) => return Err(e).context("[cluster] postgres"),
        }
    };
    let leases = Leases::new(store.pool().clone(), &cluster.node, LEASE_TTL);
    let lease = leases
        .acquire(&node_lease(&cluster.node))
        .await
        .context("taking the node's lease")?
        .context("the node's lease is held by another process")?;
    let slot = take_slot(&leases).await?;
    tracing::info!(node = %cluster.node, generation = lease.generation, id_slot = %slot.name, "store: PostgreSQL (cluster mode)");
    Ok((Arc::new(store.clone()), Node { store, leases, lease, slot }))
}

/// The first free slot of the message ids (this node's own from before a restart, if it
/// still holds it).
async fn take_slot(leases: &Leases) -> Result<Lease> {
    for k in 0..hongyan_types::NODE_SLOTS {
        if let Some(slot) = leases.acquire(&format!("slot:{k}")).await.context("taking a slot of the message ids")? {
            return Ok(slot);
        }
    }
    anyhow::bail!("every one of the {} slots of the message ids is held: too many nodes", hongyan_types::NODE_SLOTS)
}

impl Node {
    /// The flags the channels' gateways follow, one per connection, and the task that keeps
    /// this node's connection leases: it also takes the messages other nodes gave back on
    /// the channels it holds a connection of.
    pub(crate) fn links(
        &self,
        channels: &[(String, usize)],
        engine: Arc<Engine>,
        mut stop: watch::Receiver<bool>,
    ) -> HashMap<String, LinkGates> {
        let (mut links, gates) = LinkLeases::new(channels);
        let (leases, store) = (self.leases.clone(), self.store.clone());
        let released = store.released_wakeups();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(RENEW_EVERY);
            loop {
                tokio::select! {
                    _ = tick.tick() => links.tend(&leases, &store, RENEW_WAIT, PAUSE_AFTER).await,
                    () = released.notified() => {}
                    _ = stop.changed() => break,
                }
                if let Err(e) = adopt_released(&store, &engine, &links.channels_held()).await {
                    tracing::debug!(error = %e, "could not take messages given back; trying again");
                }
            }
        });
        gates
    }

    /// This node's slot of the message ids.
    pub(crate) fn id_slot(&self) -> u64 {
        self.slot.name.trim_start_matches("slot:").parse().unwrap_or(0)
    }

    /// Singleton jobs run under a lease of this node's.
    pub(crate) fn jobs(&self) -> Jobs {
        Jobs::Cluster(self.leases.clone())
    }

    /// Keeps the node's lease and adopts dead nodes' messages until `stop`.
    ///
    /// While the lease cannot be renewed (the database is away) the node goes on answering
    /// (503 for what needs the store) but stops handing messages to its links after
    /// [`PAUSE_AFTER`], before the lease can lapse. If it did lapse, other nodes may have
    /// adopted this node's messages, and the copies in its queues must not be sent too: the
    /// node then starts again in place (same process), reading its own work afresh from the
    /// database once it answers.
    pub(crate) fn run(self, engine: Arc<Engine>, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
        tokio::spawn(async move {
            let mut renew = tokio::time::interval(RENEW_EVERY);
            let mut adopt = tokio::time::interval(ADOPT_EVERY);
            let mut last_renewed = tokio::time::Instant::now();
            loop {
                tokio::select! {
                    _ = renew.tick() => {
                        let asked = tokio::time::Instant::now();
                        pause_if_late(&engine, last_renewed);
                        let both = [self.lease.clone(), self.slot.clone()];
                        match tokio::time::timeout(RENEW_WAIT, self.leases.renew_all(&both)).await {
                            Ok(Ok(kept)) if kept.iter().all(|k| *k) => {
                                last_renewed = asked;
                                engine.pause_sending(false);
                            }
                            Ok(Ok(_)) => restart_in_place(&self.lease.holder),
                            Ok(Err(e)) => tracing::warn!(error = %e, "could not renew the node's lease; trying again"),
                            Err(_) => tracing::warn!("renewing the node's lease timed out; trying again"),
                        }
                        pause_if_late(&engine, last_renewed);
                    },
                    _ = adopt.tick() => {
                        if let Err(e) = self.adopt_dead(&engine).await {
                            tracing::debug!(error = %e, "could not look for dead nodes' messages; trying again");
                        }
                    }
                    _ = stop.changed() => break,
                }
            }
            // What is still unsent is the other nodes' to adopt at once, not after the lease lapses.
            if let Err(e) = self.leases.release(&self.lease).await {
                tracing::warn!(error = %e, "could not give the node's lease up");
            }
            let _ = self.leases.release(&self.slot).await;
        })
    }

    async fn adopt_dead(&self, engine: &Engine) -> Result<()> {
        for dead in self.store.dead_nodes().await? {
            loop {
                let ids = self.store.adopt(&dead, ADOPT_BATCH).await?;
                if ids.is_empty() {
                    break;
                }
                let queued = engine.resume_ids(ids.clone()).await?;
                tracing::warn!(dead = %dead, adopted = ids.len(), queued, "took over messages a dead node left unsent");
            }
        }
        Ok(())
    }
}

/// Takes the messages other nodes gave back on `channels`, and queues them here.
async fn adopt_released(store: &PgStore, engine: &Engine, channels: &[String]) -> Result<()> {
    if channels.is_empty() {
        return Ok(());
    }
    loop {
        let ids = store.adopt_released(channels, ADOPT_BATCH).await?;
        if ids.is_empty() {
            return Ok(());
        }
        let queued = engine.resume_ids(ids.clone()).await?;
        tracing::info!(taken = ids.len(), queued, "took messages other nodes gave back for the connections held here");
    }
}

/// Pauses the links when the last renewal is older than [`PAUSE_AFTER`]. Looked at before
/// and after each attempt (which waits at most [`RENEW_WAIT`]), so the links stop at most
/// `RENEW_EVERY` past it: 4 s after the last renewal, 2 s before the lease can lapse.
fn pause_if_late(engine: &Engine, last_renewed: tokio::time::Instant) {
    if last_renewed.elapsed() > PAUSE_AFTER && !engine.sending_paused() {
        tracing::warn!("the node's lease is not renewed: its links submit nothing new until it is");
        engine.pause_sending(true);
    }
}

/// The node lost its lease: start this program again in its place (same process id, same
/// arguments), so that it reads its work afresh once the database answers.
fn restart_in_place(node: &str) -> ! {
    use std::os::unix::process::CommandExt;
    tracing::error!(
        node,
        "this node lost its lease (another node may have taken its messages over); starting again in place"
    );
    let failed =
        std::env::current_exe().map(|exe| std::process::Command::new(exe).args(std::env::args_os().skip(1)).exec());
    tracing::error!(?failed, "could not start again in place; stopping");
    std::process::exit(70);
}

/// How the jobs that must run once run: alone, simply; in a cluster, on the node that holds
/// the job's lease, taken over by another when that node dies.
#[derive(Clone)]
pub(crate) enum Jobs {
    Solo,
    Cluster(Leases),
}

impl Jobs {
    /// Runs `job` (given its own stop signal) as the job `name`.
    pub(crate) fn spawn<F, Fut>(&self, name: &'static str, stop: watch::Receiver<bool>, job: F) -> JoinHandle<()>
    where
        F: Fn(watch::Receiver<bool>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        match self {
            Self::Solo => tokio::spawn(job(stop)),
            Self::Cluster(leases) => tokio::spawn(singleton(leases.clone(), name, stop, job)),
        }
    }
}

/// Takes the job's lease when it is free, runs the job while the lease is kept, and stops it
/// when the lease is lost or the node stops.
async fn singleton<F, Fut>(leases: Leases, name: &'static str, mut stop: watch::Receiver<bool>, job: F)
where
    F: Fn(watch::Receiver<bool>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let lease_name = format!("job:{name}");
    while !*stop.borrow() {
        let Ok(Some(lease)) = leases.acquire(&lease_name).await else {
            tokio::select! {
                _ = tokio::time::sleep(RENEW_EVERY) => continue,
                _ = stop.changed() => return,
            }
        };
        tracing::info!(job = name, generation = lease.generation, "running the job for the cluster");
        let (job_stop, job_stop_rx) = watch::channel(false);
        let running = tokio::spawn(job(job_stop_rx));
        let mut last_renewed = tokio::time::Instant::now();
        loop {
            tokio::select! {
                _ = tokio::time::sleep(RENEW_EVERY) => {
                    let asked = tokio::time::Instant::now();
                    match tokio::time::timeout(RENEW_WAIT, leases.renew(&lease)).await {
                        Ok(Ok(true)) => last_renewed = asked,
                        Ok(Ok(false)) => {
                            tracing::warn!(job = name, "lost the job's lease; another node takes it over");
                            break;
                        }
                        // Not known to be lost yet; stopped before it can lapse.
                        _ if asked.duration_since(last_renewed) > PAUSE_AFTER => {
                            tracing::warn!(job = name, "cannot renew the job's lease; stopping the job here");
                            break;
                        }
                        _ => {}
                    }
                }
                _ = stop.changed() => break,
            }
        }
        let _ = job_stop.send(true);
        let _ = running.await;
        if *stop.borrow() {
            let _ = leases.release(&lease).await;
        }
    }
}
