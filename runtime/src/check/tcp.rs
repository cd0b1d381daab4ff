//! TCP_CHECK: up when a connection opens within `connect_timeout`.

use tokio::time::timeout;

use super::plan::Probe;
use super::schedule::{Attempt, Weighting};

pub async fn check(p: &Probe) -> Attempt {
    let c = &p.checker;
    match timeout(
        c.timing.connect_timeout,
        super::connect::tcp(p.target, &c.connect),
    )
    .await
    {
        Ok(Ok(_stream)) => Ok(Weighting::Configured),
        Ok(Err(e)) => Err(format!("connect: {e}")),
        Err(_) => Err("connection timeout".into()),
    }
}
