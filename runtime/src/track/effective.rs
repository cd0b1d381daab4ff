//! An instance's effective priority and fault state from the current
//! tracker states, as keepalived 2.2.7 computes them.
//!
//! keepalived keeps a running `total_priority` that it adjusts on every
//! tracker change (vrrp_track.c `process_script_update_priority`,
//! `process_update_track_process_status`, track_file.c
//! `process_update_vrrp_track_file_status`, vrrp_scheduler.c interface
//! handling). Every adjustment is the difference between a tracker's
//! contribution before and after, so the total is the sum of
//! contributions of the current states; this module computes that sum
//! directly, which is what makes it a pure function.
//!
//! Per tracker with weight `w` and multiplier `m` (-1 with `reverse`):
//! * interface / script / process, `w == 0`: failed (down, script KO,
//!   no quorum; the opposite with `reverse`) puts the instance in FAULT;
//! * `w > 0`: `+w*m` while OK (up, script OK, quorum), else nothing;
//! * `w < 0`: `+w*m` while failed, else nothing;
//! * file, `w == 0`: a non-zero value (zero with `reverse`) is FAULT;
//!   else `value*w*m` clamped to -254..=253, and -254 is FAULT.
//!
//! Then `effective = clamp(base + sum, 1, 254)`; an address owner (base
//! 255) keeps 255 whatever the trackers say (`vrrp_set_effective_priority`).
//!
//! Which trackers apply (vrrp.c `vrrp_complete_instance` 3825-3900 and
//! `sync_group_tracking_init` 3991-4110):
//! * the instance's own interface, weight 0, unless `dont_track_primary`;
//!   a `track_interface` line naming the own interface is ignored;
//! * address owner, or sync-group member without
//!   `sync_group_tracking_weight`: weighted interfaces become weight 0
//!   (owner: dropped), weighted scripts are dropped, files with weight 1
//!   become weight 0 and other weighted files are dropped; processes are
//!   kept as they are (2.2.7 does not touch them);
//! * the sync group's trackers apply to every member, with weight 0 when
//!   a member is an address owner; where the member already tracks the
//!   same object, a weighted member entry takes the group's weight (and,
//!   except for processes, its reverse) and an unweighted one stays
//!   unweighted; `dont_track_primary`'s "not tracked" marker counts as
//!   weighted there.

use crate::site::vrrp::{TrackInterface, TrackRef};
use crate::site::{IfName, Site};

/// A `vrrp_script`'s state as the trackers report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptState {
    /// Not yet run (keepalived's `SCRIPT_INIT_STATE_INIT`): a weighted
    /// script adds nothing; an unweighted one holds the instance in
    /// FAULT without notifying (see [`Effective::init`]).
    Init,
    Ok,
    Failed,
    /// Cannot run (missing, not executable, refused by
    /// `enable_script_security`): keepalived drops it from every
    /// instance, so it counts for nothing.
    Disabled,
}

/// The current state of every tracked object, by site table index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackerStates {
    /// Per [`Site::scripts`].
    pub scripts: Vec<ScriptState>,
    /// Per [`Site::track_files`]: the value read (0 when missing).
    pub files: Vec<i64>,
    /// Per [`Site::track_processes`]: whether the quorum holds.
    pub processes: Vec<bool>,
}

impl TrackerStates {
    /// keepalived's state at start-up, before anything has run: scripts
    /// `Init` (or `Failed` with `init_fail`), files 0, processes without
    /// quorum (the process trackers report the real count at start).
    pub fn initial(site: &Site) -> TrackerStates {
        TrackerStates {
            scripts: site
                .scripts
                .iter()
                .map(|s| {
                    if s.init_fail {
                        ScriptState::Failed
                    } else {
                        ScriptState::Init
                    }
                })
                .collect(),
            files: vec![0; site.track_files.len()],
            processes: vec![false; site.track_processes.len()],
        }
    }

    /// Apply one tracker event.
    pub fn apply(&mut self, ev: &super::TrackEvent) {
        use super::TrackEvent;
        match *ev {
            TrackEvent::Script { index, ok } => {
                if let Some(s) = self.scripts.get_mut(index) {
                    *s = if ok {
                        ScriptState::Ok
                    } else {
                        ScriptState::Failed
                    };
                }
            }
            TrackEvent::ScriptDisabled { index } => {
                if let Some(s) = self.scripts.get_mut(index) {
                    *s = ScriptState::Disabled;
                }
            }
            TrackEvent::File { index, value } => {
                if let Some(v) = self.files.get_mut(index) {
                    *v = value;
                }
            }
            TrackEvent::Process { index, ok } => {
                if let Some(p) = self.processes.get_mut(index) {
                    *p = ok;
                }
            }
        }
    }
}

/// What the trackers make of an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Effective {
    /// A tracked object puts the instance in FAULT.
    pub fault: bool,
    /// An unweighted script has not reported yet: keepalived keeps the
    /// instance (and its sync group) out of BACKUP/MASTER, in FAULT
    /// without running notify scripts ("Entering FAULT STATE (init)").
    pub init: bool,
    /// The priority to advertise, 1..=254 (255 for an address owner).
    pub priority: u8,
    /// `base + contributions` before clamping (diagnostics).
    pub total: i32,
}

/// keepalived's `VRRP_NOT_TRACK_IF`: the own interface with
/// `dont_track_primary`.
const NOT_TRACKED: i32 = 255;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry<K> {
    key: K,
    weight: i32,
    reverse: bool,
}

