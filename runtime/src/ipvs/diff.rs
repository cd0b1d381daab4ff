//! From the kernel's table to the wanted one: the fewest changes, in an
//! order the kernel accepts. A service or destination whose settings
//! differ is edited in place (the kernel edits scheduler, flags,
//! persistence, forwarding method, weight and thresholds), so live
//! connections survive; only what is unwanted is deleted.

use std::fmt;

use super::table::{
    DestKey, DestSpec, Forward, Proto, ServiceKey, ServiceSpec, Table,
    F_ONEPACKET, F_PERSISTENT, F_SCHED1, F_SCHED2, F_SCHED3,
};

/// One IPVS command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    AddService {
        key: ServiceKey,
        spec: ServiceSpec,
    },
    EditService {
        key: ServiceKey,
        spec: ServiceSpec,
    },
    /// Deletes the service and every destination in it.
    DelService {
        key: ServiceKey,
    },
    AddDest {
        service: ServiceKey,
        key: DestKey,
        spec: DestSpec,
    },
    EditDest {
        service: ServiceKey,
        key: DestKey,
        spec: DestSpec,
    },
    DelDest {
        service: ServiceKey,
        key: DestKey,
    },
}

/// The changes that turn `kernel` into `want`: services deleted first
/// (freeing what they held), then for each kept service its unwanted
/// destinations deleted, its settings edited, its destinations edited
/// and added; new services last, each followed by its destinations.
/// Applying them to `kernel` gives `want`, and `diff(want, want)` is
/// empty.
pub fn diff(kernel: &Table, want: &Table) -> Vec<Change> {
    let mut out = Vec::new();
    for key in kernel.services.keys() {
        if !want.services.contains_key(key) {
            out.push(Change::DelService { key: *key });
        }
    }
    for (key, w) in &want.services {
        let Some(k) = kernel.services.get(key) else {
            continue;
        };
        for dk in k.dests.keys() {
            if !w.dests.contains_key(dk) {
                out.push(Change::DelDest {
                    service: *key,
                    key: *dk,
                });
            }
        }
        if k.spec != w.spec {
            out.push(Change::EditService {
                key: *key,
                spec: w.spec.clone(),
            });
        }
        for (dk, ds) in &w.dests {
            match k.dests.get(dk) {
                Some(have) if have == ds => {}
                Some(_) => out.push(Change::EditDest {
                    service: *key,
                    key: *dk,
                    spec: *ds,
                }),
                None => out.push(Change::AddDest {
                    service: *key,
                    key: *dk,
                    spec: *ds,
                }),
            }
        }
    }
    for (key, w) in &want.services {
        if kernel.services.contains_key(key) {
            continue;
        }
        out.push(Change::AddService {
            key: *key,
            spec: w.spec.clone(),
        });
        for (dk, ds) in &w.dests {
            out.push(Change::AddDest {
                service: *key,
                key: *dk,
                spec: *ds,
            });
        }
    }
    out
}

/// Applies `change` to `table` as the kernel would (for tests and for
/// keeping a mirror of the kernel without dumping it again).
pub fn apply(table: &mut Table, change: &Change) {
    match change {
        Change::AddService { key, spec }
        | Change::EditService { key, spec } => {
            table.add_service(*key, spec.clone())
        }
        Change::DelService { key } => {
            table.services.remove(key);
        }
        Change::AddDest { service, key, spec }
        | Change::EditDest { service, key, spec } => {
            table.add_dest(service, *key, *spec);
        }
        Change::DelDest { service, key } => {
            if let Some(s) = table.services.get_mut(service) {
                s.dests.remove(key);
            }
        }
    }
}

/// The service in ipvsadm's options: `-t 192.0.2.1:80`, `-f 7 -6`.
struct SvcOpt<'a>(&'a ServiceKey);

