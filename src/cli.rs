//! The command line: argument definitions (clap derive) and what each subcommand does. Each
//! command ends in an [`Outcome`]; `main` alone turns it into an exit code.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

mod accounts;
mod audit;
mod demo;
pub mod progress;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use kb4graph::api::{Pagination, Site, Token};
use kb4graph::compress::Compression;
use kb4graph::export::{AccountTag, ExportOptions, Format, ParseFormatError};
use kb4graph::fetch::{
    FetchOptions, FetchReport, ResumeOverrides, RiskHistory, Source, StopReason,
};
use kb4graph::mock::{FaultSpec, MockConfig, MockServer, OrgSpec, Profile};
use kb4graph::pipeline;
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
    /// Normalize a snapshot into the graph and write it in the chosen formats.
    Export(ExportArgs),
    /// Fetch (into OUT_DIR/snapshot), export and validate in one go.
    Run(RunArgs),
    /// Check every export found in a directory against the bundled schemas.
    Validate(ValidateArgs),
    /// Write the bundled schemas for outside tools.
    Schemas(SchemasArgs),
    /// Check a snapshot, an export or an archive of either against its manifest.json.
    Verify(audit::VerifyArgs),
    /// What changed between two snapshots or exports (exit 0 equal, 1 different).
    Diff(audit::DiffArgs),
    /// Write a snapshot or export directory as a deterministic .tar.gz.
    Archive(audit::ArchiveArgs),
    /// Write one self-contained HTML page of a snapshot, an export or an archive of either:
    /// the account at a glance, training per campaign and module, who is past due, and each
    /// phishing test from delivered to reported.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct ServeMockArgs {
    /// Address to listen on; port 0 picks a free port (printed on the first line of stdout).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,
    /// Seed of the synthetic organisation and of fault injection.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Size of the organisation: small (~200 users), medium (10k), large (100k), or hostile
    /// (small, with every string made to break CSV, XML and Turtle readers).
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
    /// Faults to inject, e.g. `all=10%` or `500=2%,503=1%,429=1%,slow=1%,drop=1%,malformed=1%,truncated=1%,delay=1500ms`;
    /// `echo` copies each request's Authorization header into X-Request-Id and other response headers.
    #[arg(long, default_value = "none")]
    pub faults: FaultSpec,
    /// The only bearer token accepted (default: any non-empty token).
    #[arg(long)]
    pub token: Option<String>,
    /// Answer a bad token with 200 {"message":"Invalid Token"}, as older accounts did, instead of 401.
    #[arg(long)]
    pub invalid_token_quirk: bool,
    /// Serve the account this many simulated days later: each day adds a phishing test, moves
    /// training on, archives one user and hires another.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=i64::from(kb4graph::mock::MAX_DAY)))]
    pub day: u32,
    /// Offer cursor pagination (cursor=true, X-Next-Cursor) on list endpoints.
    #[arg(long)]
    pub cursor: bool,
    /// Share about one active user in four with the simulated account of this seed (same
    /// name, address and employee number), as one company's several accounts do.
    #[arg(long, value_name = "SEED")]
    pub share_people_with: Option<u64>,
}

/// Where the account is and how to talk to it: shared by `fetch` and `run`.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// KnowBe4 site of the account.
    #[arg(long, conflicts_with = "base_url")]
    pub site: Option<Site>,
    /// API base URL instead of a site, e.g. a simulated API: http://127.0.0.1:PORT
    #[arg(long)]
    pub base_url: Option<String>,
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
    /// Also fetch the risk score history of every active user, group, or both
    /// (`users,groups`): one request each against the daily quota, fetched after everything
    /// else and announced with its cost first. With --resume: added to what the snapshot was
    /// started with.
    #[arg(long, value_name = "users,groups", default_value = "none")]
    pub risk_history: RiskHistory,
}

