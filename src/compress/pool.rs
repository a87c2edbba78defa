//! The threads that compress blocks, shared by every file being written (formats may be
//! written from several threads at once): one per core, started when first needed.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of worker threads taking jobs in the order given. The threads end when the
/// pool is dropped.
#[derive(Debug)]
pub struct Pool {
    jobs: Mutex<Sender<Job>>,
    threads: usize,
}

/// A job's result, to be waited for.
#[derive(Debug)]
pub(super) struct Pending<T>(Receiver<T>);

impl<T> Pending<T> {
    /// `None` when the job never finished (its thread panicked).
    pub(super) fn wait(self) -> Option<T> {
        self.0.recv().ok()
    }
}

impl Pool {
    /// A pool of `threads` workers (at least one).
    pub fn new(threads: usize) -> Arc<Pool> {
        let threads = threads.max(1);
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let mut spawned = 0;
        for i in 0..threads {
            let receiver = Arc::clone(&receiver);
            let started = thread::Builder::new()
                .name(format!("kb4graph-gzip-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while taking a job, not while running it.
                        let job = match receiver.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            spawned += usize::from(started.is_ok());
        }
        // Without a thread of its own the pool runs jobs on the caller's (see `submit`).
        Arc::new(Pool {
            jobs: Mutex::new(sender),
            threads: spawned,
        })
    }

    /// The pool every export shares: one thread per core.
    pub fn shared() -> Arc<Pool> {
        static SHARED: OnceLock<Arc<Pool>> = OnceLock::new();
        Arc::clone(
            SHARED
                .get_or_init(|| Pool::new(thread::available_parallelism().map_or(1, |n| n.get()))),
        )
    }

    /// How many threads run jobs (0: they run on the caller's thread).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `job` on a worker.
    pub(super) fn submit<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Pending<T> {
        let (done, result) = mpsc::channel();
        let run = move || {
            let _ = done.send(job());
        };
        if self.threads == 0 {
            run();
            return Pending(result);
        }
        let refused = match self.jobs.lock() {
            Ok(jobs) => jobs.send(Box::new(run)).err().map(|e| e.0),
            Err(_) => Some(Box::new(run) as Job),
        };
        // Every worker gone (cannot happen while the pool lives): run it here.
        if let Some(run) = refused {
            run();
        }
        Pending(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_run_and_results_come_back_to_their_submitter() {
        for threads in [1, 3] {
            let pool = Pool::new(threads);
            let pending: Vec<_> = (0..20u64).map(|i| pool.submit(move || i * i)).collect();
            let results: Vec<u64> = pending.into_iter().map(|p| p.wait().unwrap()).collect();
            assert_eq!(results, (0..20u64).map(|i| i * i).collect::<Vec<_>>());
        }
    }
}
