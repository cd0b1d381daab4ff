//! kacd's process shell (CLI, logging, signals, pid and state files).
//! Filled in by a later issue.
