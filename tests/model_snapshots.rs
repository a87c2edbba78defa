//! normalize on real snapshots fetched from the simulated API.

use crate::model_support;

use std::time::Instant;

use kb4graph::model::normalize;
use kb4graph::snapshot::Snapshot;

/// Not a test: `KB4GRAPH_SNAPSHOT=DIR cargo test --release --test tests model_snapshots -- --ignored
/// --nocapture` normalizes a snapshot and prints time, counts and memory (for benches/).
/// With `KB4GRAPH_DUMP=FILE` it also writes the graph as JSON.
#[test]
#[ignore]
fn measure_snapshot() {
    let Ok(dir) = std::env::var("KB4GRAPH_SNAPSHOT") else {
        eprintln!("set KB4GRAPH_SNAPSHOT to a snapshot directory");
        return;
    };
    let snapshot = Snapshot::open(&dir).expect("snapshot opens");
    let start = Instant::now();
    let (graph, warnings) = normalize(&snapshot);
    let elapsed = start.elapsed();
    println!("normalize: {:.2}s", elapsed.as_secs_f64());
    println!(
        "entities: {}, relationships: {}, warnings: {}, graph heap: {} MB",
        graph.entity_count(),
        graph.relationship_count(),
        warnings.len(),
        graph.heap_bytes() / 1_000_000
    );
    for (t, n) in graph.entity_counts() {
        println!("  {t}: {n}");
    }
    for (t, n) in graph.relationship_counts() {
        println!("  {t}: {n}");
    }
    let mut codes = std::collections::BTreeMap::new();
    for w in &warnings {
        *codes.entry(w.code.as_str()).or_insert(0) += 1;
    }
    println!("warnings by code: {codes:?}");
    for w in warnings.iter().take(40) {
        println!("  {w}");
    }
    if let Ok(out) = std::env::var("KB4GRAPH_DUMP") {
        let json = model_support::render(&graph, &warnings);
        std::fs::write(out, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    }
}
