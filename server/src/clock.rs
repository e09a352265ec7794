//! The server's notion of "now" for data and session lifecycles: wall clock plus a fixed offset.
//!
//! Lifecycles are counted in days (data) and minutes (sessions), so proving them needs a clock
//! that can be moved forward without waiting: `--clock-offset` shifts it for a whole run.
//! Only expiry times, the sweeper and session release deadlines (idle timeout, maximum runtime)
//! read this clock; task times, context times and presigned URL expiry stay on the real wall clock.

use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

impl Clock {
    pub fn with_offset(offset_secs: i64) -> Clock {
        Clock { offset_secs: AtomicI64::new(offset_secs) }
    }

    /// Unix seconds, shifted by the offset (saturating: an absurd offset cannot wrap around).
    pub fn now(&self) -> i64 {
        crate::util::now_secs().saturating_add(self.offset())
    }

    /// Moves the clock forward (or back) by `secs` while the server runs.
    pub fn advance(&self, secs: i64) {
        let _ = self.offset_secs.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |o| Some(o.saturating_add(secs)));
    }

    pub fn offset(&self) -> i64 {
        self.offset_secs.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_shifts_now_and_saturates() {
        let real = crate::util::now_secs();
        let c = Clock::with_offset(86_400);
        assert!((c.now() - real - 86_400).abs() <= 2);
        assert_eq!(Clock::with_offset(i64::MAX).now(), i64::MAX);
        assert!((Clock::default().now() - real).abs() <= 2);
        c.advance(-86_400);
        assert!((c.now() - real).abs() <= 2);
    }
}
