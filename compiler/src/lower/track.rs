//! Lowering of the tracked objects: `vrrp_script`, `track_file` (and its
//! deprecated synonym `vrrp_track_file`), `vrrp_track_process` and
//! `bfd_instance`.
//!
//! Each block lowers into a fresh object; after its block the required
//! settings are checked (keepalived drops an object without its script,
//! file, process or neighbour). Names must be unique per kind.

use std::net::IpAddr;

use super::value::{self, set_once};
use super::{dispatch, Args, Ctx, Kw, DUPLICATE_NAME};
use crate::ast::Node;
use crate::ir::track::*;
use crate::ir::value::{Micros, Sp};
use crate::ir::Config;

crate::codes! {
    SCRIPT_MISSING = 400, Error, "a `vrrp_script` without `script`";
    WHOLE_SECONDS = 401, Warning, "a fractional `vrrp_script` interval or timeout, which keepalived 2.2.7 refuses";
    ZERO_REPLACED = 402, Error, "a `vrrp_script` interval or timeout of 0, which keepalived replaces by 1";
    FILE_MISSING = 403, Error, "a `track_file` without `file`";
    PROCESS_MISSING = 404, Error, "a `vrrp_track_process` without `process`";
    QUORUM_CONFLICT = 405, Error, "a `vrrp_track_process` whose `quorum` exceeds its `quorum_max`";
    NEIGHBOR_MISSING = 406, Error, "a `bfd_instance` without `neighbor_ip`";
    BFD_FAMILY_MISMATCH = 407, Error, "a `bfd_instance` whose source and neighbour addresses differ in family";
    BFD_DUPLICATE_PEER = 408, Error, "two `bfd_instance`s with the same neighbour (and source) address";
    BFD_MAX_HOPS = 409, Error, "a `bfd_instance` whose `max_hops` exceeds its ttl/hoplimit";
    UNUSED_TRACKER = 410, Warning, "a `vrrp_script` that no instance or sync group tracks";
    INIT_VALUE_RANGE = 411, Warning, "a `track_file` `init_file` value outside -254..=254";
    BFD_NOT_SENSIBLE = 412, Warning, "a BFD interval or multiplier beyond what keepalived calls sensible";
    SET_TWICE = 413, Error, "a tracker setting keepalived takes only once, given again (the later one is ignored)";
    BAD_INIT_OPTION = 414, Error, "an unknown `init_file` option";
}

/// Top-level keywords this area handles.
pub static TOP: &[Kw<Config>] = &[
    Kw::block("vrrp_script", vrrp_script),
    Kw::block("track_file", track_file),
    Kw::block("vrrp_track_file", track_file).deprecated("track_file"),
    Kw::block("vrrp_track_process", track_process),
    Kw::block("bfd_instance", bfd_instance),
];

/// Reports a second object of a kind with the same name; `true` when new.
fn unique<'a>(
    ctx: &mut Ctx,
    kind: &str,
    name: &Sp<String>,
    mut existing: impl Iterator<Item = &'a Sp<String>>,
) -> bool {
    let Some(prev) = existing.find(|n| n.value == name.value) else {
        return true;
    };
    ctx.report(
        &DUPLICATE_NAME,
        name.span,
        format!("{kind} `{}` is defined twice", name.value),
    )
    .with_related(prev.span, "first defined here")
    .with_help("rename one of them");
    false
}

// ---- shared readers ----

/// `weight N [reverse]` with `N` in `-limit..=limit`.
fn weight(
    ctx: &mut Ctx,
    node: &Node,
    limit: i64,
    noreverse: bool,
) -> Option<Sp<Weight>> {
    let mut a = Args::new(node);
    let t = a.required(ctx, "weight")?;
    let value = value::int(ctx, t, -limit, limit, "weight")?;
    let mut reverse = false;
    if let Some(opt) = a.next() {
        let opts: &[(&str, bool)] = if noreverse {
            &[("reverse", true), ("noreverse", false)]
        } else {
            &[("reverse", true)]
        };
        reverse = value::choice(ctx, opt, opts, "weight option", false)?;
    }
    a.finish(ctx);
    Some(Sp::new(Weight { value, reverse }, t.span))
}

fn present(node: &Node, ctx: &mut Ctx) -> Sp<()> {
    value::bare(ctx, node);
    Sp::new((), node.keyword().span)
}

