//! UDP_CHECK: send the payload on a connected socket; an ICMP port
//! unreachable (ECONNREFUSED) or another socket error is a failure, a
//! reply or silence until `connect_timeout` is success (keepalived
//! without `require_reply`).

use nix::sys::socket::SockType;
use tokio::time::timeout;

use super::plan::Probe;
use super::schedule::{Attempt, Weighting};

/// What keepalived sends without a `payload`: a fixed-size buffer.
const DEFAULT_PAYLOAD: [u8; 32] = *b"kac UDP_CHECK ..................";

pub async fn check(p: &Probe, payload: Option<&[u8]>) -> Attempt {
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
    sock.send(payload.unwrap_or(&DEFAULT_PAYLOAD))
        .await
        .map_err(|e| format!("send: {e}"))?;
    let mut buf = [0u8; 1];
    match timeout(p.checker.timing.connect_timeout, sock.recv(&mut buf)).await {
        Err(_) | Ok(Ok(_)) => Ok(Weighting::Configured),
        Ok(Err(e)) => Err(format!("UDP connection failed: {e}")),
    }
}
