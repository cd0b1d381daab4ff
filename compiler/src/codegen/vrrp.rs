//! `vrrp_instance` and `vrrp_sync_group`, resolved against the globals
//! and the tracker tables.

use proc_macro2::TokenStream;
use quote::quote;

use super::addr::{addresses, routes, rules};
use super::emit::{
    bool_, duration, ifname, int, ip, num, opt, opt_command, opt_str, secs,
    slice,
};
use super::track::Tables;
use super::CodegenError;
use crate::ir::value::{Family, Micros};
use crate::ir::vrrp::{
    AuthType, Notify, State, SyncGroup, TrackKind, Tracking, VrrpInstance,
};
use crate::ir::Config;

pub struct Vrrp<'a> {
    config: &'a Config,
    track: &'a Tables,
}

fn err(what: String) -> CodegenError {
    CodegenError(what)
}

impl<'a> Vrrp<'a> {
    pub fn new(
        config: &'a Config,
        track: &'a Tables,
    ) -> Result<Vrrp<'a>, CodegenError> {
        Ok(Vrrp { config, track })
    }

    pub fn instances(&self) -> Result<TokenStream, CodegenError> {
        let items = self
            .config
            .vrrp
            .instances
            .iter()
            .map(|i| self.instance(i))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(slice(items))
    }

    pub fn sync_groups(&self) -> Result<TokenStream, CodegenError> {
        let items = self
            .config
            .vrrp
            .sync_groups
            .iter()
            .map(|g| self.sync_group(g))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(slice(items))
    }

    fn instance(&self, i: &VrrpInstance) -> Result<TokenStream, CodegenError> {
        let g = &self.config.global;
        let name = &i.name.value;
        let interface = i
            .interface
            .as_ref()
            .or(g.default_interface.as_ref())
            .map(|n| n.value.as_str())
            .ok_or_else(|| {
                err(format!("vrrp_instance {name} has no interface"))
            })?;
        let vrid =
            i.virtual_router_id
                .as_ref()
                .map(|v| v.value)
                .ok_or_else(|| {
                    err(format!(
                        "vrrp_instance {name} has no virtual_router_id"
                    ))
                })?;
        let ipv6 = i.family() == Family::Inet6;
        // IPv6 has only VRRPv3; keepalived switches such instances to it.
        let version = if ipv6 {
            3
        } else {
            i.version
                .as_ref()
                .map(|v| u64::from(v.value))
                .or(g.vrrp_version.as_ref().map(|v| v.value))
                .unwrap_or(2)
        };
        let (ver_t, v3) = if version == 3 {
            (quote!(VrrpVersion::V3), true)
        } else {
            (quote!(VrrpVersion::V2), false)
        };
        let adv = i
            .advert_int
            .as_ref()
            .map_or(Micros::from_secs(1), |a| a.value);
        let centis = num((adv.0 / 10_000).min(u64::from(u16::MAX)));
        let prio = num(i.effective_priority());
        let initial = match i.state.as_ref().map(|s| s.value) {
            Some(State::Master) => quote!(InitialState::Master),
            _ => quote!(InitialState::Backup),
        };
        let auth = match (&i.authentication, v3) {
            (Some(a), false) => {
                let pass = a.auth_pass.as_ref().map_or("", |p| &p.value);
                // keepalived sends at most 8 bytes of the password.
                let pass: String = truncate(pass, 8);
                match a.auth_type.as_ref().map(|t| t.value) {
                    Some(AuthType::Ah) => quote!(Auth::Ah(#pass)),
                    Some(AuthType::Pass) => quote!(Auth::Pass(#pass)),
                    None => quote!(Auth::None),
                }
            }
            _ => quote!(Auth::None),
        };
        let strict = i
            .strict_mode
            .as_ref()
            .map_or(g.vrrp_strict.is_some(), |s| s.value);
        let preempt = bool_(!i.nopreempt());
        let preempt_delay =
            opt(i.preempt_delay.as_ref().map(|d| d.value), duration);
        // accept is on unless `no_accept`, or strict mode for a non-owner.
        let accept = i
            .accept
            .as_ref()
            .map_or(!strict || i.effective_priority() == 255, |a| a.value);
        let addrs = addresses(&i.virtual_ipaddress);
        let excluded = addresses(&i.virtual_ipaddress_excluded);
        let vroutes = routes(&i.virtual_routes);
        let vrules = rules(&i.virtual_rules);
        let src = opt(i.src_ip().map(|s| s.value), ip);
        let mdst = opt(i.mcast_dst_ip.as_ref().map(|a| a.value), ip);
        let peers = slice(
            i.peers()
                .iter()
                .map(|p| {
                    let a = ip(p.address.value);
                    let min = opt(p.min_ttl.as_ref().map(|t| t.value), num);
                    let max = opt(p.max_ttl.as_ref().map(|t| t.value), num);
                    quote!(UnicastPeer { address: #a, min_ttl: #min, max_ttl: #max })
                })
                .collect(),
        );
        let uttl = opt(i.unicast_ttl.as_ref().map(|t| t.value), num);
        let tracking = self.tracking(&i.tracking, name)?;
        let garp = self.garp(i);
        let notify = notify(&i.notify);
        let vmac = opt(i.use_vmac.as_ref(), |v| {
            let n = opt_str(v.ifname.as_ref().map(|n| n.value.as_str()));
            n
        });
        let flag =
            |inst: Option<bool>, global: bool| bool_(inst.unwrap_or(global));
        let skip = flag(
            i.skip_check_adv_addr.as_ref().map(|s| s.value),
            g.vrrp_skip_check_adv_addr.is_some(),
        );
        let lpna = flag(
            i.lower_prio_no_advert.as_ref().map(|s| s.value),
            g.vrrp_lower_prio_no_advert
                .as_ref()
                .is_some_and(|v| v.value),
        );
        let hpsa = flag(
            i.higher_prio_send_advert.as_ref().map(|s| s.value),
            g.vrrp_higher_prio_send_advert
                .as_ref()
                .is_some_and(|v| v.value),
        );
        let dta = num(i
            .down_timer_adverts
            .as_ref()
            .map(|d| u64::from(d.value))
            .or(g.vrrp_down_timer_adverts.as_ref().map(|d| d.value))
            .unwrap_or(3));
        let (ti, ts, tf, tp) = tracking;
        let iface = ifname(interface);
        let vrid = num(vrid);
        let dtp = bool_(i.dont_track_primary);
        let vxb = bool_(i.vmac_xmit_base);
        let nv6 = bool_(i.native_ipv6.is_some());
        let old_csum = bool_(matches!(
            i.old_unicast_checksum.as_ref().map(|o| o.value),
            Some(crate::ir::vrrp::OldChecksum::Use)
        ));
        // keepalived polls the link of an instance's interface when the
        // instance or global_defs says `linkbeat_use_polling`, or when
        // `linkbeat_interfaces` lists it (kac polls with ETHTOOL, else the
        // interface flags, whatever kind the entry names).
        let listed = g
            .linkbeat_interfaces
            .iter()
            .any(|l| l.value.interface == interface);
        let lbp = bool_(
            i.linkbeat_use_polling
                || g.linkbeat_use_polling.is_some()
                || listed,
        );
        Ok(quote! {
            Instance {
                name: #name,
                interface: #iface,
                vrid: Vrid::new(#vrid),
                ipv6: #ipv6,
                version: #ver_t,
                priority: Priority::new(#prio),
                initial: #initial,
                advert_interval: AdvertInterval::new(#ver_t, #centis),
                auth: #auth,
                preempt: #preempt,
                preempt_delay: #preempt_delay,
                accept: #accept,
                strict: #strict,
                addresses: #addrs,
                excluded_addresses: #excluded,
                routes: #vroutes,
                rules: #vrules,
                src_ip: #src,
                mcast_dst: #mdst,
                unicast_peers: #peers,
                unicast_ttl: #uttl,
                track_interfaces: #ti,
                track_scripts: #ts,
                track_files: #tf,
                track_processes: #tp,
                dont_track_primary: #dtp,
                garp: #garp,
                notify: #notify,
                use_vmac: #vmac,
                vmac_xmit_base: #vxb,
                native_ipv6: #nv6,
                skip_check_adv_addr: #skip,
                lower_prio_no_advert: #lpna,
                higher_prio_send_advert: #hpsa,
                down_timer_adverts: #dta,
                linkbeat_use_polling: #lbp,
                old_unicast_checksum: #old_csum,
            }
        })
    }

    /// (track_interfaces, track_scripts, track_files, track_processes).
    fn tracking(
        &self,
        t: &Tracking,
        owner: &str,
    ) -> Result<
        (TokenStream, TokenStream, TokenStream, TokenStream),
        CodegenError,
    > {
        let ifs = slice(
            t.interfaces
                .iter()
                .map(|tr| {
                    let n = ifname(&tr.name.value);
                    let w = int(i64::from(tr.line_weight()));
                    let rev = tr
                        .weight
                        .as_ref()
                        .is_some_and(|w| w.reverse == Some(true));
                    quote!(TrackInterface { interface: #n, weight: Weight::new(#w), reverse: #rev })
                })
                .collect(),
        );
        let refs = |kind: TrackKind| -> Result<TokenStream, CodegenError> {
            let mut out = Vec::new();
            for tr in t.of(kind) {
                let name = &tr.name.value;
                let found = match kind {
                    TrackKind::Script => self.track.script(name),
                    TrackKind::File => self.track.file(name),
                    TrackKind::Process => self.track.process(name),
                    _ => None,
                };
                let Some(index) = found else {
                    // keepalived ignores an unknown tracker with a
                    // warning; the checks have reported it already.
                    continue;
                };
                let (own_w, own_rev) = self.own_weight(kind, name);
                let (w, rev) = match &tr.weight {
                    Some(lw) => (
                        i64::from(lw.weight.value),
                        lw.reverse.unwrap_or(false),
                    ),
                    None => (own_w, own_rev),
                };
                let _ = owner;
                let (index, w) = (num(index as u64), int(w));
                out.push(quote!(TrackRef { index: #index, weight: Weight::new(#w), reverse: #rev }));
            }
            Ok(slice(out))
        };
        Ok((
            ifs,
            refs(TrackKind::Script)?,
            refs(TrackKind::File)?,
            refs(TrackKind::Process)?,
        ))
    }

    fn own_weight(&self, kind: TrackKind, name: &str) -> (i64, bool) {
        let t = &self.config.track;
        let w = match kind {
            TrackKind::Script => t
                .vrrp_scripts
                .iter()
                .find(|s| s.name.value == name)
                .and_then(|s| s.weight.as_ref()),
            TrackKind::File => t
                .track_files
                .iter()
                .find(|s| s.name.value == name)
                .and_then(|s| s.weight.as_ref()),
            TrackKind::Process => t
                .track_processes
                .iter()
                .find(|s| s.name.value == name)
                .and_then(|s| s.weight.as_ref()),
            _ => None,
        };
        w.map_or((0, false), |w| (w.value.value, w.value.reverse))
    }

    fn garp(&self, i: &VrrpInstance) -> TokenStream {
        let g = &self.config.global;
        let pick = |inst: &Option<crate::ir::value::Sp<u32>>,
                    global: &Option<crate::ir::value::Sp<u64>>|
         -> Option<u64> {
            inst.as_ref()
                .map(|v| u64::from(v.value))
                .or(global.as_ref().map(|v| v.value))
        };
        let delay =
            pick(&i.garp_master_delay, &g.vrrp_garp_master_delay).unwrap_or(5);
        let repeat = pick(&i.garp_master_repeat, &g.vrrp_garp_master_repeat)
            .unwrap_or(5);
        let refresh = pick(&i.garp_master_refresh, &g.vrrp_garp_master_refresh)
            .filter(|r| *r > 0);
        let refresh_repeat = pick(
            &i.garp_master_refresh_repeat,
            &g.vrrp_garp_master_refresh_repeat,
        )
        .unwrap_or(1);
        let lp_delay =
            pick(&i.garp_lower_prio_delay, &g.vrrp_garp_lower_prio_delay);
        let lp_repeat =
            pick(&i.garp_lower_prio_repeat, &g.vrrp_garp_lower_prio_repeat);
        let interval =
            g.vrrp_garp_interval.as_ref().map_or(Micros(0), |v| v.value);
        let gna = g.vrrp_gna_interval.as_ref().map_or(Micros(0), |v| v.value);
        let (delay, repeat) = (secs(delay), num(repeat));
        let refresh = opt(refresh, secs);
        let rr = num(refresh_repeat);
        let lpd = opt(lp_delay, secs);
        let lpr = opt(lp_repeat, num);
        let (interval, gna) = (duration(interval), duration(gna));
        quote! {
            Garp {
                master_delay: #delay,
                master_repeat: #repeat,
                master_refresh: #refresh,
                master_refresh_repeat: #rr,
                lower_prio_delay: #lpd,
                lower_prio_repeat: #lpr,
                interval: #interval,
                gna_interval: #gna,
            }
        }
    }

    fn sync_group(&self, g: &SyncGroup) -> Result<TokenStream, CodegenError> {
        let name = &g.name.value;
        let members: Vec<TokenStream> = g
            .members()
            .filter_map(|m| {
                self.config
                    .vrrp
                    .instances
                    .iter()
                    .position(|i| i.name.value == m.value)
            })
            .map(|p| num(p as u64))
            .collect();
        let (ti, ts, tf, tp) = self.tracking(&g.tracking, name)?;
        let notify = notify(&g.notify);
        let tw = bool_(g.sync_group_tracking_weight);
        Ok(quote! {
            SyncGroup {
                name: #name,
                members: &[#(#members),*],
                track_interfaces: #ti,
                track_scripts: #ts,
                track_files: #tf,
                track_processes: #tp,
                notify: #notify,
                tracking_weight: #tw,
            }
        })
    }
}

fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

fn notify(n: &Notify) -> TokenStream {
    let c = |x: &Option<crate::ir::value::Sp<crate::ir::value::Command>>| {
        opt_command(x.as_ref().map(|c| &c.value))
    };
    let (m, b, f, s, a, l) = (
        c(&n.master),
        c(&n.backup),
        c(&n.fault),
        c(&n.stop),
        c(&n.notify),
        c(&n.master_rx_lower_pri),
    );
    quote! {
        Notify {
            master: #m,
            backup: #b,
            fault: #f,
            stop: #s,
            notify: #a,
            master_rx_lower_pri: #l,
        }
    }
}