// ---- vrrp_script ----

static SCRIPT_KWS: &[Kw<VrrpScript>] = &[
    Kw::line("script", |ctx, n, s: &mut VrrpScript| {
        if let Some(c) = value::command(ctx, n, 1, false) {
            set_once(ctx, &mut s.script, c, n);
        }
    }),
    Kw::line("interval", |ctx, n, s: &mut VrrpScript| {
        if let Some(v) = script_secs(ctx, n) {
            set_once(ctx, &mut s.interval, v, n);
        }
    }),
    Kw::line("timeout", |ctx, n, s: &mut VrrpScript| {
        if let Some(v) = script_secs(ctx, n) {
            set_once(ctx, &mut s.timeout, v, n);
        }
    }),
    Kw::line("weight", |ctx, n, s: &mut VrrpScript| {
        if let Some(w) = weight(ctx, n, 253, false) {
            set_once(ctx, &mut s.weight, w, n);
        }
    }),
    Kw::line("rise", |ctx, n, s: &mut VrrpScript| {
        if let Some(v) = value::one_uint(ctx, n, 1, i32::MAX as u64) {
            set_once(ctx, &mut s.rise, v, n);
        }
    }),
    Kw::line("fall", |ctx, n, s: &mut VrrpScript| {
        if let Some(v) = value::one_uint(ctx, n, 1, i32::MAX as u64) {
            set_once(ctx, &mut s.fall, v, n);
        }
    }),
    Kw::line("user", |ctx, n, s: &mut VrrpScript| {
        if let Some(r) = super::global::run_as(ctx, n, 1) {
            set_once(ctx, &mut s.user, r, n);
        }
    }),
    Kw::line("init_fail", |ctx, n, s: &mut VrrpScript| {
        s.init_fail = Some(present(n, ctx));
    }),
];

fn vrrp_script(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let Some(name) = value::block_name(ctx, node) else {
        return;
    };
    let mut s = VrrpScript::new(name);
    dispatch(ctx, node.children(), &[SCRIPT_KWS], &mut s, "vrrp_script");
    if s.script.is_none() {
        ctx.report(&SCRIPT_MISSING, s.name.span, format!("vrrp_script `{}` has no `script`", s.name.value))
            .with_note("keepalived removes the vrrp_script, and instances tracking it ignore it")
            .with_help("add `script \"/path/to/check arguments\"` to the block");
    }
    if unique(
        ctx,
        "vrrp_script",
        &s.name,
        c.track.vrrp_scripts.iter().map(|s| &s.name),
    ) {
        c.track.vrrp_scripts.push(s);
    }
}

/// `interval` / `timeout`: whole seconds in 2.2.7 (decimals accepted with
/// a warning, as later keepalived reads them); 0 is an error.
fn script_secs(ctx: &mut Ctx, node: &Node) -> Option<Sp<Micros>> {
    let v = value::one_seconds(
        ctx,
        node,
        Micros(0),
        Micros::from_secs(u32::MAX as u64 / 1_000_000),
    )?;
    if v.value == Micros(0) {
        ctx.report(
            &ZERO_REPLACED,
            v.span,
            format!("vrrp_script `{}` must be at least 1 second", node.kw()),
        )
        .with_note("keepalived reports this and uses 1")
        .with_help(format!("write `{} 1`", node.kw()));
        return None;
    }
    if !v.value.is_whole_seconds() {
        ctx.report(&WHOLE_SECONDS, v.span, format!("vrrp_script `{}` {} is not a whole number of seconds", node.kw(), v.value))
            .with_note("keepalived 2.2.7 rejects fractional values here and keeps the default; later versions accept them")
            .with_help("write whole seconds if the config must also run on keepalived 2.2.7");
    }
    Some(v)
}

// ---- track_file ----

static FILE_KWS: &[Kw<TrackFile>] = &[
    Kw::line("file", |ctx, n, f: &mut TrackFile| {
        if let Some(v) = value::one_word(ctx, n, "file name") {
            value::set_first(ctx, &SET_TWICE, &mut f.file, v, n);
        }
    }),
    Kw::line("weight", |ctx, n, f: &mut TrackFile| {
        if let Some(w) = weight(ctx, n, 254, false) {
            value::set_first(ctx, &SET_TWICE, &mut f.weight, w, n);
        }
    }),
    Kw::line("init_file", init_file),
];

