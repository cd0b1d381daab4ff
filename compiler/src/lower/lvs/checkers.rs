//! Checker blocks of a `real_server`: TCP_CHECK, HTTP_GET, SSL_GET,
//! SMTP_CHECK, DNS_CHECK, MISC_CHECK, UDP_CHECK, PING_CHECK, FILE_CHECK,
//! BFD_CHECK (keepalived's check_*.c).
//!
//! Network checkers share the connection options of check_api.c; all but
//! FILE_CHECK and BFD_CHECK share the timing options. A checker keepalived
//! would drop at the end of its block (MISC_CHECK without `misc_path`,
//! HTTP_GET without `url`, ...) is reported on its closing brace, where
//! keepalived reports it, and left out of the IR.

use std::net::IpAddr;

use super::{
    legacy, opt_flag, opt_word, HasTiming, BAD_DIGEST, BAD_DNS_NAME, BAD_HEX,
    BAD_STATUS_CODE, CHECKER_INCOMPLETE, FAMILY_MISMATCH, INEFFECTIVE,
    LINK_LOCAL, UDP_LENGTHS, WEIGHT_LIMIT,
};
use crate::ast::Node;
use crate::ir::lvs::{
    CheckDetail, Checker, CheckerKind, Digest, DnsType, HexString, HttpCheck,
    HttpProtocol, RealServer, StatusRange, Timing, Url,
};
use crate::ir::value::{Micros, RunAs, Sp};
use crate::lex::Token;
use crate::lower::value::{self, set_once};
use crate::lower::{dispatch, Args, Ctx, Kw, MISSING_PARAMETER};
use crate::source::Span;

impl HasTiming for Checker {
    fn timing(&mut self) -> &mut Timing {
        &mut self.timing
    }
    const MIN_RETRY: u64 = 0;
}

/// The checker block keywords, as entries of a real_server table.
pub(super) static RS_CHECKERS: &[Kw<RealServer>] = &[
    Kw::block("TCP_CHECK", checker_block),
    Kw::block("HTTP_GET", checker_block),
    Kw::block("SSL_GET", checker_block),
    Kw::block("SMTP_CHECK", checker_block),
    Kw::block("DNS_CHECK", checker_block),
    Kw::block("MISC_CHECK", checker_block),
    Kw::block("UDP_CHECK", checker_block),
    Kw::block("PING_CHECK", checker_block),
    Kw::block("FILE_CHECK", checker_block),
    Kw::block("BFD_CHECK", checker_block),
];

// ===== keyword tables =====

/// check_api.c connection options.
static CONN: &[Kw<Checker>] = &[
    Kw::line("connect_ip", |c, n, k| {
        if let Some(v) = value::one_ip(c, n) {
            set_once(c, &mut k.conn.connect_ip, v, n);
        }
    }),
    Kw::line("connect_port", |c, n, k| {
        if let Some(v) = value::one_uint(c, n, 1, 65535) {
            set_once(c, &mut k.conn.connect_port, v.map(|p| p as u16), n);
        }
    }),
    Kw::line("bindto", |c, n, k| {
        if let Some(v) = value::one_ip(c, n) {
            set_once(c, &mut k.conn.bindto, v, n);
        }
    }),
    Kw::line("bind_port", |c, n, k| {
        if let Some(v) = value::one_uint(c, n, 1, 65535) {
            set_once(c, &mut k.conn.bind_port, v.map(|p| p as u16), n);
        }
    }),
    Kw::line("bind_if", |c, n, k| {
        opt_word(c, n, &mut k.conn.bind_if, "interface")
    }),
    Kw::line("connect_timeout", |c, n, k| {
        if let Some(v) = value::one_seconds(c, n, Micros(1), super::CONNECT_MAX)
        {
            set_once(c, &mut k.conn.connect_timeout, v, n);
        }
    }),
    Kw::line("fwmark", |c, n, k| {
        if let Some(v) = value::one_uint(c, n, 0, u64::from(u32::MAX)) {
            set_once(c, &mut k.conn.fwmark, v.map(|m| m as u32), n);
        }
    }),
];

