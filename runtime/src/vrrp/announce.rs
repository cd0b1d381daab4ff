//! Gratuitous ARP and unsolicited neighbour advertisements of a master:
//! when to send them ([`Schedule`], pure) and the frames themselves
//! ([`garp_frame`], [`na_frame`], byte-equal to keepalived's).
//!
//! keepalived's timing (with its defaults): on becoming master a burst
//! of `garp_master_repeat` (5) rounds, another burst `garp_master_delay`
//! (5 s) later, then every `garp_master_refresh` (off) a burst of
//! `garp_master_refresh_repeat` (1); on hearing a lower-priority master,
//! a burst of `garp_lower_prio_repeat` after `garp_lower_prio_delay`
//! (both default to the master values). Within a burst, rounds are
//! `vrrp_garp_interval` apart (0: back to back). A round is one message
//! per virtual address.

use core::net::{Ipv4Addr, Ipv6Addr};
use core::time::Duration;

use crate::site::vrrp::Garp;
use crate::time::Instant;
use crate::wire::{arp, ndisc, Mac};

/// Ethernet + IPv6 header + the advert.
pub const NA_FRAME_LEN: usize = 14 + 40 + ndisc::MESSAGE_LEN;

/// The gratuitous ARP frame for `addr` from `mac`.
pub fn garp_frame(mac: Mac, addr: Ipv4Addr) -> [u8; arp::FRAME_LEN] {
    let mut f = [0u8; arp::FRAME_LEN];
    arp::Repr::gratuitous(mac, addr).emit(&mut f);
    f
}

/// The unsolicited NA frame for `addr` from `mac`: from the address
/// itself to all nodes (33:33:00:00:00:01), hop limit 255.
pub fn na_frame(mac: Mac, addr: Ipv6Addr) -> [u8; NA_FRAME_LEN] {
    let mut f = [0u8; NA_FRAME_LEN];
    let dst = ndisc::ALL_NODES;
    f[0..6].copy_from_slice(&[0x33, 0x33, 0, 0, 0, 1]);
    f[6..12].copy_from_slice(&mac.0);
    f[12..14].copy_from_slice(&0x86ddu16.to_be_bytes());
    let ip = &mut f[14..54];
    ip[0] = 0x60;
    ip[4..6].copy_from_slice(&(ndisc::MESSAGE_LEN as u16).to_be_bytes());
    ip[6] = ndisc::NEXT_HEADER;
    ip[7] = 255;
    ip[8..24].copy_from_slice(&addr.octets());
    ip[24..40].copy_from_slice(&dst.octets());
    let mut msg = [0u8; ndisc::MESSAGE_LEN];
    ndisc::Repr::unsolicited(mac, addr).emit(&mut msg, addr, dst);
    f[54..].copy_from_slice(&msg);
    f
}

/// When the next rounds are due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Schedule {
    /// Rounds left in the current burst, and when the next one is due.
    rounds_left: u32,
    next_round: Option<Instant>,
    /// A burst to start later (second master burst, lower-priority).
    pending: Option<(Instant, u32)>,
    /// Periodic refresh while master.
    refresh: Option<(Duration, u32)>,
    next_refresh: Option<Instant>,
}

impl Schedule {
    /// A new master: a burst now, another after the delay, refreshes.
    pub fn master(&mut self, now: Instant, g: &Garp) {
        *self = Schedule::default();
        self.burst(now, g.master_repeat);
        if !g.master_delay.is_zero() {
            self.pending = Some((now + g.master_delay, g.master_repeat));
        }
        if let Some(r) = g.master_refresh {
            self.refresh = Some((r, g.master_refresh_repeat));
            self.next_refresh = Some(now + r);
        }
    }

    /// A lower-priority master was heard.
    pub fn lower_priority(&mut self, now: Instant, g: &Garp) {
        let delay = g.lower_prio_delay.unwrap_or(g.master_delay);
        let repeat = g.lower_prio_repeat.unwrap_or(g.master_repeat);
        if delay.is_zero() {
            self.burst(now, repeat);
        } else if self.pending.is_none() {
            // A stream of lower-priority adverts must not keep pushing
            // the burst back: the first one schedules it.
            self.pending = Some((now + delay, repeat));
        }
    }

    /// No longer master: nothing more to send.
    pub fn stop(&mut self) {
        *self = Schedule::default();
    }

    fn burst(&mut self, now: Instant, rounds: u32) {
        if rounds > 0 {
            self.rounds_left = self.rounds_left.max(rounds);
            self.next_round = Some(self.next_round.map_or(now, |t| t.min(now)));
        }
    }

    /// How many rounds to send now (usually 0 or the whole burst when
    /// the interval is 0), and the schedule moves on.
    pub fn poll(&mut self, now: Instant, g: &Garp) -> u32 {
        if let Some((t, n)) = self.pending {
            if t <= now {
                self.pending = None;
                self.burst(now, n);
            }
        }
        if let (Some((every, n)), Some(t)) = (self.refresh, self.next_refresh) {
            if t <= now {
                self.next_refresh = Some(now + every);
                self.burst(now, n);
            }
        }
        let Some(t) = self.next_round else { return 0 };
        if t > now || self.rounds_left == 0 {
            return 0;
        }
        let interval = g.interval.max(g.gna_interval);
        if interval.is_zero() {
            let n = self.rounds_left;
            self.rounds_left = 0;
            self.next_round = None;
            n
        } else {
            self.rounds_left -= 1;
            self.next_round = (self.rounds_left > 0).then(|| now + interval);
            1
        }
    }

    /// When [`poll`](Self::poll) has something to do next.
    pub fn deadline(&self) -> Option<Instant> {
        [
            self.next_round,
            self.pending.map(|p| p.0),
            self.next_refresh,
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn garp() -> Garp {
        Garp::KEEPALIVED
    }

    #[test]
    fn keepalived_defaults_two_bursts_of_five() {
        let g = garp();
        let mut s = Schedule::default();
        let t0 = Instant::from_micros(1_000_000);
        s.master(t0, &g);
        assert_eq!(s.poll(t0, &g), 5);
        assert_eq!(s.deadline(), Some(t0 + Duration::from_secs(5)));
        assert_eq!(s.poll(t0 + Duration::from_secs(4), &g), 0);
        let t5 = t0 + Duration::from_secs(5);
        assert_eq!(s.poll(t5, &g), 5);
        assert_eq!(s.deadline(), None);
    }

    #[test]
    fn interval_spaces_rounds_and_refresh_repeats() {
        let mut g = garp();
        g.interval = Duration::from_millis(10);
        g.master_delay = Duration::ZERO;
        g.master_repeat = 3;
        g.master_refresh = Some(Duration::from_secs(60));
        let mut s = Schedule::default();
        let t0 = Instant::from_micros(0);
        s.master(t0, &g);
        let mut sent = Vec::new();
        while let Some(t) = s.deadline() {
            if t > t0 + Duration::from_secs(61) {
                break;
            }
            sent.push((t.as_micros(), s.poll(t, &g)));
        }
        assert_eq!(
            sent,
            vec![(0, 1), (10_000, 1), (20_000, 1), (60_000_000, 1)]
        );
        s.stop();
        assert_eq!(s.deadline(), None);
    }
}
