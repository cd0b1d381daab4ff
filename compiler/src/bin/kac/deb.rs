//! `kac build --deb`: the Debian package `kacd-SITE`, made by cargo-deb
//! from the binary just built.
//!
//! The packaging facts that do not depend on the site (maintainer,
//! section, conflicts, the systemd unit and the maintainer scripts) live
//! in `[package.metadata.deb]` of kac's root Cargo.toml. The package name
//! does depend on the site, and cargo-deb takes it only from a manifest,
//! so this writes a small manifest per site in a staging directory: the
//! root's deb metadata with the site's name, the prebuilt binary, both
//! man pages, the lintian overrides, the site's unit drop-ins and a
//! changelog entry, then runs `cargo deb --no-build` on it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::build::{copy_file, hex, Fail, Site};
use crate::dropin::DropIn;

/// The `kacd` package of kac's root Cargo.toml, as `cargo metadata` sees
/// it.
struct Root {
    version: String,
    license: String,
    description: String,
    deb: Map<String, Value>,
}

/// Builds the package; returns the path of the .deb in `site.out`.
pub fn package(
    site: &Site,
    binary: &Path,
    dropins: &[DropIn],
    version: Option<&str>,
) -> Result<PathBuf, Fail> {
    check_cargo_deb()?;
    let root = root_metadata(site)?;
    let package = format!("kacd-{}", site.name);
    let version = version
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{}-1", root.version));
    let maintainer = maintainer(&root)?;

    let stage = site.target_dir.join("deb").join(&site.name);
    match fs::remove_dir_all(&stage) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(io_fail(&stage, e));
        }
        _ => {}
    }
    let pkg_dir = stage.join("pkg");
    fs::create_dir_all(pkg_dir.join("dropin"))
        .map_err(|e| io_fail(&stage, e))?;

    // Maintainer scripts and the unit, from the root's metadata.
    let scripts = root
        .deb
        .get("maintainer-scripts")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Fail::usage(
                "[package.metadata.deb] of kac's Cargo.toml names no \
                 maintainer-scripts directory",
            )
        })?;
    copy_dir(&site.source.join(scripts), &pkg_dir)?;

    copy_file(binary, &stage.join("kacd"))?;
    write(&stage.join("kacd.8"), &kacd_man_page(binary)?)?;
    write(&stage.join("kac.1"), &crate::man::kac_page())?;
    for d in dropins {
        write(&pkg_dir.join("dropin").join(d.name), d.text)?;
    }
    let config_sha = fs::read(&site.config)
        .map(|b| hex(&Sha256::digest(&b)))
        .map_err(|e| io_fail(&site.config, e))?;
    let epoch: i64 = site.epoch.parse().map_err(|_| {
        Fail::usage(format!("SOURCE_DATE_EPOCH {} is no number", site.epoch))
    })?;
    write(
        &stage.join("changelog"),
        &changelog(&package, &version, site, &config_sha, &maintainer, epoch),
    )?;
    write(&stage.join("main.rs"), "fn main() {}\n")?;

    let mut assets = vec![
        asset("kacd", "usr/sbin/kacd", "755"),
        asset("kac.1", "usr/share/man/man1/kac.1", "644"),
        asset("kacd.8", "usr/share/man/man8/kacd.8", "644"),
    ];
    if pkg_dir.join("lintian-overrides").is_file() {
        assets.push(asset(
            "pkg/lintian-overrides",
            &format!("usr/share/lintian/overrides/{package}"),
            "644",
        ));
    }
    for d in dropins {
        assets.push(asset(
            &format!("pkg/dropin/{}", d.name),
            &format!("usr/lib/systemd/system/kacd.service.d/{}", d.name),
            "644",
        ));
    }
    let mut deb = root.deb.clone();
    deb.insert("name".into(), Value::String(package.clone()));
    deb.insert("maintainer".into(), Value::String(maintainer));
    deb.insert("maintainer-scripts".into(), "pkg/".into());
    deb.insert("changelog".into(), "changelog".into());
    deb.insert("assets".into(), Value::Array(assets));
    match deb.get_mut("systemd-units") {
        Some(Value::Object(u)) => {
            u.insert("unit-scripts".into(), "pkg/".into());
        }
        Some(Value::Array(units)) => {
            for u in units.iter_mut().filter_map(Value::as_object_mut) {
                u.insert("unit-scripts".into(), "pkg/".into());
            }
        }
        _ => {}
    }
    write(&stage.join("Cargo.toml"), &manifest(&root, &deb))?;

    run_cargo_deb(site, &stage, &version)
}

