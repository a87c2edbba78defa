//! `run --demo`: the simulated KnowBe4 API the demo fetches from, always the same account.

use kb4graph::mock::{MockConfig, MockServer, Profile};

/// The seed of the demo organisation: the demo is the same account every time.
pub const DEMO_SEED: u64 = 7;

/// Starts the simulated API for `run --demo`: the organisation of `profile` on loopback, no
/// limits.
pub async fn start_demo_server(profile: Profile) -> std::io::Result<MockServer> {
    let config = MockConfig::new(DEMO_SEED, profile);
    MockServer::start(([127, 0, 0, 1], 0).into(), config).await
}
