//! `global_defs` and the other top-level settings.

/// Everything `global_defs` and the top-level single-line keywords set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Global {}