/// check_api.c options of every checker but FILE_CHECK and BFD_CHECK.
static COMMON: &[Kw<Checker>] = &[
    Kw::line("retry", super::retry::<Checker>),
    Kw::line("delay_before_retry", super::delay_before_retry::<Checker>),
    Kw::line("warmup", super::warmup::<Checker>),
    Kw::line("delay_loop", super::delay_loop::<Checker>),
    Kw::line("alpha", |c, n, k| opt_flag(c, n, &mut k.alpha)),
    Kw::line("log_all_failures", |c, n, k| {
        opt_flag(c, n, &mut k.log_all_failures)
    }),
];

/// Keywords of older keepalived that 2.2.7 rejects in non-HTTP checkers.
static LEGACY: &[Kw<Checker>] = &[Kw::any("nb_get_retry", |c, n, _| {
    legacy(
            c,
            n,
            "this checker",
            "write `retry` (2.2.7 accepts `nb_get_retry` only in HTTP_GET and SSL_GET)",
        )
})];

static HTTP: &[Kw<Checker>] = &[
    Kw::line("nb_get_retry", super::retry::<Checker>).deprecated("retry"),
    Kw::line("virtualhost", |c, n, k| {
        if let CheckDetail::Http(h) = &mut k.detail {
            opt_word(c, n, &mut h.virtualhost, "host name");
        }
    }),
    Kw::line("http_protocol", http_protocol),
    Kw::line("enable_sni", |c, n, k| {
        if let CheckDetail::Http(h) = &mut k.detail {
            opt_flag(c, n, &mut h.enable_sni);
        }
    }),
    Kw::line("fast_recovery", |c, n, k| {
        if let CheckDetail::Http(h) = &mut k.detail {
            opt_flag(c, n, &mut h.fast_recovery);
        }
    }),
    Kw::block("url", url_block),
];

static URL: &[Kw<Url>] = &[
    Kw::line("path", |c, n, u| opt_word(c, n, &mut u.path, "path")),
    Kw::line("digest", digest),
    Kw::line("status_code", status_code),
    Kw::line("virtualhost", |c, n, u| {
        opt_word(c, n, &mut u.virtualhost, "host name")
    }),
    Kw::line("regex", |c, n, u| {
        opt_word(c, n, &mut u.regex, "regular expression")
    }),
    Kw::line("regex_no_match", |c, n, u| {
        value::bare(c, n);
        u.regex_no_match = true;
    }),
    Kw::line("regex_options", regex_options),
    Kw::line("regex_min_offset", |c, n, u| {
        if let Some(v) = value::one_uint(c, n, 0, u64::MAX - 1) {
            set_once(c, &mut u.regex_min_offset, v, n);
        }
    }),
    Kw::line("regex_max_offset", |c, n, u| {
        if let Some(v) = value::one_uint(c, n, 0, u64::MAX - 1) {
            set_once(c, &mut u.regex_max_offset, v, n);
        }
    }),
    Kw::line("regex_stack", regex_stack),
];

static SMTP: &[Kw<Checker>] = &[
    Kw::line("helo_name", |c, n, k| {
        if let CheckDetail::Smtp(s) = &mut k.detail {
            opt_word(c, n, &mut s.helo_name, "name");
        }
    }),
    Kw::block("host", smtp_host),
];

static DNS: &[Kw<Checker>] = &[
    Kw::line("type", |c, n, k| {
        let mut a = Args::new(n);
        let Some(t) = a.required(c, "query type") else {
            return;
        };
        a.finish(c);
        let v = value::choice(c, t, DnsType::ALL, "DNS_CHECK type", true);
        if let (CheckDetail::Dns(d), Some(v)) = (&mut k.detail, v) {
            set_once(c, &mut d.query_type, Sp::new(v, t.span), n);
        }
    }),
    Kw::line("name", dns_name),
];

static MISC: &[Kw<Checker>] = &[
    Kw::line("misc_path", |c, n, k| {
        let cmd = value::command(c, n, 1, false);
        if let (CheckDetail::Misc(m), Some(cmd)) = (&mut k.detail, cmd) {
            set_once(c, &mut m.path, cmd, n);
        }
    }),
    Kw::line("misc_timeout", |c, n, k| {
        let v = value::one_uint(c, n, 0, u64::from(u32::MAX) / 1_000_000);
        if let (CheckDetail::Misc(m), Some(v)) = (&mut k.detail, v) {
            set_once(c, &mut m.timeout, v.map(|s| s as u32), n);
        }
    }),
    Kw::line("misc_dynamic", |c, n, k| {
        value::bare(c, n);
        if let CheckDetail::Misc(m) = &mut k.detail {
            m.dynamic = true;
        }
    }),
    Kw::line("user", misc_user),
];

