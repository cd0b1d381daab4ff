//! Trackers that move an instance's effective priority: scripts, files
//! and processes, run off the VRRP thread.
