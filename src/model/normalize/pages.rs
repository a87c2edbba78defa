//! Reading and parsing pages on worker threads while the graph is built from the pages before
//! them, in the same fixed order as when one thread does it all.
//!
//! Reading a page (with its SHA-256 check) and parsing it do not depend on anything built so
//! far, so the workers run ahead; the calling thread takes each page's result strictly in page
//! order. The graph and the warnings therefore do not depend on the number of threads or on
//! which worker finished first.

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError, mpsc};
use std::thread;

use yoke::Yoke;

use crate::model::raw::{self, PageRecords};
use crate::model::source::{PageError, PageRead};

/// How many pages each worker may be ahead of the page being applied. A parsed page takes about
/// three times its size (up to a few MB), and each one ahead raised peak memory by that much,
/// while one is enough to keep the workers busy.
const AHEAD_PER_WORKER: usize = 1;

/// What a worker made of one page.
pub(super) enum PageResult {
    /// The page could not be read.
    Unreadable(PageError),
    /// The page was read but is not valid JSON, or not records.
    Invalid { file: String, message: String },
    Parsed {
        file: String,
        records: Yoke<PageRecords<'static>, Vec<u8>>,
    },
}

/// Reads and parses one page: a JSON array of records, or with `one` a single object.
pub(super) fn read_page(read: PageRead<'_>, one: bool) -> PageResult {
    let page = match read() {
        Ok(page) => page,
        Err(err) => return PageResult::Unreadable(err),
    };
    let file = page.file;
    match Yoke::try_attach_to_cart(page.body, |body: &[u8]| raw::parse_page(body, one)) {
        Ok(records) => PageResult::Parsed { file, records },
        Err(err) => {
            let what = if err.is_data() {
                "not a JSON array of records"
            } else {
                "not valid JSON"
            };
            PageResult::Invalid {
                file,
                message: format!("{what}: {err}"),
            }
        }
    }
}

/// What the calling thread gives the workers.
enum Task<J, T> {
    /// Job number and job.
    Run(usize, J),
    /// A result applied: freeing a parsed page is work the calling thread need not do.
    Free(T),
}

/// Runs `work` on every job on up to `threads` worker threads and hands each result to
/// `apply` in job order. With no thread everything runs on the calling thread.
pub(super) fn in_order<J, T, W, A>(jobs: Vec<J>, threads: usize, work: W, mut apply: A)
where
    J: Send,
    T: Send,
    W: Fn(J) -> T + Sync,
    A: FnMut(&T),
{
    let workers = threads.min(jobs.len());
    if workers == 0 {
        for job in jobs {
            apply(&work(job));
        }
        return;
    }
    let total = jobs.len();
    let (job_tx, job_rx) = mpsc::channel::<Task<J, T>>();
    let job_rx = Mutex::new(job_rx);
    thread::scope(|scope| {
        let (done_tx, done_rx) = mpsc::channel::<(usize, thread::Result<T>)>();
        let mut spawned = 0;
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let (job_rx, work) = (&job_rx, &work);
            let worker = thread::Builder::new()
                .name("normalize-pages".into())
                .spawn_scoped(scope, move || {
                    loop {
                        let next = job_rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
                        let (seq, job) = match next {
                            Ok(Task::Run(seq, job)) => (seq, job),
                            Ok(Task::Free(result)) => {
                                drop(result);
                                continue;
                            }
                            Err(_) => break,
                        };
                        // A panic comes back as the job's result, to be raised on the calling
                        // thread in order, rather than leaving it waiting for a result.
                        let result = panic::catch_unwind(AssertUnwindSafe(|| work(job)));
                        if done_tx.send((seq, result)).is_err() {
                            break;
                        }
                    }
                });
            spawned += usize::from(worker.is_ok());
        }
        if spawned == 0 {
            // No thread to be had: the calling thread does the work.
            for job in jobs {
                apply(&work(job));
            }
            return;
        }
        drop(done_tx);
        let mut queued = jobs
            .into_iter()
            .enumerate()
            .map(|(seq, job)| Task::Run(seq, job));
        for task in queued.by_ref().take(spawned * AHEAD_PER_WORKER) {
            // The workers outlive this loop, so sending cannot fail.
            let _ = job_tx.send(task);
        }
        let mut ahead: HashMap<usize, thread::Result<T>> = HashMap::new();
        let mut next = 0;
        while next < total {
            let result = match ahead.remove(&next) {
                Some(result) => result,
                None => match done_rx.recv() {
                    Ok((seq, result)) if seq == next => result,
                    Ok((seq, result)) => {
                        ahead.insert(seq, result);
                        continue;
                    }
                    // Every worker has stopped: only after a panic, raised below.
                    Err(_) => break,
                },
            };
            match result {
                Ok(result) => {
                    apply(&result);
                    let _ = job_tx.send(Task::Free(result));
                }
                Err(payload) => panic::resume_unwind(payload),
            }
            next += 1;
            if let Some(task) = queued.next() {
                let _ = job_tx.send(task);
            }
        }
        drop(job_tx);
    });
}

#[cfg(test)]
mod tests {
    use super::in_order;

    #[test]
    fn results_come_in_job_order_whatever_the_threads() {
        for threads in [0, 1, 2, 3, 8] {
            let jobs: Vec<u64> = (0..200).collect();
            let mut seen = Vec::new();
            in_order(
                jobs,
                threads,
                |n| {
                    // Uneven work, so that workers finish out of order.
                    if n % 7 == 0 {
                        std::thread::yield_now();
                    }
                    n * 3
                },
                |r| seen.push(*r),
            );
            let expected: Vec<u64> = (0..200).map(|n| n * 3).collect();
            assert_eq!(seen, expected, "threads {threads}");
        }
    }

    #[test]
    fn a_panicking_job_is_raised_on_the_calling_thread() {
        let caught = std::panic::catch_unwind(|| {
            in_order(
                (0..50).collect::<Vec<u32>>(),
                2,
                |n| {
                    assert!(n != 20, "job 20");
                    n
                },
                |_| {},
            );
        });
        assert!(caught.is_err());
    }
}
