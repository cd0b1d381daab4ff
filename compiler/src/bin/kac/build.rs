//! `kac build`: check the site config, then build kacd for it with cargo
//! in kac's source tree, reproducibly, and package it with `--deb`.
//!
//! Reproducible means: the same config and the same commit give the same
//! bytes, whatever the output directory, the checkout's location or the
//! cargo home. Paths that would end up in the binary are remapped, the
//! time comes from the commit (`SOURCE_DATE_EPOCH`), and the build has
//! its own target directory so flags never mix with other builds.

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use kac_compiler::{compile_file, Options};

use crate::dropin::DropIn;
use sha2::{Digest, Sha256};

/// Default output directory, relative to the current directory.
const DEFAULT_OUT: &str = "target/sites";

/// Options of `kac build`.
#[derive(clap::Args)]
pub struct Args {
    /// The site's keepalived.conf.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Site name (default: the name of FILE's directory). Names the output
    /// directory and the package (kacd-NAME): lowercase letters, digits,
    /// `.`, `+` and `-`.
    #[arg(long, value_name = "NAME")]
    site: Option<String>,
    /// Rust target to build for. musl targets are linked statically.
    #[arg(long, value_name = "TRIPLE", default_value = DEFAULT_TARGET)]
    target: String,
    /// Also build the Debian package kacd-NAME (needs cargo-deb).
    #[arg(long)]
    deb: bool,
    /// Where to put NAME/kacd and the package.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_OUT)]
    out: PathBuf,
    /// Debian package version (default: kacd's version, revision 1).
    #[arg(long, value_name = "VERSION", requires = "deb")]
    deb_version: Option<String>,
    /// keepalived's --config-id for this site.
    #[arg(short = 'i', long = "config-id", value_name = "ID")]
    config_id: Option<String>,
}

const DEFAULT_TARGET: &str = "x86_64-unknown-linux-musl";

/// Why `kac build` stopped, and the exit code that says so.
#[derive(Debug)]
pub struct Fail {
    pub code: u8,
    pub message: String,
}

impl Fail {
    /// Errors in the config or a failed build: exit 1.
    pub fn build(message: impl fmt::Display) -> Self {
        Fail {
            code: 1,
            message: message.to_string(),
        }
    }

    /// Usage, I/O or a missing tool: exit 2.
    pub fn usage(message: impl fmt::Display) -> Self {
        Fail {
            code: 2,
            message: message.to_string(),
        }
    }
}

/// Everything one build needs to know, resolved once.
pub struct Site {
    pub name: String,
    /// Absolute path of the site's keepalived.conf.
    pub config: PathBuf,
    pub config_id: Option<String>,
    pub target: String,
    /// kac's source tree (the workspace with the `kacd` package).
    pub source: PathBuf,
    /// This build's own cargo target directory.
    pub target_dir: PathBuf,
    /// `SOURCE_DATE_EPOCH`: the commit's time.
    pub epoch: String,
    /// `DIR/NAME`.
    pub out: PathBuf,
}

pub fn run(args: &Args) -> Result<(), Fail> {
    let site = resolve(args)?;
    let dropins = check_config(&site)?;
    let built = cargo_build(&site)?;
    fs::create_dir_all(&site.out).map_err(|e| {
        Fail::usage(format!("cannot create {}: {e}", site.out.display()))
    })?;
    let binary = site.out.join("kacd");
    copy_file(&built, &binary)?;
    let mut produced = vec![binary.clone()];
    if args.deb {
        produced.push(crate::deb::package(
            &site,
            &binary,
            &dropins,
            args.deb_version.as_deref(),
        )?);
    }
    println!("kac: built site {} for {}:", site.name, site.target);
    for p in &produced {
        let bytes = fs::read(p)
            .map_err(|e| Fail::usage(format!("{}: {e}", p.display())))?;
        println!(
            "  {}  {}  sha256 {}",
            p.display(),
            human_size(bytes.len() as u64),
            hex(&Sha256::digest(&bytes))
        );
    }
    Ok(())
}

fn resolve(args: &Args) -> Result<Site, Fail> {
    let config = fs::canonicalize(&args.file).map_err(|e| {
        Fail::usage(format!("cannot read {}: {e}", args.file.display()))
    })?;
    let name = match &args.site {
        Some(n) => n.clone(),
        None => config
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                Fail::usage(format!(
                    "{} has no directory to name the site after: use --site",
                    config.display()
                ))
            })?,
    };
    check_site_name(&name)?;
    let source = source_dir()?;
    let target_dir = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => absolute(Path::new(&d))?.join("kac-build"),
        None => source.join("target").join("kac-build"),
    };
    let out = absolute(&args.out)?.join(&name);
    Ok(Site {
        epoch: source_date_epoch(&source),
        name,
        config,
        config_id: args.config_id.clone(),
        target: args.target.clone(),
        source,
        target_dir,
        out,
    })
}

/// A site name becomes part of a Debian package name (policy 5.6.1:
/// lowercase alphanumerics, `+`, `-`, `.`, starting alphanumeric) and a
/// directory name.
fn check_site_name(name: &str) -> Result<(), Fail> {
    let ok = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c)
        });
    if ok {
        Ok(())
    } else {
        Err(Fail::usage(format!(
            "site name `{name}` cannot name a Debian package (kacd-{name}): \
             use lowercase letters, digits, `.`, `+` and `-`, or pass --site"
        )))
    }
}

