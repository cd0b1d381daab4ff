//! kacd's command line: keepalived's habits where they still make sense
//! (`-n`, `-l`, `-D`, `-S`, `-P`, `-C`, `-p`, `-v`), plus the actions
//! only a compiled config allows (`--dump-config`, `--preflight`,
//! `--plan`). One clap definition serves parsing, `--help` and the
//! kacd(8) man page (`--generate-man`), so they cannot drift apart.

use std::path::PathBuf;

use clap::{ArgGroup, CommandFactory, Parser};

use crate::log::Facility;
use crate::signals::SignalName;

/// Where pid, state and dump files go unless `--runtime-dir` says
/// otherwise (systemd's `RuntimeDirectory=kacd`).
pub const DEFAULT_RUNTIME_DIR: &str = "/run/kacd";

/// Exit status for success.
pub const EXIT_OK: u8 = 0;
/// Exit status for a failure (or, for `--preflight`, a FAIL finding).
pub const EXIT_FAILURE: u8 = 1;
/// Exit status for a usage error.
pub const EXIT_USAGE: u8 = 2;

const ABOUT: &str = "keepalived, compiled: the per-site VRRP and LVS daemon";

const LONG_ABOUT: &str = "\
kacd runs the VRRP instances and the virtual servers of one site. The \
site's keepalived.conf was checked and compiled into this binary when it \
was built (kac build); kacd reads no configuration at run time. Without \
an action option it starts the daemon: it forks into the background \
unless -n is given, writes its pid file, logs to syslog (or to the \
journal when its stderr is the journal) and runs until SIGTERM.";

/// The parsed command line.
#[derive(Debug, Parser)]
#[command(
    name = "kacd",
    about = ABOUT,
    long_about = LONG_ABOUT,
    disable_version_flag = true,
    // As with keepalived's getopt, a later option wins (the daemonizing
    // parent appends absolute paths this way).
    args_override_self = true,
    group(ArgGroup::new("action").multiple(false).args([
        "version", "dump_config", "preflight", "plan", "signum",
        "generate_man",
    ])),
)]
pub struct Cli {
    /// Stay in the foreground (use with systemd Type=notify).
    #[arg(short = 'n', long = "dont-fork")]
    pub dont_fork: bool,

    /// Log to the console (stderr) as well.
    #[arg(short = 'l', long = "log-console")]
    pub log_console: bool,

    /// Detailed log messages (debug level).
    #[arg(short = 'D', long = "log-detail")]
    pub log_detail: bool,

    /// Syslog facility: 0..7 for local0..local7, or daemon, user,
    /// local0..local7 by name.
    #[arg(
        short = 'S',
        long = "log-facility",
        value_name = "FACILITY",
        default_value = "daemon",
        value_parser = Facility::parse
    )]
    pub log_facility: Facility,

    /// Do not log to syslog.
    #[arg(short = 'G', long = "no-syslog")]
    pub no_syslog: bool,

    /// Run only the VRRP half (instances, addresses, routes).
    #[arg(short = 'P', long = "vrrp")]
    pub vrrp: bool,

    /// Run only the checker half (virtual servers, IPVS).
    #[arg(short = 'C', long = "check")]
    pub check: bool,

    /// Pid file (default RUNTIME_DIR/keepalived.pid, or
    /// keepalived_NAME.pid with the global `instance NAME`).
    #[arg(short = 'p', long = "pid", value_name = "FILE")]
    pub pid: Option<PathBuf>,

    /// Directory for the pid file and the data, stats and JSON dumps;
    /// created when missing.
    #[arg(
        long = "runtime-dir",
        value_name = "DIR",
        default_value = DEFAULT_RUNTIME_DIR
    )]
    pub runtime_dir: PathBuf,

    /// Print the version, the site and the config's SHA-256, then exit.
    #[arg(short = 'v', long = "version")]
    pub version: bool,

    /// Print the compiled config as keepalived.conf (what `kac dump`
    /// prints for the source), then exit.
    #[arg(long = "dump-config")]
    pub dump_config: bool,

    /// Check this host against the compiled tables (interfaces,
    /// addresses, IPVS, capabilities), one line per finding; exit 1 when
    /// something FAILs.
    #[arg(long = "preflight")]
    pub preflight: bool,

    /// Print the addresses, routes, rules and IPVS services kacd would
    /// add, without changing anything.
    #[arg(long = "plan")]
    pub plan: bool,

    /// Print the number of a signal by keepalived's name for it (STOP,
    /// RELOAD, DATA, STATS, JSON), for `kill -s $(kacd --signum=DATA)`.
    #[arg(long = "signum", value_name = "SIGNAL", value_parser = SignalName::parse)]
    pub signum: Option<SignalName>,

    /// Not supported: the config is compiled into kacd. Build a binary
    /// for another config with `kac build FILE`.
    #[arg(short = 'f', long = "use-file", value_name = "FILE")]
    pub use_file: Option<PathBuf>,

    /// Print the kacd(8) man page (roff) and exit.
    #[arg(long = "generate-man", hide = true)]
    pub generate_man: bool,

    /// Internal: this process is the background child of a kacd that
    /// forked; it reports readiness by closing its stderr.
    #[arg(long = DAEMON_CHILD_FLAG, hide = true)]
    pub daemon_child: bool,
}

/// The hidden flag the daemonizing parent passes to its child.
pub const DAEMON_CHILD_FLAG: &str = "daemon-child";

/// Which halves of keepalived this process runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Halves {
    pub vrrp: bool,
    pub check: bool,
}