fn track_file(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let Some(name) = value::block_name(ctx, node) else {
        return;
    };
    let mut f = TrackFile {
        name,
        file: None,
        weight: None,
        init_file: None,
    };
    dispatch(ctx, node.children(), &[FILE_KWS], &mut f, "track_file");
    if f.file.is_none() {
        ctx.report(
            &FILE_MISSING,
            f.name.span,
            format!("track_file `{}` has no `file`", f.name.value),
        )
        .with_note("keepalived ignores the track_file")
        .with_help("add `file /path/to/file` to the block");
    }
    if unique(
        ctx,
        "track_file",
        &f.name,
        c.track.track_files.iter().map(|f| &f.name),
    ) {
        c.track.track_files.push(f);
    }
}

fn init_file(ctx: &mut Ctx, node: &Node, f: &mut TrackFile) {
    let mut init = InitFile::default();
    for t in node.args() {
        if t.text == "overwrite" {
            init.overwrite = true;
        } else if t.text.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
            let Some(v) = value::int(
                ctx,
                t,
                i32::MIN as i64,
                i32::MAX as i64,
                "init_file value",
            ) else {
                return;
            };
            if !(-254..=254).contains(&v) {
                ctx.report(&INIT_VALUE_RANGE, t.span, format!("init_file value {v} is outside -254..=254"))
                    .with_note("keepalived warns; the value times the weight is added to the priority");
            }
            init.value = Some(v);
        } else {
            ctx.report(
                &BAD_INIT_OPTION,
                t.span,
                format!("unknown init_file option `{}`", t.text),
            )
            .with_help("write `init_file [VALUE] [overwrite]`");
            return;
        }
    }
    set_once(
        ctx,
        &mut f.init_file,
        Sp::new(init, node.keyword().span),
        node,
    );
}

// ---- vrrp_track_process ----

static PROCESS_KWS: &[Kw<TrackProcess>] = &[
    Kw::line("process", |ctx, n, p: &mut TrackProcess| {
        let mut a = Args::new(n);
        if a.required(ctx, "process name").is_some() {
            let words: Vec<String> =
                n.args().iter().map(|t| t.text.clone()).collect();
            let span = n.args().first().map_or(n.keyword().span, |t| t.span);
            value::set_first(
                ctx,
                &SET_TWICE,
                &mut p.process,
                Sp::new(words, span),
                n,
            );
        }
    }),
    Kw::line("param_match", |ctx, n, p: &mut TrackProcess| {
        let mut a = Args::new(n);
        let v = match a.next() {
            None => ParamMatch::Exact,
            Some(t) => {
                let opts = [
                    ("initial", ParamMatch::Initial),
                    ("partial", ParamMatch::Partial),
                ];
                let Some(v) =
                    value::choice(ctx, t, &opts, "param_match type", false)
                else {
                    return;
                };
                v
            }
        };
        a.finish(ctx);
        set_once(ctx, &mut p.param_match, Sp::new(v, n.keyword().span), n);
    }),
    Kw::line("weight", |ctx, n, p: &mut TrackProcess| {
        if let Some(w) = weight(ctx, n, 254, false) {
            value::set_first(ctx, &SET_TWICE, &mut p.weight, w, n);
        }
    }),
    Kw::line("quorum", |ctx, n, p: &mut TrackProcess| {
        if let Some(v) = value::one_uint(ctx, n, 1, 65535) {
            set_once(ctx, &mut p.quorum, v, n);
        }
    }),
    Kw::line("quorum_max", |ctx, n, p: &mut TrackProcess| {
        if let Some(v) = value::one_uint(ctx, n, 0, 65535) {
            set_once(ctx, &mut p.quorum_max, v, n);
        }
    }),
    Kw::line("delay", |ctx, n, p: &mut TrackProcess| {
        if let Some(v) = process_delay(ctx, n) {
            set_once(ctx, &mut p.delay, v, n);
        }
    }),
    Kw::line("terminate_delay", |ctx, n, p: &mut TrackProcess| {
        if let Some(v) = process_delay(ctx, n) {
            set_once(ctx, &mut p.terminate_delay, v, n);
        }
    }),
    Kw::line("fork_delay", |ctx, n, p: &mut TrackProcess| {
        if let Some(v) = process_delay(ctx, n) {
            set_once(ctx, &mut p.fork_delay, v, n);
        }
    }),
    Kw::line("full_command", |ctx, n, p: &mut TrackProcess| {
        p.full_command = Some(present(n, ctx));
    }),
];

