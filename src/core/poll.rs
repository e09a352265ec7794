//! Polling, written once for every wait in core (create's download wait, session.context.sync,
//! delete's sync and deletion waits, context.clear): adaptive intervals (short first waits, as
//! most syncs finish in well under a second against a local server, growing to a cap, bounded
//! in total time) and the rules for giving up early on a server that is gone, stalled or broken.

use super::api::ApiError;
use super::runtime::{Clock, TransportError};
use serde::Deserialize;
use std::future::Future;

/// Faults in a row after which a wait stops asking.
pub const MAX_FAULTS_IN_A_ROW: u32 = 3;

/// Tunable wait; every field is optional on the JS side (`SyncWaitOptions` there: the bounds of
/// the wait `create()` does for context downloads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SyncWaitOptions"))]
#[serde(rename_all = "camelCase", default)]
pub struct WaitOptions {
    /// Total time budget for the wait, in milliseconds.
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub timeout_ms: u64,
    /// The first pause between polls, in milliseconds.
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub initial_interval_ms: u64,
    /// The longest pause between polls, in milliseconds.
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub max_interval_ms: u64,
}

impl WaitOptions {
    pub const fn new(timeout_ms: u64, initial_interval_ms: u64, max_interval_ms: u64) -> Self {
        WaitOptions { timeout_ms, initial_interval_ms, max_interval_ms }
    }
}

impl Default for WaitOptions {
    /// `create()`'s context wait: about the official ~174 s bound, but polled fast first.
    fn default() -> Self {
        WaitOptions::new(180_000, 100, 2_000)
    }
}

/// Iterates sleep intervals until the budget is spent.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: u64,
    max: u64,
    deadline: u64,
}

impl Backoff {
    pub fn new(opts: WaitOptions, now_ms: u64) -> Self {
        let max = opts.max_interval_ms.max(1);
        Backoff { next: opts.initial_interval_ms.clamp(1, max), max, deadline: now_ms.saturating_add(opts.timeout_ms) }
    }

    /// The next sleep, or `None` once the deadline has passed. The last sleep is
    /// shortened so the wait never overruns its budget.
    pub fn next_sleep(&mut self, now_ms: u64) -> Option<u64> {
        if now_ms >= self.deadline {
            return None;
        }
        let sleep = self.next.min(self.deadline - now_ms);
        self.next = (self.next * 3 / 2).clamp(1, self.max);
        Some(sleep)
    }
}

/// Why one poll produced no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fault {
    /// No HTTP answer at all: connection refused or reset, DNS, CORS.
    #[error("server unreachable: {0}")]
    Unreachable(String),
    /// No answer within the per-request timeout.
    #[error("server not answering: request timed out after {0}ms")]
    Stalled(u64),
    /// Bytes that are no usable reply: not JSON, not the expected shape, over the size cap.
    #[error("invalid response: {0}")]
    Invalid(String),
    /// HTTP 5xx with a JSON error body.
    #[error("server error: {0}")]
    Server(String),
    /// A well-formed refusal (HTTP 4xx, `Success:false`): the server works, so this does not
    /// count towards [`MAX_FAULTS_IN_A_ROW`], but it is no successful poll either.
    #[error("{0}")]
    Refused(String),
}

impl Fault {
    /// Unreachable, stalled or broken: what the faults-in-a-row rule counts.
    pub fn is_server_fault(&self) -> bool {
        !matches!(self, Fault::Refused(_))
    }
}

impl From<ApiError> for Fault {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Transport(TransportError::Timeout(ms)) => Fault::Stalled(ms),
            ApiError::Transport(TransportError::Network(m)) => Fault::Unreachable(m),
            ApiError::Transport(t @ TransportError::TooLarge { .. }) => Fault::Invalid(t.to_string()),
            ApiError::BadBody { status, detail } => Fault::Invalid(format!("HTTP {status}: {detail}")),
            e @ ApiError::BadData { .. } => Fault::Invalid(e.to_string()),
            e @ ApiError::Http { status, .. } if status >= 500 => Fault::Server(e.to_string()),
            e @ ApiError::Http { .. } => Fault::Refused(e.to_string()),
        }
    }
}