fn check_cargo_deb() -> Result<(), Fail> {
    let ok = Command::new(cargo())
        .args(["deb", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Ok(())
    } else {
        Err(Fail::usage(
            "--deb needs cargo-deb: cargo install --locked cargo-deb",
        ))
    }
}

fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

fn root_metadata(site: &Site) -> Result<Root, Fail> {
    let out = Command::new(cargo())
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .arg("--manifest-path")
        .arg(site.source.join("Cargo.toml"))
        .output()
        .map_err(|e| Fail::usage(format!("cannot run cargo metadata: {e}")))?;
    if !out.status.success() {
        return Err(Fail::usage(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let meta: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| Fail::usage(format!("cargo metadata: {e}")))?;
    let kacd = meta["packages"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "kacd"))
        .ok_or_else(|| Fail::usage("kac's Cargo.toml has no kacd package"))?;
    let text = |key: &str| kacd[key].as_str().unwrap_or_default().to_owned();
    let deb =
        kacd["metadata"]["deb"]
            .as_object()
            .cloned()
            .ok_or_else(|| {
                Fail::usage("kac's Cargo.toml has no [package.metadata.deb]")
            })?;
    Ok(Root {
        version: text("version"),
        license: text("license"),
        description: text("description"),
        deb,
    })
}

/// `DEBFULLNAME <DEBEMAIL>` when both are set (Debian's convention for
/// who builds a package), else the root's maintainer.
fn maintainer(root: &Root) -> Result<String, Fail> {
    if let (Ok(name), Ok(mail)) =
        (std::env::var("DEBFULLNAME"), std::env::var("DEBEMAIL"))
    {
        return Ok(format!("{name} <{mail}>"));
    }
    root.deb
        .get("maintainer")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            Fail::usage("[package.metadata.deb] of kac has no maintainer")
        })
}

/// kacd(8) from the built binary's own command line definition.
fn kacd_man_page(binary: &Path) -> Result<String, Fail> {
    let out = Command::new(binary)
        .arg("--generate-man")
        .output()
        .map_err(|e| {
            Fail::build(format!(
                "cannot run {} --generate-man for kacd(8) (a binary for \
                 another architecture cannot make its man page here): {e}",
                binary.display()
            ))
        })?;
    let page = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() || !page.contains(".TH") {
        return Err(Fail::build(format!(
            "{} --generate-man printed no man page ({})",
            binary.display(),
            out.status
        )));
    }
    Ok(page)
}

fn asset(src: &str, dest: &str, mode: &str) -> Value {
    Value::Array(vec![src.into(), dest.into(), mode.into()])
}

/// The staging manifest: a package named `kacd` (cargo-deb finds the unit
/// kacd.service by it) that is its own workspace.
fn manifest(root: &Root, deb: &Map<String, Value>) -> String {
    let s = |v: &str| Value::String(v.to_owned()).to_string();
    let mut out = format!(
        "# Written by kac build for cargo-deb; not a crate to build.\n\
         [package]\nname = \"kacd\"\nversion = {}\nedition = \"2021\"\n\
         license = {}\ndescription = {}\npublish = false\n\n\
         [[bin]]\nname = \"kacd\"\npath = \"main.rs\"\n\n[workspace]\n\n\
         [package.metadata.deb]\n",
        s(&root.version),
        s(&root.license),
        s(&root.description)
    );
    for (k, v) in deb {
        if !v.is_null() {
            out.push_str(&format!("{} = {}\n", s(k), toml(v)));
        }
    }
    out
}