/// What to write and how RDF names instances: shared by `export` and `run`.
#[derive(Debug, Args)]
pub struct FormatArgs {
    /// Namespace of instance IRIs in RDF exports.
    #[arg(long, default_value = kb4graph::formats::rdf::DEFAULT_BASE_IRI, value_parser = parse_base_iri)]
    pub base_iri: String,
    /// Formats to write: json, neo4j, graphml, ntriples, turtle, nquads (comma-separated), or all.
    #[arg(long, default_value = "all", value_parser = parse_formats)]
    pub format: Formats,
    /// Compress each data file: gzip writes json/graph.json.gz, neo4j/nodes/*.csv.gz (import.sh
    /// and load.cypher name them), graphml/graph.graphml.gz and rdf/graph.*.gz, hashed as
    /// written, on all cores; validate, verify and diff read them as they are.
    #[arg(long, value_name = "none|gzip", default_value = "none")]
    pub compress: Compression,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Snapshot directory to create; with --config, the directory of the accounts' snapshots
    /// (OUT/<name>/ each), where running the same command again resumes what is incomplete.
    #[arg(long, required_unless_present = "resume", conflicts_with = "resume")]
    pub out: Option<PathBuf>,
    /// Finish an incomplete snapshot without fetching any saved page again.
    #[arg(long, value_name = "SNAPSHOT_DIR", conflicts_with_all = ["site", "base_url"])]
    pub resume: Option<PathBuf>,
    /// Fetch every account of this TOML file at once, each with its own pace and quota (see
    /// the README's "Several accounts").
    #[arg(long, value_name = "FILE", conflicts_with_all = ["site", "base_url", "token_file", "resume", "account_name"])]
    pub config: Option<PathBuf>,
    /// Reuse from this complete earlier snapshot the pages that cannot have changed (results of
    /// closed phishing tests, enrollments of finished campaigns, unchanged group members). With
    /// --resume: where that earlier snapshot is now, if it moved.
    #[arg(long, value_name = "PREVIOUS_SNAPSHOT")]
    pub since: Option<PathBuf>,
    /// The name this account is known by here, recorded in the snapshot: every entity of its
    /// exports carries it as `tag.AccountName` (default: the account's own name).
    #[arg(long, value_name = "NAME", conflicts_with = "resume")]
    pub account_name: Option<String>,
}

/// What every exported entity carries as `tag.AccountName`.
#[derive(Debug, Args)]
pub struct TagArgs {
    /// Tag every entity with this name as `tag.AccountName` (default: the name the snapshot was
    /// fetched under, else the account's own name).
    #[arg(long, value_name = "NAME")]
    pub account_name: Option<String>,
    /// Write no `tag.AccountName` at all.
    #[arg(long, conflicts_with = "account_name")]
    pub no_account_tag: bool,
}

impl TagArgs {
    fn for_export(&self) -> AccountTag {
        match (&self.account_name, self.no_account_tag) {
            (_, true) => AccountTag::Off,
            (Some(name), false) => AccountTag::Name(name.clone()),
            (None, false) => AccountTag::Snapshot,
        }
    }
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The snapshot directory written by `kb4graph fetch`.
    #[arg(long, value_name = "SNAPSHOT_DIR")]
    pub from: PathBuf,
    #[command(flatten)]
    pub formats: FormatArgs,
    /// Export directory (created; an existing export in it is never overwritten).
    #[arg(long, value_name = "OUT_DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub tag: TagArgs,
    /// Export even if some pages of the snapshot are missing or damaged: they are left out,
    /// listed as warnings and in the export's manifest (`snapshot.damagedPages`), and `verify`
    /// reports the export as built from a damaged snapshot.
    #[arg(long)]
    pub allow_damaged: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Against a built-in simulated KnowBe4 account on loopback: no token, no network.
    #[arg(long, conflicts_with_all = ["site", "base_url", "token_file"])]
    pub demo: bool,
    /// The simulated account `--demo` serves: small (~200 users), medium (10k), large (100k),
    /// or hostile (small, with every string made to break CSV, XML and Turtle readers).
    #[arg(long, requires = "demo", default_value = "small")]
    pub profile: Profile,
    #[command(flatten)]
    pub formats: FormatArgs,
    /// Output directory: the snapshot goes to OUT_DIR/snapshot, the export beside it.
    #[arg(long, value_name = "OUT_DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub tag: TagArgs,
    /// Every account of this TOML file, fetched into OUT_DIR/snapshot/<name>/ and exported as
    /// one combined graph.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["demo", "site", "base_url", "token_file", "account_name"])]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// An export directory (as written by `export` or `run`).
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A snapshot, an export, or an archive of either.
    pub input: PathBuf,
    /// The HTML file to write (an existing file is never overwritten).
    #[arg(long, value_name = "FILE.html")]
    pub out: PathBuf,
}

