//! Policy-routing rules of the site tables ([`Rule`]) as rtnetlink
//! requests, with keepalived's defaults (protocol `keepalived`; the
//! build fills in the preference), and the commander's requests that add
//! and remove them.

use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::route::{RouteProtocol, RouteRealm};
use netlink_packet_route::rule::{
    RuleAction as NlAction, RuleAttribute, RuleFlags, RuleMessage,
    RulePortRange, RuleUidRange,
};
use netlink_packet_route::{AddressFamily, IpProtocol, RouteNetlinkMessage};

use super::command::{Commander, ErrorKind, Op, Outcome};
use super::route::{names, EntryError};
use crate::site::addr::{Rule, RuleAction, RTPROT_KEEPALIVED};

/// The `RTM_NEWRULE` payload for `r` (also its `RTM_DELRULE`: the kernel
/// deletes the rule that matches every attribute given).
pub fn rule_message(r: &Rule) -> Result<RuleMessage, ErrorKind> {
    let mut m = RuleMessage::default();
    m.header.family = if r.ipv6 {
        AddressFamily::Inet6
    } else {
        AddressFamily::Inet
    };
    if r.not {
        m.header.flags |= RuleFlags::Invert;
    }
    let a = &mut m.attributes;
    for (p, to) in [(r.from, false), (r.to, true)] {
        let Some(p) = p else { continue };
        if p.addr().is_ipv6() != r.ipv6 {
            return Err(ErrorKind::Invalid(format!(
                "{p} is not of the rule's family"
            )));
        }
        // `from all` is no selector at all.
        if p.prefix_len() == 0 {
            continue;
        }
        if to {
            m.header.dst_len = p.prefix_len();
            a.push(RuleAttribute::Destination(p.addr()));
        } else {
            m.header.src_len = p.prefix_len();
            a.push(RuleAttribute::Source(p.addr()));
        }
    }
    if let Some(p) = r.preference {
        a.push(RuleAttribute::Priority(p));
    }
    if let Some(t) = r.tos {
        m.header.tos = names::byte(t, "rt_dsfield")?;
    }
    if let Some(mark) = r.fwmark {
        a.push(RuleAttribute::FwMark(mark));
    }
    if let Some(mask) = r.fwmask {
        a.push(RuleAttribute::FwMask(mask));
    }
    if let Some(i) = r.iif {
        a.push(RuleAttribute::Iifname(i.as_str().to_owned()));
    }
    if let Some(o) = r.oif {
        a.push(RuleAttribute::Oifname(o.as_str().to_owned()));
    }
    if let Some(rl) = r.realms {
        let num = |id| {
            let n = names::resolve(id, "rt_realms")?;
            u16::try_from(n).map_err(|_| {
                ErrorKind::Invalid(format!("realm {n} is over 65535"))
            })
        };
        a.push(RuleAttribute::Realm(RouteRealm {
            source: match rl.from {
                Some(f) => num(f)?,
                None => 0,
            },
            destination: num(rl.to)?,
        }));
    }
    if let Some(n) = r.suppress_prefixlen {
        a.push(RuleAttribute::SuppressPrefixLen(n));
    }
    if let Some(g) = r.suppress_ifgroup {
        a.push(RuleAttribute::SuppressIfGroup(names::resolve(g, "group")?));
    }
    if let Some(t) = r.tunnel_id {
        a.push(RuleAttribute::TunId(t));
    }
    if let Some(u) = r.uidrange {
        a.push(RuleAttribute::UidRange(RuleUidRange {
            start: u.start,
            end: u.end,
        }));
    }
    if r.l3mdev {
        a.push(RuleAttribute::L3MDev(true));
    }
    a.push(RuleAttribute::Protocol(RouteProtocol::from(
        r.protocol.unwrap_or(RTPROT_KEEPALIVED),
    )));
    if let Some(p) = r.ipproto {
        a.push(RuleAttribute::IpProtocol(IpProtocol::from(names::ipproto(
            p,
        )?)));
    }
    if let Some(p) = r.sport {
        a.push(RuleAttribute::SourcePortRange(RulePortRange {
            start: p.start,
            end: p.end,
        }));
    }
    if let Some(p) = r.dport {
        a.push(RuleAttribute::DestinationPortRange(RulePortRange {
            start: p.start,
            end: p.end,
        }));
    }
    m.header.action = match r.action {
        Some(RuleAction::Table(t)) => {
            let t = names::resolve(t, "rt_tables")?;
            m.header.table = u8::try_from(t).unwrap_or(0);
            m.attributes.push(RuleAttribute::Table(t));
            NlAction::ToTable
        }
        Some(RuleAction::Goto(n)) => {
            m.attributes.push(RuleAttribute::Goto(n));
            NlAction::Goto
        }
        Some(RuleAction::Nop) => NlAction::Nop,
        Some(RuleAction::Blackhole) => NlAction::Blackhole,
        Some(RuleAction::Unreachable) => NlAction::Unreachable,
        Some(RuleAction::Prohibit) => NlAction::Prohibit,
        // `l3mdev`: the VRF's table, chosen by the kernel.
        None => NlAction::ToTable,
    };
    Ok(m)
}

