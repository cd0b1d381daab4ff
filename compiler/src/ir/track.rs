//! Tracked objects: `vrrp_script`, `track_file`, `vrrp_track_process`,
//! `bfd_instance`.

use super::value::Sp;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trackers {
    pub vrrp_scripts: Vec<VrrpScript>,
    pub track_files: Vec<TrackFile>,
    pub track_processes: Vec<TrackProcess>,
    pub bfd_instances: Vec<BfdInstance>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VrrpScript {
    pub name: Sp<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TrackFile {
    pub name: Sp<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TrackProcess {
    pub name: Sp<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BfdInstance {
    pub name: Sp<String>,
}