impl Cli {
    /// `-P` and `-C` select halves; neither (or both) means both.
    pub fn halves(&self) -> Halves {
        if self.vrrp == self.check {
            Halves {
                vrrp: true,
                check: true,
            }
        } else {
            Halves {
                vrrp: self.vrrp,
                check: self.check,
            }
        }
    }
}

/// The clap command, for the man page and tests.
pub fn command() -> clap::Command {
    Cli::command()
}

/// The kacd(8) man page in roff: clap_mangen's sections from the same
/// definition that parses the command line, then the sections a daemon's
/// page needs (signals, files, environment, exit status).
pub fn render_man(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(command())
        .section("8")
        .manual("System Manager's Manual")
        .source(format!("kacd {}", env!("CARGO_PKG_VERSION")))
        .date(man_date());
    man.render(out)?;
    out.write_all(MAN_EXTRA.as_bytes())
}

/// The page's date: from `SOURCE_DATE_EPOCH` when the package build sets
/// it (reproducible builds), else none.
fn man_date() -> String {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(|secs| {
            let t =
                std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
            crate::log::console::utc_stamp(t)[..10].to_string()
        })
        .unwrap_or_default()
}

const MAN_EXTRA: &str = r#".SH SIGNALS
.TP
\fBSIGTERM\fR, \fBSIGINT\fR
Stop: masters resign (priority 0), kacd removes the addresses, routes and
IPVS services it added and its pid file, then exits 0.
.TP
\fBSIGHUP\fR
Reload: kacd checks that the kacd binary on disk runs (\fB\-\-version\fR),
then re-executes it with the same arguments and pid, so an upgraded package
takes over. When the check fails kacd logs an error and keeps running.
.TP
\fBSIGUSR1\fR
Write the data dump (tables and state) to \fIRUNTIME_DIR\fR/keepalived.data.
.TP
\fBSIGUSR2\fR
Write statistics to \fIRUNTIME_DIR\fR/keepalived.stats.
.TP
\fBSIGRTMIN+2\fR
Write the JSON state to \fIRUNTIME_DIR\fR/keepalived.json
(see \fB\-\-signum=JSON\fR).
.SH FILES
.TP
\fI/run/kacd/keepalived.pid\fR
The pid file; with the global \fBinstance\fR \fINAME\fR the dump and pid
files are named keepalived_\fINAME\fR.*.
.SH ENVIRONMENT
.TP
\fBNOTIFY_SOCKET\fR, \fBWATCHDOG_USEC\fR, \fBWATCHDOG_PID\fR
systemd readiness and watchdog protocol (READY, STATUS, WATCHDOG, RELOADING,
STOPPING).
.TP
\fBJOURNAL_STREAM\fR
When it names kacd's stderr, kacd logs to the journal's native socket.
.TP
\fBKACD_SYSLOG_SOCKET\fR, \fBKACD_JOURNAL_SOCKET\fR
Other sockets than /dev/log and /run/systemd/journal/socket (for tests).
.TP
\fBKACD_HANDOFF\fR
Set by kacd for the image it re-executes on SIGHUP: a file with the state
the engines hand over. Not for users.
.SH EXIT STATUS
0 on success, 1 on failure (for \fB\-\-preflight\fR: a FAIL finding),
2 on a usage error.
.SH SEE ALSO
\fBkac\fR(1), \fBkeepalived.conf\fR(5)
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("kacd").chain(args.iter().copied()))
    }

    #[test]
    fn definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn keepalived_short_options() {
        let c = parse(&["-n", "-l", "-D", "-S", "3", "-P", "-p", "/x.pid"])
            .unwrap();
        assert!(c.dont_fork && c.log_console && c.log_detail);
        assert_eq!(c.log_facility, Facility::Local(3));
        assert_eq!(c.pid, Some(PathBuf::from("/x.pid")));
        assert_eq!(
            c.halves(),
            Halves {
                vrrp: true,
                check: false
            }
        );
        assert_eq!(c.runtime_dir, PathBuf::from(DEFAULT_RUNTIME_DIR));
    }

    #[test]
    fn halves_default_to_both() {
        let both = Halves {
            vrrp: true,
            check: true,
        };
        assert_eq!(parse(&[]).unwrap().halves(), both);
        assert_eq!(parse(&["-P", "-C"]).unwrap().halves(), both);
        assert!(!parse(&["-C"]).unwrap().halves().vrrp);
    }

    #[test]
    fn facility_by_name_and_default() {
        assert_eq!(parse(&[]).unwrap().log_facility, Facility::Daemon);
        assert_eq!(
            parse(&["-S", "local7"]).unwrap().log_facility,
            Facility::Local(7)
        );
        assert!(parse(&["-S", "8"]).is_err());
        assert!(parse(&["-S", "kern"]).is_err());
    }

    #[test]
    fn later_options_win() {
        let c = parse(&["--runtime-dir", "a", "--runtime-dir=/b"]).unwrap();
        assert_eq!(c.runtime_dir, PathBuf::from("/b"));
    }

    #[test]
    fn actions_exclude_each_other() {
        let e = parse(&["--plan", "--preflight"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(parse(&["-v"]).unwrap().version);
    }

    #[test]
    fn man_page_comes_from_the_definition() {
        let mut out = Vec::new();
        render_man(&mut out).unwrap();
        let man = String::from_utf8(out).unwrap();
        assert!(man.contains("\n.TH kacd 8 "), "{man}");
        for opt in [
            "dont\\-fork",
            "log\\-facility",
            "runtime\\-dir",
            "preflight",
        ] {
            assert!(man.contains(opt), "man page lacks {opt}");
        }
        assert!(!man.contains("daemon\\-child"));
        assert!(!man.contains("generate\\-man"));
        assert!(man.contains(".SH SIGNALS"));
    }
}
