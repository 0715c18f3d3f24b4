//! Exponential back-off for reconnecting to a block source: the wait
//! doubles from `first` up to `cap` and starts again from `first` after a
//! success. Each wait is drawn from the upper half of the current step
//! (`[step/2, step]`, "equal jitter"), so that indexers that lost the same
//! node do not all come back in the same instant.

use std::time::Duration;

/// The waits between attempts to reach a source that is away.
#[derive(Clone, Debug)]
pub struct Backoff {
    first: Duration,
    cap: Duration,
    step: Duration,
    /// splitmix64 state for the jitter.
    seed: u64,
}

impl Backoff {
    /// Waits from about `first`, doubling to at most `cap`; `seed` drives the jitter.
    pub fn new(first: Duration, cap: Duration, seed: u64) -> Backoff {
        let first = first.min(cap);
        Backoff {
            first,
            cap,
            step: first,
            seed,
        }
    }

    /// How long to wait before the next attempt; each call doubles the step, up to the cap.
    pub fn next_wait(&mut self) -> Duration {
        let step = self.step;
        self.step = (self.step * 2).min(self.cap);
        let half = step / 2;
        // A uniform fraction of the other half, at microsecond resolution.
        let spread = half.as_micros() as u64;
        let extra = if spread == 0 {
            0
        } else {
            self.random() % (spread + 1)
        };
        half + Duration::from_micros(extra)
    }

    /// The source answered: the next outage starts again from the first step.
    pub fn reset(&mut self) {
        self.step = self.first;
    }

    /// The longest wait this back-off ever returns.
    pub fn cap(&self) -> Duration {
        self.cap
    }

    fn random(&mut self) -> u64 {
        self.seed = self.seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn waits_double_within_their_jitter_band_up_to_the_cap_and_reset_after_success() {
        let mut b = Backoff::new(200 * MS, 3_000 * MS, 7);
        let steps = [200, 400, 800, 1_600, 3_000, 3_000, 3_000];
        for step in steps {
            let wait = b.next_wait();
            let step = step * MS;
            assert!(
                wait >= step / 2 && wait <= step,
                "{wait:?} outside [{:?}, {step:?}]",
                step / 2
            );
        }
        b.reset();
        assert!(b.next_wait() <= 200 * MS, "back to the first step");
    }

    #[test]
    fn the_jitter_spreads_waits_and_the_same_seed_repeats_them() {
        let waits = |seed| {
            let mut b = Backoff::new(1_000 * MS, 1_000 * MS, seed);
            (0..32).map(|_| b.next_wait()).collect::<Vec<_>>()
        };
        let a = waits(1);
        assert_eq!(a, waits(1));
        assert_ne!(a, waits(2));
        let distinct: std::collections::BTreeSet<_> = a.iter().collect();
        assert!(distinct.len() > 16, "{a:?}");
        assert!(a.iter().any(|w| *w < 750 * MS) && a.iter().any(|w| *w > 750 * MS));
    }

    #[test]
    fn a_first_step_above_the_cap_is_the_cap() {
        let mut b = Backoff::new(10_000 * MS, 500 * MS, 3);
        assert!(b.next_wait() <= 500 * MS);
        assert_eq!(b.cap(), 500 * MS);
    }
}
