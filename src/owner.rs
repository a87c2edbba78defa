//! Which process owns a work-in-progress file or directory (an export's staging directory, a
//! temporary archive): its pid and when it started, so that what a killed process left behind
//! can be told apart from the work of one still running, even once the pid has been reused.

use std::fmt;
use std::path::Path;

/// A process, as `<pid> <start>`: `start` is its start time in clock ticks since boot
/// (`/proc/<pid>/stat`, field 22), or 0 where the system does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub pid: u32,
    pub start: u64,
}

impl Owner {
    /// This process.
    pub fn current() -> Owner {
        let pid = std::process::id();
        Owner {
            pid,
            start: start_time(pid).unwrap_or(0),
        }
    }

    /// Reads `<pid> <start>` as [`Display`](fmt::Display) writes it.
    pub fn parse(text: &str) -> Option<Owner> {
        let mut parts = text.split_ascii_whitespace();
        let owner = Owner {
            pid: parts.next()?.parse().ok()?,
            start: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(owner)
    }

    /// Whether the process is still running: its pid exists with the same start time. Where
    /// the system does not say, an owner without a start time is taken to run.
    pub fn is_running(self) -> bool {
        self.running().unwrap_or(self.start == 0)
    }

    /// Whether the process is still running where the system says (Linux's `/proc`), `None`
    /// elsewhere. An owner without a start time (0) runs if its pid does.
    pub fn running(self) -> Option<bool> {
        if !Path::new("/proc/self").exists() {
            return None;
        }
        Some(start_time(self.pid).is_some_and(|start| self.start == 0 || start == self.start))
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.pid, self.start)
    }
}

fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_ascii_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_runs_and_a_finished_one_does_not() {
        let me = Owner::current();
        assert!(me.start > 0, "no start time read from /proc");
        assert_eq!(Owner::parse(&me.to_string()), Some(me));
        assert!(me.is_running());

        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let child_owner = Owner {
            pid,
            start: start_time(pid).unwrap_or(1),
        };
        child.wait().unwrap();
        assert!(!child_owner.is_running());
        // The same pid with another start time is another, earlier process.
        let reused = Owner {
            pid: me.pid,
            start: me.start + 1,
        };
        assert!(!reused.is_running());
    }

    #[test]
    fn only_its_own_text_parses() {
        for bad in ["", "12", "12 x", "12 3 4", "-1 3"] {
            assert_eq!(Owner::parse(bad), None, "{bad:?}");
        }
    }
}
