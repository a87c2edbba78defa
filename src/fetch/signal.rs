//! The signals that stop a fetch cleanly: Ctrl-C (SIGINT), and on Unix SIGTERM (`kill`, service
//! managers, container stops) and SIGHUP (a closed terminal or SSH session). Each gets the
//! same treatment, so whatever ends a fetch leaves a resumable snapshot.

use std::fmt;
use std::time::Duration;

/// How long requests already on the wire may take to finish after a stop signal.
pub(super) const STOP_GRACE: Duration = Duration::from_secs(5);

/// Which signal asked the fetch to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StopSignal {
    Interrupt,
    Terminate,
    Hangup,
}

impl fmt::Display for StopSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StopSignal::Interrupt => "interrupted (SIGINT)",
            StopSignal::Terminate => "terminated (SIGTERM)",
            StopSignal::Hangup => "hung up (SIGHUP)",
        })
    }
}

/// Resolves when the process receives a stop signal. A handler that cannot be installed is
/// skipped: the others still work.
pub(super) async fn stop_requested() -> StopSignal {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).ok();
        let mut hup = signal(SignalKind::hangup()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => StopSignal::Interrupt,
            _ = received(term.as_mut()) => StopSignal::Terminate,
            _ = received(hup.as_mut()) => StopSignal::Hangup,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        StopSignal::Interrupt
    }
}

#[cfg(unix)]
async fn received(signal: Option<&mut tokio::signal::unix::Signal>) {
    match signal {
        Some(signal) => {
            signal.recv().await;
        }
        None => std::future::pending().await,
    }
}
