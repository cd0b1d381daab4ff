//! kacd's process shell: the command line, logging, pid and dump files,
//! signals, systemd notification, daemonizing, `--preflight` and
//! `--plan`. The engines (VRRP, checkers, IPVS) plug in through
//! [`engine::Engine`].

pub mod check_engine;
pub mod cli;
pub mod daemon;
pub mod describe;
pub mod dumps;
pub mod engine;
pub mod log;
pub mod paths;
pub mod pidfile;
pub mod plan;
pub mod preflight;
pub mod reexec;
pub mod sdnotify;
pub mod service;
pub mod signals;
pub mod vrrp_engine;

#[cfg(test)]
mod testsite;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use kac_runtime::site::Site;

use cli::{Cli, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

/// Runs kacd for `site` with the process's command line.
pub fn run(site: &'static Site) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(
                u8::try_from(e.exit_code()).unwrap_or(EXIT_USAGE),
            );
        }
    };
    run_cli(site, &cli)
}

/// Runs kacd for `site` with a parsed command line.
pub fn run_cli(site: &'static Site, cli: &Cli) -> ExitCode {
    let mut out = std::io::stdout().lock();
    if let Some(f) = &cli.use_file {
        let _ = writeln!(
            std::io::stderr(),
            "kacd: -f/--use-file {}: kacd reads no config file; the config \
             of site {} ({}) is compiled into this binary. To run another \
             config, build a kacd for it with `kac build FILE`.",
            f.display(),
            site.name,
            site.config_path
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let printed = if cli.generate_man {
        cli::render_man(&mut out)
    } else if cli.version {
        out.write_all(version_text(site).as_bytes())
    } else if cli.dump_config {
        out.write_all(site.dump.as_bytes())
    } else if let Some(s) = cli.signum {
        writeln!(out, "{}", s.number())
    } else if cli.plan {
        out.write_all(plan::render(site, cli.halves()).as_bytes())
    } else if cli.preflight {
        let paths = paths::RuntimePaths::new(
            &cli.runtime_dir,
            site.global.instance,
            cli.pid.as_deref(),
        );
        let report = preflight::run(site, cli.halves(), &paths);
        let code = if report.failed() {
            EXIT_FAILURE
        } else {
            EXIT_OK
        };
        return match out.write_all(report.render().as_bytes()) {
            Ok(()) => ExitCode::from(code),
            Err(_) => ExitCode::from(EXIT_FAILURE),
        };
    } else {
        drop(out);
        if !cli.dont_fork && !cli.daemon_child {
            return daemon::spawn_background(cli);
        }
        return service::serve(site, cli);
    };
    match printed.and_then(|()| out.flush()) {
        Ok(()) => ExitCode::from(EXIT_OK),
        // A closed pipe (`kacd --dump-config | head`) is not worth a
        // message, but is not success either.
        Err(_) => ExitCode::from(EXIT_FAILURE),
    }
}

/// `kacd --version`.
pub fn version_text(site: &Site) -> String {
    format!(
        "kacd {}\nsite {}\nconfig {} ({} file{})\nconfig sha256 {}\n",
        env!("CARGO_PKG_VERSION"),
        site.name,
        site.config_path,
        site.config_files,
        if site.config_files == 1 { "" } else { "s" },
        site.config_sha256
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version() {
        let v = version_text(testsite::site());
        assert_eq!(
            v,
            format!(
                "kacd {}\nsite default\nconfig fixtures/default/keepalived.conf (1 file)\n\
                 config sha256 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
                env!("CARGO_PKG_VERSION")
            )
        );
        assert!(version_text(testsite::named()).contains("(3 files)"));
    }
}