fn process_delay(ctx: &mut Ctx, node: &Node) -> Option<Sp<Micros>> {
    value::one_seconds(ctx, node, Micros(1), Micros::from_secs(3600))
}

fn track_process(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let Some(name) = value::block_name(ctx, node) else {
        return;
    };
    let mut p = TrackProcess {
        name,
        process: None,
        param_match: None,
        weight: None,
        quorum: None,
        quorum_max: None,
        fork_delay: None,
        terminate_delay: None,
        delay: None,
        full_command: None,
    };
    dispatch(
        ctx,
        node.children(),
        &[PROCESS_KWS],
        &mut p,
        "vrrp_track_process",
    );
    if p.process.is_none() {
        ctx.report(
            &PROCESS_MISSING,
            p.name.span,
            format!("vrrp_track_process `{}` has no `process`", p.name.value),
        )
        .with_note("keepalived drops the vrrp_track_process")
        .with_help("add `process NAME` to the block");
    }
    if let (Some(q), Some(m)) = (&p.quorum, &p.quorum_max) {
        if m.value != 0 && q.value > m.value {
            ctx.report(
                &QUORUM_CONFLICT,
                q.span,
                format!(
                    "`quorum` {} is greater than `quorum_max` {}",
                    q.value, m.value
                ),
            )
            .with_related(m.span, "quorum_max set here")
            .with_note("keepalived ignores the conflicting setting")
            .with_help("make `quorum` at most `quorum_max`");
        }
    }
    if unique(
        ctx,
        "vrrp_track_process",
        &p.name,
        c.track.track_processes.iter().map(|p| &p.name),
    ) {
        c.track.track_processes.push(p);
    }
}

// ---- bfd_instance ----

static BFD_KWS: &[Kw<BfdInstance>] = &[
    Kw::line("neighbor_ip", bfd_neighbor),
    Kw::line("neighbour_ip", bfd_neighbor),
    Kw::line("source_ip", |ctx, n, b: &mut BfdInstance| {
        if let Some(v) = value::one_ip(ctx, n) {
            set_once(ctx, &mut b.source_ip, v, n);
        }
    }),
    Kw::line("min_rx", |ctx, n, b: &mut BfdInstance| {
        if let Some(v) = bfd_ms(ctx, n, 1) {
            set_once(ctx, &mut b.min_rx, v, n);
        }
    }),
    Kw::line("min_tx", |ctx, n, b: &mut BfdInstance| {
        if let Some(v) = bfd_ms(ctx, n, 1) {
            set_once(ctx, &mut b.min_tx, v, n);
        }
    }),
    Kw::line("idle_tx", |ctx, n, b: &mut BfdInstance| {
        if let Some(v) = bfd_ms(ctx, n, 1000) {
            set_once(ctx, &mut b.idle_tx, v, n);
        }
    }),
    Kw::line("multiplier", |ctx, n, b: &mut BfdInstance| {
        if let Some(v) = value::one_uint(ctx, n, 1, 255) {
            if v.value > 10 {
                not_sensible(ctx, n, v.span, "10");
            }
            set_once(ctx, &mut b.multiplier, v, n);
        }
    }),
    Kw::line("passive", |ctx, n, b: &mut BfdInstance| {
        b.passive = Some(present(n, ctx));
    }),
    Kw::line("ttl", bfd_ttl),
    Kw::line("hoplimit", bfd_ttl),
    Kw::line("max_hops", |ctx, n, b: &mut BfdInstance| {
        if let Some(v) = value::one_int(ctx, n, -1, 255) {
            set_once(ctx, &mut b.max_hops, v, n);
        }
    }),
    Kw::line("weight", |ctx, n, b: &mut BfdInstance| {
        if let Some(w) = weight(ctx, n, 253, false) {
            set_once(ctx, &mut b.weight, w, n);
        }
    }),
    Kw::line("vrrp", |ctx, n, b: &mut BfdInstance| {
        b.vrrp = Some(present(n, ctx));
    }),
    Kw::line("checker", |ctx, n, b: &mut BfdInstance| {
        b.checker = Some(present(n, ctx));
    }),
];

