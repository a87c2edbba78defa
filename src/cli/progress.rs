//! The fetch's progress bar on stderr (indicatif): requests sent against an estimate of the
//! requests needed, drawn from the library's [`FetchObserver`] events, and the log writer
//! that keeps log lines from tearing it.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kb4graph::fetch::{FetchObserver, FetchProgress};

/// The bar being drawn, if any, so that log lines can be written around it.
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Runs `write` with the progress bar, if one is drawn, lifted off the terminal: a log line
/// written while the bar is drawn would otherwise be torn by its next redraw.
fn with_progress_hidden<R>(write: impl FnOnce() -> R) -> R {
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

/// The observer a fetch gets: a bar when stderr is a terminal and `--quiet` was not given.
pub fn observer(quiet: bool) -> Option<Arc<dyn FetchObserver>> {
    (!quiet && std::io::stderr().is_terminal())
        .then(|| Arc::new(Bar::default()) as Arc<dyn FetchObserver>)
}

/// The bar of one fetch, created when it starts.
#[derive(Default)]
struct Bar {
    bar: Mutex<Option<ProgressBar>>,
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
        let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/~{len} requests, ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        set_active(Some(bar.clone()));
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
            set_active(None);
            bar.finish_and_clear();
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
