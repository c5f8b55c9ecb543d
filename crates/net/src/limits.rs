//! How many connections a listener holds, in total and per source address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// The limits of one listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnLimits {
    /// Connections open at once on this listener.
    pub total: usize,
    /// Connections open at once from one source address.
    pub per_source: usize,
}

impl Default for ConnLimits {
    /// Generous for a bureau's few systems and staff, far below the descriptor limit
    /// (`LimitNOFILE=65536` in the unit file the operations manual gives).
    fn default() -> Self {
        Self { total: 4096, per_source: 512 }
    }
}

/// Counts what is open; shared by the listener and the permits it hands out.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    // std Mutex: held for a map update, never across an await.
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

impl Counts {
    /// A permit for one more connection from `ip`, or why not.
    pub(crate) fn admit(self: &Arc<Self>, ip: IpAddr, limits: ConnLimits) -> Result<Permit, Refusal> {
        let mut open = self.open.lock().expect("connection counts");
        if open.0 >= limits.total {
            return Err(Refusal::Total);
        }
        let mine = open.1.entry(ip).or_insert(0);
        if *mine >= limits.per_source {
            return Err(Refusal::PerSource);
        }
        *mine += 1;
        open.0 += 1;
        Ok(Permit { counts: self.clone(), ip })
    }

    /// Connections open now.
    pub(crate) fn open(&self) -> usize {
        self.open.lock().expect("connection counts").0
    }
}

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    Total,
    PerSource,
}

/// One admitted connection; dropping it (when the connection ends) frees its place.
#[derive(Debug)]
pub struct Permit {
    counts: Arc<Counts>,
    ip: IpAddr,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().expect("connection counts");
        open.0 = open.0.saturating_sub(1);
        if let Some(n) = open.1.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.1.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permits_count_per_source_and_in_total_and_free_their_place() {
        let counts = Arc::new(Counts::default());
        let limits = ConnLimits { total: 3, per_source: 2 };
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let a1 = counts.admit(a, limits).unwrap();
        let _a2 = counts.admit(a, limits).unwrap();
        assert_eq!(counts.admit(a, limits).unwrap_err(), Refusal::PerSource);
        let _b1 = counts.admit(b, limits).unwrap();
        assert_eq!(counts.admit(b, limits).unwrap_err(), Refusal::Total);
        drop(a1);
        assert_eq!(counts.open(), 2);
        assert!(counts.admit(a, limits).is_ok(), "a freed place is usable again");
    }
}
