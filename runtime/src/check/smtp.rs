//! SMTP_CHECK: banner 220, `HELO name` answered 250, then QUIT.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::plan::Probe;
use super::schedule::{Attempt, Weighting};

/// keepalived's default HELO name.
pub const DEFAULT_HELO: &str = "smtpchecker.keepalived.org";

/// The reply code of a final reply line (`250 ...` or a bare `250`);
/// `None` for continuation lines (`250-...`) and garbage.
pub fn reply_code(line: &str) -> Option<u16> {
    let line = line.trim_end_matches(['\r', '\n']);
    let (code, rest) = line.split_at_checked(3)?;
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    code.parse().ok()
}

/// Reads reply lines up to the final one and returns its code.
async fn reply(r: &mut BufReader<TcpStream>) -> Result<u16, String> {
    let mut line = String::new();
    // A multi-line reply ends with `NNN ` on its last line; bound how many
    // lines a server may send before that.
    for _ in 0..64 {
        line.clear();
        let n = r
            .read_line(&mut line)
            .await
            .map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("connection closed".into());
        }
        if line.len() > 4 && line.as_bytes()[3] == b'-' {
            continue;
        }
        return reply_code(&line)
            .ok_or_else(|| format!("bad reply {:?}", line.trim_end()));
    }
    Err("reply too long".into())
}

async fn dialogue(p: &Probe, helo: &str) -> Result<(), String> {
    let s = super::connect::tcp(p.target, &p.checker.connect)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let mut r = BufReader::new(s);
    match reply(&mut r).await? {
        220 => {}
        c => return Err(format!("Bad greeting {c}")),
    }
    r.get_mut()
        .write_all(format!("HELO {helo}\r\n").as_bytes())
        .await
        .map_err(|e| format!("write: {e}"))?;
    match reply(&mut r).await? {
        250 => {}
        c => return Err(format!("Bad HELO response {c}")),
    }
    // keepalived judges on the HELO answer; QUIT is courtesy.
    let _ = r.get_mut().write_all(b"QUIT\r\n").await;
    let _ = reply(&mut r).await;
    Ok(())
}

pub async fn check(p: &Probe, helo_name: Option<&str>) -> Attempt {
    let helo = helo_name.unwrap_or(DEFAULT_HELO);
    timeout(p.checker.timing.connect_timeout, dialogue(p, helo))
        .await
        .map_err(|_| "timeout".to_string())??;
    Ok(Weighting::Configured)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_codes() {
        assert_eq!(reply_code("220 mail.example ESMTP\r\n"), Some(220));
        assert_eq!(reply_code("250\r\n"), Some(250));
        assert_eq!(reply_code("250-PIPELINING\r\n"), None);
        assert_eq!(reply_code("25x ok"), None);
        assert_eq!(reply_code("2500 ok"), None);
    }
}