static UDP: &[Kw<Checker>] = &[
    Kw::line("payload", |c, n, k| {
        let Some(h) = hex(c, n, false) else { return };
        if let (CheckDetail::Udp(u), Some(h)) = (&mut k.detail, h) {
            set_once(c, &mut u.payload, h, n);
        } else {
            c.report(
                &MISSING_PARAMETER,
                n.keyword().span,
                "`payload` is missing its hex string",
            );
        }
    }),
    Kw::line("require_reply", |c, n, k| {
        let Some(h) = hex(c, n, true) else { return };
        if let CheckDetail::Udp(u) = &mut k.detail {
            let span = h.as_ref().map_or(n.keyword().span, |h| h.span);
            set_once(
                c,
                &mut u.require_reply,
                Sp::new(h.map(|h| h.value), span),
                n,
            );
        }
    }),
    Kw::line("min_reply_length", |c, n, k| {
        let v = value::one_uint(c, n, 0, 65535);
        if let (CheckDetail::Udp(u), Some(v)) = (&mut k.detail, v) {
            set_once(c, &mut u.min_reply_length, v.map(|l| l as u16), n);
        }
    }),
    Kw::line("max_reply_length", |c, n, k| {
        let v = value::one_uint(c, n, 0, 65535);
        if let (CheckDetail::Udp(u), Some(v)) = (&mut k.detail, v) {
            set_once(c, &mut u.max_reply_length, v.map(|l| l as u16), n);
        }
    }),
];

static FILE: &[Kw<Checker>] = &[
    Kw::line("track_file", |c, n, k| {
        if let CheckDetail::File(f) = &mut k.detail {
            opt_word(c, n, &mut f.track_file, "track_file name");
        }
    }),
    Kw::line("weight", file_weight),
];

static BFD: &[Kw<Checker>] = &[
    Kw::line("name", |c, n, k| {
        if let CheckDetail::Bfd(b) = &mut k.detail {
            opt_word(c, n, &mut b.name, "bfd_instance name");
        }
    }),
    Kw::line("alpha", |c, n, k| opt_flag(c, n, &mut k.alpha)),
];

type Tables = &'static [&'static [Kw<Checker>]];

static NET_TABLES: Tables = &[CONN, COMMON, LEGACY];
static HTTP_TABLES: Tables = &[CONN, COMMON, HTTP];
static SMTP_TABLES: Tables = &[CONN, COMMON, SMTP, LEGACY];
static DNS_TABLES: Tables = &[CONN, COMMON, DNS, LEGACY];
static UDP_TABLES: Tables = &[CONN, COMMON, UDP, LEGACY];
static MISC_TABLES: Tables = &[COMMON, MISC, LEGACY];
static FILE_TABLES: Tables = &[FILE];
static BFD_TABLES: Tables = &[BFD];

/// The tables a checker kind reads.
fn tables(kind: CheckerKind) -> Tables {
    match kind {
        CheckerKind::Tcp | CheckerKind::Ping => NET_TABLES,
        CheckerKind::HttpGet | CheckerKind::SslGet => HTTP_TABLES,
        CheckerKind::Smtp => SMTP_TABLES,
        CheckerKind::Dns => DNS_TABLES,
        CheckerKind::Udp => UDP_TABLES,
        CheckerKind::Misc => MISC_TABLES,
        CheckerKind::File => FILE_TABLES,
        CheckerKind::Bfd => BFD_TABLES,
    }
}

// ===== blocks =====

fn checker_block(ctx: &mut Ctx, node: &Node, rs: &mut RealServer) {
    let Some((_, kind)) =
        CheckerKind::ALL.iter().find(|(n, _)| *n == node.kw())
    else {
        return;
    };
    value::bare(ctx, node);
    let mut checker = Checker::new(Sp::new(*kind, node.keyword().span));
    dispatch(ctx, node.children(), tables(*kind), &mut checker, node.kw());
    if complete(ctx, node, &mut checker) {
        bindto_family(ctx, &checker.conn, &rs.addr);
        if let CheckDetail::Smtp(smtp) = &checker.detail {
            for host in &smtp.hosts {
                bindto_family(ctx, host, &rs.addr);
            }
        }
        rs.checkers.push(checker);
    }
}

