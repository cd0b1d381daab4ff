//! When a probe runs and what its results mean: keepalived's retry,
//! `delay_loop` and `alpha` rules as a pure state machine ([`Verdict`]),
//! and the task that drives one probe with it ([`run`]).

use std::sync::mpsc::SyncSender;
use std::time::Duration;

use super::plan::Probe;
use super::{deliver, rand, CheckEvent, Status};
use crate::site::lvs::{Check, Timing};

/// A checker's standing, as keepalived keeps it (`is_up`, `has_run`,
/// `retry_it`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub up: bool,
    has_run: bool,
    retry_it: u32,
}

/// What to do after a result: report a transition (the new state), and
/// when to run next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub transition: Option<bool>,
    pub next: Duration,
}

impl Verdict {
    /// A checker starts up, or down with `alpha`.
    pub fn new(alpha: bool) -> Verdict {
        Verdict {
            up: !alpha,
            has_run: false,
            retry_it: 0,
        }
    }

    pub fn success(&mut self, t: &Timing) -> Step {
        let transition = (!self.up).then_some(true);
        self.up = true;
        self.has_run = true;
        self.retry_it = 0;
        Step {
            transition,
            next: t.delay_loop,
        }
    }

    /// A failed attempt. An up checker (or one not yet run) is retried
    /// `retry` times, `delay_before_retry` apart, before it goes down; a
    /// checker already down just waits for the next loop.
    pub fn failure(&mut self, t: &Timing) -> Step {
        let mut transition = None;
        if self.up || !self.has_run {
            if self.retry_it < t.retry {
                self.retry_it += 1;
                self.has_run = true;
                return Step {
                    transition: None,
                    next: t.delay_before_retry,
                };
            }
            transition = self.up.then_some(false);
            self.up = false;
        }
        self.has_run = true;
        self.retry_it = 0;
        Step {
            transition,
            next: t.delay_loop,
        }
    }

    /// Whether the last failure is being retried (for log wording).
    pub fn retrying(&self) -> bool {
        self.retry_it > 0
    }
}

/// The weight a checker asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weighting {
    /// The real server's configured weight.
    Configured,
    /// `misc_dynamic`: exit code - 2.
    Absolute(u32),
    /// FILE_CHECK with a weight: configured weight + value * weight.
    Offset(i64),
}

impl Weighting {
    pub fn resolve(self, configured: u32) -> u32 {
        match self {
            Weighting::Configured => configured,
            Weighting::Absolute(w) => w,
            Weighting::Offset(d) => {
                (i64::from(configured) + d).clamp(0, i64::from(i32::MAX)) as u32
            }
        }
    }
}

/// One attempt's result: up (with the weight it asks for) or down with
/// a reason for the log.
pub type Attempt = Result<Weighting, String>;

/// keepalived's name for a kind of check in its log lines.
pub fn kind_name(check: &Check) -> &'static str {
    match check {
        Check::Tcp => "TCP_CHECK",
        Check::Http { tls: false, .. } => "HTTP_GET",
        Check::Http { tls: true, .. } => "SSL_GET",
        Check::Smtp { .. } => "SMTP_CHECK",
        Check::Dns { .. } => "DNS_CHECK",
        Check::Misc { .. } => "MISC_CHECK",
        Check::Udp { .. } => "UDP_CHECK",
        Check::Ping => "PING_CHECK",
        Check::File { .. } => "FILE_CHECK",
        Check::Bfd { .. } => "BFD_CHECK",
    }
}

/// One attempt of the probe's check.
async fn attempt(p: &Probe) -> Attempt {
    match p.checker.check {
        Check::Tcp => super::tcp::check(p).await,
        Check::Http { .. } => super::http::check(p).await,
        Check::Smtp { helo_name } => super::smtp::check(p, helo_name).await,
        Check::Dns { query_type, name } => {
            super::dns::check(p, query_type, name).await
        }
        Check::Udp { payload } => super::udp::check(p, payload).await,
        Check::Ping => super::ping::check(p).await,
        Check::Misc {
            command,
            timeout,
            dynamic,
        } => super::misc::check(p, command, timeout, dynamic).await,
        Check::File { .. } => super::file::check(p),
        Check::Bfd { .. } => Err("BFD_CHECK is not run here".into()),
    }
}

/// keepalived's log lines for a transition (check_*.c wording), the
/// failure's reason on a line of its own before it.
fn log_transition(p: &Probe, up: bool, reason: &str) {
    let l = &p.label;
    if !up {
        log::info!("{} {l}: {reason}", kind_name(&p.checker.check));
    }
    match (p.checker.check, up) {
        (Check::Tcp, true) => log::info!("TCP connection to {l} success."),
        (Check::Tcp, false) => log::info!("TCP connection to {l} failed."),
        (Check::Udp { .. }, true) => {
            log::info!("UDP connection to {l} success.")
        }
        (Check::Udp { .. }, false) => {
            log::info!("UDP connection to {l} failed.")
        }
        (Check::Ping, true) => log::info!("ICMP connection to {l} success."),
        (Check::Ping, false) => log::info!("ICMP connection to {l} failed."),
        (Check::Http { .. }, true) => {
            log::info!("Remote Web server {l} succeed on service.")
        }
        (Check::Http { .. }, false) => {
            log::info!("HTTP_CHECK on service {l} failed.")
        }
        (Check::Smtp { .. }, true) => {
            log::info!("Remote SMTP server {l} succeed on service.")
        }
        (Check::Smtp { .. }, false) => {
            log::info!("SMTP_CHECK {l} failed.")
        }
        (Check::Dns { .. }, true) => log::info!("DNS_CHECK ({l}) succeeded."),
        (Check::Dns { .. }, false) => log::info!("DNS_CHECK ({l}) failed."),
        (Check::Misc { command, .. }, ok) => log::info!(
            "Misc check for [{l}] by [{}] {}.",
            command.argv.join(" "),
            if ok { "succeeded" } else { "failed" }
        ),
        (Check::File { track_file }, ok) => log::info!(
            "({l}): tracked file {track_file} {} FAULT state",
            if ok { "leaving" } else { "now" }
        ),
        (Check::Bfd { name }, ok) => {
            log::info!(
                "BFD_CHECK {name} for {l}: {}",
                if ok { "up" } else { "down" }
            )
        }
    }
}

