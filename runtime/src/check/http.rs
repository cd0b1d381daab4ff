//! HTTP_GET and SSL_GET: keepalived's HTTP/1.0 request per `url`, the
//! status code against `status_code` (default 200-299) and the MD5 of the
//! body against `digest`. Every url must pass, in order.

use std::net::SocketAddr;
use std::time::Duration;

use md5::{Digest, Md5};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;

use super::plan::Probe;
use super::schedule::{Attempt, Weighting};
use crate::site::lvs::{Check, Connect, Url};

/// Headers longer than this are not a web server we want.
const MAX_HEADER: usize = 64 * 1024;

/// keepalived's request: `GET path HTTP/1.0`, its User-Agent, and Host
/// (the virtualhost, else the address and port; IPv6 in brackets).
pub fn request(path: &str, vhost: Option<&str>, dst: SocketAddr) -> String {
    let host = match (vhost, dst) {
        (Some(v), _) => v.to_string(),
        (None, SocketAddr::V4(a)) => format!("{}:{}", a.ip(), a.port()),
        (None, SocketAddr::V6(a)) => format!("[{}]:{}", a.ip(), a.port()),
    };
    format!(
        "GET {path} HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\n\
         Host: {host}\r\n\r\n"
    )
}

/// keepalived's `extract_status_code`: the three digits after the first
/// space of the status line, followed by a space; 0 when there are none.
pub fn status_code(head: &[u8]) -> u16 {
    let Some(sp) = head.iter().position(|&b| b == b' ' || b == b'\r') else {
        return 0;
    };
    if head[sp] != b' ' {
        return 0;
    }
    let code = &head[sp + 1..];
    if code.len() < 4 || code[3] != b' ' {
        return 0;
    }
    let digits = &code[..3];
    if !digits.iter().all(u8::is_ascii_digit) {
        return 0;
    }
    digits
        .iter()
        .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'))
}

/// What came back for one request.
#[derive(Debug, Default)]
pub struct Response {
    pub status: u16,
    pub digest: [u8; 16],
    pub body_len: usize,
    /// Any bytes at all.
    pub received: bool,
}

/// Reads a whole response (to EOF), hashing the body as it streams.
async fn read_response<R: AsyncRead + Unpin>(r: &mut R) -> Response {
    let mut head: Vec<u8> = Vec::new();
    let mut md5 = Md5::new();
    let mut in_body = false;
    let mut out = Response::default();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match r.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => n,
            // A TLS server closing without close_notify, or a reset after
            // the data: judge what arrived, as keepalived does.
            Err(_) => break,
        };
        out.received = true;
        let chunk = &buf[..n];
        if in_body {
            md5.update(chunk);
            out.body_len += n;
            continue;
        }
        head.extend_from_slice(chunk);
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            in_body = true;
            let body = &head[end + 4..];
            md5.update(body);
            out.body_len += body.len();
            head.truncate(end + 4);
        } else if head.len() > MAX_HEADER {
            break;
        }
    }
    out.status = status_code(&head);
    out.digest = md5.finalize().into();
    out
}

/// One GET over plain TCP or TLS.
pub async fn fetch(
    dst: SocketAddr,
    connect: &Connect,
    tls: Option<(bool, Option<&str>)>,
    path: &str,
    vhost: Option<&str>,
) -> Result<Response, String> {
    let mut tcp = super::connect::tcp(dst, connect)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let req = request(path, vhost, dst);
    match tls {
        None => {
            tcp.write_all(req.as_bytes())
                .await
                .map_err(|e| format!("Cannot send get request: {e}"))?;
            Ok(read_response(&mut tcp).await)
        }
        Some((sni, name)) => {
            let cfg = super::tls::config(sni)?;
            let server = match name.filter(|_| sni) {
                Some(n) => ServerName::try_from(n.to_string())
                    .map_err(|e| format!("SNI name {n}: {e}"))?,
                None => ServerName::IpAddress(dst.ip().into()),
            };
            let mut s = tokio_rustls::TlsConnector::from(cfg)
                .connect(server, tcp)
                .await
                .map_err(|e| format!("SSL handshake: {e}"))?;
            s.write_all(req.as_bytes())
                .await
                .map_err(|e| format!("Cannot send get request: {e}"))?;
            Ok(read_response(&mut s).await)
        }
    }
}

/// Whether `code` passes the url's `status_code` ranges.
fn status_ok(url: &Url, code: u16) -> bool {
    if url.status.is_empty() {
        return (200..=299).contains(&code);
    }
    url.status.iter().any(|&(lo, hi)| (lo..=hi).contains(&code))
}

/// Checks one url: `Err` carries keepalived's wording.
pub fn judge(url: &Url, r: &Response) -> Result<(), String> {
    if !r.received {
        return Err("Read, no data received".into());
    }
    if !(100..=599).contains(&r.status) || !status_ok(url, r.status) {
        return Err(format!("HTTP status code error ({})", r.status));
    }
    if let Some(want) = url.digest {
        if want != r.digest {
            return Err(format!(
                "MD5 digest error (got {})",
                super::genhash::hex(&r.digest)
            ));
        }
    }
    Ok(())
}

async fn check_url(
    p: &Probe,
    url: &Url,
    tls: Option<(bool, Option<&str>)>,
    vhost: Option<&str>,
    limit: Duration,
) -> Result<(), String> {
    let fut = fetch(p.target, &p.checker.connect, tls, url.path, vhost);
    let r = timeout(limit, fut)
        .await
        .map_err(|_| format!("Timeout WEB read of {}", url.path))??;
    judge(url, &r).map_err(|e| format!("{e} on {}", url.path))
}

pub async fn check(p: &Probe) -> Attempt {
    let Check::Http {
        tls,
        urls,
        virtualhost,
        sni,
    } = p.checker.check
    else {
        return Err("not an HTTP check".into());
    };
    let limit = p.checker.timing.connect_timeout;
    for url in urls {
        let vhost = url.virtualhost.or(virtualhost);
        let tls = tls.then_some((sni, vhost));
        check_url(p, url, tls, vhost, limit).await?;
    }
    Ok(Weighting::Configured)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_line_parsing_follows_keepalived() {
        assert_eq!(status_code(b"HTTP/1.1 200 OK\r\n"), 200);
        assert_eq!(status_code(b"HTTP/1.0 404 Not Found\r\n"), 404);
        assert_eq!(status_code(b"HTTP/1.1 2000 OK\r\n"), 0);
        assert_eq!(status_code(b"HTTP/1.1 20 OK\r\n"), 0);
        assert_eq!(status_code(b"garbage"), 0);
        assert_eq!(status_code(b"\r\n200 x"), 0);
    }

    #[test]
    fn request_host_header() {
        let v6: SocketAddr = "[2001:db8::1]:8080".parse().unwrap();
        assert_eq!(
            request("/x", None, v6),
            "GET /x HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\n\
             Host: [2001:db8::1]:8080\r\n\r\n"
        );
        let v4: SocketAddr = "192.0.2.1:80".parse().unwrap();
        assert!(request("/", Some("www.example.org"), v4)
            .contains("Host: www.example.org\r\n"));
    }

    #[test]
    fn status_ranges() {
        let mut url = Url {
            path: "/",
            digest: None,
            status: &[],
            virtualhost: None,
        };
        assert!(status_ok(&url, 204) && !status_ok(&url, 301));
        url.status = &[(300, 302), (404, 404)];
        assert!(status_ok(&url, 301) && status_ok(&url, 404));
        assert!(!status_ok(&url, 200));
    }
}
