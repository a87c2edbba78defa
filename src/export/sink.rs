//! Where a bundle file's bytes go: a thread beside the writer that hashes and writes them.
//!
//! Writers format into a large buffer that is handed over whole, so a format's many small writes
//! cost a copy each, while SHA-256 and the system calls run on another core.

use std::fs::File;
use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

/// Bytes gathered before they are handed to the thread.
const CHUNK: usize = 256 * 1024;
/// Chunks waiting for the thread: the writer runs at most this far ahead.
const IN_FLIGHT: usize = 2;

/// What the thread wrote once the file is complete.
#[derive(Debug)]
pub struct Written {
    pub size: u64,
    pub sha256: [u8; 32],
}

/// The writer's end: a buffer, and the thread that hashes and writes full buffers.
#[derive(Debug)]
pub struct Sink {
    buf: Vec<u8>,
    to_thread: Option<SyncSender<Vec<u8>>>,
    /// Buffers the thread is done with, so that a file reuses the same few.
    spare: Receiver<Vec<u8>>,
    thread: Option<JoinHandle<io::Result<Written>>>,
}

impl Sink {
    pub fn new(file: File) -> io::Result<Sink> {
        let (to_thread, from_writer) = sync_channel::<Vec<u8>>(IN_FLIGHT);
        let (give_back, spare) = sync_channel::<Vec<u8>>(IN_FLIGHT + 1);
        let thread = std::thread::Builder::new()
            .name("kb4graph-hash-write".into())
            .spawn(move || hash_and_write(file, from_writer, give_back))?;
        Ok(Sink {
            buf: Vec::with_capacity(CHUNK),
            to_thread: Some(to_thread),
            spare,
            thread: Some(thread),
        })
    }

    fn hand_over(&mut self) -> io::Result<()> {
        let next = self
            .spare
            .try_recv()
            .map(|mut b| {
                b.clear();
                b
            })
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK));
        let full = std::mem::replace(&mut self.buf, next);
        let sent = match &self.to_thread {
            Some(to) => to.send(full).is_ok(),
            None => false,
        };
        if sent {
            Ok(())
        } else {
            // The thread stopped on an error: that error is the one to report.
            Err(self.join().err().unwrap_or_else(|| {
                io::Error::other("the file's writing thread stopped before the file was complete")
            }))
        }
    }

    fn join(&mut self) -> io::Result<Written> {
        self.to_thread = None;
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the file's writing thread panicked"))),
            None => Err(io::Error::other("the file was already closed")),
        }
    }

    /// Hands over what is left, waits until it is on disk (`fsync`) and returns what was written.
    pub fn finish(mut self) -> io::Result<Written> {
        if !self.buf.is_empty() {
            self.hand_over()?;
        }
        self.join()
    }
}

impl Write for Sink {
    #[inline]
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.write_all(data)?;
        Ok(data.len())
    }

    #[inline]
    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        if self.buf.len() + data.len() <= CHUNK {
            self.buf.extend_from_slice(data);
            return Ok(());
        }
        self.write_spilling(data)
    }

    /// Full buffers are handed over when the file is finished; a flush mid-file does not cut
    /// them short, so chunk sizes never depend on the writer.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Sink {
    #[cold]
    fn write_spilling(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            let room = CHUNK - self.buf.len();
            let (now, later) = data.split_at(room.min(data.len()));
            self.buf.extend_from_slice(now);
            data = later;
            if self.buf.len() == CHUNK {
                self.hand_over()?;
            }
        }
        Ok(())
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        // An abandoned file: let the thread end; the staging directory goes with the bundle.
        self.to_thread = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn hash_and_write(
    mut file: File,
    chunks: Receiver<Vec<u8>>,
    give_back: SyncSender<Vec<u8>>,
) -> io::Result<Written> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    for chunk in chunks {
        hasher.update(&chunk);
        file.write_all(&chunk)?;
        size += chunk.len() as u64;
        let _ = give_back.try_send(chunk);
    }
    file.sync_all()?;
    Ok(Written {
        size,
        sha256: hasher.finalize().into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::sha256_hex;

    #[test]
    fn every_byte_arrives_in_order_and_is_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let mut sink = Sink::new(File::create(&path).unwrap()).unwrap();
        let mut expected = Vec::new();
        // Writes smaller than, equal to and larger than a chunk, across chunk boundaries.
        for (i, len) in [1, CHUNK - 1, 1, CHUNK, 3 * CHUNK + 7, 0, 5]
            .into_iter()
            .enumerate()
        {
            let data: Vec<u8> = (0..len).map(|j| (i * 31 + j) as u8).collect();
            sink.write_all(&data).unwrap();
            expected.extend_from_slice(&data);
        }
        let written = sink.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes, expected);
        assert_eq!(written.size, expected.len() as u64);
        assert_eq!(crate::files::hex(&written.sha256), sha256_hex(&expected));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_failing_file_reports_its_error() {
        // /dev/full accepts the open and refuses every write with ENOSPC.
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let mut sink = Sink::new(full).unwrap();
        let data = vec![7u8; 8 * CHUNK];
        let err = sink
            .write_all(&data)
            .and_then(|()| sink.finish().map(|_| ()))
            .unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ENOSPC), "{err}");
    }
}
