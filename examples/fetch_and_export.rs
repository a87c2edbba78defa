//! Using kb4graph as a library: start the simulated KnowBe4 API, fetch the account into a
//! snapshot, normalize it into the graph, export it as JSON and validate what was written.
//!
//!     cargo run --example fetch_and_export -- OUT_DIR

use kb4graph::api::{Source, Token};
use kb4graph::export::{ExportOptions, Format};
use kb4graph::fetch::{FetchOptions, fetch};
use kb4graph::mock::{MockConfig, MockServer, Profile};
use kb4graph::pipeline::{export_snapshot, validate_export};
use kb4graph::rate::RateSpec;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "example-out".into()),
    );

    // A real HTTP server on loopback, serving a seeded synthetic account.
    let server = MockServer::start(
        ([127, 0, 0, 1], 0).into(),
        MockConfig::new(7, Profile::Small),
    )
    .await?;

    // Any non-empty token is accepted by the simulated API; a real account needs a Reporting
    // API token, e.g. `Token::from_env()` and `Source::Site(Site::Us)`.
    let mut options = FetchOptions::new(
        Source::BaseUrl(server.base_url()),
        Token::new("example-token")?,
        out.join("snapshot"),
    );
    options.pace = RateSpec::off();
    let report = fetch(options).await?;
    println!("{report}");
    server.shutdown().await;

    let summary = export_snapshot(
        &out.join("snapshot"),
        &[Format::Json],
        &ExportOptions::default(),
        &out,
    )?;
    for (ty, n) in &summary.entities {
        println!("{:<40} {n}", ty.name());
    }
    for file in &summary.files {
        println!(
            "wrote {} ({} bytes, sha256 {})",
            file.path, file.size, file.sha256
        );
    }
    let problems: usize = validate_export(&out)?.iter().map(|r| r.total).sum();
    println!("validation: {problems} problems");
    Ok(())
}
