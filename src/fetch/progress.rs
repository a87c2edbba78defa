//! The progress bar on stderr: requests sent against an estimate of the requests needed.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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
        Progress { bar: Some(bar) }
    }

    /// `estimated_total` is the requests done plus those still expected.
    pub(crate) fn update(&self, requests: u64, estimated_total: u64, collection: &str, items: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(estimated_total.max(requests).max(1));
            bar.set_position(requests);
            bar.set_message(format!("{collection}: {items} items"));
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
