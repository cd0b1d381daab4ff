//! VRRP: the pure state machine ([`machine`]). Sockets, netlink and the
//! event loop around it come with the Linux IO layer.

pub mod machine;
pub mod rx;
pub mod socket;
