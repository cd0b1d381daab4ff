//! `vrrp_instance` and `vrrp_sync_group`.

use super::value::Sp;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Vrrp {
    pub instances: Vec<VrrpInstance>,
    pub sync_groups: Vec<SyncGroup>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VrrpInstance {
    pub name: Sp<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SyncGroup {
    pub name: Sp<String>,
}
