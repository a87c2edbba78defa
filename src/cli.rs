//! The command line: argument definitions (clap derive) and what each subcommand does.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use kb4graph::api::{Pagination, Site, Token};
use kb4graph::fetch::{FetchOptions, FetchReport, ResumeOverrides, Source, StopReason};
use kb4graph::mock::{FaultSpec, MockConfig, MockServer, OrgSpec, Profile};
use kb4graph::rate::RateSpec;

/// Fetch a KnowBe4 account through the Reporting API and turn it into a graph.
#[derive(Debug, Parser)]
#[command(name = "kb4graph", version, about, propagate_version = true)]
pub struct Cli {
    /// No progress bars and only warnings and errors on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// More log detail on stderr (-v: debug, -vv: trace). RUST_LOG overrides it.
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a simulated KnowBe4 Reporting API on loopback, over a seeded synthetic organisation.
    ServeMock(ServeMockArgs),
    /// Fetch an account into a raw snapshot directory (pages exactly as received + manifest.json).
    Fetch(FetchArgs),
}

#[derive(Debug, Args)]
pub struct ServeMockArgs {
    /// Address to listen on; port 0 picks a free port (printed on the first line of stdout).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,
    /// Seed of the synthetic organisation and of fault injection.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Size of the organisation: small (~200 users), medium (10k), large (100k).
    #[arg(long, default_value = "small")]
    pub profile: Profile,
    /// Number of active users, overriding the profile's.
    #[arg(long)]
    pub users: Option<u32>,
    /// Limits answered with 429: `real` (4/s and 50/min, as documented), `off`, or windows such
    /// as `40/s,500/min`.
    #[arg(long, default_value = "real")]
    pub rate_limit: RateSpec,
    /// Requests allowed per UTC day (default with limits on: 2000 + licensed users).
    #[arg(long)]
    pub daily_quota: Option<u64>,
    /// Faults to inject, e.g. `all=10%` or `500=2%,503=1%,429=1%,slow=1%,drop=1%,malformed=1%,truncated=1%,delay=1500ms`.
    #[arg(long, default_value = "none")]
    pub faults: FaultSpec,
    /// The only bearer token accepted (default: any non-empty token).
    #[arg(long)]
    pub token: Option<String>,
    /// Answer a bad token with 200 {"message":"Invalid Token"}, as older accounts did, instead of 401.
    #[arg(long)]
    pub invalid_token_quirk: bool,
    /// Offer cursor pagination (cursor=true, X-Next-Cursor) on list endpoints.
    #[arg(long)]
    pub cursor: bool,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// KnowBe4 site of the account.
    #[arg(long, conflicts_with_all = ["base_url", "resume"])]
    pub site: Option<Site>,
    /// API base URL instead of a site, e.g. a simulated API: http://127.0.0.1:PORT
    #[arg(long, conflicts_with = "resume")]
    pub base_url: Option<String>,
    /// Snapshot directory to create.
    #[arg(long, required_unless_present = "resume", conflicts_with = "resume")]
    pub out: Option<PathBuf>,
    /// Finish an incomplete snapshot without fetching any saved page again.
    #[arg(long, value_name = "SNAPSHOT_DIR")]
    pub resume: Option<PathBuf>,
    /// Read the API token from this file instead of KNOWBE4_API_TOKEN.
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
    /// Client pace: `real` (stay under 4/s and 50/min), `off`, or windows such as `40/s,500/min`.
    #[arg(long, default_value = "real")]
    pub pace: RateSpec,
    /// Stop cleanly after this many requests (retries included); resume later with --resume.
    #[arg(long)]
    pub max_requests: Option<u64>,
    /// Collections fetched at the same time (always within the pace).
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Seconds before a request is abandoned and retried.
    #[arg(long, default_value_t = 60.0)]
    pub timeout: f64,
    /// Retries of one request (429, 5xx, timeouts, dropped connections, broken JSON).
    #[arg(long, default_value_t = 8)]
    pub retries: u32,
    /// Pagination: auto (cursor when the server offers it), page, or cursor.
    #[arg(long, default_value = "auto")]
    pub pagination: Pagination,
}

/// Runs a parsed command line; the error is reported by `main`.
pub fn run(cli: Cli) -> Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::ServeMock(args) => serve_mock(args).await,
            Command::Fetch(args) => fetch(args, cli.quiet).await,
        }
    })
}

async fn serve_mock(args: ServeMockArgs) -> Result<u8> {
    let mut config = MockConfig::new(args.seed, args.profile);
    if let Some(users) = args.users {
        config.org = OrgSpec::profile(args.profile).with_active_users(users);
    }
    config.rate_limit = args.rate_limit;
    config.daily_quota = args.daily_quota;
    config.faults = args.faults;
    config.token = args.token;
    config.invalid_token_quirk = args.invalid_token_quirk;
    config.cursor_mode = args.cursor;
    let server = MockServer::start(args.addr, config)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    {
        // Scripts wait for this line to learn the port, so it goes out before anything else.
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", server.base_url())?;
        out.flush()?;
    }
    shutdown_signal().await;
    server.shutdown().await;
    Ok(0)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn read_token(token_file: Option<&PathBuf>) -> Result<Token> {
    Ok(match token_file {
        Some(path) => Token::from_file(path)?,
        None => Token::from_env()?,
    })
}

async fn fetch(args: FetchArgs, quiet: bool) -> Result<u8> {
    let token = read_token(args.token_file.as_ref())?;
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        bail!("--timeout must be a positive number of seconds");
    }
    let progress = !quiet && std::io::stderr().is_terminal();
    let timeout = Duration::from_secs_f64(args.timeout);
    let report = if let Some(dir) = args.resume {
        let overrides = ResumeOverrides {
            pace: Some(args.pace),
            max_requests: args.max_requests,
            concurrency: Some(args.concurrency),
            timeout: Some(timeout),
            retries: Some(args.retries),
            progress,
        };
        kb4graph::fetch::resume(&dir, token, overrides).await?
    } else {
        let source = match (args.site, args.base_url) {
            (Some(site), None) => Source::Site(site),
            (None, Some(url)) => Source::BaseUrl(url),
            _ => bail!("say where the account is: --site us|eu|ca|uk|de or --base-url URL"),
        };
        let out = args.out.context("--out SNAPSHOT_DIR is required")?;
        let mut opts = FetchOptions::new(source, token, out);
        opts.pace = args.pace;
        opts.max_requests = args.max_requests;
        opts.concurrency = args.concurrency.max(1);
        opts.timeout = timeout;
        opts.retries = args.retries;
        opts.pagination = args.pagination;
        opts.progress = progress;
        opts.stop_on_ctrl_c = true;
        kb4graph::fetch::fetch(opts).await?
    };
    print_report(&report, quiet);
    // A budget stop is what was asked for; an interrupt is not, and scripts must see it.
    Ok(match report.stopped {
        Some(StopReason::Interrupted) => 130,
        _ => 0,
    })
}

fn print_report(report: &FetchReport, quiet: bool) {
    if quiet {
        return;
    }
    eprintln!("{report}");
}
