//! Running configured commands: user, security rules, timeouts, and
//! killing the process group of one that hangs.
