//! Dump of the `vrrp` part of the IR.

use super::Writer;
use crate::ir::Config;

pub fn dump(_w: &mut Writer, _config: &Config) {}
