//! A stop flag tracker threads sleep on, so stopping wakes them at once.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub struct Stop {
    stopped: Mutex<bool>,
    cv: Condvar,
}

impl Stop {
    pub fn set(&self) {
        if let Ok(mut s) = self.stopped.lock() {
            *s = true;
        }
        self.cv.notify_all();
    }

    pub fn is_set(&self) -> bool {
        self.stopped.lock().map(|s| *s).unwrap_or(true)
    }

    /// Sleep until `deadline` or a stop; true when stopped.
    pub fn sleep_until(&self, deadline: Instant) -> bool {
        let Ok(mut s) = self.stopped.lock() else {
            return true;
        };
        loop {
            if *s {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            match self.cv.wait_timeout(s, deadline - now) {
                Ok((g, _)) => s = g,
                Err(_) => return true,
            }
        }
    }

    pub fn sleep(&self, d: Duration) -> bool {
        self.sleep_until(Instant::now() + d)
    }
}
