//! The progress bar on stderr: requests sent against an estimate of the requests needed.

use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bar being drawn, if any, so that log lines can be written around it.
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Runs `write` with the progress bar, if one is drawn, lifted off the terminal: a log line
/// written while the bar is drawn would otherwise be torn by its next redraw.
pub fn with_progress_hidden<R>(write: impl FnOnce() -> R) -> R {
    let bar = ACTIVE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone();
    match bar {
        Some(bar) => bar.suspend(write),
        None => write(),
    }
}

fn set_active(bar: Option<ProgressBar>) {
    *ACTIVE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = bar;
}

pub(crate) struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    pub(crate) fn new(enabled: bool) -> Progress {
        if !enabled {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/~{len} requests, ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        set_active(Some(bar.clone()));
        Progress { bar: Some(bar) }
    }

    /// `estimated_total` is the requests done plus those still expected.
    /// `reused` counts pages copied from the previous snapshot of an incremental fetch.
    pub(crate) fn update(
        &self,
        requests: u64,
        estimated_total: u64,
        collection: &str,
        items: u64,
        reused: u64,
    ) {
        if let Some(bar) = &self.bar {
            bar.set_length(estimated_total.max(requests).max(1));
            bar.set_position(requests);
            if reused > 0 {
                bar.set_message(format!(
                    "{collection}: {items} items, {reused} pages reused"
                ));
            } else {
                bar.set_message(format!("{collection}: {items} items"));
            }
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            set_active(None);
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.bar.is_some() {
            self.finish();
        }
    }
}
