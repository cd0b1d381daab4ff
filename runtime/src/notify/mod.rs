//! Notifications of state changes: scripts and FIFOs, keepalived's way.