fn report(args: &ReportArgs, quiet: bool) -> Result<Outcome> {
    let summary = kb4graph::report::write_report(&args.input, &args.out)?;
    if !quiet {
        eprintln!(
            "report of {}: {} ({} bytes): {} active users, {} training campaigns, {} past-due enrollments, {} phishing tests",
            args.input.display(),
            summary.path.display(),
            summary.bytes,
            summary.figures.users_active,
            summary.figures.campaigns.len(),
            summary.figures.past_due.len(),
            summary.figures.phishing.len()
        );
    }
    Ok(Outcome::Success)
}

#[derive(Debug, Args)]
pub struct SchemasArgs {
    /// Directory to write the schemas into.
    #[arg(long)]
    pub out: PathBuf,
}

fn parse_base_iri(s: &str) -> Result<String, kb4graph::formats::rdf::iri::BaseIriError> {
    kb4graph::formats::rdf::check_base_iri(s).map(|()| s.to_owned())
}

/// The formats one `--format` value selects.
#[derive(Debug, Clone)]
pub struct Formats(Vec<Format>);

fn parse_formats(s: &str) -> Result<Formats, ParseFormatError> {
    kb4graph::export::parse_formats(s).map(Formats)
}

/// How a command ended, as far as its exit code goes (`main` maps it to one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done, and any check passed.
    Success,
    /// A check found problems: validate, verify, or diff found differences.
    Problems,
    /// A fetch was stopped by Ctrl-C, SIGTERM or SIGHUP: stopped cleanly, resumable.
    Interrupted,
    /// `run` fetched an incomplete snapshot, so nothing was exported.
    Unfinished,
}

/// Runs a parsed command line; the error is reported by `main`.
pub fn run(cli: Cli) -> Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::ServeMock(args) => serve_mock(args).await,
            Command::Fetch(args) => fetch(args, cli.quiet).await,
            Command::Export(args) => export(args, cli.quiet),
            Command::Run(args) => run_all(args, cli.quiet).await,
            Command::Validate(args) => validate(&args.dir, cli.quiet),
            Command::Schemas(args) => schemas(&args.out),
            Command::Report(args) => report(&args, cli.quiet),
            Command::Verify(args) => audit::run_verify(&args, cli.quiet),
            Command::Diff(args) => audit::run_diff(&args),
            Command::Archive(args) => audit::run_archive(&args, cli.quiet),
        }
    })
}