fn bfd_neighbor(ctx: &mut Ctx, node: &Node, b: &mut BfdInstance) {
    if let Some(v) = value::one_ip(ctx, node) {
        set_once(ctx, &mut b.neighbor_ip, v, node);
    }
}

fn bfd_ttl(ctx: &mut Ctx, node: &Node, b: &mut BfdInstance) {
    if let Some(v) = value::one_uint(ctx, node, 1, 255) {
        set_once(ctx, &mut b.ttl, v, node);
    }
}

/// Milliseconds with up to 3 decimals, at least `min_ms`, in microseconds.
fn bfd_ms(ctx: &mut Ctx, node: &Node, min_ms: u64) -> Option<Sp<u64>> {
    let mut a = Args::new(node);
    let t = a.required(ctx, "milliseconds")?;
    a.finish(ctx);
    let max_ms = u64::from(u32::MAX) / 1000;
    // The decimal reader counts millionths of the written unit (here ms);
    // at most 3 decimals are allowed, so divide by 1000 for microseconds.
    let scaled = match value::parse_micros(&t.text) {
        Ok(v) if v.0 % 1000 == 0 => v.0 / 1000,
        Ok(_) => {
            ctx.report(
                &super::INVALID_DURATION,
                t.span,
                format!(
                    "`{}` `{}` has more than 3 decimals",
                    node.kw(),
                    t.text
                ),
            )
            .with_help(
                "BFD intervals are milliseconds with at most 3 decimals",
            );
            return None;
        }
        Err(msg) => {
            ctx.report(
                &super::INVALID_DURATION,
                t.span,
                format!("`{}` `{}` {msg}", node.kw(), t.text),
            )
            .with_help("BFD intervals are milliseconds, e.g. `10` or `2.5`");
            return None;
        }
    };
    if scaled < min_ms * 1000 || scaled > max_ms * 1000 {
        ctx.report(
            &super::OUT_OF_RANGE,
            t.span,
            format!(
                "`{}` {} ms is outside {min_ms}..={max_ms} ms",
                node.kw(),
                t.text
            ),
        )
        .with_label(format!("must be {min_ms}..={max_ms}"));
        return None;
    }
    if scaled > 10_000_000 {
        not_sensible(ctx, node, t.span, "10000");
    }
    Some(Sp::new(scaled, t.span))
}

fn not_sensible(
    ctx: &mut Ctx,
    node: &Node,
    span: crate::source::Span,
    max: &str,
) {
    ctx.report(
        &BFD_NOT_SENSIBLE,
        span,
        format!("`{}` is larger than the sensible maximum {max}", node.kw()),
    )
    .with_note("keepalived logs the same warning");
}

fn bfd_instance(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let Some(name) = value::block_name(ctx, node) else {
        return;
    };
    let mut b = BfdInstance::new(name);
    dispatch(ctx, node.children(), &[BFD_KWS], &mut b, "bfd_instance");
    // keepalived disables an incomplete instance; kac keeps it (after the
    // error) so that references to it still resolve.
    // A `neighbor_ip` line whose address was bad is already reported.
    let written = node.has_child(&["neighbor_ip", "neighbour_ip"]);
    bfd_complete(ctx, &b, written, &c.track.bfd_instances);
    if unique(
        ctx,
        "bfd_instance",
        &b.name,
        c.track.bfd_instances.iter().map(|b| &b.name),
    ) {
        c.track.bfd_instances.push(b);
    }
}

