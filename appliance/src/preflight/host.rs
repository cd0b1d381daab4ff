//! What preflight needs to know about this host, read without changing
//! anything: links and addresses over rtnetlink, the generic netlink
//! family `IPVS`, the kernel's module tree, `/proc` for capabilities and
//! sysctls.

use std::fmt::Debug;
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use netlink_packet_core::{
    NetlinkDeserializable, NetlinkHeader, NetlinkMessage, NetlinkPayload,
    NetlinkSerializable, NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_packet_generic::ctrl::nlas::GenlCtrlAttrs;
use netlink_packet_generic::ctrl::{GenlCtrl, GenlCtrlCmd};
use netlink_packet_generic::GenlMessage;
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::link::{LinkAttribute, LinkFlags, LinkMessage};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::protocols::{NETLINK_GENERIC, NETLINK_ROUTE};
use netlink_sys::{Socket, SocketAddr};

/// One network interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub index: u32,
    pub name: String,
    /// Administratively up (`IFF_UP`).
    pub up: bool,
    /// Carrier (`IFF_LOWER_UP`).
    pub lower_up: bool,
    pub multicast: bool,
}

/// One address on an interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostAddress {
    pub index: u32,
    pub addr: IpAddr,
    pub prefix_len: u8,
}

/// How IPVS can be reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ipvs {
    /// The generic netlink family resolved (the module is loaded).
    Family(u16),
    /// Not loaded, but the kernel has it built in or as a module file.
    Module(PathBuf),
    Builtin,
    /// Neither; with why the family did not resolve.
    Absent(String),
}

/// A snapshot of the host.
#[derive(Clone, Debug)]
pub struct Host {
    /// `None` with the reason when rtnetlink could not be read.
    pub links: Result<Vec<Link>, String>,
    pub addresses: Vec<HostAddress>,
    pub ipvs: Option<Ipvs>,
    /// `CapEff` from /proc/self/status.
    pub cap_eff: Option<u64>,
    /// net.ipv4.ip_forward.
    pub ip_forward: Option<bool>,
}

impl Host {
    /// Reads this host; `want_ipvs` asks for the IPVS probe.
    pub fn read(want_ipvs: bool) -> Host {
        let links = links().map_err(|e| format!("rtnetlink link dump: {e}"));
        Host {
            addresses: addresses().unwrap_or_default(),
            links,
            ipvs: want_ipvs.then(ipvs),
            cap_eff: std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| cap_eff(&s)),
            ip_forward: std::fs::read_to_string(
                "/proc/sys/net/ipv4/ip_forward",
            )
            .ok()
            .map(|s| s.trim() == "1"),
        }
    }

    pub fn link(&self, name: &str) -> Option<&Link> {
        self.links.as_ref().ok()?.iter().find(|l| l.name == name)
    }

    pub fn link_name(&self, index: u32) -> Option<&str> {
        let links = self.links.as_ref().ok()?;
        links
            .iter()
            .find(|l| l.index == index)
            .map(|l| l.name.as_str())
    }

    /// The interfaces that carry `addr`.
    pub fn holders(&self, addr: IpAddr) -> Vec<&str> {
        self.addresses
            .iter()
            .filter(|a| a.addr == addr)
            .filter_map(|a| self.link_name(a.index))
            .collect()
    }

    /// Addresses on interface `index`.
    pub fn addresses_of(
        &self,
        index: u32,
    ) -> impl Iterator<Item = &HostAddress> {
        self.addresses.iter().filter(move |a| a.index == index)
    }
}

/// `CapEff:` of a /proc/PID/status text.
pub fn cap_eff(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
}

/// Sends `payload` and collects the replies: every message of a dump, or
/// the first reply of a plain request.
fn request<T>(protocol: isize, payload: T, dump: bool) -> io::Result<Vec<T>>
where
    T: NetlinkSerializable + NetlinkDeserializable + Debug,
{
    let mut socket = Socket::new(protocol)?;
    socket.bind_auto()?;
    socket.connect(&SocketAddr::new(0, 0))?;
    let mut msg = NetlinkMessage::new(
        NetlinkHeader::default(),
        NetlinkPayload::InnerMessage(payload),
    );
    msg.header.flags = NLM_F_REQUEST | if dump { NLM_F_DUMP } else { 0 };
    msg.header.sequence_number = 1;
    msg.finalize();
    let mut buf = vec![0u8; msg.buffer_len()];
    msg.serialize(&mut buf);
    socket.send(&buf, 0)?;

    let mut out = Vec::new();
    loop {
        let (data, _) = socket.recv_from_full()?;
        let mut offset = 0;
        while offset < data.len() {
            let reply = NetlinkMessage::<T>::deserialize(&data[offset..])
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            let len = reply.header.length as usize;
            match reply.payload {
                NetlinkPayload::InnerMessage(m) => {
                    out.push(m);
                    if !dump {
                        return Ok(out);
                    }
                }
                NetlinkPayload::Done(_) => return Ok(out),
                NetlinkPayload::Error(e) if e.code.is_some() => {
                    return Err(e.to_io())
                }
                NetlinkPayload::Error(_) => return Ok(out),
                _ => {}
            }
            if len == 0 {
                break;
            }
            offset += len;
        }
    }
}

fn links() -> io::Result<Vec<Link>> {
    let msgs = request(
        NETLINK_ROUTE,
        RouteNetlinkMessage::GetLink(LinkMessage::default()),
        true,
    )?;
    Ok(msgs
        .into_iter()
        .filter_map(|m| match m {
            RouteNetlinkMessage::NewLink(l) => Some(l),
            _ => None,
        })
        .filter_map(|l| {
            let name = l.attributes.iter().find_map(|a| match a {
                LinkAttribute::IfName(n) => Some(n.clone()),
                _ => None,
            })?;
            let f = l.header.flags;
            Some(Link {
                index: l.header.index,
                name,
                up: f.contains(LinkFlags::Up),
                lower_up: f.contains(LinkFlags::LowerUp),
                multicast: f.contains(LinkFlags::Multicast),
            })
        })
        .collect())
}