/// kac's source tree: `KAC_SOURCE_DIR`, else the tree this kac was built
/// from.
fn source_dir() -> Result<PathBuf, Fail> {
    let dir = match std::env::var_os("KAC_SOURCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    };
    if !dir.join("Cargo.toml").is_file() || !dir.join("build.rs").is_file() {
        return Err(Fail::usage(format!(
            "kac's source tree is not at {} (set KAC_SOURCE_DIR to a \
             checkout of kac)",
            dir.display()
        )));
    }
    fs::canonicalize(&dir)
        .map_err(|e| Fail::usage(format!("{}: {e}", dir.display())))
}

fn absolute(p: &Path) -> Result<PathBuf, Fail> {
    std::path::absolute(p)
        .map_err(|e| Fail::usage(format!("{}: {e}", p.display())))
}

/// The commit's time, so the same commit always builds the same bytes;
/// an explicit `SOURCE_DATE_EPOCH` wins, and a tree without git gets a
/// fixed time (1980-01-01, the oldest a zip or deb tool accepts).
fn source_date_epoch(source: &Path) -> String {
    if let Ok(e) = std::env::var("SOURCE_DATE_EPOCH") {
        return e;
    }
    Command::new("git")
        .arg("-C")
        .arg(source)
        .args(["log", "-1", "--format=%ct"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_else(|| "315532800".to_owned())
}

/// `kac check` on the site config: the build would fail on the same
/// errors, later and wrapped in cargo's output.
/// Returns the unit drop-ins the site needs.
fn check_config(site: &Site) -> Result<Vec<DropIn>, Fail> {
    let opts = Options {
        config_id: site.config_id.clone(),
    };
    let c = compile_file(&site.config, &opts).map_err(|e| {
        Fail::usage(format!("cannot read {}: {e}", site.config.display()))
    })?;
    let text = c.render_human();
    if !text.is_empty() {
        eprintln!("{text}");
    }
    if c.has_errors() {
        return Err(Fail::build(format!(
            "{}: {} error{}; nothing built",
            site.config.display(),
            c.error_count(),
            if c.error_count() == 1 { "" } else { "s" }
        )));
    }
    Ok(crate::dropin::for_config(&c.config))
}

/// `cargo build --release -p kacd` for the site; returns the binary.
fn cargo_build(site: &Site) -> Result<PathBuf, Fail> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(&site.source)
        .args(["build", "--release", "--locked", "-p", "kacd", "--target"])
        .arg(&site.target)
        .env("CARGO_TARGET_DIR", &site.target_dir)
        .env("KAC_CONFIG", &site.config)
        .env("KAC_SITE", &site.name)
        .env("SOURCE_DATE_EPOCH", &site.epoch)
        .env("CARGO_ENCODED_RUSTFLAGS", rustflags(site))
        // No symbols: smaller, and nothing of the build machine's
        // (symbol names are deterministic, but debug info is not needed
        // on a router).
        .env("CARGO_PROFILE_RELEASE_STRIP", "symbols")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env_remove("RUSTFLAGS");
    match &site.config_id {
        Some(id) => cmd.env("KAC_CONFIG_ID", id),
        None => cmd.env_remove("KAC_CONFIG_ID"),
    };
    let status = cmd.status().map_err(|e| {
        Fail::usage(format!("cannot run {}: {e}", cargo.to_string_lossy()))
    })?;
    if !status.success() {
        return Err(Fail::build(format!(
            "cargo build of kacd for site {} failed ({status})",
            site.name
        )));
    }
    let bin = site
        .target_dir
        .join(&site.target)
        .join("release")
        .join("kacd");
    if !bin.is_file() {
        return Err(Fail::build(format!("cargo built no {}", bin.display())));
    }
    Ok(bin)
}

/// rustc flags, `\x1f`-separated as `CARGO_ENCODED_RUSTFLAGS` wants (paths
/// may hold spaces). The last matching remap wins, so the most specific
/// paths (the target directory is inside the source tree) come last.
fn rustflags(site: &Site) -> OsString {
    let mut flags: Vec<OsString> = Vec::new();
    let mut remap = |from: &Path, to: &str| {
        let mut f = OsString::from("--remap-path-prefix=");
        f.push(from);
        f.push("=");
        f.push(to);
        flags.push(f);
    };
    if let Some(home) = cargo_home() {
        remap(&home, "/cargo");
    }
    remap(&site.source, "/kac");
    remap(&site.target_dir, "/target");
    if site.target.contains("musl") {
        // A plain static executable (not static-pie): nothing to
        // relocate at start, and `file` says "statically linked".
        for f in ["-Ctarget-feature=+crt-static", "-Crelocation-model=static"] {
            flags.push(f.into());
        }
    }
    let mut out = OsString::new();
    for (i, f) in flags.iter().enumerate() {
        if i > 0 {
            out.push("\x1f");
        }
        out.push(f);
    }
    out
}

fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo"))
        })
        .and_then(|p| fs::canonicalize(p).ok())
}

pub fn copy_file(from: &Path, to: &Path) -> Result<(), Fail> {
    // Copy through a temporary name: a running kacd may be executing `to`.
    let tmp = to.with_extension("tmp");
    fs::copy(from, &tmp)
        .and_then(|_| fs::rename(&tmp, to))
        .map_err(|e| {
            Fail::usage(format!(
                "cannot copy {} to {}: {e}",
                from.display(),
                to.display()
            ))
        })
}

fn human_size(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / f64::from(1 << 20))
    } else if n >= 1 << 10 {
        format!("{:.1} KiB", n as f64 / f64::from(1 << 10))
    } else {
        format!("{n} B")
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
