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

/// The default waits' schedule ("fast" waits): a first pause of [`FAST_FIRST_MS`], doubling to
/// [`FAST_CAP_MS`], held there until [`FAST_FOR_MS`] have passed (so a job of up to 5 s, with 1 s to spare, is seen
/// done within one cap plus one round trip of its end), then each pause is [`TAIL_SHARE_PERCENT`] of
/// the time waited so far, up to the wait's `max_interval_ms` (so a longer job is seen at most ~3 % after
/// its end: a 5 s job that a busy machine stretches to 8 s is still seen within ~250 ms); never more
/// than [`MAX_POLLS`] polls in all (the pause stretches so the remaining polls cover the remaining budget).
pub const FAST_FIRST_MS: u64 = 10;
/// The interval of the fast phase.
pub const FAST_CAP_MS: u64 = 40;
/// How long a fast wait polls at [`FAST_CAP_MS`] at most.
pub const FAST_FOR_MS: u64 = 6_000;
/// Past the fast phase, a pause is this share (in %) of the time waited so far. The pauses then grow
/// ×1.03 a poll: 6 s to 180 s costs ~115 polls, so the fast phase's ~150 plus these stay under
/// [`MAX_POLLS`] for the SDK's own budgets (bench/waits.mjs measured a ×1.5 growth instead: a job
/// stretched to 8.4 s by load was seen 835 ms late).
pub const TAIL_SHARE_PERCENT: u64 = 3;
/// The most polls a fast wait makes (the last one at its deadline).
pub const MAX_POLLS: u32 = 300;

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
    /// The SDK's own schedule (see [`FAST_CAP_MS`]) rather than `initial_interval_ms` growing
    /// ×1.5 to `max_interval_ms`; never set from JS (a given interval is used as given).
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub fast: bool,
}

// `syncWait` is read with `FromJson` (crates/agentbay-wire/src/from_json.rs); keys as serde's.
super::wire::from_json! {
    WaitOptions { timeout_ms: "timeoutMs", initial_interval_ms: "initialIntervalMs", max_interval_ms: "maxIntervalMs" }
}

impl WaitOptions {
    /// A wait on the given intervals: `initial_interval_ms`, growing ×1.5 to `max_interval_ms`.
    pub const fn new(timeout_ms: u64, initial_interval_ms: u64, max_interval_ms: u64) -> Self {
        WaitOptions { timeout_ms, initial_interval_ms, max_interval_ms, fast: false }
    }

    /// A wait on the SDK's fast schedule, its slow phase capped at `max_interval_ms`.
    pub const fn fast(timeout_ms: u64, max_interval_ms: u64) -> Self {
        WaitOptions { timeout_ms, initial_interval_ms: FAST_FIRST_MS, max_interval_ms, fast: true }
    }
}

impl Default for WaitOptions {
    /// `create()`'s context wait: about the official ~174 s bound, but polled fast first.
    fn default() -> Self {
        WaitOptions::fast(180_000, 2_000)
    }
}

/// Iterates sleep intervals until the budget is spent.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: u64,
    max: u64,
    start: u64,
    deadline: u64,
    fast: bool,
    /// Polls made so far (the first one happens before the first sleep).
    polls: u32,
}

impl Backoff {
    pub fn new(opts: WaitOptions, now_ms: u64) -> Self {
        let max = opts.max_interval_ms.max(1);
        let next = if opts.fast { FAST_FIRST_MS.min(max) } else { opts.initial_interval_ms.clamp(1, max) };
        Backoff {
            next,
            max,
            start: now_ms,
            deadline: now_ms.saturating_add(opts.timeout_ms),
            fast: opts.fast,
            polls: 1,
        }
    }

    /// The next sleep, or `None` once the deadline has passed. The last sleep is
    /// shortened so the wait never overruns its budget.
    pub fn next_sleep(&mut self, now_ms: u64) -> Option<u64> {
        if now_ms >= self.deadline {
            return None;
        }
        let left = self.deadline - now_ms;
        let sleep = if !self.fast {
            let sleep = self.next.min(left);
            self.next = (self.next * 3 / 2).clamp(1, self.max);
            sleep
        } else {
            self.fast_sleep(now_ms, left)
        };
        self.polls += 1;
        Some(sleep)
    }