impl Commander {
    /// Adds rule `r`; [`Outcome::AlreadyPresent`] when the kernel has an
    /// identical rule (`EEXIST`).
    pub fn add_rule(&mut self, r: &Rule) -> Result<Outcome, EntryError> {
        let err = |kind| EntryError {
            op: Op::Add,
            what: "rule",
            line: r.line.to_owned(),
            kind,
        };
        let m = rule_message(r).map_err(err)?;
        match self
            .request(RouteNetlinkMessage::NewRule(m), NLM_F_CREATE | NLM_F_EXCL)
        {
            Ok(_) => Ok(Outcome::Done),
            Err(ErrorKind::Kernel {
                errno: libc::EEXIST,
                ..
            }) => Ok(Outcome::AlreadyPresent),
            Err(k) => Err(err(k)),
        }
    }

    /// Removes rule `r`; [`Outcome::AlreadyAbsent`] when the kernel has
    /// none like it (`ENOENT`).
    pub fn del_rule(&mut self, r: &Rule) -> Result<Outcome, EntryError> {
        let err = |kind| EntryError {
            op: Op::Del,
            what: "rule",
            line: r.line.to_owned(),
            kind,
        };
        let m = rule_message(r).map_err(err)?;
        match self.request(RouteNetlinkMessage::DelRule(m), 0) {
            Ok(_) => Ok(Outcome::Done),
            Err(ErrorKind::Kernel {
                errno: libc::ENOENT,
                ..
            }) => Ok(Outcome::AlreadyAbsent),
            Err(k) => Err(err(k)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::addr::{Range, RtId};
    use crate::site::types::{IfName, Prefix};

    #[test]
    fn selectors_and_action() {
        let r = Rule {
            not: true,
            from: Some(Prefix::v4([192, 0, 2, 0], 24)),
            to: Some(Prefix::v4([0, 0, 0, 0], 0)),
            preference: Some(100),
            fwmark: Some(0x10),
            fwmask: Some(0xff),
            iif: Some(IfName::new("eth0")),
            ipproto: Some(RtId::Name("tcp")),
            sport: Some(Range {
                start: 1000,
                end: 2000,
            }),
            ..Rule::new(false, Some(RuleAction::Table(RtId::Id(100))), "")
        };
        let m = rule_message(&r).unwrap();
        assert!(m.header.flags.contains(RuleFlags::Invert));
        assert_eq!((m.header.src_len, m.header.dst_len), (24, 0));
        assert_eq!(m.header.action, NlAction::ToTable);
        assert_eq!(m.header.table, 100);
        for a in [
            RuleAttribute::Priority(100),
            RuleAttribute::FwMark(16),
            RuleAttribute::FwMask(255),
            RuleAttribute::Iifname("eth0".into()),
            RuleAttribute::Protocol(RouteProtocol::KeepAlived),
            RuleAttribute::Table(100),
        ] {
            assert!(m.attributes.contains(&a), "{a:?} in {m:?}");
        }
        assert!(!m
            .attributes
            .iter()
            .any(|a| matches!(a, RuleAttribute::Destination(_))));
        let g = rule_message(&Rule::new(true, Some(RuleAction::Goto(200)), ""))
            .unwrap();
        assert_eq!(g.header.action, NlAction::Goto);
        assert_eq!(g.header.family, AddressFamily::Inet6);
        assert!(g.attributes.contains(&RuleAttribute::Goto(200)));
        let mixed = Rule {
            from: Some(Prefix::v4([192, 0, 2, 0], 24)),
            ..Rule::new(true, None, "")
        };
        assert!(rule_message(&mixed).is_err());
    }
}
