//! Every keyword keepalived 2.2.7 installs, in the block it installs it in,
//! is accepted by kac (`tests/data/keywords-2.2.7.tsv`), and a few keywords
//! that only later keepalived versions know are rejected.
//!
//! Each TSV row is compiled on its own, inside a minimal config that opens
//! the row's block path (`virtual_server/real_server/HTTP_GET/url`). The
//! keyword must not be reported as unknown, misplaced, of the wrong shape
//! (block vs line) or as an old/forked/newer keyword. Other diagnostics
//! (a minimal config is rarely complete) are fine here: value checking is
//! tested elsewhere.

use kac_compiler::{compile_str, Compilation, Options};

const TABLE: &str = include_str!("data/keywords-2.2.7.tsv");

/// Codes saying "keepalived does not take this keyword here": generic
/// unknown keyword and block-shape errors, and the targeted errors of the
/// areas (misplaced in global_defs, newer than 2.2.7, a word in
/// vrrp_sync_group outside `group { }`, legacy/forked).
const REJECTING: &[&str] = &[
    "K0030", "K0031", "K0032", "K0100", "K0112", "K0225", "K0312",
];

/// The name written after a block keyword of the path (`vrrp_instance VI_1`).
fn block_header(block: &str) -> String {
    let name = match block {
        "vrrp_instance" => "VI_1",
        "vrrp_sync_group" => "SG1",
        "vrrp_script" => "chk",
        "track_file" | "vrrp_track_file" => "tf",
        "vrrp_track_process" => "tp",
        "bfd_instance" => "bfd1",
        "track_group" => "TG1",
        "virtual_server" => "192.0.2.1 80",
        "real_server" => "192.0.2.10 80",
        _ => return block.to_owned(),
    };
    format!("{block} {name}")
}

/// Writes `keyword sample` with the sample's inline `{`, `}` and `;`
/// turned into one entry per line.
fn write_entry(out: &mut String, depth: usize, keyword: &str, sample: &str) {
    let mut depth = depth;
    let mut line: Vec<&str> = vec![keyword];
    let flush = |out: &mut String, line: &mut Vec<&str>, depth: usize| {
        if !line.is_empty() {
            out.push_str(&"    ".repeat(depth));
            out.push_str(&line.join(" "));
            out.push('\n');
            line.clear();
        }
    };
    for word in sample.split_whitespace() {
        match word {
            "{" => {
                line.push("{");
                flush(out, &mut line, depth);
                depth += 1;
            }
            "}" => {
                flush(out, &mut line, depth);
                depth = depth.saturating_sub(1);
                line.push("}");
                flush(out, &mut line, depth);
            }
            ";" => flush(out, &mut line, depth),
            w => line.push(w),
        }
    }
    flush(out, &mut line, depth);
}

/// A minimal config with `keyword sample` inside the block path `context`.
fn config_for(context: &str, keyword: &str, sample: &str) -> String {
    let blocks: Vec<&str> = if context == "top" {
        Vec::new()
    } else {
        context.split('/').collect()
    };
    let mut out = String::new();
    for (depth, block) in blocks.iter().enumerate() {
        out.push_str(&"    ".repeat(depth));
        out.push_str(&block_header(block));
        out.push_str(" {\n");
    }
    write_entry(&mut out, blocks.len(), keyword, sample);
    for depth in (0..blocks.len()).rev() {
        out.push_str(&"    ".repeat(depth));
        out.push_str("}\n");
    }
    out
}

/// One fact of the table.
struct Row<'a> {
    context: &'a str,
    keyword: &'a str,
    note: &'a str,
    sample: &'a str,
}

fn rows() -> Vec<Row<'static>> {
    TABLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut f = l.split('\t');
            let mut next = || f.next().unwrap_or("-");
            let (context, keyword, note, sample) =
                (next(), next(), next(), next());
            Row {
                context,
                keyword,
                note,
                sample: if sample == "-" { "" } else { sample },
            }
        })
        .collect()
}

fn compile(text: &str) -> Compilation {
    compile_str("keywords.conf", text, &Options::default())
}

fn rejections(c: &Compilation) -> Vec<String> {
    c.diagnostics
        .iter()
        .filter(|d| REJECTING.contains(&d.code.name().as_str()))
        .map(|d| format!("{}: {}", d.code.name(), d.message))
        .collect()
}