/// The effective priority and fault state of `site.instances[instance]`.
/// `link_up` says whether an interface is up (keepalived's
/// `IF_FLAGS_UP`: administratively up and running).
///
/// # Panics
/// If `instance` is out of range, or `states` does not match the site's
/// tables.
pub fn effective(
    site: &Site,
    instance: usize,
    states: &TrackerStates,
    link_up: impl Fn(IfName) -> bool,
) -> Effective {
    let inst = &site.instances[instance];
    let base = i32::from(inst.priority.get());
    let owner = base == 255;
    let group = site
        .sync_groups
        .iter()
        .find(|g| g.members.contains(&instance));
    let sync_unweighted = group.is_some_and(|g| !g.tracking_weight);
    let strip = owner || sync_unweighted;

    // Interfaces.
    let mut ifs: Vec<Entry<IfName>> = vec![Entry {
        key: inst.interface,
        weight: if inst.dont_track_primary {
            NOT_TRACKED
        } else {
            0
        },
        reverse: false,
    }];
    for t in inst.track_interfaces {
        if t.interface == inst.interface
            || ifs.iter().any(|e| e.key == t.interface)
        {
            continue;
        }
        let mut e = if_entry(t);
        if strip && e.weight != 0 {
            if owner && !sync_unweighted {
                continue;
            }
            e.weight = 0;
        }
        ifs.push(e);
    }

    // Scripts, files, processes of the instance itself.
    let mut scripts: Vec<Entry<usize>> = inst
        .track_scripts
        .iter()
        .map(ref_entry)
        .filter(|e| !(strip && e.weight != 0))
        .collect();
    let mut files: Vec<Entry<usize>> = Vec::new();
    for e in inst.track_files.iter().map(ref_entry) {
        match (strip, e.weight) {
            (true, 1) => files.push(Entry { weight: 0, ..e }),
            (true, w) if w != 0 => {}
            _ => files.push(e),
        }
    }
    let mut procs: Vec<Entry<usize>> =
        inst.track_processes.iter().map(ref_entry).collect();

    // The sync group's trackers.
    if let Some(g) = group {
        let owner_member = g.members.iter().any(|&m| {
            site.instances
                .get(m)
                .is_some_and(|i| i.priority.get() == 255)
        });
        let w = |weight: i32| if owner_member { 0 } else { weight };
        for t in g.track_interfaces {
            let e = Entry {
                weight: w(i32::from(t.weight.get())),
                ..if_entry(t)
            };
            merge(&mut ifs, e, true);
        }
        for e in g.track_scripts.iter().map(ref_entry) {
            merge(
                &mut scripts,
                Entry {
                    weight: w(e.weight),
                    ..e
                },
                true,
            );
        }
        for e in g.track_files.iter().map(ref_entry) {
            merge(
                &mut files,
                Entry {
                    weight: w(e.weight),
                    ..e
                },
                true,
            );
        }
        for e in g.track_processes.iter().map(ref_entry) {
            merge(
                &mut procs,
                Entry {
                    weight: w(e.weight),
                    ..e
                },
                false,
            );
        }
    }

    let mut fault = false;
    let mut init = false;
    let mut total = base;
    let mut flag = |ok: bool, weight: i32, reverse: bool, total: &mut i32| {
        if weight == 0 {
            // Failed (or OK with reverse): FAULT.
            if ok == reverse {
                fault = true;
            }
        } else if (ok && weight > 0) || (!ok && weight < 0) {
            *total += if reverse { -weight } else { weight };
        }
    };
    for e in &ifs {
        if e.weight != NOT_TRACKED {
            flag(link_up(e.key), e.weight, e.reverse, &mut total);
        }
    }
    for e in &procs {
        flag(states.processes[e.key], e.weight, e.reverse, &mut total);
    }
    for e in &scripts {
        match states.scripts[e.key] {
            ScriptState::Init => init |= e.weight == 0,
            ScriptState::Disabled => {}
            s => flag(s == ScriptState::Ok, e.weight, e.reverse, &mut total),
        }
    }
    for e in &files {
        let v = states.files[e.key];
        let m: i64 = if e.reverse { -1 } else { 1 };
        if e.weight == 0 {
            if (v != 0) == (m == 1) {
                fault = true;
            }
            continue;
        }
        let status = v
            .saturating_mul(i64::from(e.weight))
            .saturating_mul(m)
            .clamp(-254, 253);
        if status == -254 {
            fault = true;
        } else {
            total += status as i32;
        }
    }

    let priority = if owner {
        255
    } else {
        total.clamp(1, 254) as u8
    };
    Effective {
        fault,
        init,
        priority,
        total,
    }
}

fn if_entry(t: &TrackInterface) -> Entry<IfName> {
    Entry {
        key: t.interface,
        weight: i32::from(t.weight.get()),
        reverse: t.reverse,
    }
}

fn ref_entry(t: &TrackRef) -> Entry<usize> {
    Entry {
        key: t.index,
        weight: i32::from(t.weight.get()),
        reverse: t.reverse,
    }
}

/// Add a sync group's tracker to a member's list (keepalived's
/// `add_vrrp_to_track_*`): a weighted existing entry takes the group's
/// weight (and reverse, when `with_reverse`), an unweighted one stays.
fn merge<K: PartialEq>(
    list: &mut Vec<Entry<K>>,
    e: Entry<K>,
    with_reverse: bool,
) {
    match list.iter_mut().find(|x| x.key == e.key) {
        Some(x) => {
            if x.weight != 0 {
                x.weight = e.weight;
                if with_reverse {
                    x.reverse = e.reverse;
                }
            }
        }
        None => list.push(e),
    }
}