/// What one poll found.
#[derive(Debug, Clone, PartialEq)]
pub enum Step<T> {
    /// The wait is over with this value.
    Done(T),
    /// The server answered; the work is still in progress.
    Pending,
    /// No usable answer this time.
    Failed(Fault),
}

/// Why a wait ended without [`Step::Done`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GaveUp {
    /// The wait's own budget ran out; `last` is the last poll's fault when it had one.
    #[error("timed out waiting after {waited_ms}ms{}", last.as_ref().map(|f| format!("; last poll: {f}")).unwrap_or_default())]
    Budget { waited_ms: u64, last: Option<Fault> },
    /// [`MAX_FAULTS_IN_A_ROW`] polls in a row met a server fault.
    #[error("{0} ({1} polls failed in a row)")]
    Faults(Fault, u32),
    /// No poll succeeded for the per-request timeout (a stalled server gets here after its
    /// first timed-out poll).
    #[error("{0} (no successful poll for {1}ms)")]
    Silent(Fault, u64),
}

/// Polls until `judge(fetch().await)` is [`Step::Done`], sleeping on the [`Backoff`] schedule of
/// `wait` in between. Gives up when the budget is spent, after [`MAX_FAULTS_IN_A_ROW`] server
/// faults in a row, or once no poll has succeeded for `request_timeout_ms` (the start of the
/// wait counts as a success: the caller has just heard from the server), whichever is first.
/// `fetch` only sends (its future may borrow what the closure captured by reference); `judge`
/// reads the answer and may keep state across polls.
pub async fn poll<C, R, T, F, Fut, J>(
    clock: &C,
    wait: WaitOptions,
    request_timeout_ms: u64,
    mut fetch: F,
    mut judge: J,
) -> Result<T, GaveUp>
where
    C: Clock,
    F: FnMut() -> Fut,
    Fut: Future<Output = R>,
    J: FnMut(R) -> Step<T>,
{
    let mut tracker = Tracker::new(wait, request_timeout_ms, clock.now_ms());
    loop {
        let fault = match judge(fetch().await) {
            Step::Done(v) => return Ok(v),
            Step::Pending => None,
            Step::Failed(fault) => Some(fault),
        };
        let ms = tracker.next(fault, clock.now_ms())?;
        clock.sleep(ms).await;
    }
}

/// The bookkeeping of [`poll`] between two polls. It is not generic, so the .wasm holds it
/// once however many kinds of wait use [`poll`].
struct Tracker {
    backoff: Backoff,
    budget_ms: u64,
    request_timeout_ms: u64,
    last_ok: u64,
    in_a_row: u32,
}

impl Tracker {
    fn new(wait: WaitOptions, request_timeout_ms: u64, now: u64) -> Tracker {
        Tracker {
            backoff: Backoff::new(wait, now),
            budget_ms: wait.timeout_ms,
            request_timeout_ms,
            last_ok: now,
            in_a_row: 0,
        }
    }

    /// After a poll that met `fault` (`None`: the server answered), how long to sleep before
    /// the next one, or why to give up.
    fn next(&mut self, fault: Option<Fault>, now: u64) -> Result<u64, GaveUp> {
        let last = match fault {
            None => {
                self.last_ok = now;
                self.in_a_row = 0;
                None
            }
            Some(fault) => {
                self.in_a_row = if fault.is_server_fault() { self.in_a_row + 1 } else { 0 };
                if self.in_a_row >= MAX_FAULTS_IN_A_ROW {
                    return Err(GaveUp::Faults(fault, self.in_a_row));
                }
                let silent = now.saturating_sub(self.last_ok);
                if silent >= self.request_timeout_ms {
                    return Err(GaveUp::Silent(fault, silent));
                }
                Some(fault)
            }
        };
        self.backoff.next_sleep(now).ok_or(GaveUp::Budget { waited_ms: self.budget_ms, last })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_to_cap_and_stops_at_deadline() {
        let mut b = Backoff::new(WaitOptions::new(1000, 100, 300), 0);
        let mut t = 0;
        let mut sleeps = Vec::new();
        while let Some(s) = b.next_sleep(t) {
            sleeps.push(s);
            t += s;
        }
        assert_eq!(sleeps, vec![100, 150, 225, 300, 225]);
        assert_eq!(t, 1000);
    }
}