impl fmt::Display for SvcOpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use super::table::SockAddr;
        match *self.0 {
            ServiceKey::Addr { proto, addr, port } => {
                let opt = match proto {
                    Proto::Tcp => "-t".to_string(),
                    Proto::Udp => "-u".to_string(),
                    Proto::Sctp => "--sctp-service".to_string(),
                    Proto::Other(n) => format!("--protocol {n}"),
                };
                write!(f, "{opt} {}", SockAddr(addr, port))
            }
            ServiceKey::Fwmark { mark, ipv6 } => {
                write!(f, "-f {mark}{}", if ipv6 { " -6" } else { "" })
            }
        }
    }
}

struct SpecOpt<'a>(&'a ServiceKey, &'a ServiceSpec);

impl fmt::Display for SpecOpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.1;
        write!(f, " -s {}", s.scheduler)?;
        let mut names = Vec::new();
        for (bit, name) in [
            (F_SCHED1, "flag-1"),
            (F_SCHED2, "flag-2"),
            (F_SCHED3, "flag-3"),
        ] {
            if s.flags & bit != 0 {
                names.push(name);
            }
        }
        if !names.is_empty() {
            write!(f, " -b {}", names.join(","))?;
        }
        if s.flags & F_PERSISTENT != 0 {
            write!(f, " -p {}", s.timeout)?;
            let full = if self.0.ipv6() { 128 } else { 32 };
            if s.netmask != full {
                write!(f, " -M /{}", s.netmask)?;
            }
        }
        if s.flags & F_ONEPACKET != 0 {
            write!(f, " -o")?;
        }
        if let Some(pe) = &s.pe_name {
            write!(f, " --pe {pe}")?;
        }
        Ok(())
    }
}

struct DestOpt<'a>(&'a DestKey, &'a DestSpec);

impl fmt::Display for DestOpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.1;
        write!(f, " -r {}", self.0)?;
        match d.forward {
            Forward::Masq => write!(f, " -m")?,
            Forward::Route => write!(f, " -g")?,
            Forward::Tunnel(t) => {
                write!(f, " -i")?;
                match t.kind {
                    0 => {}
                    1 => write!(f, " --tun-type gue --tun-port {}", t.port)?,
                    2 => write!(f, " --tun-type gre")?,
                    k => write!(f, " --tun-type {k}")?,
                }
                if t.flags & 1 != 0 {
                    write!(f, " --tun-nocsum")?;
                }
                if t.flags & 2 != 0 {
                    write!(f, " --tun-csum")?;
                }
                if t.flags & 4 != 0 {
                    write!(f, " --tun-remcsum")?;
                }
            }
            Forward::Local => write!(f, " (local)")?,
            Forward::Bypass => write!(f, " (bypass)")?,
        }
        write!(f, " -w {}", d.weight)?;
        if d.u_threshold != 0 {
            write!(f, " -x {}", d.u_threshold)?;
        }
        if d.l_threshold != 0 {
            write!(f, " -y {}", d.l_threshold)?;
        }
        Ok(())
    }
}

