//! `hongyan serve`: the platform, on its embedded default or on a configuration file.
//!
//! Start order: configuration → store → simulated gateways (if on) → engine (and the backlog
//! it must resume) → carrier channels → HTTP. `/healthz` turns 200 only after all of that.
//!
//! Stop order on SIGTERM or Ctrl-C (the drain): stop accepting (new requests get 503) → let
//! in-flight HTTP requests finish → channels stop taking work, wait for the answers to what is
//! in flight, log out (TERMINATE/UNBIND/Exit) → close the store (flush, WAL checkpoint) → stop
//! the simulators. Messages accepted but not yet submitted stay in the store and are sent
//! after the next start.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use hongyan_api::{router, AppState, ConsoleSettings};
use hongyan_config::{ChannelDef, Config};
use hongyan_engine::{ChannelSpec, Engine, SystemClock};
use hongyan_gateway::{run_channel_gated, ChannelConfig, LinkGates};
use hongyan_store::Store;
use hongyan_store_sqlite::SqliteStore;

use crate::cluster::{Jobs, Node};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::cli::ServeOptions;
use crate::protocols;
use crate::simulators::Simulators;

/// How long the channels get to drain before the store closes anyway.
const DRAIN_LIMIT: Duration = Duration::from_secs(15);

/// The settings after flags, environment, file and defaults have been weighed, in that order.
struct Resolved {
    config: Config,
    data_dir: PathBuf,
    http: SocketAddr,
}

/// The configuration file, parsed and checked; the embedded default without one.
/// The configuration's payment periods, as the engine names them.
pub(crate) fn billing_periods(config: &Config) -> Vec<hongyan_engine::statement::NamedPeriod> {
    let named = |p: &hongyan_config::BillingPeriod| hongyan_engine::statement::NamedPeriod {
        name: p.name.clone(),
        from: p.from.clone(),
        to: p.to.clone(),
    };
    config.billing_periods.iter().map(named).collect()
}

pub(crate) fn load_config(file: Option<&std::path::Path>) -> Result<Config> {
    let Some(file) = file else { return Ok(Config::default()) };
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    hongyan_config::parse(&text).map_err(|p| anyhow::anyhow!("{} has problems:\n{p}", file.display()))
}

fn resolve(opts: ServeOptions) -> Result<Resolved> {
    let mut config = load_config(opts.config.as_deref())?;
    if let Some(d) = opts.sim_report_delay {
        config.simulators.report_delay = d;
    }
    if let Some(l) = opts.sim_submit_latency {
        config.simulators.submit_latency = l;
    }
    if let Some(a) = opts.smpp {
        config.servers.smpp = Some(a);
    }
    if let Some(a) = opts.cmpp {
        config.servers.cmpp = Some(a);
    }
    let data_dir = opts.data_dir.or_else(|| config.data_dir.clone()).unwrap_or_else(|| PathBuf::from("data"));
    let default_http = hongyan_config::DEFAULT_HTTP.parse().expect("static address");
    let http = opts.http.or(config.http).unwrap_or(default_http);
    // The flags and the environment can move a listener onto another's address (or a
    // channel's): the same check as check-config, on the addresses that will be used.
    config.http = Some(http);
    let clashes = hongyan_config::address_clashes(&config);
    if !clashes.is_empty() {
        anyhow::bail!("the listening addresses clash:\n{}", hongyan_config::Problems(clashes));
    }
    Ok(Resolved { config, data_dir, http })
}