#[test]
fn table_is_well_formed() {
    let rows = rows();
    assert!(rows.len() > 450, "only {} rows", rows.len());
    let mut seen = std::collections::HashSet::new();
    for r in &rows {
        assert!(
            !r.context.is_empty()
                && !r.keyword.is_empty()
                && !r.note.is_empty()
        );
        assert!(
            seen.insert((r.context, r.keyword)),
            "duplicate row {} / {}",
            r.context,
            r.keyword
        );
    }
    // Every block path's parent keyword has its own row.
    for r in rows.iter().filter(|r| r.context != "top") {
        let (parent, last) = match r.context.rsplit_once('/') {
            Some((p, l)) => (p, l),
            None => ("top", r.context),
        };
        assert!(
            seen.contains(&(parent, last)),
            "{} has no row for its block `{last}` in `{parent}`",
            r.context
        );
    }
}

#[test]
fn every_keepalived_2_2_7_keyword_is_accepted_in_its_block() {
    let mut failures = Vec::new();
    for r in rows() {
        let text = config_for(r.context, r.keyword, r.sample);
        let c = compile(&text);
        let rejected = rejections(&c);
        if !rejected.is_empty() {
            failures.push(format!(
                "{} / {} ({}):\n{text}  -> {}",
                r.context,
                r.keyword,
                r.note,
                rejected.join("\n     ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} keyword(s) rejected:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Keywords of keepalived versions after 2.2.7, which 2.2.7 reports as
/// unknown: kac must reject them too.
#[test]
fn keywords_newer_than_2_2_7_are_rejected() {
    let newer = [
        ("global_defs", "vrrp_delay_after_boot", "30"),
        ("global_defs", "vrrp_owner_ignore_adverts", ""),
        ("global_defs", "json_version", "2"),
        ("global_defs", "state_dump_file", "/tmp/state"),
        ("global_defs", "iproute_etc_dir", "/etc/iproute2"),
        ("global_defs", "use_symlink_paths", ""),
        ("global_defs", "v3_checksum_as_v2", ""),
        ("vrrp_instance", "no_virtual_ipaddress", ""),
        ("vrrp_instance", "owner_ignore_adverts", ""),
        ("vrrp_instance", "v3_checksum_as_v2", ""),
        ("bfd_instance", "multihop", ""),
        ("virtual_server/real_server/SSL_GET", "tls_compliant", ""),
    ];
    let mut failures = Vec::new();
    for (context, keyword, sample) in newer {
        let text = config_for(context, keyword, sample);
        let c = compile(&text);
        if rejections(&c).is_empty() {
            failures.push(format!("{context} / {keyword}:\n{text}"));
        }
    }
    assert!(
        failures.is_empty(),
        "accepted keyword(s) keepalived 2.2.7 does not know:\n\n{}",
        failures.join("\n\n")
    );
}

/// Keywords keepalived 2.2.7 installs in no block: added by later versions
/// (`vrrp_delay_after_boot`, `no_virtual_ipaddress`, ...), removed in 2.x
/// (`lvs_id`) or from forks (`syn_proxy`, `laddr_group_name`).
const NOT_IN_2_2_7: &[&str] = &[
    "vrrp_delay_after_boot",
    "vrrp_owner_ignore_adverts",
    "json_version",
    "state_dump_file",
    "stats_dump_file",
    "json_dump_file",
    "iproute_etc_dir",
    "iproute_usr_dir",
    "use_symlink_paths",
    "set_supplementary_groups",
    "v3_checksum_as_v2",
    "dbus_no_interface_name",
    "snmp_vs_stats_update_interval",
    "snmp_rs_stats_update_interval",
    "no_virtual_ipaddress",
    "owner_ignore_adverts",
    "timer_expired_backup",
    "thread_timer_expired",
    "multihop",
    "tls_compliant",
    "sni_name",
    "lvs_id",
    "syn_proxy",
    "laddr_group_name",
];

/// The reverse of the table: every keyword of the table (and every one of
/// [`NOT_IN_2_2_7`]), tried in every
/// block that 2.2.7 does not install it in, is rejected.
#[test]
fn keywords_of_other_blocks_are_rejected() {
    let rows = rows();
    let known: std::collections::HashSet<(&str, &str)> =
        rows.iter().map(|r| (r.context, r.keyword)).collect();
    let mut contexts: Vec<&str> = rows.iter().map(|r| r.context).collect();
    contexts.sort_unstable();
    contexts.dedup();
    // One sample per keyword name (the first row's), then the keywords
    // 2.2.7 installs nowhere.
    let mut names: Vec<(&str, &str)> = Vec::new();
    for r in &rows {
        if !names.iter().any(|(k, _)| *k == r.keyword) {
            names.push((r.keyword, r.sample));
        }
    }
    names.extend(NOT_IN_2_2_7.iter().map(|k| (*k, "1")));
    let mut failures = Vec::new();
    for context in &contexts {
        for (keyword, sample) in &names {
            if known.contains(&(*context, *keyword)) {
                continue;
            }
            let text = config_for(context, keyword, sample);
            if rejections(&compile(&text)).is_empty() {
                failures.push(format!("{context} / {keyword}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} keyword(s) accepted in a block keepalived 2.2.7 does not install them in:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Keywords 2.2.7 installs in one block only are rejected in another.
#[test]
fn keywords_are_rejected_outside_their_block() {
    let misplaced = [
        ("global_defs", "garp_master_delay", "5"),
        ("vrrp_instance", "vrrp_garp_master_delay", "5"),
        ("virtual_server", "nb_get_retry", "3"),
        ("virtual_server/real_server/TCP_CHECK", "nb_get_retry", "3"),
        (
            "virtual_server/real_server/MISC_CHECK",
            "connect_timeout",
            "5",
        ),
        ("vrrp_script", "track_script", "{ chk }"),
    ];
    for (context, keyword, sample) in misplaced {
        let text = config_for(context, keyword, sample);
        let c = compile(&text);
        assert!(
            !rejections(&c).is_empty(),
            "`{keyword}` accepted in {context}:\n{text}"
        );
    }
}

/// Entries a block needs besides the tested keyword for kac to keep it
/// (a checker without its target is dropped, as keepalived drops it).
fn companions(
    context: &str,
    keyword: &str,
) -> &'static [(&'static str, &'static str)] {
    let ck = "virtual_server/real_server/";
    match context.strip_prefix(ck) {
        Some("MISC_CHECK") => &[("misc_path", "/bin/true")],
        Some("HTTP_GET" | "SSL_GET") => &[("url", "{ path / }")],
        Some("HTTP_GET/url" | "SSL_GET/url") => &[("path", "/")],
        Some("FILE_CHECK") => &[("track_file", "tf")],
        Some("BFD_CHECK") => &[("name", "bfd1")],
        _ if context == "virtual_server"
            && keyword.starts_with("sorry_server_") =>
        {
            &[("sorry_server", "192.0.2.20 80")]
        }
        _ => &[],
    }
}

/// The spelling kac writes back for `keyword`: its current name for a
/// deprecated one or a synonym.
fn canonical<'a>(keyword: &'a str, note: &'a str) -> &'a str {
    if let Some(current) = note.split("deprecated: ").nth(1) {
        if !current.contains(' ') {
            return current;
        }
    }
    match keyword {
        "lb_algo" => "lvs_sched",
        "lb_kind" => "lvs_method",
        "global_tracking" => "sync_group_tracking_weight",
        "neighbour_ip" => "neighbor_ip",
        "hoplimit" => "ttl",
        k => k,
    }
}

/// Accepted is not enough: each keyword's setting reaches the IR and
/// comes back in the dump (under its current spelling).
#[test]
fn every_keepalived_2_2_7_keyword_survives_the_dump() {
    // Targets for FILE_CHECK and BFD_CHECK.
    let prelude = "track_file tf {\n    file /tmp/tf\n}\nbfd_instance bfd1 {\n    neighbor_ip 192.0.2.2\n}\n";
    let mut failures = Vec::new();
    for r in rows() {
        let mut text = String::new();
        if r.context.starts_with("virtual_server/real_server/") {
            text.push_str(prelude);
        }
        let blocks: Vec<&str> = if r.context == "top" {
            Vec::new()
        } else {
            r.context.split('/').collect()
        };
        for (depth, block) in blocks.iter().enumerate() {
            text.push_str(&"    ".repeat(depth));
            text.push_str(&block_header(block));
            text.push_str(" {\n");
        }
        for (k, v) in companions(r.context, r.keyword) {
            if *k != r.keyword {
                write_entry(&mut text, blocks.len(), k, v);
            }
        }
        write_entry(&mut text, blocks.len(), r.keyword, r.sample);
        for depth in (0..blocks.len()).rev() {
            text.push_str(&"    ".repeat(depth));
            text.push_str("}\n");
        }
        let dump = compile(&text).dump();
        let want = canonical(r.keyword, r.note);
        let found = dump
            .lines()
            .any(|l| l.split_whitespace().next() == Some(want));
        if !found {
            failures.push(format!(
                "{} / {} (want `{want}`):\n{text}  dump:\n{dump}",
                r.context, r.keyword
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} keyword(s) lost by lowering or dump:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn config_for_writes_one_entry_per_line() {
    let text = config_for(
        "virtual_server/real_server",
        "HTTP_GET",
        "{ url { path / ; status_code 200 } }",
    );
    let want = "\
virtual_server 192.0.2.1 80 {
    real_server 192.0.2.10 80 {
        HTTP_GET {
            url {
                path /
                status_code 200
            }
        }
    }
}
";
    assert_eq!(text, want);
}