/// Sends `status` to every subscriber; `false` once the consumer is gone.
async fn fan_out(
    p: &Probe,
    tx: &SyncSender<CheckEvent>,
    status: impl Fn(u32) -> Status,
) -> bool {
    for s in &p.subscribers {
        let ev = CheckEvent {
            vs: s.vs,
            rs: s.rs,
            checker: s.checker,
            status: status(s.weight),
        };
        if !deliver(tx, ev).await {
            return false;
        }
    }
    true
}

/// Runs one probe until the runtime stops or the consumer goes away.
pub async fn run(p: Probe, tx: SyncSender<CheckEvent>) {
    let timing = p.checker.timing;
    let is_file = matches!(p.checker.check, Check::File { .. });
    // FILE_CHECK knows its state at once: no alpha, no warmup (as
    // keepalived clears both), and it rereads the file every second.
    let mut verdict = Verdict::new(p.checker.alpha && !is_file);
    let timing = if is_file {
        Timing {
            delay_loop: Duration::from_secs(1),
            retry: 0,
            warmup: None,
            ..timing
        }
    } else {
        timing
    };
    if let Some(w) = timing.warmup.filter(|w| !w.is_zero()) {
        let jitter = rand::u64() % (w.as_micros() as u64).max(1);
        tokio::time::sleep(Duration::from_micros(jitter)).await;
    }
    let mut weighting = Weighting::Configured;
    loop {
        let step = match attempt(&p).await {
            Ok(w) => {
                if w != weighting {
                    weighting = w;
                    log::info!(
                        "{} {}: weight {}",
                        kind_name(&p.checker.check),
                        p.label,
                        match w {
                            Weighting::Configured => "as configured".into(),
                            Weighting::Absolute(n) => n.to_string(),
                            Weighting::Offset(d) => format!("configured {d:+}"),
                        }
                    );
                    if !fan_out(&p, &tx, |c| Status::Weight(w.resolve(c))).await
                    {
                        return;
                    }
                }
                let step = verdict.success(&timing);
                if step.transition.is_some() {
                    log_transition(&p, true, "");
                    if !fan_out(&p, &tx, |_| Status::Up).await {
                        return;
                    }
                }
                step
            }
            Err(reason) => {
                let step = verdict.failure(&timing);
                if step.transition.is_none() && verdict.retrying() {
                    log::debug!(
                        "{} to {} failed ({reason}); retrying",
                        kind_name(&p.checker.check),
                        p.label
                    );
                }
                if step.transition.is_some() {
                    log_transition(&p, false, &reason);
                    let down = |_| Status::Down {
                        reason: reason.clone(),
                    };
                    if !fan_out(&p, &tx, down).await {
                        return;
                    }
                }
                if !verdict.up && weighting != Weighting::Configured {
                    // keepalived drops a dynamic weight with the failure.
                    weighting = Weighting::Configured;
                    if !fan_out(&p, &tx, Status::Weight).await {
                        return;
                    }
                }
                step
            }
        };
        tokio::time::sleep(step.next).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing(retry: u32) -> Timing {
        Timing {
            delay_loop: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(1),
            retry,
            delay_before_retry: Duration::from_secs(2),
            warmup: None,
        }
    }

    #[test]
    fn up_server_goes_down_after_retry_plus_one_failures() {
        let t = timing(2);
        let mut v = Verdict::new(false);
        assert_eq!(v.success(&t).transition, None);
        let s = v.failure(&t);
        assert_eq!((s.transition, s.next), (None, t.delay_before_retry));
        assert_eq!(v.failure(&t).transition, None);
        let s = v.failure(&t);
        assert_eq!((s.transition, s.next), (Some(false), t.delay_loop));
        // Already down: no retries, no new transition.
        let s = v.failure(&t);
        assert_eq!((s.transition, s.next), (None, t.delay_loop));
        assert_eq!(v.success(&t).transition, Some(true));
    }

    #[test]
    fn success_between_failures_resets_the_retries() {
        let t = timing(1);
        let mut v = Verdict::new(false);
        assert_eq!(v.failure(&t).transition, None);
        assert_eq!(v.success(&t).transition, None);
        assert_eq!(v.failure(&t).transition, None);
        assert_eq!(v.failure(&t).transition, Some(false));
    }

    #[test]
    fn alpha_starts_down_and_first_failure_reports_nothing() {
        let t = timing(1);
        let mut v = Verdict::new(true);
        assert!(!v.up);
        // Not run yet: retried, then stays down silently.
        assert_eq!(v.failure(&t).next, t.delay_before_retry);
        assert_eq!(v.failure(&t).transition, None);
        assert_eq!(v.success(&t).transition, Some(true));
    }

    #[test]
    fn weights_resolve_against_the_configured_weight() {
        assert_eq!(Weighting::Configured.resolve(5), 5);
        assert_eq!(Weighting::Absolute(7).resolve(5), 7);
        assert_eq!(Weighting::Offset(-10).resolve(5), 0);
        assert_eq!(Weighting::Offset(3).resolve(5), 8);
    }
}
