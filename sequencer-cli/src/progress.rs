//! A one-line progress display on stderr, drawn only when stderr is a terminal and the file is
//! large enough to be worth watching.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Files smaller than this finish before a progress line would help.
const MIN_BYTES: u64 = 8 << 20;
const REDRAW: Duration = Duration::from_millis(200);

pub struct Progress {
    label: String,
    total: u64,
    started: Instant,
    drawn: Option<Instant>,
    enabled: bool,
}

impl Progress {
    pub fn new(label: &str, total: u64, wanted: bool) -> Self {
        Self {
            label: label.to_owned(),
            total,
            started: Instant::now(),
            drawn: None,
            enabled: wanted && total >= MIN_BYTES && std::io::stderr().is_terminal(),
        }
    }

    pub fn update(&mut self, done: u64) {
        if !self.enabled || self.drawn.is_some_and(|t| t.elapsed() < REDRAW) {
            return;
        }
        self.drawn = Some(Instant::now());
        let seconds = self.started.elapsed().as_secs_f64().max(1e-3);
        let rate = done as f64 / seconds;
        let eta = (self.total.saturating_sub(done)) as f64 / rate.max(1.0);
        eprint!(
            "\r\x1b[K{}: {:>3}% {:>7.1}/{:.1} MiB {:>6.1} MiB/s ETA {:>4.0}s",
            self.label,
            done * 100 / self.total.max(1),
            done as f64 / 1048576.0,
            self.total as f64 / 1048576.0,
            rate / 1048576.0,
            eta
        );
        let _ = std::io::stderr().flush();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.drawn.is_some() {
            eprint!("\r\x1b[K");
        }
    }
}