/// keepalived 2.2.7 checks `bindto` against the address the checker
/// connects to *when it reads bindto*: `connect_ip` if written before it,
/// else the real server's address. On a mismatch it drops bindto. (Both
/// given, of different families: [`connection_ok`] reports it.) An
/// SMTP_CHECK's own bindto (outside `host { }`) keepalived does not check
/// at all; kac reports it too, deliberately: binding a socket of the real
/// server's family to that address fails, so the check could never pass.
fn bindto_family(
    ctx: &mut Ctx,
    co: &crate::ir::lvs::ConnectOpts,
    rs: &Sp<IpAddr>,
) {
    let Some(src) = &co.bindto else { return };
    if let Some(dst) = &co.connect_ip {
        let (d, b) = (dst.span, src.span);
        let before = d.file == b.file && (d.line, d.col) < (b.line, b.col);
        if before || dst.is_ipv4() != src.is_ipv4() {
            return;
        }
    }
    if src.is_ipv4() != rs.is_ipv4() {
        ctx.report(
            &FAMILY_MISMATCH,
            src.span,
            format!(
                "bindto `{}` is not of the family of real server `{}`",
                src.value, rs.value
            ),
        )
        .with_related(rs.span, "the checker connects here")
        .with_note("keepalived ignores this bindto: the checker connects to the real server unless `connect_ip` comes before `bindto`")
        .with_help("bind to an address of the real server's family, or write `connect_ip` before `bindto`");
    }
}

/// Where keepalived reports end-of-block problems: the closing brace.
fn end_span(node: &Node) -> Span {
    node.block
        .as_ref()
        .and_then(|b| b.close)
        .unwrap_or(node.keyword().span)
}

fn incomplete(ctx: &mut Ctx, node: &Node, msg: String, help: &str) {
    ctx.report(&CHECKER_INCOMPLETE, end_span(node), msg)
        .with_related(node.keyword().span, "checker starts here")
        .with_note("keepalived drops this checker")
        .with_help(help.to_owned());
}

/// End-of-block checks; false when keepalived would drop the checker.
fn complete(ctx: &mut Ctx, node: &Node, c: &mut Checker) -> bool {
    let kw = node.kw();
    let ok = match &c.detail {
        CheckDetail::Http(h) if h.urls.is_empty() => {
            incomplete(
                ctx,
                node,
                format!("{kw} has no `url`"),
                "add `url { path /PATH }`",
            );
            false
        }
        CheckDetail::Misc(m) if m.path.is_none() => {
            incomplete(
                ctx,
                node,
                "MISC_CHECK has no `misc_path`".into(),
                "add `misc_path /path/to/script`",
            );
            false
        }
        CheckDetail::File(f) if f.track_file.is_none() => {
            incomplete(
                ctx,
                node,
                "FILE_CHECK has no `track_file`".into(),
                "add `track_file NAME`",
            );
            false
        }
        CheckDetail::Bfd(b) if b.name.is_none() => {
            incomplete(
                ctx,
                node,
                "BFD_CHECK has no `name`".into(),
                "add `name BFD_INSTANCE`",
            );
            false
        }
        CheckDetail::Udp(u) => udp_lengths(ctx, u),
        _ => true,
    };
    ok & connection_ok(ctx, &c.conn)
}

fn udp_lengths(ctx: &mut Ctx, u: &crate::ir::lvs::UdpCheck) -> bool {
    let min = u.min_reply_length.map_or(0, |v| v.value);
    let max = u.max_reply_length.map_or(255, |v| v.value);
    if min > max {
        let span = u.min_reply_length.map(|v| v.span);
        ctx.report(
            &UDP_LENGTHS,
            span,
            format!("UDP_CHECK min_reply_length {min} is above max_reply_length {max}"),
        )
        .with_note("the check always fails (max_reply_length defaults to 255)");
    }
    true
}

