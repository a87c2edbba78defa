//! The fetch's progress bars on stderr (indicatif), one per account fetched: requests sent
//! against an estimate of the requests needed, drawn from the library's [`FetchObserver`]
//! events, and the log writer that keeps log lines from tearing them.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use kb4graph::fetch::{FetchObserver, FetchProgress};

/// Every bar drawn, one per fetch (several for `fetch --config`), so that log lines can be
/// written around them.
fn bars() -> &'static MultiProgress {
    static BARS: OnceLock<MultiProgress> = OnceLock::new();
    BARS.get_or_init(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()))
}

/// Runs `write` with the progress bars lifted off the terminal: a log line written while a
/// bar is drawn would otherwise be torn by its next redraw.
fn with_progress_hidden<R>(write: impl FnOnce() -> R) -> R {
    bars().suspend(write)
}

/// The observer a fetch gets: a bar when stderr is a terminal and `--quiet` was not given.
pub fn observer(quiet: bool) -> Option<Arc<dyn FetchObserver>> {
    labelled_observer(quiet, None)
}

/// As [`observer`], the bar starting with `label` (the account's name, when several are
/// fetched at once).
pub fn labelled_observer(quiet: bool, label: Option<&str>) -> Option<Arc<dyn FetchObserver>> {
    (!quiet && std::io::stderr().is_terminal()).then(|| {
        Arc::new(Bar {
            bar: Mutex::default(),
            label: label.map(|l| format!("{l} ")).unwrap_or_default(),
        }) as Arc<dyn FetchObserver>
    })
}

/// The bar of one fetch, created when it starts.
struct Bar {
    bar: Mutex<Option<ProgressBar>>,
    label: String,
}

impl Bar {
    fn bar(&self) -> Option<ProgressBar> {
        self.bar
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

impl FetchObserver for Bar {
    fn started(&self) {
        let bar = bars().add(ProgressBar::new(1));
        let style = ProgressStyle::with_template(
            "{prefix}{spinner} [{elapsed_precise}] {wide_bar} {pos}/~{len} requests, ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_prefix(self.label.clone());
        bar.enable_steady_tick(Duration::from_millis(200));
        *self
            .bar
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(bar);
    }

    fn progressed(&self, p: &FetchProgress<'_>) {
        let Some(bar) = self.bar() else {
            return;
        };
        bar.set_length(p.estimated_total.max(p.requests).max(1));
        bar.set_position(p.requests);
        if p.reused_pages > 0 {
            bar.set_message(format!(
                "{}: {} items, {} pages reused",
                p.collection, p.items, p.reused_pages
            ));
        } else {
            bar.set_message(format!("{}: {} items", p.collection, p.items));
        }
    }

    fn finished(&self) {
        let bar = self
            .bar
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(bar) = bar {
            bar.finish_and_clear();
            bars().remove(&bar);
        }
    }
}

/// One log line, written to stderr in one piece with any progress bar lifted off the terminal.
#[derive(Default)]
pub struct LogLine(Vec<u8>);

impl Write for LogLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LogLine {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            with_progress_hidden(|| {
                // Logging has nowhere to report its own failure.
                let _ = std::io::stderr().write_all(&self.0);
            });
        }
    }
}