/// The change as an `ipvsadm` command line (`kacd --plan`).
impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::AddService { key, spec } => {
                write!(f, "ipvsadm -A {}{}", SvcOpt(key), SpecOpt(key, spec))
            }
            Change::EditService { key, spec } => {
                write!(f, "ipvsadm -E {}{}", SvcOpt(key), SpecOpt(key, spec))
            }
            Change::DelService { key } => {
                write!(f, "ipvsadm -D {}", SvcOpt(key))
            }
            Change::AddDest { service, key, spec } => write!(
                f,
                "ipvsadm -a {}{}",
                SvcOpt(service),
                DestOpt(key, spec)
            ),
            Change::EditDest { service, key, spec } => write!(
                f,
                "ipvsadm -e {}{}",
                SvcOpt(service),
                DestOpt(key, spec)
            ),
            Change::DelDest { service, key } => {
                write!(f, "ipvsadm -d {} -r {key}", SvcOpt(service))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(s: &str, port: u16) -> ServiceKey {
        ServiceKey::Addr {
            proto: Proto::Tcp,
            addr: s.parse().unwrap(),
            port,
        }
    }

    fn dest(s: &str, port: u16) -> DestKey {
        DestKey {
            addr: s.parse().unwrap(),
            port,
        }
    }

    fn nat(weight: u32) -> DestSpec {
        DestSpec {
            forward: Forward::Masq,
            weight,
            u_threshold: 0,
            l_threshold: 0,
        }
    }

    type Entry<'a> = (ServiceKey, &'a str, &'a [(DestKey, DestSpec)]);

    fn table(items: &[Entry]) -> Table {
        let mut t = Table::new();
        for (k, sched, dests) in items {
            t.add_service(*k, ServiceSpec::new(sched, k.ipv6()));
            for (dk, ds) in *dests {
                t.add_dest(k, *dk, *ds);
            }
        }
        t
    }

    #[test]
    fn minimal_ordered_changes_that_converge() {
        let a = svc("192.0.2.1", 80);
        let b = svc("192.0.2.2", 80);
        let c = svc("192.0.2.3", 80);
        let (r1, r2, r3) = (
            dest("198.51.100.1", 80),
            dest("198.51.100.2", 80),
            dest("198.51.100.3", 80),
        );
        let kernel = table(&[
            (a, "wlc", &[(r1, nat(1)), (r2, nat(1))]),
            (b, "rr", &[(r1, nat(1))]),
        ]);
        let want = table(&[
            (a, "rr", &[(r1, nat(5)), (r3, nat(1))]),
            (c, "wlc", &[(r1, nat(1))]),
        ]);
        let got = diff(&kernel, &want);
        let text: Vec<String> = got.iter().map(|c| c.to_string()).collect();
        assert_eq!(
            text,
            [
                "ipvsadm -D -t 192.0.2.2:80",
                "ipvsadm -d -t 192.0.2.1:80 -r 198.51.100.2:80",
                "ipvsadm -E -t 192.0.2.1:80 -s rr",
                "ipvsadm -e -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 5",
                "ipvsadm -a -t 192.0.2.1:80 -r 198.51.100.3:80 -m -w 1",
                "ipvsadm -A -t 192.0.2.3:80 -s wlc",
                "ipvsadm -a -t 192.0.2.3:80 -r 198.51.100.1:80 -m -w 1",
            ]
        );
        let mut k = kernel.clone();
        for c in &got {
            apply(&mut k, c);
        }
        assert_eq!(k, want);
        assert!(diff(&k, &want).is_empty());
    }

    #[test]
    fn display_of_every_option() {
        let k = ServiceKey::Fwmark {
            mark: 7,
            ipv6: true,
        };
        let mut spec = ServiceSpec::new("sh", true);
        spec.flags = F_PERSISTENT | F_SCHED1 | F_SCHED2 | F_ONEPACKET;
        spec.timeout = 360;
        spec.netmask = 64;
        spec.pe_name = Some("sip".into());
        assert_eq!(
            Change::AddService { key: k, spec }.to_string(),
            "ipvsadm -A -f 7 -6 -s sh -b flag-1,flag-2 -p 360 -M /64 -o \
             --pe sip"
        );
        let d = DestSpec {
            forward: Forward::Tunnel(super::super::table::Tunnel {
                kind: 1,
                port: 6080,
                flags: 2,
            }),
            weight: 0,
            u_threshold: 100,
            l_threshold: 10,
        };
        assert_eq!(
            Change::EditDest {
                service: svc("2001:db8::1", 443),
                key: dest("2001:db8::10", 443),
                spec: d,
            }
            .to_string(),
            "ipvsadm -e -t [2001:db8::1]:443 -r [2001:db8::10]:443 -i \
             --tun-type gue --tun-port 6080 --tun-csum -w 0 -x 100 -y 10"
        );
        let sctp = ServiceKey::Addr {
            proto: Proto::Sctp,
            addr: "203.0.113.1".parse().unwrap(),
            port: 9,
        };
        assert_eq!(
            Change::DelDest {
                service: sctp,
                key: dest("203.0.113.9", 9)
            }
            .to_string(),
            "ipvsadm -d --sctp-service 203.0.113.1:9 -r 203.0.113.9:9"
        );
    }
}
