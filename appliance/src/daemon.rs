//! Going to the background without `fork()` (which safe Rust cannot call
//! in a process that may have threads): kacd starts itself again with a
//! hidden `--daemon-child` flag, stdin and stdout on /dev/null and stderr
//! on a pipe. The child starts a new session, and once it is ready (pid
//! file written, engines started) points its stderr at /dev/null; the
//! parent, which copied everything the child wrote (start-up errors
//! included) to its own stderr, sees the pipe close and exits: 0 if the
//! child still runs, else the child's status.

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use crate::cli::{Cli, DAEMON_CHILD_FLAG};

/// Runs in the foreground process: starts the daemon child and waits for
/// it to be ready. The child works in `/`, so relative paths of the
/// command line are appended again in absolute form (a later option
/// wins); a SIGHUP re-exec passes them on as they are.
pub fn spawn_background(cli: &Cli) -> ExitCode {
    let mut extra = Vec::new();
    let mut abs = |flag: &str, p: &Path| match std::path::absolute(p) {
        Ok(a) => {
            let mut arg = OsString::from(format!("--{flag}="));
            arg.push(a);
            extra.push(arg);
        }
        Err(e) => {
            let _ = writeln!(io::stderr(), "kacd: {}: {e}", p.display());
        }
    };
    abs("runtime-dir", &cli.runtime_dir);
    if let Some(p) = &cli.pid {
        abs("pid", p);
    }
    match spawn_and_wait(&extra) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(
                io::stderr(),
                "kacd: cannot start in the background: {e}"
            );
            ExitCode::FAILURE
        }
    }
}

fn spawn_and_wait(extra: &[OsString]) -> io::Result<ExitCode> {
    let exe = std::env::current_exe()?;
    let mut args = std::env::args_os();
    let argv0 = args.next().unwrap_or_else(|| exe.clone().into_os_string());
    let (reader, writer) =
        rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)?;
    let mut cmd = Command::new(&exe);
    cmd.arg0(argv0)
        .args(args)
        .args(extra)
        .arg(format!("--{DAEMON_CHILD_FLAG}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(writer));
    let mut child = cmd.spawn()?;
    // Our copy of the write end goes with `cmd`, so the pipe closes when
    // the child lets go of it.
    drop(cmd);
    let mut reader = std::fs::File::from(reader);
    let mut buf = [0u8; 4096];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let _ = io::stderr().write_all(&buf[..n]);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    // The child closes its stderr when ready, or by exiting; a short wait
    // tells which.
    for _ in 0..20 {
        if let Some(status) = child.try_wait()? {
            let code = status.code().unwrap_or(1);
            return Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)));
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs first in the daemon child: a session of its own (no controlling
/// terminal) and `/` as working directory. `setsid` fails when the
/// process leads a session already, as after a SIGHUP re-exec.
pub fn become_daemon() {
    let _ = rustix::process::setsid();
    let _ = std::env::set_current_dir("/");
}

/// Runs in the daemon child once it is ready: stderr to /dev/null, which
/// releases the waiting parent.
pub fn release_parent() -> io::Result<()> {
    let null = std::fs::OpenOptions::new().write(true).open("/dev/null")?;
    rustix::stdio::dup2_stderr(&null)?;
    Ok(())
}