async fn serve_mock(args: ServeMockArgs) -> Result<Outcome> {
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
    config.day = args.day;
    config.org.shared_people = args.share_people_with;
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
    Ok(Outcome::Success)
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

pub(crate) fn timeout_of(connect: &ConnectArgs) -> Result<Duration> {
    if !(connect.timeout.is_finite() && connect.timeout > 0.0) {
        bail!("--timeout must be a positive number of seconds");
    }
    Ok(Duration::from_secs_f64(connect.timeout))
}

fn fetch_options(
    connect: ConnectArgs,
    token: Token,
    out: PathBuf,
    quiet: bool,
) -> Result<FetchOptions> {
    let timeout = timeout_of(&connect)?;
    let source = match (connect.site, connect.base_url) {
        (Some(site), None) => Source::Site(site),
        (None, Some(url)) => Source::BaseUrl(url),
        _ => bail!("say where the account is: --site us|eu|ca|uk|de or --base-url URL"),
    };
    let mut opts = FetchOptions::new(source, token, out);
    opts.pace = connect.pace;
    opts.max_requests = connect.max_requests;
    opts.concurrency = connect.concurrency.max(1);
    opts.timeout = timeout;
    opts.retries = connect.retries;
    opts.pagination = connect.pagination;
    opts.observer = progress::observer(quiet);
    opts.stop_on_ctrl_c = true;
    opts.risk_history = connect.risk_history;
    Ok(opts)
}

async fn fetch(args: FetchArgs, quiet: bool) -> Result<Outcome> {
    if let Some(config) = &args.config {
        return accounts::fetch(config, &args, quiet).await;
    }
    let token = read_token(args.connect.token_file.as_ref())?;
    let report = if let Some(dir) = args.resume {
        let overrides = ResumeOverrides {
            timeout: Some(timeout_of(&args.connect)?),
            pace: Some(args.connect.pace),
            max_requests: args.connect.max_requests,
            concurrency: Some(args.connect.concurrency),
            retries: Some(args.connect.retries),
            observer: progress::observer(quiet),
            stop_on_ctrl_c: true,
            since: args.since,
            risk_history: args.connect.risk_history,
        };
        kb4graph::fetch::resume(&dir, token, overrides).await?
    } else {
        let out = args.out.context("--out SNAPSHOT_DIR is required")?;
        let mut options = fetch_options(args.connect, token, out, quiet)?;
        options.since = args.since;
        options.account_name = args.account_name;
        kb4graph::fetch::fetch(options).await?
    };
    print_report(&report, quiet);
    Ok(if interrupted(&report) {
        Outcome::Interrupted
    } else {
        Outcome::Success
    })
}

/// A budget stop is what was asked for; an interrupt is not, and scripts must see it.
pub(crate) fn interrupted(report: &FetchReport) -> bool {
    report.stopped == Some(StopReason::Interrupted)
}

fn export(args: ExportArgs, quiet: bool) -> Result<Outcome> {
    let formats = args.formats.format.0;
    let options = ExportOptions {
        base_iri: args.formats.base_iri,
        allow_damaged: args.allow_damaged,
        compression: args.formats.compress,
        account_tag: args.tag.for_export(),
    };
    let summary = pipeline::export_snapshot(&args.from, &formats, &options, &args.out)?;
    print_export(&summary, quiet);
    Ok(Outcome::Success)
}

async fn run_all(args: RunArgs, quiet: bool) -> Result<Outcome> {
    let snapshot_dir = args.out.join("snapshot");
    if let Some(config) = &args.config {
        let fetched =
            accounts::fetch_all(config, &snapshot_dir, &args.connect, None, quiet).await?;
        if fetched != Outcome::Success {
            return Ok(fetched);
        }
        return export_and_validate(&snapshot_dir, &args.out, &args.formats, &args.tag, quiet);
    }
    // The demo's server lives until the fetch is done.
    let mut demo_server = None;
    let (connect, token) = if args.demo {
        let server = demo::start_demo_server(args.profile)
            .await
            .context("starting the simulated KnowBe4 API on loopback")?;
        let mut connect = args.connect;
        connect.base_url = Some(server.base_url());
        // The simulated account is served without limits; pacing it would only make the demo wait.
        connect.pace = RateSpec::off();
        demo_server = Some(server);
        (connect, Token::new("kb4graph-demo-token")?)
    } else {
        let token = read_token(args.connect.token_file.as_ref())?;
        (args.connect, token)
    };
    if !quiet && let Some(server) = &demo_server {
        eprintln!(
            "simulated KnowBe4 API (small account, seed {}) on {}",
            demo::DEMO_SEED,
            server.base_url()
        );
    }
    let mut options = fetch_options(connect, token, snapshot_dir.clone(), quiet)?;
    // The snapshot records the name, so that a later export of it is tagged alike.
    options.account_name = args.tag.account_name.clone();
    let report = kb4graph::fetch::fetch(options).await?;
    if let Some(server) = demo_server {
        server.shutdown().await;
    }
    print_report(&report, quiet);
    if !report.complete {
        eprintln!(
            "the snapshot is incomplete, so nothing was exported: finish it with `kb4graph fetch --resume {}`, then `kb4graph export --from {} --out {}`",
            snapshot_dir.display(),
            snapshot_dir.display(),
            args.out.display()
        );
        return Ok(if interrupted(&report) {
            Outcome::Interrupted
        } else {
            Outcome::Unfinished
        });
    }
    export_and_validate(&snapshot_dir, &args.out, &args.formats, &args.tag, quiet)
}

/// The end of `run`: the complete snapshot exported into `out` and the export validated.
fn export_and_validate(
    snapshot_dir: &std::path::Path,
    out: &std::path::Path,
    format_args: &FormatArgs,
    tag: &TagArgs,
    quiet: bool,
) -> Result<Outcome> {
    let formats = &format_args.format.0;
    let options = ExportOptions {
        base_iri: format_args.base_iri.clone(),
        compression: format_args.compress,
        account_tag: tag.for_export(),
        ..ExportOptions::default()
    };
    let summary = pipeline::export_snapshot(snapshot_dir, formats, &options, out)?;
    print_export(&summary, quiet);
    validate(out, quiet)
}

fn print_export(summary: &pipeline::ExportSummary, quiet: bool) {
    const SHOWN_WARNINGS: usize = 10;
    for w in summary.warnings.iter().take(SHOWN_WARNINGS) {
        tracing::warn!("{w}");
    }
    if summary.warnings.len() > SHOWN_WARNINGS {
        tracing::warn!(
            "... and {} more warnings (all of them with -v)",
            summary.warnings.len() - SHOWN_WARNINGS
        );
        for w in summary.warnings.iter().skip(SHOWN_WARNINGS) {
            tracing::debug!("{w}");
        }
    }
    if quiet {
        return;
    }
    let mut out = String::new();
    out.push_str("entities:\n");
    for (ty, n) in &summary.entities {
        out.push_str(&format!("  {:<48} {n:>10}\n", ty.name()));
    }
    out.push_str("relationships:\n");
    for (ty, n) in &summary.relationships {
        out.push_str(&format!("  {:<64} {n:>10}\n", ty.name()));
    }
    out.push_str(&format!(
        "files written to {}:\n",
        summary.out_dir.display()
    ));
    let width = summary
        .files
        .iter()
        .map(|f| f.path.len())
        .max()
        .unwrap_or(0);
    for f in &summary.files {
        out.push_str(&format!(
            "  {:<width$} {:>14} bytes  sha256 {}\n",
            f.path, f.size, f.sha256
        ));
    }
    out.push_str(&format!(
        "  manifest.json, SHA256SUMS (check with: cd {} && sha256sum -c SHA256SUMS)\n",
        summary.out_dir.display()
    ));
    out.push_str(&format!("{} warnings\n", summary.warnings.len()));
    eprint!("{out}");
}

fn validate(dir: &std::path::Path, quiet: bool) -> Result<Outcome> {
    let reports = pipeline::validate_export(dir)?;
    let mut stdout = std::io::stdout().lock();
    let mut problems = 0;
    for report in &reports {
        for v in &report.violations {
            writeln!(stdout, "{v}")?;
        }
        if report.total > report.violations.len() {
            writeln!(
                stdout,
                "... and {} more violations in {}",
                report.total - report.violations.len(),
                report.files.join(", ")
            )?;
        }
        problems += report.total;
        if !quiet {
            let verdict = if report.total == 0 {
                "valid".to_owned()
            } else {
                format!("{} violations", report.total)
            };
            let files = match report.files.as_slice() {
                [one] => one.clone(),
                many => format!("{}/ ({} files)", report.format.dir(), many.len()),
            };
            eprintln!("validate {}: {files} ({verdict})", report.format);
        }
    }
    Ok(if problems == 0 {
        Outcome::Success
    } else {
        Outcome::Problems
    })
}

fn schemas(out: &std::path::Path) -> Result<Outcome> {
    let written = kb4graph::validate::write_bundled_schemas(out)
        .context("cannot write the bundled schemas")?;
    for path in written {
        println!("{}", path.display());
    }
    Ok(Outcome::Success)
}

fn print_report(report: &FetchReport, quiet: bool) {
    if quiet {
        return;
    }
    eprintln!("{report}");
}
