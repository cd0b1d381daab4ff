//! `kac`: check, dump and (later) build keepalived.conf sites.
//!
//! Exit codes: 0 valid (warnings allowed), 1 errors found, 2 usage or I/O
//! error.

use std::path::PathBuf;
use std::process::ExitCode;

use kac_compiler::{compile_file, Options};

const USAGE: &str = "\
usage: kac check [--format human|json] [--config-id ID] FILE...
       kac dump [--config-id ID] FILE
       kac codes
       kac --version

check   report every mistake in each FILE (exit 0: valid, 1: errors, 2: usage or I/O)
dump    print FILE as canonical keepalived.conf (includes, $VAR, @id, ~SEQ resolved)
codes   list every diagnostic code";

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Human,
    Json,
}

struct Cli {
    command: String,
    files: Vec<PathBuf>,
    format: Format,
    opts: Options,
}

fn parse_args(args: Vec<String>) -> Result<Cli, String> {
    let mut it = args.into_iter();
    let command = it.next().ok_or("no command given")?;
    let mut cli = Cli {
        command,
        files: Vec::new(),
        format: Format::Human,
        opts: Options::default(),
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--format" => {
                cli.format = match it.next().as_deref() {
                    Some("human") => Format::Human,
                    Some("json") => Format::Json,
                    other => {
                        return Err(format!(
                            "--format takes human or json, not {}",
                            other.unwrap_or("nothing")
                        ))
                    }
                }
            }
            "--config-id" | "-i" => {
                cli.opts.config_id =
                    Some(it.next().ok_or("--config-id needs a value")?);
            }
            s if s.starts_with("--format=") => {
                cli.format = match &s[9..] {
                    "human" => Format::Human,
                    "json" => Format::Json,
                    other => {
                        return Err(format!(
                            "--format takes human or json, not {other}"
                        ))
                    }
                }
            }
            s if s.starts_with("--config-id=") => {
                cli.opts.config_id = Some(s[12..].to_owned())
            }
            s if s.starts_with('-') && s != "-" => {
                return Err(format!("unknown option {s}"))
            }
            _ => cli.files.push(PathBuf::from(a)),
        }
    }
    Ok(cli)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if matches!(args.first().map(String::as_str), Some("--version" | "-v")) {
        println!("kac {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    if matches!(
        args.first().map(String::as_str),
        Some("--help" | "-h" | "help")
    ) {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let cli = match parse_args(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kac: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match cli.command.as_str() {
        "check" => check(&cli),
        "dump" => dump(&cli),
        "codes" => {
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
        other => {
            eprintln!("kac: unknown command {other}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn check(cli: &Cli) -> ExitCode {
    if cli.files.is_empty() {
        eprintln!("kac: check needs at least one FILE\n{USAGE}");
        return ExitCode::from(2);
    }
    let mut io_failed = false;
    let mut compiled = Vec::new();
    for f in &cli.files {
        match compile_file(f, &cli.opts) {
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
        match cli.format {
            Format::Human => {
                let text = c.render_human();
                if !text.is_empty() {
                    eprintln!("{text}");
                }
            }
            Format::Json => print!("{}", c.render_json()),
        }
    }
    if cli.format == Format::Human {
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

fn dump(cli: &Cli) -> ExitCode {
    let [file] = cli.files.as_slice() else {
        eprintln!("kac: dump takes exactly one FILE\n{USAGE}");
        return ExitCode::from(2);
    };
    let c = match compile_file(file, &cli.opts) {
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
