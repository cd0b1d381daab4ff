//! rtnetlink: what the VRRP side knows about the host's interfaces and
//! how it changes their addresses.
//!
//! - [`Reflector`] (keepalived's "netlink reflector"): a `NETLINK_ROUTE`
//!   socket subscribed to link and address events. It dumps links and
//!   addresses once when opened, then keeps an in-process [`View`] up to
//!   date from the kernel's broadcasts and reports each difference as a
//!   [`Change`]. Its socket is non-blocking and pollable (`AsFd`); when
//!   the kernel drops broadcasts (`ENOBUFS`) it dumps again and reports
//!   [`Change::Resync`] followed by what differed.
//! - [`Commander`]: a second `NETLINK_ROUTE` socket for requests. Each
//!   request waits for its own acknowledgement (sequence number and port
//!   checked, with a timeout). It adds and removes the addresses of the
//!   site tables ([`crate::site::addr::Address`]) with keepalived's
//!   options.
//!
//! Both are synchronous and thread-free: the event loop owns them.

mod command;
pub mod link;
mod reflector;
mod request;
pub mod route;
pub mod rule;
mod scope;
mod socket;
pub mod sysctl;
mod view;

pub use command::{
    CommandError, Commander, ErrorKind, Op, Outcome, DEFAULT_TIMEOUT,
};
pub use reflector::{Options, Reflector, Stats};
pub use request::AddressRequest;
pub use scope::{ScopeError, ScopeTable, RT_SCOPES_FILES};
pub use view::{Change, IfAddress, Link, LinkStatus, OperState, View};

/// The symbolic name of an errno value (`EEXIST`), or its number when it
/// has none.
pub fn errno_name(errno: i32) -> String {
    match nix::errno::Errno::from_raw(errno) {
        nix::errno::Errno::UnknownErrno => format!("errno {errno}"),
        e => format!("{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn errno_names() {
        assert_eq!(super::errno_name(libc::EEXIST), "EEXIST");
        assert_eq!(super::errno_name(libc::ENOBUFS), "ENOBUFS");
        assert_eq!(super::errno_name(100_000), "errno 100000");
    }
}
