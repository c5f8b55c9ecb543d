//! `hongyan`: the one binary of the platform.
//!
//! - `hongyan serve` runs the platform (HTTP API, engine, carrier links). With no config it
//!   runs the embedded default: SQLite under the data folder and an in-process simulated
//!   China Mobile gateway (CMPP 3.0).
//! - `hongyan account create NAME` opens an interface account and prints its key once.
//! - `hongyan signature …` adds, approves and assigns signatures (until the admin API).
//! - `hongyan sim cmpp` runs a simulated China Mobile ISMG on its own.
//!
//! This is the only crate that uses `anyhow`: every library error is reported here once.

mod acceptance_cmd;
mod account;
mod alerting;
mod archive;
mod backup_cmd;
mod callback_cmd;
mod cli;
mod cluster;
mod content_cmd;
mod http;
mod keys_cmd;
mod link_leases;
mod logging;
mod login_cmd;
mod protocols;
mod serve;
mod sim_cmd;
mod simulators;
mod statement_cmd;

use anyhow::{Context, Result};

/// mimalloc instead of glibc's malloc: after a request of 100,000 numbers glibc kept the
/// freed pages in its per-thread arenas (RSS grew by about 100 MB per such request and never
/// came down); mimalloc returns them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How long mimalloc keeps freed memory before giving it back to the system, in ms.
const PURGE_DELAY_ENV: &str = "MIMALLOC_PURGE_DELAY";
/// The delay `serve` sets when the operator has set none.
const PURGE_DELAY_MS: &str = "10";

/// mimalloc keeps freed pages for a second (its `purge_delay`) before giving them back, so
/// the memory of one large request was still held when the next came: three requests of
/// 100,000 numbers peaked at 155–165 MB. Given back at once (0 ms), they peak at 110–118 MB,
/// but then every task freed under load that empties a page costs a `madvise` (5 % of the
/// runtime's time under `smpp-server`, one task per submit); 10 ms keeps the pages that are
/// reused at once for 8–11 % more receipts/s and peaks at 124 MB (`bench/RESULTS.md`).
/// The allocator reads the setting from the
/// environment when the process starts, before `main`, and this workspace allows no `unsafe`
/// to set it afterwards, so `hongyan serve` starts itself once more with it set (same
/// process id: `exec`). An operator's own `MIMALLOC_PURGE_DELAY` is left as it is.
fn serve_with_prompt_purge() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os(PURGE_DELAY_ENV).is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    let failed =
        std::process::Command::new(exe).args(std::env::args_os().skip(1)).env(PURGE_DELAY_ENV, PURGE_DELAY_MS).exec();
    // Only reached when the exec itself failed: serve as we are.
    eprintln!(
        "hongyan: could not restart with {PURGE_DELAY_ENV}={PURGE_DELAY_MS} ({failed}); memory is returned after 1 s"
    );
}

fn main() -> Result<()> {
    use clap::{CommandFactory, Parser};
    use cli::{AccountCommand as A, Command as C};
    // Help and version go to stdout with status 0, a usage error to stderr with status 2.
    let Some(command) = cli::Cli::parse().command else {
        cli::Cli::command().print_help()?;
        return Ok(());
    };
    if matches!(command, C::Serve(_)) {
        serve_with_prompt_purge();
    } else {
        // `serve` sets logging up from its configuration's `[log]`; every other command logs
        // to stderr, so `--json` output on stdout stays clean.
        logging::init(&hongyan_config::Log::default())?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match command {
        C::Serve(opts) => runtime.block_on(serve::run(opts)),
        C::CheckConfig { file } => check_config(&file),
        C::Config(cli::ConfigCommand::Example) => {
            print!("{}", hongyan_config::EXAMPLE);
            Ok(())
        }
        C::Account(A::Create(opts)) => runtime.block_on(account::create(opts)),
        C::Account(A::Limits(opts)) => runtime.block_on(account::limits(opts)),
        C::Account(A::FreeText { account, allowed, config, data }) => {
            runtime.block_on(account::free_text(config, data.dir, account, allowed.on()))
        }
        C::Account(A::Smpp(login)) => runtime.block_on(login_cmd::run(login.options())),
        C::Account(A::Cmpp(login)) => runtime.block_on(login_cmd::run(login.options())),
        C::Signature(opts) => runtime.block_on(account::signature(opts)),
        C::Blacklist(opts) => runtime.block_on(account::blacklist(opts)),
        C::Template(opts) => runtime.block_on(account::template(opts)),
        C::Portability(cli::PortabilityCommand::Import { file, config, data }) => {
            runtime.block_on(account::portability_import(config, data.dir, file))
        }
        C::Callback(opts) => runtime.block_on(callback_cmd::run(opts)),
        C::Statement(opts) => runtime.block_on(statement_cmd::run(opts)),
        C::Acceptance(opts) => runtime.block_on(acceptance_cmd::run(opts)),
        C::Backup(args) => runtime.block_on(backup_cmd::backup(args)),
        C::Restore(args) => runtime.block_on(backup_cmd::restore_from(args)),
        C::Sim(args) => runtime.block_on(sim_cmd::run(args.options())),
        C::Keys(opts) => runtime.block_on(keys_cmd::run(opts)),
        C::Migrate(opts) => runtime.block_on(cluster::migrate(opts)),
    }
}

/// `hongyan check-config FILE`: every problem, one per line; exit status 1 if any.
fn check_config(file: &std::path::Path) -> Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    match hongyan_config::parse(&text) {
        Ok(c) => {
            println!(
                "{}: OK ({} channel(s), simulators {})",
                file.display(),
                c.channels.len(),
                if c.simulators.enabled { "on" } else { "off" }
            );
            Ok(())
        }
        Err(problems) => {
            eprint!("{}", problems);
            eprintln!("{}: {} problem(s)", file.display(), problems.0.len());
            std::process::exit(1);
        }
    }
}