/// connect_ip and bindto of one family; a link-local connect_ip needs
/// bind_if.
fn connection_ok(ctx: &mut Ctx, co: &crate::ir::lvs::ConnectOpts) -> bool {
    let mut ok = true;
    if let (Some(dst), Some(src)) = (&co.connect_ip, &co.bindto) {
        if dst.is_ipv4() != src.is_ipv4() {
            ctx.report(
                &FAMILY_MISMATCH,
                src.span,
                format!(
                    "bindto `{}` and connect_ip `{}` are of different families",
                    src.value, dst.value
                ),
            )
            .with_related(dst.span, "connect_ip given here")
            .with_note("keepalived ignores the later of the two");
        }
    }
    if let Some(dst) = &co.connect_ip {
        let link_local = matches!(dst.value, IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80);
        if link_local && co.bind_if.is_none() {
            ctx.report(
                &LINK_LOCAL,
                dst.span,
                format!(
                    "link-local connect_ip `{}` needs `bind_if`",
                    dst.value
                ),
            )
            .with_note("keepalived drops this checker")
            .with_help(
                "add `bind_if IFNAME` naming the interface to reach it on",
            );
            ok = false;
        }
    }
    ok
}

// ===== HTTP_GET / SSL_GET =====

fn http_protocol(ctx: &mut Ctx, node: &Node, k: &mut Checker) {
    let mut a = Args::new(node);
    let Some(t) = a.required(ctx, "version") else {
        return;
    };
    a.finish(ctx);
    let versions = [
        ("1.0", HttpProtocol::V1_0),
        ("1.1", HttpProtocol::V1_1),
        ("1.0C", HttpProtocol::V1_0C),
        ("1.0c", HttpProtocol::V1_0C),
    ];
    let v = value::choice(ctx, t, &versions, "http_protocol version", false);
    if let (CheckDetail::Http(h), Some(v)) = (&mut k.detail, v) {
        set_once(ctx, &mut h.http_protocol, Sp::new(v, t.span), node);
    }
}

fn url_block(ctx: &mut Ctx, node: &Node, k: &mut Checker) {
    value::bare(ctx, node);
    let mut url = Url::default();
    dispatch(ctx, node.children(), &[URL], &mut url, "url");
    let CheckDetail::Http(h) = &mut k.detail else {
        return;
    };
    if url.path.is_none() {
        incomplete_url(ctx, node);
        return;
    }
    regex_consistency(ctx, &url);
    push_url(h, url);
}

fn incomplete_url(ctx: &mut Ctx, node: &Node) {
    ctx.report(&CHECKER_INCOMPLETE, end_span(node), "`url` has no `path`")
        .with_related(node.keyword().span, "url starts here")
        .with_note("keepalived ignores this url")
        .with_help("add `path /PATH`");
}

fn push_url(h: &mut HttpCheck, url: Url) {
    h.urls.push(url);
}

/// Regex settings without `regex` are dropped by keepalived, as are
/// offsets whose min is not below max.
fn regex_consistency(ctx: &mut Ctx, url: &Url) {
    if url.regex.is_none() {
        let stray = url
            .regex_options
            .first()
            .map(|o| o.span)
            .or(url.regex_min_offset.map(|o| o.span))
            .or(url.regex_max_offset.map(|o| o.span))
            .or(url.regex_stack.map(|o| o.span));
        if stray.is_some() || url.regex_no_match {
            ctx.report(
                &INEFFECTIVE,
                stray,
                "regex settings without `regex` are ignored",
            )
            .with_help("add `regex PATTERN`, or remove the regex_* lines");
        }
    }
    if let (Some(min), Some(max)) = (url.regex_min_offset, url.regex_max_offset)
    {
        if min.value > max.value {
            ctx.report(
                &INEFFECTIVE,
                min.span,
                format!(
                    "regex_min_offset {} is above regex_max_offset {}",
                    min.value, max.value
                ),
            )
            .with_note("keepalived then ignores both offsets");
        }
    }
}

fn digest(ctx: &mut Ctx, node: &Node, url: &mut Url) {
    let mut a = Args::new(node);
    let Some(t) = a.required(ctx, "MD5 digest") else {
        return;
    };
    a.finish(ctx);
    match parse_digest(&t.text) {
        Some(d) => set_once(ctx, &mut url.digest, Sp::new(d, t.span), node),
        None => {
            ctx.report(
                &BAD_DIGEST,
                t.span,
                format!("digest `{}` is not 32 hexadecimal digits", t.text),
            )
            .with_help("use the MD5 of the page, e.g. from `genhash`")
            .with_note("keepalived ignores the digest");
        }
    }
}

