//! Periodic uploads (`uploadPolicy.period`): while a session runs, each mount with
//! a period is uploaded every `period` seconds, whatever `autoUpload` says (the
//! user asked for the period explicitly; `autoUpload` only governs the release).
//!
//! The uploads go through the task runner (`tasks`), so they never overlap another
//! sync of the session, and through the stat cache, so an unchanged mount costs
//! a directory walk plus one manifest write. The loop holds only weak references:
//! it skips its ticks while the session is paused and ends once the session is being deleted or is gone.

use super::tasks::run_periodic_upload;
use crate::state::{AppState, Session};
use agentbay_wire::envelope::session_status;
use std::sync::Arc;
use std::time::Duration;

/// Shorter periods are raised to this: each upload walks the whole mount.
pub const MIN_PERIOD: Duration = Duration::from_millis(100);

/// The interval for a policy's `period`; `None` when there is none, or it is too
/// long to represent (which in practice means never).
pub fn interval(period_secs: Option<f64>) -> Option<Duration> {
    let d = Duration::try_from_secs_f64(period_secs?).ok()?;
    Some(d.max(MIN_PERIOD))
}

/// Starts one upload loop per mount that has a period.
pub fn spawn(st: &Arc<AppState>, session: &Arc<Session>) {
    for (i, _) in session.mounts().iter().enumerate() {
        spawn_one(st, session, i);
    }
}

/// Starts the upload loop of mount `i` if its policy has a period (for a mount bound later, too).
pub fn spawn_one(st: &Arc<AppState>, session: &Arc<Session>, i: usize) {
    let m = session.mount(i);
    let Some(every) = interval(m.policy.upload_policy.period) else { return };
    let (st, sess) = (Arc::downgrade(st), Arc::downgrade(session));
    tokio::spawn(async move {
        // A full period after creation: the initial download is queued ahead of it anyway.
        // (Policies cap the period at a year; a start beyond the clock's range means never.)
        let Some(start) = tokio::time::Instant::now().checked_add(every) else { return };
        let mut tick = tokio::time::interval_at(start, every);
        // A slow upload delays the next one instead of causing a burst.
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let (Some(st), Some(sess)) = (st.upgrade(), sess.upgrade()) else { return };
            match sess.status() {
                session_status::RUNNING => {}
                // The release upload (if any) is the deletion's business.
                session_status::DELETING => return,
                // Paused (or on the way): nothing in the session changes files; the
                // uploads go on after the resume.
                _ => continue,
            }
            if !download_settled(&sess, i) {
                continue;
            }
            if !run_periodic_upload(&st, &sess, i).await && sess.status() == session_status::DELETING {
                return;
            }
        }
    });
}

/// Whether mount `i`'s latest download (if it had one) succeeded. Uploads mirror the
/// mount, so uploading a mount whose download failed or has not finished would delete
/// from the context whatever did not arrive; such ticks are skipped until a download
/// (e.g. `SyncContext` Mode=download) succeeds.
fn download_settled(sess: &Session, i: usize) -> bool {
    use agentbay_wire::context_status::{status, task_type};
    let m = sess.mount(i);
    sess.tasks()
        .iter()
        .rev()
        .find(|t| t.context_id == m.context_id && t.path == m.path && t.task_type == task_type::DOWNLOAD)
        .is_none_or(|t| t.status == status::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(interval(None), None);
        assert_eq!(interval(Some(1.5)), Some(Duration::from_millis(1500)));
        assert_eq!(interval(Some(0.001)), Some(MIN_PERIOD));
        assert_eq!(interval(Some(1e300)), None);
    }
}
