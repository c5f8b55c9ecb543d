//! One SP connection to a simulated China Mobile ISMG (CMPP) or China Telecom SMGW (SMGP),
//! written once: the two gateways log an SP in, take its submits (held back, dropped or left
//! unanswered as the scenario says), and deliver the reports and replies it is owed through the
//! session's window. What differs — the PDUs, the login rule, the message ids — is the
//! [`Ismg`] each simulator implements.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::driver::{drive, Driven, Dropped, SimSession};
use crate::journal::{OwedReport, ReportBook};
use crate::mo::{self, MoBox, MoMessage};
use crate::scenario::Scenario;
use crate::Counters;

/// What the shared state of a simulator is, for the connection logic.
pub(crate) struct Shared<'a> {
    pub(crate) scenario: &'a Scenario,
    pub(crate) book: &'a ReportBook,
    pub(crate) mo: &'a MoBox,
    pub(crate) counters: &'a Counters,
}

/// A session event as the connection logic sees it.
pub(crate) enum Seen<S> {
    /// A login was answered; `ok` when it succeeded.
    Login {
        sp: String,
        ok: bool,
    },
    Submit {
        sequence: u32,
        submit: S,
    },
    /// The SP acknowledged a delivery.
    Acked(u32),
    /// A delivery went unacknowledged.
    TimedOut(u32),
    /// Anything else; already logged.
    Other,
}

/// A CMPP-like gateway: its PDUs and the rules that are its own.
pub(crate) trait Ismg: Send + Sync + 'static {
    type Session: SimSession + Send;
    type Submit;
    type SubmitResp: Send;
    type Deliver;
    /// Who speaks in the logs ("simulated ISMG").
    const NAME: &'static str;

    fn shared(&self) -> Shared<'_>;
    fn new_session(&self) -> Self::Session;
    /// The session's next event; a login is answered here.
    fn next_event(&self, session: &mut Self::Session) -> Option<Seen<Self::Submit>>;
    fn accept_submit(&self, sp: &str, submit: &Self::Submit) -> Self::SubmitResp;
    fn answer_submit(session: &mut Self::Session, sequence: u32, resp: Self::SubmitResp);
    fn can_deliver(session: &Self::Session) -> bool;
    /// Sends a delivery; its sequence number, or `None` when the window is full.
    fn deliver(session: &mut Self::Session, now: std::time::Instant, pdu: Self::Deliver) -> Option<u32>;
    fn report_pdu(&self, r: &OwedReport, session: &Self::Session) -> Self::Deliver;
    fn mo_pdu(&self, m: &MoMessage, sp: &str) -> Self::Deliver;
}

/// Serves one SP connection until it ends; what was delivered on it but not acknowledged is
/// owed again.
pub(crate) async fn connection<G: Ismg, S: AsyncRead + AsyncWrite>(
    sim: Arc<G>,
    stream: S,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conn =
        Conn { session: sim.new_session(), sp: None, delayed: VecDeque::new(), out: HashMap::new(), submits: 0 };
    match drive(&mut Bound { conn: &mut conn, sim: &*sim }, stream, &mut shutdown, G::NAME).await {
        Ok(true) => {
            Counters::bump(&sim.shared().counters.dropped);
        }
        Ok(false) => {}
        Err(e) => tracing::debug!(error = %e, "{}: connection ended", G::NAME),
    }
    let (shared, sp) = (sim.shared(), conn.sp.clone().unwrap_or_default());
    conn.out.values().for_each(|id| mo::released(shared.book, shared.mo, &sp, id));
}

/// One SP connection's state beside its session.
struct Conn<G: Ismg> {
    session: G::Session,
    sp: Option<String>,
    /// Submit responses held back by `submit_latency`.
    delayed: VecDeque<(Instant, u32, G::SubmitResp)>,
    /// Delivery sequence number → report or reply id, until acknowledged.
    out: HashMap<u32, String>,
    /// Submits on this connection, for `drop_every` and `silent_every`.
    submits: u32,
}

