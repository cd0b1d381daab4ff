//! `vrrp_script`, `track_file`, `vrrp_track_process`, and the name →
//! index maps instances and sync groups resolve their trackers with.

use proc_macro2::TokenStream;
use quote::quote;

use super::emit::{bool_, command, duration, int, num, opt, opt_str, slice};
use crate::ir::track::{ParamMatch, Weight};
use crate::ir::value::Micros;
use crate::ir::Config;

/// Where each named tracker lands in the site's tables.
pub struct Tables {
    scripts: Vec<String>,
    files: Vec<String>,
    processes: Vec<String>,
}

fn weight(w: Option<Weight>) -> (TokenStream, bool) {
    let w = w.unwrap_or(Weight {
        value: 0,
        reverse: false,
    });
    let v = int(w.value);
    (quote!(Weight::new(#v)), w.reverse)
}

impl Tables {
    pub fn new(c: &Config) -> Tables {
        let t = &c.track;
        Tables {
            // A script without a command is an error the checks report;
            // it never reaches here, but skip it rather than emit junk.
            scripts: t
                .vrrp_scripts
                .iter()
                .filter(|s| s.script.is_some())
                .map(|s| s.name.value.clone())
                .collect(),
            files: t
                .track_files
                .iter()
                .filter(|f| f.file.is_some())
                .map(|f| f.name.value.clone())
                .collect(),
            processes: t
                .track_processes
                .iter()
                .filter(|p| p.process.is_some())
                .map(|p| p.name.value.clone())
                .collect(),
        }
    }

    pub fn script(&self, name: &str) -> Option<usize> {
        self.scripts.iter().position(|n| n == name)
    }

    pub fn file(&self, name: &str) -> Option<usize> {
        self.files.iter().position(|n| n == name)
    }

    pub fn process(&self, name: &str) -> Option<usize> {
        self.processes.iter().position(|n| n == name)
    }

    pub fn scripts(&self, c: &Config) -> TokenStream {
        let items = c
            .track
            .vrrp_scripts
            .iter()
            .filter_map(|s| {
                let cmd = &s.script.as_ref()?.value;
                let mut cmd_t = command(cmd);
                if cmd.run_as.is_none() {
                    if let Some(u) = &s.user {
                        let user = &u.user;
                        let group = opt_str(u.group.as_deref());
                        cmd_t = quote!(#cmd_t.run_as(#user, #group));
                    }
                }
                let interval = s.interval_or_default();
                let timeout = s.timeout.as_ref().map_or(interval, |t| t.value);
                let (w, reverse) = weight(s.weight.as_ref().map(|w| w.value));
                let name = &s.name.value;
                let iv = num(interval.0.max(1));
                let timeout = duration(timeout);
                let rise = num(s.rise.as_ref().map_or(1, |r| r.value));
                let fall = num(s.fall.as_ref().map_or(1, |r| r.value));
                let init_fail = bool_(s.init_fail.is_some());
                Some(quote! {
                    VrrpScript {
                        name: #name,
                        command: #cmd_t,
                        interval: Interval::from_micros(#iv),
                        timeout: #timeout,
                        weight: #w,
                        reverse: #reverse,
                        rise: #rise,
                        fall: #fall,
                        init_fail: #init_fail,
                    }
                })
            })
            .collect();
        slice(items)
    }

    pub fn files(&self, c: &Config) -> TokenStream {
        let items = c
            .track
            .track_files
            .iter()
            .filter_map(|f| {
                let path = &f.file.as_ref()?.value;
                let name = &f.name.value;
                let (w, reverse) = weight(f.weight.as_ref().map(|w| w.value));
                let init = f.init_file.as_ref().map(|i| i.value);
                let init_value = opt(init, |i| int(i.value.unwrap_or(0)));
                let overwrite = bool_(init.is_some_and(|i| i.overwrite));
                Some(quote! {
                    TrackFile {
                        name: #name,
                        path: #path,
                        weight: #w,
                        reverse: #reverse,
                        init_value: #init_value,
                        init_overwrite: #overwrite,
                    }
                })
            })
            .collect();
        slice(items)
    }

    pub fn processes(&self, c: &Config) -> TokenStream {
        let items = c
            .track
            .track_processes
            .iter()
            .filter_map(|p| {
                let words = &p.process.as_ref()?.value;
                let name = &p.name.value;
                let (w, reverse) = weight(p.weight.as_ref().map(|w| w.value));
                let pm = match p.param_match.as_ref().map(|m| m.value) {
                    None | Some(ParamMatch::Exact) => quote!(ParamMatch::Exact),
                    Some(ParamMatch::Initial) => quote!(ParamMatch::Initial),
                    Some(ParamMatch::Partial) => quote!(ParamMatch::Partial),
                };
                let quorum = num(p.quorum.as_ref().map_or(1, |q| q.value));
                let quorum_max = opt(p.quorum_max.as_ref(), |q| num(q.value));
                let delay = p.delay.as_ref().map(|d| d.value);
                let d = |x: Option<Micros>| opt(x.or(delay), duration);
                let fork = d(p.fork_delay.as_ref().map(|d| d.value));
                let term = d(p.terminate_delay.as_ref().map(|d| d.value));
                let full = bool_(p.full_command.is_some());
                Some(quote! {
                    TrackProcess {
                        name: #name,
                        process: &[#(#words),*],
                        param_match: #pm,
                        weight: #w,
                        reverse: #reverse,
                        quorum: #quorum,
                        quorum_max: #quorum_max,
                        fork_delay: #fork,
                        terminate_delay: #term,
                        full_command: #full,
                    }
                })
            })
            .collect();
        slice(items)
    }
}
