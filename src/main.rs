//! `kb4graph`: parse the command line, run it, map the outcome to an exit code (0 success,
//! 1 a check found problems, 2 usage or runtime error, 130 a fetch stopped by Ctrl-C, SIGTERM
//! or SIGHUP, resumable). [`exit_code`] is the only place these numbers are decided.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use cli::Outcome;

/// Why a command did not run to an [`Outcome`].
enum Failure {
    /// clap could not parse the command line, or answered `--help` or `--version` itself.
    Usage(clap::Error),
    Run(anyhow::Error),
}

fn main() -> ExitCode {
    let result = cli::Cli::try_parse()
        .map_err(Failure::Usage)
        .and_then(|cli| {
            init_logging(cli.quiet, cli.verbose);
            cli::run(cli).map_err(Failure::Run)
        });
    if let Err(failure) = &result {
        report(failure);
    }
    exit_code(&result)
}

/// The exit code of every way `kb4graph` can end, decided here and nowhere else.
fn exit_code(result: &Result<Outcome, Failure>) -> ExitCode {
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        // Scripts tell "stopped, resumable" by this one code, whichever signal stopped it.
        Ok(Outcome::Interrupted) => ExitCode::from(130),
        Ok(Outcome::Unfinished) => ExitCode::from(2),
        // clap sends `--help` and `--version` this way too, on stdout.
        Err(Failure::Usage(err)) if !err.use_stderr() => ExitCode::SUCCESS,
        Err(Failure::Usage(_)) => ExitCode::from(2),
        Err(Failure::Run(err)) if is_broken_pipe(err) => ExitCode::SUCCESS,
        Err(Failure::Run(_)) => ExitCode::from(2),
    }
}

fn report(failure: &Failure) {
    match failure {
        Failure::Usage(err) => {
            // Nothing is left to tell if the terminal is gone.
            let _ = err.print();
        }
        Failure::Run(err) if is_broken_pipe(err) => {}
        Failure::Run(err) => eprintln!("error: {}", error_text(err)),
    }
}

fn init_logging(quiet: bool, verbose: u8) {
    let default = match (quiet, verbose) {
        (true, _) => "warn",
        (false, 0) => "info",
        (false, 1) => "kb4graph=debug,info",
        (false, _) => "kb4graph=trace,debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(cli::progress::LogLine::default)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}

/// The error and its causes on one line, each cause only if the text so far does not already
/// say it: library errors often include their cause's text (an OS error, a parse error) in
/// their own, and printing the chain as well would repeat "(os error 2)".
fn error_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let cause = cause.to_string();
        if text.contains(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    text
}

/// A reader that closed the pipe (`kb4graph ... | head`) is not an error worth reporting.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