/// A JSON value as a TOML value: JSON's string escapes are TOML's, and
/// objects become inline tables.
fn toml(v: &Value) -> String {
    match v {
        Value::Null => "\"\"".into(),
        Value::Bool(_) | Value::Number(_) | Value::String(_) => v.to_string(),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(toml).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    format!("{} = {}", Value::String(k.clone()), toml(v))
                })
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
    }
}

/// One changelog entry saying what this package holds.
fn changelog(
    package: &str,
    version: &str,
    site: &Site,
    config_sha: &str,
    maintainer: &str,
    epoch: i64,
) -> String {
    let file = site
        .config
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(
        "{package} ({version}) unstable; urgency=medium\n\n  \
         * kacd for site {}, compiled by kac {} from {file}\n    \
         (sha256 {config_sha}).\n\n -- {maintainer}  {}\n",
        site.name,
        env!("CARGO_PKG_VERSION"),
        rfc2822(epoch)
    )
}

/// `Thu, 01 Jan 1970 00:00:00 +0000` (UTC), as Debian changelogs want.
fn rfc2822(epoch: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
        "Nov", "Dec",
    ];
    let days = epoch.div_euclid(86400);
    let secs = epoch.rem_euclid(86400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} +0000",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn run_cargo_deb(
    site: &Site,
    stage: &Path,
    version: &str,
) -> Result<PathBuf, Fail> {
    let out = Command::new(cargo())
        .args(["deb", "--no-build", "--no-strip", "--no-dbgsym"])
        .arg("--manifest-path")
        .arg(stage.join("Cargo.toml"))
        .arg("--target")
        .arg(&site.target)
        .arg("--deb-version")
        .arg(version)
        .arg("--output")
        .arg(&site.out)
        .env("SOURCE_DATE_EPOCH", &site.epoch)
        .env("CARGO_TARGET_DIR", stage.join("target"))
        .output()
        .map_err(|e| Fail::usage(format!("cannot run cargo deb: {e}")))?;
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        return Err(Fail::build(format!(
            "cargo deb failed for site {} ({})",
            site.name, out.status
        )));
    }
    // cargo-deb prints the path of the package last.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.ends_with(".deb"))
        .map(PathBuf::from)
        .ok_or_else(|| Fail::build("cargo deb named no .deb"))
}

fn write(path: &Path, text: &str) -> Result<(), Fail> {
    fs::write(path, text).map_err(|e| io_fail(path, e))
}

fn io_fail(path: &Path, e: std::io::Error) -> Fail {
    Fail::usage(format!("{}: {e}", path.display()))
}

/// Copies the files (not subdirectories) of `from` into `to`.
fn copy_dir(from: &Path, to: &Path) -> Result<(), Fail> {
    let entries = fs::read_dir(from).map_err(|e| io_fail(from, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io_fail(from, e))?;
        let path = entry.path();
        if path.is_file() {
            let dest = to.join(entry.file_name());
            fs::copy(&path, &dest).map_err(|e| io_fail(&path, e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc2822(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc2822(315_532_800), "Tue, 01 Jan 1980 00:00:00 +0000");
        assert_eq!(rfc2822(1_709_251_199), "Thu, 29 Feb 2024 23:59:59 +0000");
    }

    #[test]
    fn toml_values() {
        let v = serde_json::json!({"a": ["x \"q\"", 1, true], "b": {"c": "d"}});
        assert_eq!(
            toml(&v),
            "{ \"a\" = [\"x \\\"q\\\"\", 1, true], \"b\" = { \"c\" = \"d\" } }"
        );
    }
}
