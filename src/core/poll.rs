//! Adaptive polling: short first waits (most syncs finish in well under a second
//! against a local server), growing to a cap, bounded in total time.

use serde::Deserialize;

/// Tunable wait; every field is optional on the JS side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WaitOptions {
    /// Total time budget for the wait.
    pub timeout_ms: u64,
    pub initial_interval_ms: u64,
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
