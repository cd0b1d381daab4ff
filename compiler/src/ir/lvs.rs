//! `virtual_server_group`, `virtual_server`, `real_server` and checkers.

use super::value::Sp;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lvs {
    pub groups: Vec<VirtualServerGroup>,
    pub servers: Vec<VirtualServer>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VirtualServerGroup {
    pub name: Sp<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VirtualServer {}
