//! kac(1), rendered from the clap definition so the page cannot drift
//! from the command line.

use clap_mangen::Man;

/// kac(1) in roff: the top-level page, then one subsection per visible
/// subcommand with its synopsis and options.
pub fn kac_page() -> String {
    let cmd = crate::command();
    let mut out = Vec::new();
    let top = Man::new(cmd.clone()).manual("kac manual");
    // Writes into a Vec cannot fail.
    let _ = top.render_title(&mut out);
    let _ = top.render_name_section(&mut out);
    let _ = top.render_synopsis_section(&mut out);
    let _ = top.render_description_section(&mut out);
    let _ = top.render_options_section(&mut out);
    // Not clap_mangen's SUBCOMMANDS section: it points to kac-check(1)
    // and so on, pages that do not exist. One page holds them all.
    out.extend_from_slice(b".SH COMMANDS\n");
    let subs = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help");
    for sub in subs {
        let name = format!("kac {}", sub.get_name());
        let sub = sub.clone().bin_name(&name);
        let page = Man::new(sub);
        let mut body = Vec::new();
        let _ = page.render_synopsis_section(&mut body);
        let _ = page.render_description_section(&mut body);
        let _ = page.render_options_section(&mut body);
        let body = String::from_utf8_lossy(&body)
            // Each subcommand is a subsection of COMMANDS.
            .replace(".SH SYNOPSIS", &format!(".SS \"{name}\""))
            .replace(".SH DESCRIPTION\n", ".PP\n")
            .replace(".SH OPTIONS\n", ".PP\nOptions:\n");
        out.extend_from_slice(body.as_bytes());
    }
    let mut extra = Vec::new();
    let _ = top.render_extra_section(&mut extra);
    // after_help holds the exit codes.
    let extra = String::from_utf8_lossy(&extra)
        .replace(".SH EXTRA", ".SH \"EXIT STATUS\"");
    out.extend_from_slice(extra.as_bytes());
    let _ = top.render_version_section(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}