impl<G: Ismg> Conn<G> {
    fn handle_events(&mut self, sim: &G) -> Result<(), Dropped> {
        let shared = sim.shared();
        while let Some(seen) = sim.next_event(&mut self.session) {
            match seen {
                Seen::Login { sp, ok: true } => {
                    Counters::bump(&shared.counters.logins);
                    self.sp = Some(sp);
                }
                Seen::Login { ok: false, .. } => {
                    Counters::bump(&shared.counters.refused_logins);
                }
                Seen::Submit { sequence, submit } => {
                    let Some(sp) = self.sp.clone() else { continue };
                    Counters::bump(&shared.counters.submits);
                    self.submits += 1;
                    if shared.scenario.drops(self.submits) {
                        return Err(Dropped);
                    }
                    if shared.scenario.silent(self.submits) {
                        Counters::bump(&shared.counters.silenced);
                        continue;
                    }
                    let resp = sim.accept_submit(&sp, &submit);
                    self.delayed.push_back((Instant::now() + shared.scenario.submit_latency, sequence, resp));
                }
                Seen::Acked(sequence) => {
                    if let Some(id) = self.out.remove(&sequence) {
                        mo::acked(shared.book, shared.counters, &id);
                    }
                }
                Seen::TimedOut(sequence) => {
                    if let Some(id) = self.out.remove(&sequence) {
                        mo::released(shared.book, shared.mo, self.sp.as_deref().unwrap_or_default(), &id);
                    }
                }
                Seen::Other => {}
            }
        }
        Ok(())
    }

    /// Sends held submit responses whose time has come, then due reports while the window allows.
    fn send_due(&mut self, sim: &G) {
        let now = Instant::now();
        while self.delayed.front().is_some_and(|(t, _, _)| *t <= now) {
            if let Some((_, seq, resp)) = self.delayed.pop_front() {
                G::answer_submit(&mut self.session, seq, resp);
            }
        }
        let Some(sp) = self.sp.clone() else { return };
        if self.send_reports(sim, &sp, now) {
            self.send_replies(sim, &sp, now);
        }
    }

    /// Due reports, each twice with `duplicate_reports`; false when the window filled.
    fn send_reports(&mut self, sim: &G, sp: &str, now: Instant) -> bool {
        let shared = sim.shared();
        while G::can_deliver(&self.session) {
            let Some(r) = shared.book.take_due(sp, shared.book.now_ms(), 1).pop() else { break };
            let copies = if shared.scenario.duplicate_reports { 2 } else { 1 };
            for copy in 0..copies {
                let pdu = sim.report_pdu(&r, &self.session);
                match G::deliver(&mut self.session, now.into_std(), pdu) {
                    Some(seq) => {
                        Counters::bump(&shared.counters.reports_sent);
                        // Only the first copy's acknowledgement strikes the report.
                        if copy == 0 {
                            self.out.insert(seq, r.msg_id.clone());
                        }
                    }
                    None if copy == 0 => {
                        shared.book.release(&r.msg_id);
                        return false;
                    }
                    None => {}
                }
            }
        }
        true
    }

    /// Replies (MO) the SP is owed, while the window allows.
    fn send_replies(&mut self, sim: &G, sp: &str, now: Instant) {
        let shared = sim.shared();
        while G::can_deliver(&self.session) {
            let Some(m) = shared.mo.take(sp, &shared.scenario.mo) else { break };
            match G::deliver(&mut self.session, now.into_std(), sim.mo_pdu(&m, sp)) {
                Some(seq) => drop(self.out.insert(seq, MoBox::key(&m))),
                None => {
                    shared.mo.put_back(sp, m);
                    break;
                }
            }
        }
    }
}

/// A connection together with its simulator, as the driver runs it.
struct Bound<'a, G: Ismg> {
    conn: &'a mut Conn<G>,
    sim: &'a G,
}

impl<G: Ismg> Driven for Bound<'_, G> {
    type Session = G::Session;

    fn session(&mut self) -> &mut G::Session {
        &mut self.conn.session
    }

    fn step(&mut self) -> Result<Option<Instant>, Dropped> {
        let handled = self.conn.handle_events(self.sim);
        // What was answered before a drop goes out before the connection closes.
        self.conn.send_due(self.sim);
        handled?;
        Ok(self.conn.delayed.front().map(|(t, _, _)| *t))
    }
}