/// The end-of-block checks of a BFD instance.
fn bfd_complete(
    ctx: &mut Ctx,
    b: &BfdInstance,
    neighbor_written: bool,
    others: &[BfdInstance],
) {
    let Some(nbr) = &b.neighbor_ip else {
        if neighbor_written {
            return;
        }
        ctx.report(
            &NEIGHBOR_MISSING,
            b.name.span,
            format!("bfd_instance `{}` has no `neighbor_ip`", b.name.value),
        )
        .with_note("keepalived disables the instance")
        .with_help("add `neighbor_ip ADDRESS` to the block");
        return;
    };
    if let Some(src) = &b.source_ip {
        if src.value.is_ipv4() != nbr.value.is_ipv4() {
            ctx.report(&BFD_FAMILY_MISMATCH, src.span, format!("source_ip `{}` and neighbor_ip `{}` are of different families", src.value, nbr.value))
                .with_related(nbr.span, "neighbor_ip set here")
                .with_note("keepalived disables the instance");
            return;
        }
    }
    let key = |x: &BfdInstance| -> Option<(IpAddr, Option<IpAddr>)> {
        x.neighbor_ip
            .as_ref()
            .map(|n| (n.value, x.source_ip.as_ref().map(|s| s.value)))
    };
    if let Some(dup) = others.iter().find(|o| key(o) == key(b)) {
        ctx.report(
            &BFD_DUPLICATE_PEER,
            nbr.span,
            format!(
                "bfd_instance `{}` has the same neighbour as `{}`",
                b.name.value, dup.name.value
            ),
        )
        .with_related(dup.name.span, "the other instance")
        .with_note("keepalived ignores the second instance");
        return;
    }
    let ttl = b
        .ttl
        .as_ref()
        .map_or(if nbr.value.is_ipv4() { 255 } else { 64 }, |t| t.value);
    if let Some(h) = &b.max_hops {
        if h.value > ttl as i64 {
            ctx.report(
                &BFD_MAX_HOPS,
                h.span,
                format!("max_hops {} exceeds the ttl/hoplimit {ttl}", h.value),
            )
            .with_note("keepalived lowers max_hops to the ttl/hoplimit")
            .with_help(format!(
                "write `max_hops {ttl}` or less, or raise `ttl`"
            ));
        }
    }
}

/// Checks that need the whole configuration.
pub fn check(ctx: &mut Ctx, config: &Config) {
    check_unused_scripts(ctx, config);
}

