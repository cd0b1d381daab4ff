//! `kac genhash URL`: what keepalived's `genhash` does — fetch a URL
//! over HTTP or HTTPS with the checker's own request and print the MD5
//! of the body, the value a `digest` line wants.

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use crate::site::lvs::Connect;

/// A parsed `http[s]://host[:port]/path` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub path: String,
}

/// Parses the URL forms genhash users write (scheme optional: http).
pub fn parse_url(url: &str) -> Result<Target, String> {
    let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else if url.contains("://") {
        return Err(format!("{url}: only http:// and https:// URLs"));
    } else {
        (false, url)
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let default_port = if tls { 443 } else { 80 };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, tail) = v6
            .split_once(']')
            .ok_or_else(|| format!("{url}: unclosed [ in the host"))?;
        let port = match tail.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| format!("{url}: bad port"))?,
            None if tail.is_empty() => default_port,
            None => return Err(format!("{url}: junk after the host")),
        };
        (h.to_string(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (
                h.to_string(),
                p.parse().map_err(|_| format!("{url}: bad port"))?,
            ),
            None => (authority.to_string(), default_port),
        }
    };
    if host.is_empty() {
        return Err(format!("{url}: no host"));
    }
    Ok(Target {
        tls,
        host,
        port,
        path: path.to_string(),
    })
}

/// Options beside the URL (genhash's `-s SERVER`, `-V VHOST`, SNI).
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Connect here instead of resolving the URL's host.
    pub server: Option<std::net::IpAddr>,
    /// The Host header (and SNI name); default: none, as keepalived's
    /// checker sends the address when no virtualhost is set.
    pub virtualhost: Option<String>,
    pub sni: bool,
    /// Default 5 s, keepalived's connect_timeout.
    pub timeout: Option<Duration>,
}

/// MD5 of the body at `url`, as lower-case hex is [`hex`] of it.
pub fn genhash(url: &str, opts: &Options) -> Result<[u8; 16], String> {
    let t = parse_url(url)?;
    let dst: SocketAddr = match opts.server {
        Some(ip) => SocketAddr::new(ip, t.port),
        None => (t.host.as_str(), t.port)
            .to_socket_addrs()
            .map_err(|e| format!("{}: {e}", t.host))?
            .next()
            .ok_or_else(|| format!("{}: no address", t.host))?,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    let vhost = opts.virtualhost.as_deref();
    let name = vhost.or(Some(t.host.as_str()));
    let tls = t.tls.then_some((opts.sni, name));
    let limit = opts.timeout.unwrap_or(Duration::from_secs(5));
    let connect = Connect::default();
    let r = rt.block_on(async {
        tokio::time::timeout(
            limit,
            super::http::fetch(dst, &connect, tls, &t.path, vhost),
        )
        .await
        .map_err(|_| format!("{url}: timeout after {limit:?}"))?
    })?;
    if !r.received {
        return Err("no data received from remote webserver".into());
    }
    Ok(r.digest)
}

/// Lower-case hex, as `digest` lines write it.
pub fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let t = parse_url("https://[2001:db8::1]:8443/a/b?c").unwrap();
        assert_eq!(
            t,
            Target {
                tls: true,
                host: "2001:db8::1".into(),
                port: 8443,
                path: "/a/b?c".into()
            }
        );
        let t = parse_url("192.0.2.1").unwrap();
        assert_eq!((t.tls, t.port, t.path.as_str()), (false, 80, "/"));
        assert!(parse_url("ftp://x/").is_err());
        assert!(parse_url("http://:80/").is_err());
        assert_eq!(hex(&[0, 0xab]), "00ab");
    }
}
