//! Linux IPVS over generic netlink: the desired table, its diff against
//! the kernel's, and the messages that apply it.
//!
//! - [`msg`]: the `IPVS` genl family's commands and attributes;
//! - [`table`]: a kernel table (services and their destinations) as
//!   plain data, what the kernel holds or what kacd wants;
//! - [`pool`]: keepalived's pool semantics, computing the wanted table
//!   from the site tables and the health state;
//! - [`diff`]: the ordered changes from one table to another;
//! - [`client`]: a blocking genl socket that dumps and applies.

pub mod client;
pub mod diff;
pub mod msg;
pub mod pool;
pub mod table;

pub use client::{Client, Error};
pub use diff::{diff, Change};
pub use pool::{Event, EventKind, Pool};
pub use table::{DestKey, DestSpec, Forward, ServiceKey, ServiceSpec, Table};