fn addresses() -> io::Result<Vec<HostAddress>> {
    let msgs = request(
        NETLINK_ROUTE,
        RouteNetlinkMessage::GetAddress(AddressMessage::default()),
        true,
    )?;
    Ok(msgs
        .into_iter()
        .filter_map(|m| match m {
            RouteNetlinkMessage::NewAddress(a) => Some(a),
            _ => None,
        })
        .filter_map(|a| {
            // IFA_LOCAL is the interface's own address on point-to-point
            // links, where IFA_ADDRESS is the peer's.
            let local = a.attributes.iter().find_map(|x| match x {
                AddressAttribute::Local(ip) => Some(*ip),
                _ => None,
            });
            let addr = local.or_else(|| {
                a.attributes.iter().find_map(|x| match x {
                    AddressAttribute::Address(ip) => Some(*ip),
                    _ => None,
                })
            })?;
            Some(HostAddress {
                index: a.header.index,
                addr,
                prefix_len: a.header.prefix_len,
            })
        })
        .collect())
}

fn genl_family(name: &str) -> io::Result<u16> {
    let mut msg = GenlMessage::from_payload(GenlCtrl {
        cmd: GenlCtrlCmd::GetFamily,
        nlas: vec![GenlCtrlAttrs::FamilyName(name.to_string())],
    });
    msg.finalize();
    let replies = request(NETLINK_GENERIC, msg, false)?;
    replies
        .iter()
        .flat_map(|r| r.payload.nlas.iter())
        .find_map(|a| match a {
            GenlCtrlAttrs::FamilyId(id) => Some(*id),
            _ => None,
        })
        .ok_or_else(|| io::Error::other("reply without a family id"))
}

fn ipvs() -> Ipvs {
    let err = match genl_family("IPVS") {
        Ok(id) => return Ipvs::Family(id),
        // The controller answers ENOENT for a family nobody registered.
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {
            "not registered (ip_vs is not loaded)".to_string()
        }
        Err(e) => e.to_string(),
    };
    let release = rustix::system::uname()
        .release()
        .to_string_lossy()
        .into_owned();
    let dir = Path::new("/lib/modules").join(&release);
    module_status(&dir).unwrap_or_else(|| {
        Ipvs::Absent(format!(
            "generic netlink family IPVS: {err}; no ip_vs module under {}",
            dir.display()
        ))
    })
}

/// Whether a kernel module tree holds `ip_vs` (built in, or as a file).
pub fn module_status(dir: &Path) -> Option<Ipvs> {
    let listed = |file: &str| {
        std::fs::read_to_string(dir.join(file)).ok().and_then(|s| {
            s.lines()
                .map(|l| l.split(':').next().unwrap_or(l))
                .find(|p| {
                    let base = p.rsplit('/').next().unwrap_or(p);
                    base == "ip_vs.ko" || base.starts_with("ip_vs.ko.")
                })
                .map(|p| dir.join(p))
        })
    };
    if listed("modules.builtin").is_some() {
        return Some(Ipvs::Builtin);
    }
    if let Some(p) = listed("modules.dep") {
        return Some(Ipvs::Module(p));
    }
    let classic = dir.join("kernel/net/netfilter/ipvs");
    ["ip_vs.ko", "ip_vs.ko.xz", "ip_vs.ko.zst", "ip_vs.ko.gz"]
        .iter()
        .map(|f| classic.join(f))
        .find(|p| p.exists())
        .map(Ipvs::Module)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities() {
        let s = "Name:\tkacd\nCapInh:\t0000000000000000\n\
                 CapEff:\t0000000000003000\nCapBnd:\t000001ffffffffff\n";
        assert_eq!(cap_eff(s), Some(0x3000));
        assert_eq!(cap_eff("Name: x\n"), None);
    }

    #[test]
    fn reads_this_host() {
        // Every Linux network namespace has `lo`, with 127.0.0.1 unless
        // someone removed it.
        let h = Host::read(false);
        let lo = h.link("lo").expect("lo is listed");
        assert!(lo.index > 0);
        assert!(h.ipvs.is_none());
        assert!(h.cap_eff.is_some());
        if lo.up {
            assert_eq!(h.holders("127.0.0.1".parse().unwrap()), ["lo"]);
        }
    }

    #[test]
    fn module_tree() {
        let d = std::env::temp_dir()
            .join(format!("kacd-modules-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        assert_eq!(module_status(&d), None);
        std::fs::write(
            d.join("modules.dep"),
            "kernel/net/netfilter/ipvs/ip_vs_rr.ko.xz: kernel/net/netfilter/ipvs/ip_vs.ko.xz\n\
             kernel/net/netfilter/ipvs/ip_vs.ko.xz: kernel/lib/libcrc32c.ko.xz\n",
        )
        .unwrap();
        assert_eq!(
            module_status(&d),
            Some(Ipvs::Module(
                d.join("kernel/net/netfilter/ipvs/ip_vs.ko.xz")
            ))
        );
        std::fs::write(
            d.join("modules.builtin"),
            "kernel/net/netfilter/ipvs/ip_vs.ko\n",
        )
        .unwrap();
        assert_eq!(module_status(&d), Some(Ipvs::Builtin));
        std::fs::remove_dir_all(&d).unwrap();
    }
}