pub(crate) async fn run(opts: ServeOptions) -> Result<()> {
    let Resolved { config, data_dir, http } = resolve(opts)?;
    crate::logging::init(&config.log).with_context(|| format!("[log] file {:?}", config.log.file))?;
    std::fs::create_dir_all(&data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let ring = crate::keys_cmd::ring(&config.encryption, &data_dir)?;
    tracing::info!(algorithm = ?ring.algorithm(), key_id = ring.current_id(), "numbers and content are sealed at rest");
    let (store, node) = match &config.cluster {
        Some(cluster) => {
            let (store, node) = crate::cluster::open(cluster, ring.clone()).await?;
            (store, Some(node))
        }
        None => {
            let db = data_dir.join("hongyan.db");
            let store =
                SqliteStore::open_with(&db, ring.clone()).with_context(|| format!("opening {}", db.display()))?;
            tracing::info!(path = %db.display(), "store: SQLite (WAL)");
            (Arc::new(store) as Arc<dyn Store>, None)
        }
    };
    let jobs = node.as_ref().map_or(Jobs::Solo, Node::jobs);

    let acceptor = match &config.tls {
        Some(t) => Some(hongyan_net::ServerTls::load(&t.cert, &t.key).context("[tls]")?),
        None => None,
    };
    let mut channels = Vec::new();
    for def in sorted(&config.channels) {
        channels.push(protocols::channel(def, resolve_addr(&def.address).await?, acceptor.as_ref())?);
    }
    let sims = if config.simulators.enabled {
        let sims = Simulators::start(&data_dir, &config.simulators, &ring).await?;
        channels.extend(sims.channels());
        Some(sims)
    } else {
        None
    };
    if channels.is_empty() {
        bail!("no channels: declare [[channel]] entries or enable [simulators]");
    }
    let specs: Vec<ChannelSpec> = channels.iter().map(|(_, spec)| spec.clone()).collect();
    let (engine, receivers) = Engine::new(store.clone(), Arc::new(SystemClock), &specs).await?;
    if let Some(n) = &node {
        engine.set_id_slot(n.id_slot());
    }
    load_words(&engine, &config.content)?;
    engine.set_quiet_hours(config.content.marketing_quiet_hours);
    engine.set_categories(config.categories.clone());
    engine.set_login_trusted(config.console.login_trusted.clone());
    engine.set_billing_periods(billing_periods(&config));
    if let Some(file) = config.content.sensitive_words_file.clone() {
        tokio::spawn(watch_words(engine.clone(), config.content.clone(), file));
    }
    bootstrap_admin(&engine).await?;
    let resumed = engine.resume_pending().await?;
    if resumed > 0 {
        tracing::info!(resumed, "resuming messages accepted before the last stop");
    }

    let (stop, stop_rx) = watch::channel(false);
    let channel_sizes: Vec<(String, usize)> = channels.iter().map(|(c, _)| (c.name.clone(), c.connections)).collect();
    let gates = node.as_ref().map(|n| n.links(&channel_sizes, engine.clone(), stop_rx.clone()));
    let node = node.map(|n| n.run(engine.clone(), stop_rx.clone()));
    tokio::spawn(engine.clone().run_scheduler(stop_rx.clone()));
    let push = push_settings(&config.reports)?;
    engine.set_alert_rules(crate::alerting::rules(&config));
    let alert_targets = crate::alerting::targets(&config, push.trust.clone())?;
    let key_check = crate::alerting::KeyCheck {
        config: config.encryption.clone(),
        data_dir: data_dir.clone(),
        running: ring.clone(),
    };
    let e = engine.clone();
    jobs.spawn("alerts", stop_rx.clone(), move |stop| {
        crate::alerting::run(e.clone(), alert_targets.clone(), key_check.clone(), stop)
    });
    let e = engine.clone();
    let pusher = jobs.spawn("push", stop_rx.clone(), move |stop| hongyan_notify::run(e.clone(), push.clone(), stop));
    let (e, after) = (engine.clone(), config.reports.unknown_after);
    jobs.spawn("unknown-sweep", stop_rx.clone(), move |stop| sweep_unknown(e.clone(), after, stop));
    let e = engine.clone();
    jobs.spawn("client-parts", stop_rx.clone(), move |stop| flush_client_parts(e.clone(), stop));
    if let Some(days) = config.retention.keep_days {
        let (e, archive) = (engine.clone(), config.retention.archive_dir.clone());
        jobs.spawn("retention", stop_rx.clone(), move |stop| retention(e.clone(), days, archive.clone(), stop));
    }
    let rules = &config.incidents;
    engine.set_incident_rules(hongyan_engine::incidents::IncidentRules {
        down_after: rules.channel_down_after,
        failure_share: f64::from(rules.failure_percent) / 100.0,
        failure_min: u64::from(rules.failure_min_answers),
        failure_window: rules.failure_window,
    });
    let e = engine.clone();
    jobs.spawn("incidents", stop_rx.clone(), move |stop| watch_incidents(e.clone(), stop));
    let quality_days = config.retention.keep_days.unwrap_or(QUALITY_DAYS);
    tokio::spawn(keep_link_quality(engine.clone(), quality_days, stop_rx.clone()));
    let client_servers = start_client_servers(&config, &engine, acceptor.clone(), &stop_rx).await?;
    let mut running = Vec::new();
    for ((cfg, spec), (_, queue)) in channels.into_iter().zip(receivers) {
        log_channel(&cfg, &spec.carriers);
        let gate = gates.as_ref().map(|g| g.get(&cfg.name).cloned().unwrap_or_else(|| LinkGates::new(Vec::new())));
        running.push(tokio::spawn(run_channel_gated(cfg, engine.clone(), queue, stop_rx.clone(), gate)));
    }
    serve_http(&http, engine.clone(), acceptor, config.network, &config.metrics.allow).await?;

    tracing::info!("draining: finishing in-flight submits");
    let _ = stop.send(true);
    if tokio::time::timeout(DRAIN_LIMIT, async {
        for r in running {
            let _ = r.await;
        }
    })
    .await
    .is_err()
    {
        tracing::warn!("channels did not drain in time");
    }
    let _ = pusher.await;
    for s in client_servers {
        let _ = s.await;
    }
    if let Err(e) = engine.save_link_quality(true).await {
        tracing::warn!(error = %e, "could not keep the last minute of link quality");
    }
    if let Some(node) = node {
        let _ = node.await;
    }
    store.close().await.context("closing the store")?;
    if let Some(s) = sims {
        s.stop();
    }
    tracing::info!("stopped cleanly: store flushed");
    Ok(())
}

/// At first start, the console administrator: its password from HONGYAN_ADMIN_PASSWORD, or
/// random and printed this once (on stdout, never in the log). It must be changed at first login.
async fn bootstrap_admin(engine: &Engine) -> Result<()> {
    if engine.users_exist().await? {
        return Ok(());
    }
    let given = std::env::var("HONGYAN_ADMIN_PASSWORD").ok().filter(|p| !p.is_empty());
    match engine.bootstrap_admin(given).await.context("creating the administrator")? {
        Some(password) => {
            println!("console administrator: user `admin`, password {password} (shown once; change it at first login)");
            tracing::warn!("created the console administrator `admin`; its password was printed once on stdout");
        }
        None => tracing::info!("the console administrator `admin` exists (HONGYAN_ADMIN_PASSWORD, or another node)"),
    }
    Ok(())
}

/// The SMPP and CMPP servers for client systems that the configuration asks for.
async fn start_client_servers(
    config: &Config,
    engine: &Arc<Engine>,
    tls: Option<hongyan_net::ServerTls>,
    stop: &watch::Receiver<bool>,
) -> Result<Vec<tokio::task::JoinHandle<()>>> {
    use hongyan_ingress::{cmpp, smpp};
    let (servers, net) = (&config.servers, &config.network);
    let limits = hongyan_net::ConnLimits { total: net.max_connections, per_source: net.max_connections_per_source };
    let mut running = Vec::new();
    if let Some(addr) = servers.smpp {
        let listener = TcpListener::bind(addr).await.with_context(|| format!("binding the SMPP server to {addr}"))?;
        tracing::info!(addr = %listener.local_addr()?, tls = tls.is_some(), "SMPP server ready for client systems");
        let cfg = smpp::SmppServerConfig::default();
        let listener = hongyan_net::Listener::new(listener, "smpp-server", limits);
        running.push(tokio::spawn(smpp::serve(listener, engine.clone(), cfg, tls.clone(), stop.clone())));
    }
    if let Some(addr) = servers.cmpp {
        let listener = TcpListener::bind(addr).await.with_context(|| format!("binding the CMPP server to {addr}"))?;
        tracing::info!(addr = %listener.local_addr()?, tls = tls.is_some(), "CMPP server ready for client systems");
        let listener = hongyan_net::Listener::new(listener, "cmpp-server", limits);
        let cfg =
            cmpp::CmppServerConfig { gateway_code: servers.cmpp_gateway_code, ..cmpp::CmppServerConfig::default() };
        running.push(tokio::spawn(cmpp::serve(listener, engine.clone(), cfg, tls, stop.clone())));
    }
    Ok(running)
}

/// The pusher's settings; a CA file that cannot be used stops the start, named.
fn push_settings(r: &hongyan_config::Reports) -> Result<hongyan_notify::PushSettings> {
    let ca_files: Vec<PathBuf> = r.callback_ca_file.iter().cloned().collect();
    let trust = hongyan_notify::Trust::with_ca_files(&ca_files).context("[reports] callback_ca_file")?;
    Ok(hongyan_notify::PushSettings {
        retry_for: r.callback_retry,
        batch: r.callback_batch,
        timeout: r.callback_timeout,
        trust,
        ..hongyan_notify::PushSettings::default()
    })
}

/// Every 10 s, long messages from client systems whose parts stopped coming are sent as they are.
async fn flush_client_parts(engine: Arc<Engine>, mut stop: watch::Receiver<bool>) {
    const EVERY: Duration = Duration::from_secs(10);
    while !*stop.borrow() {
        if let Err(e) = engine.flush_client_parts().await {
            tracing::warn!(error = %e, "kept message parts could not be settled; trying again");
        }
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Every hour, messages older than `days` are purged, appended first to `archive/messages-YYYYMMDD.jsonl`.
async fn retention(engine: Arc<Engine>, days: u32, archive: Option<PathBuf>, mut stop: watch::Receiver<bool>) {
    const EVERY: Duration = Duration::from_secs(3600);
    let keep = Duration::from_secs(u64::from(days) * 24 * 3600);
    while !*stop.borrow() {
        let day = engine.clock().now().to_rfc3339_beijing()[..10].replace('-', "");
        let mut write = archive.as_ref().map(|dir| crate::archive::writer(dir.join(format!("messages-{day}.jsonl"))));
        let archiver = write.as_mut().map(|w| w as hongyan_engine::retention::Archiver<'_>);
        if let Err(e) = engine.purge_older_than(keep, archiver).await {
            tracing::warn!(error = %e, "retention run stopped; it runs again in an hour");
        }
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Every second, the channels' figures are looked at for incidents to open or fix.
async fn watch_incidents(engine: Arc<Engine>, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        if let Err(e) = engine.watch_incidents().await {
            tracing::warn!(error = %e, "could not update incidents; trying again");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => {}
        }
    }
}

/// How long link-quality minutes are kept when `[retention] keep_days` is not set: two
/// acceptance years.
const QUALITY_DAYS: u32 = 800;

/// Just after each minute ends, the channels' closed minutes of link quality go to the store;
/// once an hour, minutes older than `days` are removed.
async fn keep_link_quality(engine: Arc<Engine>, days: u32, mut stop: watch::Receiver<bool>) {
    let keep_ms = i64::from(days) * 86_400_000;
    let mut purged_at = None::<i64>;
    while !*stop.borrow() {
        let now = engine.clock().now().as_millis();
        let next_minute = now - now.rem_euclid(60_000) + 60_000 + 500;
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis((next_minute - now) as u64)) => {}
            _ = stop.changed() => return,
        }
        if let Err(e) = engine.save_link_quality(false).await {
            tracing::warn!(error = %e, "could not keep link-quality minutes; they are offered again next minute");
        }
        let now = engine.clock().now().as_millis();
        if purged_at.is_none_or(|t| now - t >= 3_600_000) {
            purged_at = Some(now);
            let before = hongyan_store::Timestamp::from_millis(now - keep_ms);
            if let Err(e) = engine.purge_link_minutes(before).await {
                tracing::warn!(error = %e, "could not remove old link-quality minutes");
            }
        }
    }
}

/// Every minute, segments that waited longer than `wait` for a report become `UNKNOWN`.
async fn sweep_unknown(engine: Arc<Engine>, wait: Duration, mut stop: watch::Receiver<bool>) {
    const EVERY: Duration = Duration::from_secs(60);
    while !*stop.borrow() {
        if let Err(e) = engine.expire_unreported(wait).await {
            tracing::warn!(error = %e, "the unknown sweep failed; it runs again in a minute");
        }
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = stop.changed() => {}
        }
    }
}

/// The sensitive words of the configuration and of its word file.
fn load_words(engine: &Engine, rules: &hongyan_config::ContentRules) -> Result<usize> {
    let mut words = rules.sensitive_words.clone();
    if let Some(file) = &rules.sensitive_words_file {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        words.extend(hongyan_config::read_word_file(&text));
    }
    engine.set_sensitive_words(&words);
    Ok(words.len())
}

/// Re-reads the word file when it changes (checked every 10 s); a bad read keeps the old list.
async fn watch_words(engine: Arc<Engine>, rules: hongyan_config::ContentRules, file: PathBuf) {
    let modified = |f: &PathBuf| std::fs::metadata(f).and_then(|m| m.modified()).ok();
    let mut seen = modified(&file);
    loop {
        tokio::time::sleep(Duration::from_secs(10)).await;
        let now = modified(&file);
        if now == seen {
            continue;
        }
        seen = now;
        match load_words(&engine, &rules) {
            Ok(n) => tracing::info!(words = n, file = %file.display(), "sensitive-word list reloaded"),
            Err(e) => tracing::warn!(error = %e, "sensitive-word file not reloaded; the old list stays"),
        }
    }
}

/// Preferred channels first, so a carrier's traffic goes to its primary.
fn sorted(defs: &[ChannelDef]) -> Vec<&ChannelDef> {
    let mut v: Vec<&ChannelDef> = defs.iter().collect();
    v.sort_by_key(|d| d.priority);
    v
}

async fn resolve_addr(address: &str) -> Result<SocketAddr> {
    tokio::net::lookup_host(address)
        .await
        .with_context(|| format!("resolving {address}"))?
        .next()
        .with_context(|| format!("{address} resolves to no address"))
}

fn log_channel(cfg: &ChannelConfig, carriers: &[hongyan_types::Carrier]) {
    let carriers: Vec<&str> = carriers.iter().map(|c| c.as_str()).collect();
    if cfg.simulated {
        tracing::warn!(channel = %cfg.name, gateway = %cfg.addr, carriers = ?carriers,
            "channel goes to a SIMULATED gateway inside this process, not to a carrier");
    } else {
        tracing::info!(channel = %cfg.name, gateway = %cfg.addr, carriers = ?carriers, "channel configured");
    }
}

/// The API under `/api/v1` and the web console under `/`, on one port and one session model.
fn app(state: AppState) -> axum::Router {
    router(state.clone())
        .merge(hongyan_console::router(state))
        .layer(axum::middleware::from_fn(hongyan_api::count_requests))
}

/// Serves HTTP until SIGTERM/SIGINT; stops accepting messages the moment the signal comes.
async fn serve_http(
    addr: &SocketAddr,
    engine: Arc<Engine>,
    tls: Option<hongyan_net::ServerTls>,
    net: hongyan_config::Network,
    metrics_allow: &[hongyan_types::Cidr],
) -> Result<()> {
    let ready = Arc::new(AtomicBool::new(false));
    let console = ConsoleSettings {
        secure_cookies: tls.is_some(),
        metrics_allow: metrics_allow.to_vec(),
        ..ConsoleSettings::default()
    };
    let state = AppState { engine: engine.clone(), ready: ready.clone(), console };
    let listener = TcpListener::bind(addr).await.with_context(|| format!("binding the HTTP API to {addr}"))?;
    ready.store(true, Ordering::SeqCst);
    let scheme = if tls.is_some() { "HTTPS" } else { "HTTP" };
    let local = listener.local_addr()?;
    tracing::info!(addr = %local, "{scheme} API ready: POST /api/v1/messages, GET /healthz");
    tracing::info!("web console: {}://{local}/ (log in as a console user)", scheme.to_ascii_lowercase());
    let stop = async move {
        shutdown_signal().await;
        tracing::info!("shutdown requested: no new messages are accepted");
        engine.stop_accepting();
        ready.store(false, Ordering::SeqCst);
    };
    crate::http::serve(listener, tls, app(state), net, stop).await;
    Ok(())
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