fn parse_digest(t: &str) -> Option<Digest> {
    if t.len() != 32 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(t.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(Digest(out))
}

fn status_code(ctx: &mut Ctx, node: &Node, url: &mut Url) {
    if node.args().is_empty() {
        ctx.report(
            &MISSING_PARAMETER,
            node.keyword().span,
            "`status_code` is missing its codes",
        );
        return;
    }
    for t in node.args() {
        match parse_status(&t.text) {
            Some(r) => url.status_codes.push(Sp::new(r, t.span)),
            None => {
                let d = ctx.report(
                    &BAD_STATUS_CODE,
                    t.span,
                    format!(
                        "status_code `{}` is not a code or range in 100..599",
                        t.text
                    ),
                );
                d.with_note("keepalived ignores it");
                if let Some(first) = t.text.strip_suffix("xx") {
                    d.with_help(format!(
                        "write the range: `{first}00-{first}99`"
                    ));
                } else {
                    d.with_help("write a code (`200`) or a range (`200-299`)");
                }
            }
        }
    }
}

fn parse_status(t: &str) -> Option<StatusRange> {
    let (a, b) = t.split_once('-').unwrap_or((t, t));
    let all_digits =
        |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if !all_digits(a) || !all_digits(b) {
        return None;
    }
    let (min, max): (u16, u16) = (a.parse().ok()?, b.parse().ok()?);
    let ok =
        (100..=599).contains(&min) && (100..=599).contains(&max) && min <= max;
    ok.then_some(StatusRange { min, max })
}

/// PCRE2 option names keepalived maps.
const REGEX_OPTIONS: &[&str] = &[
    "allow_empty_class",
    "alt_bsux",
    "auto_callout",
    "caseless",
    "dollar_endonly",
    "dotall",
    "dupnames",
    "extended",
    "firstline",
    "match_unset_backref",
    "multiline",
    "never_ucp",
    "never_utf",
    "no_auto_capture",
    "no_auto_possess",
    "no_dotstar_anchor",
    "no_start_optimize",
    "ucp",
    "ungreedy",
    "utf",
    "never_backslash_c",
    "alt_circumflex",
    "alt_verbnames",
    "use_offset_limit",
];

fn regex_options(ctx: &mut Ctx, node: &Node, url: &mut Url) {
    let options: Vec<(&str, &str)> =
        REGEX_OPTIONS.iter().map(|o| (*o, *o)).collect();
    for t in node.args() {
        if let Some(o) = value::choice(ctx, t, &options, "regex option", false)
        {
            url.regex_options.push(Sp::new(o.to_owned(), t.span));
        }
    }
}

fn regex_stack(ctx: &mut Ctx, node: &Node, url: &mut Url) {
    let mut a = Args::new(node);
    let (Some(s), Some(m)) = (
        a.required(ctx, "start size"),
        a.required(ctx, "maximum size"),
    ) else {
        return;
    };
    a.finish(ctx);
    let start = value::uint(ctx, s, 0, u64::MAX, "regex_stack start");
    let max = value::uint(ctx, m, 0, u64::MAX, "regex_stack max");
    let (Some(start), Some(max)) = (start, max) else {
        return;
    };
    if start > max {
        ctx.report(
            &super::super::OUT_OF_RANGE,
            s.span,
            format!("regex_stack start {start} is above its max {max}"),
        )
        .with_note("keepalived ignores the line");
        return;
    }
    set_once(
        ctx,
        &mut url.regex_stack,
        Sp::new((start, max), s.span.to(m.span)),
        node,
    );
}

// ===== SMTP_CHECK =====

/// Legacy `host { connect options }`: one more target for the checker;
/// its timing options set the checker's own, as in keepalived.
fn smtp_host(ctx: &mut Ctx, node: &Node, k: &mut Checker) {
    value::bare(ctx, node);
    let mut host = Checker::new(k.kind);
    dispatch(
        ctx,
        node.children(),
        &[CONN, COMMON],
        &mut host,
        "SMTP_CHECK host",
    );
    if !connection_ok(ctx, &host.conn) {
        return;
    }
    merge_timing(&mut k.timing, host.timing);
    if host.alpha.is_some() {
        k.alpha = host.alpha;
    }
    if host.log_all_failures.is_some() {
        k.log_all_failures = host.log_all_failures;
    }
    if let CheckDetail::Smtp(s) = &mut k.detail {
        s.hosts.push(host.conn);
    }
}

fn merge_timing(into: &mut Timing, from: Timing) {
    into.delay_loop = from.delay_loop.or(into.delay_loop);
    into.retry = from.retry.or(into.retry);
    into.delay_before_retry =
        from.delay_before_retry.or(into.delay_before_retry);
    into.warmup = from.warmup.or(into.warmup);
}

// ===== DNS_CHECK =====

fn dns_name(ctx: &mut Ctx, node: &Node, k: &mut Checker) {
    let mut a = Args::new(node);
    let Some(t) = a.required(ctx, "query name") else {
        return;
    };
    a.finish(ctx);
    let n = t.text.as_str();
    let empty_label = (n.starts_with('.') && n != ".") || n.contains("..");
    if empty_label {
        ctx.report(
            &BAD_DNS_NAME,
            t.span,
            format!("DNS_CHECK name `{n}` has an empty label"),
        )
        .with_note("keepalived ignores the name and queries `.`");
        return;
    }
    if let CheckDetail::Dns(d) = &mut k.detail {
        set_once(ctx, &mut d.name, Sp::new(n.to_owned(), t.span), node);
    }
}

// ===== MISC_CHECK =====

fn misc_user(ctx: &mut Ctx, node: &Node, k: &mut Checker) {
    let mut a = Args::new(node);
    let Some(u) = a.required(ctx, "user name") else {
        return;
    };
    let g = a.next();
    a.finish(ctx);
    let span = g.map_or(u.span, |g| u.span.to(g.span));
    let run_as = RunAs {
        user: u.text.clone(),
        group: g.map(|g| g.text.clone()),
    };
    if let CheckDetail::Misc(m) = &mut k.detail {
        set_once(ctx, &mut m.user, Sp::new(run_as, span), node);
    }
}

// ===== UDP_CHECK =====

/// A hex string over the rest of the line. Outer `None`: an error was
/// reported; inner `None`: no words.
fn hex(
    ctx: &mut Ctx,
    node: &Node,
    wildcard: bool,
) -> Option<Option<Sp<HexString>>> {
    let words = node.args();
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return Some(None);
    };
    if let Some(bad) = words.iter().find(|t| !hex_word(t, wildcard)) {
        let d = ctx.report(
            &BAD_HEX,
            bad.span,
            format!("`{}` of `{}` is not hexadecimal", bad.text, node.kw()),
        );
        d.with_note("keepalived ignores the line");
        if wildcard {
            d.with_help(
                "write hex digits, `X` for a nibble that may be anything",
            );
        } else {
            d.with_help("write the payload as hex digits, e.g. `0a1b 2c3d`");
        }
        return None;
    }
    let h = HexString(words.iter().map(|t| t.text.clone()).collect());
    Some(Some(Sp::new(h, first.span.to(last.span))))
}

fn hex_word(t: &Token, wildcard: bool) -> bool {
    !t.text.is_empty()
        && t.text.bytes().all(|b| {
            b.is_ascii_hexdigit() || (wildcard && (b == b'x' || b == b'X'))
        })
}

// ===== FILE_CHECK =====

fn file_weight(ctx: &mut Ctx, node: &Node, k: &mut Checker) {
    let mut a = Args::new(node);
    let Some(t) = a.required(ctx, "weight") else {
        return;
    };
    let w = value::int(
        ctx,
        t,
        -(WEIGHT_LIMIT as i64),
        WEIGHT_LIMIT as i64,
        "FILE_CHECK weight",
    );
    let reverse = match a.next() {
        None => Some(None),
        Some(r) => {
            let opts = [("reverse", true), ("noreverse", false)];
            value::choice(ctx, r, &opts, "weight option", false).map(Some)
        }
    };
    a.finish(ctx);
    let (Some(w), Some(reverse), CheckDetail::File(f)) =
        (w, reverse, &mut k.detail)
    else {
        return;
    };
    set_once(ctx, &mut f.weight, Sp::new(w as i32, t.span), node);
    f.reverse = reverse;
}
