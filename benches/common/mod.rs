//! The snapshot the benchmarks measure: the `small` demo account (the organisation `run --demo`
//! serves), fetched from the simulated API in this process, or the snapshot named by
//! `KB4GRAPH_BENCH_SNAPSHOT` (e.g. a `medium` one fetched with `kb4graph fetch`).

use std::path::PathBuf;

pub struct BenchSnapshot {
    pub path: PathBuf,
    /// A fetched snapshot lives until its benchmark has read what it needs.
    _dir: Option<tempfile::TempDir>,
}

pub fn snapshot() -> BenchSnapshot {
    if let Some(path) = std::env::var_os("KB4GRAPH_BENCH_SNAPSHOT") {
        return BenchSnapshot {
            path: PathBuf::from(path),
            _dir: None,
        };
    }
    let dir = tempfile::tempdir().expect("a temporary directory for the snapshot");
    let path = dir.path().join("snapshot");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let config = kb4graph::mock::MockConfig::new(7, kb4graph::mock::Profile::Small);
        let server = kb4graph::mock::MockServer::start(([127, 0, 0, 1], 0).into(), config)
            .await
            .expect("the simulated API starts");
        let mut options = kb4graph::fetch::FetchOptions::new(
            kb4graph::api::Source::BaseUrl(server.base_url()),
            kb4graph::api::Token::new("bench-token").expect("token"),
            path.clone(),
        );
        options.pace = kb4graph::rate::RateSpec::off();
        kb4graph::fetch::fetch(options).await.expect("fetch");
    });
    BenchSnapshot {
        path,
        _dir: Some(dir),
    }
}
