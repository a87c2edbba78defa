//! Independent pieces of work spread over the cores: the formats of an export written, or of
//! an export directory checked, at once.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// `work` applied to each of `items`, as many at once as there are cores (the calling thread
/// among them), the results in `items`' order. Once a result satisfies `stop`, no further item
/// is started, so the results end at the first such one or soon after it. A panic in `work` is
/// raised again here.
pub fn map_on_cores<T: Sync, R: Send>(
    items: &[T],
    stop: impl Fn(&R) -> bool + Sync,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(items.len()).max(1);
    let next = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    let run = || {
        let mut done = Vec::new();
        while !stopped.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            let result = work(item);
            stopped.fetch_or(stop(&result), Ordering::Relaxed);
            done.push((i, result));
        }
        done
    };
    let mut done = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads)
            .filter_map(|n| {
                std::thread::Builder::new()
                    .name(format!("kb4graph-work-{n}"))
                    .spawn_scoped(scope, run)
                    .ok()
            })
            .collect();
        let mut done = run();
        for other in others {
            done.extend(
                other
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        done
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_the_items_order() {
        let items: Vec<u64> = (0..50).collect();
        let squares = map_on_cores(&items, |_| false, |n| n * n);
        assert_eq!(squares, items.iter().map(|n| n * n).collect::<Vec<_>>());
    }

    #[test]
    fn nothing_is_started_after_a_stop_on_one_core_and_the_stop_is_kept() {
        let items: Vec<u32> = (0..1000).collect();
        let results = map_on_cores(
            &items,
            |r: &Result<u32, u32>| r.is_err(),
            |&n| {
                if n == 3 { Err(n) } else { Ok(n) }
            },
        );
        assert!(results.contains(&Err(3)));
        // Each core may have started one more item before it saw the stop.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert!(results.len() <= 4 + cores, "{}", results.len());
    }
}