/// A vrrp_script no instance or sync group tracks runs for nothing.
fn check_unused_scripts(ctx: &mut Ctx, config: &Config) {
    let tracked =
        |name: &str| {
            let in_instances = config.vrrp.instances.iter().any(|i| {
                i.tracking.scripts.iter().any(|t| t.name.value == name)
            });
            let in_groups = config.vrrp.sync_groups.iter().any(|g| {
                g.tracking.scripts.iter().any(|t| t.name.value == name)
            });
            in_instances || in_groups
        };
    for s in &config.track.vrrp_scripts {
        if !tracked(&s.name.value) {
            ctx.report(&UNUSED_TRACKER, s.name.span, format!("vrrp_script `{}` is not tracked by any vrrp_instance or sync group", s.name.value))
                .with_note("keepalived runs it anyway, but its result changes nothing")
                .with_help(format!("add `track_script {{ {} }}` to a vrrp_instance, or remove the vrrp_script", s.name.value));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{codes, compile};

    /// Codes for a config that also sets `enable_script_security`, so the
    /// global script-security warning stays out of the way.
    fn track_codes(text: &str) -> Vec<String> {
        let c = compile(&format!(
            "global_defs {{\n enable_script_security\n script_user nobody\n}}\n{text}"
        ));
        codes(&c).into_iter().filter(|c| c != "K0410").collect()
    }

    #[test]
    fn vrrp_script_values() {
        let c = compile(
            "vrrp_script chk {\n script \"/bin/check -x\"\n interval 2\n weight -20 reverse\n\
             rise 2\n fall 3\n user nobody\n init_fail\n}\n",
        );
        let s = &c.config.track.vrrp_scripts[0];
        assert_eq!(s.name.value, "chk");
        assert_eq!(
            s.script.as_ref().map(|c| c.value.script.argv.clone()),
            Some(vec!["/bin/check".into(), "-x".into()])
        );
        assert_eq!(s.interval.as_ref().map(|v| v.value.0), Some(2_000_000));
        assert_eq!(
            s.weight.as_ref().map(|w| (w.value.value, w.value.reverse)),
            Some((-20, true))
        );
        assert!(s.init_fail.is_some());
    }

    #[test]
    fn other_trackers() {
        let c = compile(
            "track_file f {\n file /tmp/x\n weight 3\n init_file 2 overwrite\n}\n\
             vrrp_track_process p {\n process haproxy -f x\n quorum 2\n quorum_max 4\n delay 0.5\n}\n\
             bfd_instance b {\n neighbor_ip 192.0.2.1\n min_rx 10.5\n ttl 20\n}\n",
        );
        assert!(!c.has_errors(), "{}", c.render_human());
        let t = &c.config.track;
        assert_eq!(
            t.track_files[0].init_file.as_ref().map(|i| i.value.value),
            Some(Some(2))
        );
        assert_eq!(
            t.track_processes[0].process.as_ref().map(|p| p.value.len()),
            Some(3)
        );
        assert_eq!(
            t.bfd_instances[0].min_rx.as_ref().map(|v| v.value),
            Some(10_500)
        );
    }

    #[test]
    fn errors() {
        assert_eq!(track_codes("vrrp_script s {\n interval 2\n}\n"), ["K0400"]);
        assert_eq!(
            track_codes("vrrp_script s {\n script /bin/x\n interval 1.5\n}\n"),
            ["K0401"]
        );
        assert_eq!(
            track_codes("vrrp_script s {\n script /bin/x\n timeout 0\n}\n"),
            ["K0402"]
        );
        assert_eq!(
            track_codes("vrrp_script s {\n script /bin/x\n weight 300\n}\n"),
            ["K0037"]
        );
        assert_eq!(
            track_codes("vrrp_script s {\n script /bin/x\n weight 3 rev\n}\n"),
            ["K0040"]
        );
        assert_eq!(track_codes("vrrp_script s {\n script /bin/x\n}\nvrrp_script s {\n script /bin/y\n}\n"), ["K0044"]);
        assert_eq!(track_codes("track_file f {\n weight 2\n}\n"), ["K0403"]);
        assert_eq!(
            track_codes("vrrp_track_process p {\n quorum 2\n}\n"),
            ["K0404"]
        );
        assert_eq!(track_codes("vrrp_track_process p {\n process x\n quorum 5\n quorum_max 2\n}\n"), ["K0405"]);
        assert_eq!(track_codes("bfd_instance b {\n min_rx 5\n}\n"), ["K0406"]);
        // A bad address is one error, not also "no neighbor_ip".
        assert_eq!(
            track_codes("bfd_instance b {\n neighbor_ip 192.0.2.300\n}\n"),
            ["K0039"]
        );
        assert_eq!(track_codes("bfd_instance b {\n neighbor_ip 192.0.2.1\n source_ip 2001:db8::1\n}\n"), ["K0407"]);
        assert_eq!(
            track_codes("bfd_instance a {\n neighbor_ip 192.0.2.1\n}\nbfd_instance b {\n neighbor_ip 192.0.2.1\n}\n"),
            ["K0408"]
        );
        assert_eq!(track_codes("bfd_instance b {\n neighbor_ip 2001:db8::1\n max_hops 100\n}\n"), ["K0409"]);
        assert_eq!(
            track_codes("track_file f {\n file /x\n init_file 300\n}\n"),
            ["K0411"]
        );
        assert_eq!(
            track_codes(
                "bfd_instance b {\n neighbor_ip 192.0.2.1\n multiplier 20\n}\n"
            ),
            ["K0412"]
        );
        assert_eq!(
            track_codes("track_file f {\n file /x\n file /y\n}\n"),
            ["K0413"]
        );
        assert_eq!(
            track_codes("track_file f {\n file /x\n init_file bogus\n}\n"),
            ["K0414"]
        );
    }

    #[test]
    fn unused_script_warning() {
        let c = compile("global_defs {\n enable_script_security\n script_user nobody\n}\nvrrp_script s {\n script /bin/x\n}\n");
        assert_eq!(codes(&c), ["K0410"]);
    }

    #[test]
    fn dump_round_trip() {
        let text = "vrrp_script s {\n script \"/bin/a 'b c'\"\n interval 1\n user u g\n}\n\
                    vrrp_track_file f {\n file \"/tmp/a b\"\n weight -3 reverse\n init_file\n}\n\
                    vrrp_track_process p {\n process \"my proc\" arg\n param_match\n full_command\n}\n\
                    bfd_instance b {\n neighbour_ip 2001:db8::1\n min_tx 1.125\n passive\n vrrp\n}\n";
        let a = compile(text);
        assert!(!a.has_errors(), "{}", a.render_human());
        let d1 = a.dump();
        let b = compile(&d1);
        assert!(!b.has_errors(), "{}\n{d1}", b.render_human());
        assert_eq!(a.config.track, b.config.track);
        assert_eq!(b.dump(), d1);
    }
}
