//! Checks across several site files: the routers of one virtual router.
//!
//! `kac check a.conf b.conf` sees every router of a site at once, which
//! keepalived never does. Instances in different files with the same
//! VRID, family and virtual addresses are peers of one virtual router, and
//! only then can we tell whether their tracker weights can ever change
//! which of them is master.

use std::net::IpAddr;

use crate::diag::Diagnostic;
use crate::ir::vrrp::VrrpInstance;
use crate::ir::Config;
use crate::lower::vrrp::checks::weight;
use crate::Compilation;

crate::codes! {
    WEIGHT_NEVER_DECIDES = 250, Warning, "tracker weights that can never change which peer is master";
}

/// What decides an election for one instance: its priority and the range
/// its trackers can move it through.
struct Peer<'a> {
    file: usize,
    inst: &'a VrrpInstance,
    priority: i64,
    lowest: i64,
    highest: i64,
    weighted: bool,
}

fn peer<'a>(
    file: usize,
    config: &'a Config,
    inst: &'a VrrpInstance,
) -> Peer<'a> {
    let priority = i64::from(inst.effective_priority());
    let (mut down, mut up, mut weighted) = (0i64, 0i64, false);
    for (kind, t) in inst.tracking.all() {
        let w = weight(config, kind, t);
        weighted |= w != 0;
        down += w.min(0);
        up += w.max(0);
    }
    // The address owner's priority never moves; others stay in 1..=254.
    let (lowest, highest) = if priority == 255 {
        (255, 255)
    } else {
        ((priority + down).max(1), (priority + up).min(254))
    };
    Peer {
        file,
        inst,
        priority,
        lowest,
        highest,
        weighted,
    }
}

/// VRID, IPv6 or not, and the sorted virtual addresses.
type RouterKey = (u8, bool, Vec<IpAddr>);

/// The key that identifies one virtual router across files.
fn key(inst: &VrrpInstance) -> Option<RouterKey> {
    let vrid = inst.virtual_router_id.as_ref()?.value;
    let mut vips: Vec<IpAddr> = inst
        .virtual_ipaddress
        .iter()
        .map(|a| a.address.addr)
        .collect();
    if vips.is_empty() {
        return None;
    }
    vips.sort();
    Some((vrid, vips[0].is_ipv6(), vips))
}

/// Diagnostics for peers across `files`, each with the index of the file
/// it belongs to.
pub fn check_peers(files: &[&Compilation]) -> Vec<(usize, Diagnostic)> {
    let mut groups: Vec<(RouterKey, Vec<Peer>)> = Vec::new();
    for (i, c) in files.iter().enumerate() {
        for inst in &c.config.vrrp.instances {
            let Some(k) = key(inst) else { continue };
            let p = peer(i, &c.config, inst);
            match groups.iter_mut().find(|(gk, _)| *gk == k) {
                Some((_, v)) => v.push(p),
                None => groups.push((k, vec![p])),
            }
        }
    }
    let mut out = Vec::new();
    for (_, mut peers) in groups {
        if peers.len() < 2 || peers.iter().all(|p| p.file == peers[0].file) {
            continue;
        }
        if !peers.iter().any(|p| p.weighted) {
            continue;
        }
        peers.sort_by_key(|p| std::cmp::Reverse(p.priority));
        let top = &peers[0];
        // The best any other router can reach; a tie is broken by the
        // primary address, so it can change mastership.
        let Some(rival) = peers[1..].iter().max_by_key(|p| p.highest) else {
            continue;
        };
        if rival.highest >= top.lowest {
            continue;
        }
        let (who, span) = [top, rival]
            .into_iter()
            .find_map(|p| {
                p.inst
                    .tracking
                    .all()
                    .find(|(k, t)| weight(&files[p.file].config, *k, t) != 0)
                    .map(|(_, t)| {
                        (
                            p,
                            t.weight
                                .as_ref()
                                .map_or(t.name.span, |w| w.weight.span),
                        )
                    })
            })
            .unwrap_or((top, top.inst.name.span));
        let mut d = Diagnostic::new(
            &WEIGHT_NEVER_DECIDES,
            Some(span),
            format!(
                "tracker weights can never change the master of VRID {}",
                top.inst.virtual_router_id.as_ref().map_or(0, |v| v.value)
            ),
        );
        d.with_note(format!(
            "`{}` in {} has priority {} and never drops below {}",
            top.inst.name,
            files[top.file].sources.get(top.inst.name.span.file).path.display(),
            top.priority,
            top.lowest
        ))
        .with_note(format!(
            "`{}` in {} has priority {} and never rises above {}",
            rival.inst.name,
            files[rival.file].sources.get(rival.inst.name.span.file).path.display(),
            rival.priority,
            rival.highest
        ))
        .with_help(format!(
            "make the weights larger than the gap of {} between the priorities, or track without a weight so a failure means fault",
            top.priority - rival.priority
        ));
        out.push((who.file, d));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{compile_str, Options};

    fn router(priority: u8, weight: i32) -> Compilation {
        let text = format!(
            "vrrp_script chk {{\n script /bin/true\n weight {weight}\n}}\n\
             vrrp_instance VI_1 {{\n state BACKUP\n interface eth0\n\
             virtual_router_id 7\n priority {priority}\n\
             virtual_ipaddress {{\n 192.0.2.7/24\n }}\n\
             track_script {{\n chk\n }}\n}}\n"
        );
        compile_str("r.conf", &text, &Options::default())
    }

    #[test]
    fn weights_smaller_than_the_gap_never_decide() {
        let (a, b) = (router(150, -10), router(100, -10));
        let found = check_peers(&[&a, &b]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1.code.id, 250);
    }

    #[test]
    fn weights_that_close_the_gap_can_decide() {
        let (a, b) = (router(150, -60), router(100, -60));
        assert!(check_peers(&[&a, &b]).is_empty());
        // A tie is broken by the primary address: it can decide.
        let (a, b) = (router(150, 50), router(100, 50));
        assert!(check_peers(&[&a, &b]).is_empty());
    }

    #[test]
    fn one_file_alone_has_no_peers() {
        let a = router(150, -10);
        assert!(check_peers(&[&a]).is_empty());
    }
}
