//! Progress of the bytes a file transfer moves (`onProgress`), shared by the session's
//! `fileSystem.uploadFile`/`downloadFile` (`file_transfer`) and the context's
//! `uploadFile`/`downloadFile` (`context`).

use super::runtime::OnBytes;
use serde::Serialize;
use std::cell::Cell;
use std::rc::Rc;

/// How far an `uploadFile` / `downloadFile` has moved the file's bytes (`onProgress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct TransferProgress {
    /// The bytes sent (upload) or received (download) so far.
    pub bytes_done: u64,
    /// The file's size: always known for an upload; for a download, once the server declared it
    /// (and in the last report, which always has `bytesDone === total`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// Passes the transport's reports on as [`TransferProgress`], only when `bytesDone` grew, so
/// that a listener sees a rising sequence that ends with the whole file (`bytesDone === total`)
/// exactly once, after the exchange succeeded.
pub struct Progress {
    listener: Box<dyn Fn(TransferProgress)>,
    last: Cell<Option<TransferProgress>>,
}

impl Progress {
    pub fn new(listener: impl Fn(TransferProgress) + 'static) -> Rc<Progress> {
        Rc::new(Progress { listener: Box::new(listener), last: Cell::new(None) })
    }

    /// A listener that hears nothing.
    pub fn none() -> Rc<Progress> {
        Progress::new(|_| {})
    }

    fn report(&self, p: TransferProgress) {
        self.last.set(Some(p));
        (self.listener)(p);
    }

    /// The transport's reports while the bytes move. The last byte is left to [`Self::finish`]:
    /// a body fully sent may still be refused.
    pub(super) fn on_bytes(self: &Rc<Self>) -> OnBytes {
        let me = self.clone();
        Rc::new(move |n, total| {
            let grew = me.last.get().is_none_or(|l| n > l.bytes_done);
            if grew && total.is_none_or(|t| n < t) {
                me.report(TransferProgress { bytes_done: n, total });
            }
        })
    }

    /// The whole file moved.
    pub(super) fn finish(&self, total: u64) {
        let end = TransferProgress { bytes_done: total, total: Some(total) };
        if self.last.get() != Some(end) {
            self.report(end);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Progress, TransferProgress};
    // Under wasm32 these run in Node and Chromium (scripts/test.sh).
    use std::cell::RefCell;
    use std::rc::Rc;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn p(bytes_done: u64, total: Option<u64>) -> TransferProgress {
        TransferProgress { bytes_done, total }
    }

    fn listen() -> (Rc<Progress>, Rc<RefCell<Vec<TransferProgress>>>) {
        let heard = Rc::new(RefCell::new(Vec::new()));
        let h = heard.clone();
        (Progress::new(move |x| h.borrow_mut().push(x)), heard)
    }

    #[test]
    fn reports_rise_and_end_once_with_the_whole_file() {
        let (progress, heard) = listen();
        let on = progress.on_bytes();
        // Repeats and steps back are dropped; the last byte waits for `finish`.
        for n in [0, 64, 64, 32, 128, 256] {
            on(n, Some(256));
        }
        progress.finish(256);
        progress.finish(256);
        assert_eq!(*heard.borrow(), [p(0, Some(256)), p(64, Some(256)), p(128, Some(256)), p(256, Some(256))]);
    }

    #[test]
    fn an_unknown_length_is_named_at_the_end() {
        let (progress, heard) = listen();
        let on = progress.on_bytes();
        on(10, None);
        on(20, None);
        progress.finish(20);
        assert_eq!(*heard.borrow(), [p(10, None), p(20, None), p(20, Some(20))]);
    }

    #[test]
    fn an_empty_file_reports_once() {
        let (progress, heard) = listen();
        progress.on_bytes()(0, Some(0));
        progress.finish(0);
        assert_eq!(*heard.borrow(), [p(0, Some(0))]);
    }
}
