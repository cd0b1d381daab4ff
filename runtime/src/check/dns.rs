//! DNS_CHECK: one query (recursion desired, class IN) over UDP. As in
//! keepalived's check_dns.c, the server is up when a reply with our id,
//! the QR bit set and RCODE 0 arrives in time; replies with another id or
//! without QR are ignored, a non-zero RCODE is a failure.

use tokio::time::{timeout, Instant};

use super::plan::Probe;
use super::schedule::{Attempt, Weighting};
use nix::sys::socket::SockType;

/// keepalived's query types by name.
pub fn type_code(name: &str) -> Option<u16> {
    Some(match name.to_ascii_uppercase().as_str() {
        "A" => 1,
        "NS" => 2,
        "CNAME" => 5,
        "SOA" => 6,
        "MX" => 15,
        "TXT" => 16,
        "AAAA" => 28,
        "RRSIG" => 46,
        "DNSKEY" => 48,
        _ => return None,
    })
}

/// The query message: header (id, RD), one question.
pub fn query(id: u16, qtype: u16, name: &str) -> Result<Vec<u8>, String> {
    let mut m = Vec::with_capacity(32 + name.len());
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&0x0100u16.to_be_bytes()); // RD
    m.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // QD=1, AN=NS=AR=0
    for label in name.split('.').filter(|l| !l.is_empty()) {
        let len = u8::try_from(label.len())
            .ok()
            .filter(|&l| l <= 63)
            .ok_or_else(|| format!("DNS label too long in {name}"))?;
        m.push(len);
        m.extend_from_slice(label.as_bytes());
    }
    m.push(0);
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&1u16.to_be_bytes()); // IN
    Ok(m)
}

/// What a datagram means for the query with `id`.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    /// Not ours (short, other id, not a response): keep waiting.
    Ignore,
    Ok,
    Rcode(u8),
}

pub fn classify(id: u16, msg: &[u8]) -> Reply {
    if msg.len() < 12 || msg[..2] != id.to_be_bytes() {
        return Reply::Ignore;
    }
    let flags = u16::from_be_bytes([msg[2], msg[3]]);
    if flags & 0x8000 == 0 {
        return Reply::Ignore;
    }
    match (flags & 0x000f) as u8 {
        0 => Reply::Ok,
        rc => Reply::Rcode(rc),
    }
}

pub async fn check(p: &Probe, query_type: &str, name: &str) -> Attempt {
    let qtype = type_code(query_type)
        .ok_or_else(|| format!("unknown query type {query_type}"))?;
    let id = super::rand::u16();
    let msg = query(id, qtype, name)?;
    let sock = super::connect::datagram(
        p.target,
        &p.checker.connect,
        SockType::Datagram,
        None,
    )
    .map_err(|e| format!("socket: {e}"))?;
    sock.connect(p.target)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let deadline = Instant::now() + p.checker.timing.connect_timeout;
    let exchange = async {
        sock.send(&msg)
            .await
            .map_err(|e| format!("failed to write socket: {e}"))?;
        let mut buf = [0u8; 1024];
        loop {
            let n = sock
                .recv(&mut buf)
                .await
                .map_err(|e| format!("failed to read socket: {e}"))?;
            match classify(id, &buf[..n]) {
                Reply::Ignore => continue,
                Reply::Ok => return Ok(Weighting::Configured),
                Reply::Rcode(rc) => {
                    return Err(format!("read error occurred. (rcode = {rc})"))
                }
            }
        }
    };
    timeout(deadline - Instant::now(), exchange)
        .await
        .map_err(|_| "read timeout from socket".to_string())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_encoding() {
        let q = query(0x1234, 1, "www.example.org.").unwrap();
        assert_eq!(&q[..12], &[0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(&q[12..17], b"\x03www\x07");
        assert_eq!(&q[q.len() - 5..], &[0, 0, 1, 0, 1]);
        // The root: just the empty name.
        assert_eq!(query(1, 6, ".").unwrap().len(), 12 + 1 + 4);
    }

    #[test]
    fn reply_rules() {
        let mut r = [0u8; 12];
        r[..2].copy_from_slice(&7u16.to_be_bytes());
        assert_eq!(classify(7, &r), Reply::Ignore); // a query
        r[2] = 0x81;
        assert_eq!(classify(7, &r), Reply::Ok);
        assert_eq!(classify(8, &r), Reply::Ignore);
        r[3] = 0x03;
        assert_eq!(classify(7, &r), Reply::Rcode(3));
        assert_eq!(classify(7, &r[..11]), Reply::Ignore);
    }
}
