//! The gateway's processes: started as children, measured from /proc, stopped at the end.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

/// A child process that is stopped (SIGTERM, then SIGKILL) when dropped, so no run leaves
/// a gateway behind, whatever fails.
pub(crate) struct Proc {
    pub(crate) name: &'static str,
    child: Child,
}

impl Proc {
    /// Starts `cmd` with stdout and stderr in `log`.
    pub(crate) fn spawn(name: &'static str, mut cmd: Command, log: &Path) -> anyhow::Result<Self> {
        let out = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        Ok(Self { name, child })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Fails when the process has already exited (it could not start, most likely).
    pub(crate) fn check_alive(&mut self) -> anyhow::Result<()> {
        match self.child.try_wait()? {
            Some(status) => anyhow::bail!("{} exited early with {status}", self.name),
            None => Ok(()),
        }
    }

    /// SIGTERM, up to `grace` for a clean exit, then SIGKILL.
    pub(crate) fn stop(&mut self, grace: Duration) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status();
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("{} did not exit within {grace:?} of SIGTERM: killed", self.name);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.stop(Duration::from_secs(10));
    }
}

/// utime + stime of `pid` (all its threads), in seconds.
pub(crate) fn cpu_seconds(pid: u32, ticks_per_second: f64) -> anyhow::Result<f64> {
    let stat =
        std::fs::read_to_string(format!("/proc/{pid}/stat")).with_context(|| format!("reading /proc/{pid}/stat"))?;
    // The command name (field 2) may hold spaces; fields after its closing parenthesis are
    // fixed: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).context("no ')' in /proc/PID/stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks =
        |n: usize| -> anyhow::Result<f64> { Ok(fields.get(n - 3).context("short /proc/PID/stat")?.parse::<f64>()?) };
    Ok((ticks(14)? + ticks(15)?) / ticks_per_second)
}

/// Peak resident set (VmHWM) of `pid`, in KiB.
pub(crate) fn peak_rss_kib(pid: u32) -> anyhow::Result<u64> {
    status_kib(pid, "VmHWM:")
}

/// Resident set now (VmRSS) of `pid`, in KiB.
pub(crate) fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    status_kib(pid, "VmRSS:")
}

fn status_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line =
        status.lines().find(|l| l.starts_with(field)).with_context(|| format!("no {field} in /proc/PID/status"))?;
    Ok(line.split_whitespace().nth(1).with_context(|| format!("empty {field}"))?.parse()?)
}

/// The kernel's clock ticks per second for /proc times (`getconf CLK_TCK`, 100 nearly
/// everywhere; asked rather than assumed).
pub(crate) fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// Sum of CPU seconds over `procs`.
pub(crate) fn total_cpu(procs: &[&Proc], ticks: f64) -> anyhow::Result<f64> {
    procs.iter().map(|p| cpu_seconds(p.pid(), ticks)).sum()
}

/// Sum of peak RSS over `procs`, in MiB.
pub(crate) fn total_peak_rss_mib(procs: &[&Proc]) -> anyhow::Result<f64> {
    let kib: u64 = procs.iter().map(|p| peak_rss_kib(p.pid())).sum::<anyhow::Result<u64>>()?;
    Ok(kib as f64 / 1024.0)
}
