//! `kac`: check, dump and build keepalived.conf sites.
//!
//! Exit codes: 0 valid (warnings allowed) or built, 1 errors found in the
//! config or the build failed, 2 usage, I/O error or a missing tool.

// The bin's own modules, in src/bin/kac/ (a crate root would look for
// them beside itself).
#[path = "kac/build.rs"]
mod build;
#[path = "kac/deb.rs"]
mod deb;
#[path = "kac/dropin.rs"]
mod dropin;
#[path = "kac/man.rs"]
mod man;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgAction, CommandFactory, Parser, Subcommand, ValueEnum};
use kac_compiler::{compile_file, Options};

/// keepalived, compiled: check, dump and build keepalived.conf sites.
#[derive(Parser)]
#[command(
    name = "kac",
    version,
    disable_version_flag = true,
    arg_required_else_help = true,
    after_help = "Exit status: 0 valid (warnings allowed) or built; 1 errors \
                  in the config or a failed build; 2 usage or I/O error."
)]
pub struct Cli {
    /// Print the version.
    #[arg(short = 'v', long = "version", action = ArgAction::Version)]
    version: Option<bool>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Report every mistake in each FILE.
    Check {
        /// How to print diagnostics: rustc-style text on stderr, or one
        /// JSON object per diagnostic per line on stdout.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        #[command(flatten)]
        id: ConfigId,
        /// keepalived.conf files; routers of one virtual router are
        /// checked against each other.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print FILE as canonical keepalived.conf (includes, $VAR, @id and
    /// ~SEQ resolved).
    Dump {
        #[command(flatten)]
        id: ConfigId,
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// List every diagnostic code.
    Codes,
    /// Build kacd for the site of FILE: a static binary in DIR/NAME/kacd,
    /// and with --deb the Debian package kacd-NAME beside it.
    Build(build::Args),
    /// Print the MD5 digest of the body at URL, the `digest` an
    /// HTTP_GET or SSL_GET url block needs (keepalived's genhash).
    #[cfg(feature = "genhash")]
    Genhash {
        /// http://HOST[:PORT]/PATH or https://...
        #[arg(value_name = "URL")]
        url: String,
        /// Connect to this address instead of the URL's host.
        #[arg(short = 's', long, value_name = "ADDR")]
        server: Option<std::net::IpAddr>,
        /// The Host header (and TLS server name) to send.
        #[arg(short = 'V', long, value_name = "NAME")]
        virtualhost: Option<String>,
        /// Send the TLS server name indication.
        #[arg(long)]
        sni: bool,
        /// Give up after this many seconds (default 5).
        #[arg(short = 't', long, value_name = "SECS")]
        timeout: Option<u64>,
    },
    /// Print this manual page (kac(1), roff).
    #[command(hide = true)]
    Man,
}

#[derive(clap::Args)]
struct ConfigId {
    /// keepalived's --config-id: selects `@ID` lines and sets
    /// ${_INSTANCE}.
    #[arg(short = 'i', long = "config-id", value_name = "ID")]
    config_id: Option<String>,
}

impl ConfigId {
    fn options(&self) -> Options {
        Options {
            config_id: self.config_id.clone(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum Format {
    Human,
    Json,
}

/// kac's command line, for the manual page.
pub fn command() -> clap::Command {
    Cli::command()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Check { format, id, files } => check(&files, format, &id),
        Cmd::Dump { id, file } => dump(&file, &id),
        Cmd::Codes => {
            for c in kac_compiler::diag::codes::all() {
                println!(
                    "{}  {:<7}  {}",
                    c.name(),
                    c.severity.as_str(),
                    c.summary
                );
            }
            ExitCode::SUCCESS
        }
        Cmd::Build(args) => match build::run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(f) => {
                eprintln!("kac: {}", f.message);
                ExitCode::from(f.code)
            }
        },
        #[cfg(feature = "genhash")]
        Cmd::Genhash {
            url,
            server,
            virtualhost,
            sni,
            timeout,
        } => {
            use kac_runtime::check::genhash;
            let opts = genhash::Options {
                server,
                virtualhost,
                sni,
                timeout: timeout.map(std::time::Duration::from_secs),
            };
            match genhash::genhash(&url, &opts) {
                Ok(d) => {
                    println!("{}", genhash::hex(&d));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("kac genhash: {url}: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Cmd::Man => {
            print!("{}", man::kac_page());
            ExitCode::SUCCESS
        }
    }
}

fn check(files: &[PathBuf], format: Format, id: &ConfigId) -> ExitCode {
    let opts = id.options();
    let mut io_failed = false;
    let mut compiled = Vec::new();
    for f in files {
        match compile_file(f, &opts) {
            Ok(c) => compiled.push(c),
            Err(e) => {
                eprintln!("kac: cannot read {}: {e}", f.display());
                io_failed = true;
            }
        }
    }
    // Routers of one virtual router are only visible together.
    let refs: Vec<&kac_compiler::Compilation> = compiled.iter().collect();
    let across = kac_compiler::peers::check_peers(&refs);
    for (i, d) in across {
        if let Some(c) = compiled.get_mut(i) {
            c.add_diagnostic(d);
        }
    }
    let mut errors = 0;
    let mut warnings = 0;
    for c in &compiled {
        errors += c.error_count();
        warnings += c.warning_count();
        match format {
            Format::Human => {
                let text = c.render_human();
                if !text.is_empty() {
                    eprintln!("{text}");
                }
            }
            Format::Json => print!("{}", c.render_json()),
        }
    }
    if format == Format::Human {
        let files = compiled.len();
        eprintln!(
            "kac: {files} file{} checked: {errors} error{}, {warnings} warning{}",
            if files == 1 { "" } else { "s" },
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" },
        );
    }
    // The process ends here: freeing a large config's IR piece by piece
    // would only cost time.
    std::mem::forget(compiled);
    if io_failed {
        ExitCode::from(2)
    } else if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn dump(file: &std::path::Path, id: &ConfigId) -> ExitCode {
    let c = match compile_file(file, &id.options()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kac: cannot read {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let text = c.render_human();
    if !text.is_empty() {
        eprintln!("{text}");
    }
    print!("{}", c.dump());
    if c.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