    fn fast_sleep(&mut self, now_ms: u64, left: u64) -> u64 {
        if self.polls + 1 >= MAX_POLLS {
            // The last poll allowed: at the deadline.
            return left;
        }
        // Saturating: a host clock (Date.now) may step backwards.
        let elapsed = now_ms.saturating_sub(self.start);
        let sleep = self.next.min(left);
        self.next = if elapsed + sleep < FAST_FOR_MS {
            (self.next * 2).min(FAST_CAP_MS.min(self.max))
        } else {
            // Past the fast phase: grow towards the cap, stretched so the polls still allowed
            // (one kept for the deadline) cover what is left of the budget.
            let polls_left = u64::from(MAX_POLLS - self.polls - 1).max(1);
            let spread = (left - sleep).div_ceil(polls_left);
            let share = elapsed.saturating_add(sleep).saturating_mul(TAIL_SHARE_PERCENT) / 100;
            share.max(FAST_CAP_MS).clamp(1, self.max.max(spread))
        };
        sleep
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
    // Under wasm32 these run in Node and Chromium (scripts/test.sh).
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

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

    /// Every sleep of a wait that never ends, the clock advancing by the sleep plus `rtt` per poll.
    fn schedule(opts: WaitOptions, rtt: u64) -> Vec<(u64, u64)> {
        let mut b = Backoff::new(opts, 0);
        let mut t = rtt;
        let mut out = Vec::new();
        while let Some(s) = b.next_sleep(t) {
            out.push((t, s));
            t += s + rtt;
        }
        out
    }

    #[test]
    fn a_clock_that_steps_back_never_panics_the_schedule() {
        let mut b = Backoff::new(WaitOptions::fast(10_000, 1_000), 5_000);
        assert_eq!(b.next_sleep(4_000), Some(10));
        assert!(b.next_sleep(0).is_some());
    }

    #[test]
    fn fast_schedule_starts_at_10ms_doubles_to_the_cap_holds_it_for_6s_then_waits_3_percent_of_the_time_waited() {
        let s = schedule(WaitOptions::fast(60_000, 1_000), 0);
        let sleeps: Vec<u64> = s.iter().map(|x| x.1).collect();
        assert_eq!(sleeps[..5], [10, 20, FAST_CAP_MS, FAST_CAP_MS, FAST_CAP_MS]);
        // Every sleep that starts in the first 6 s is at most the cap: a job ending then is seen
        // within one cap (plus a round trip).
        assert!(s.iter().filter(|(t, _)| *t < FAST_FOR_MS - FAST_CAP_MS).all(|(_, s)| *s <= FAST_CAP_MS));
        // Then 3 % of the time waited so far, up to the wait's longest pause: a job ending at t is
        // seen by t × 1.03 (plus a round trip).
        let after: Vec<(u64, u64)> = s.iter().copied().filter(|(t, _)| *t >= FAST_FOR_MS).collect();
        assert_eq!(after[0].1, after[0].0 * 3 / 100);
        for (t, sleep) in &after[..after.len() - 1] {
            assert_eq!(*sleep, (t * 3 / 100).clamp(FAST_CAP_MS, 1_000), "at {t} ms");
        }
        assert!(s.iter().all(|(_, s)| *s <= 1_000));
        // 60 s: about 150 fast polls, then ~58 growing ×1.03 to 1 s (at 33 s) and ~27 at 1 s.
        assert!(s.len() < 240, "{}", s.len());
    }

    #[test]
    fn fast_schedule_never_exceeds_max_polls_and_ends_at_the_deadline() {
        for (timeout, max) in [(300_000, 1_000), (225_000, 1_500), (180_000, 2_000), (3_600_000, 1_000), (2_000, 100)] {
            for rtt in [0, 1, 30] {
                let s = schedule(WaitOptions::fast(timeout, max), rtt);
                // Polls = sleeps + the first one.
                assert!(s.len() < MAX_POLLS as usize, "{timeout} {max} {rtt}: {}", s.len());
                let (t, last) = *s.last().unwrap();
                assert!(t + last <= timeout + rtt, "{timeout}: overran");
                assert!(t + last + 2 * rtt >= timeout, "{timeout} {rtt}: ended early at {}", t + last);
            }
        }
        // A long wait stretches its slow phase past the longest pause instead of polling more.
        let s = schedule(WaitOptions::fast(3_600_000, 1_000), 0);
        assert!(s.iter().any(|(_, s)| *s > 10_000));
        // Short ones are not stretched: 300 s at ≤1 s apart would be ~450 polls, so delete's
        // wait is; 60 s is not.
        assert!(schedule(WaitOptions::fast(60_000, 1_000), 0).iter().all(|(_, s)| *s <= 1_000));
    }

    #[test]
    fn given_intervals_keep_their_schedule() {
        // A given cadence is used as given, however many polls it takes.
        let s = schedule(WaitOptions::new(1_000_000, 1_000, 1_000), 0);
        assert_eq!(s.len(), 1_000);
        assert!(s.iter().all(|(_, s)| *s == 1_000));
    }
}
