//! Lowering of the `track` part of the language.

use super::{Ctx, Kw};
use crate::ir::Config;

crate::codes! {}


/// Top-level keywords this area handles.
pub static TOP: &[Kw<Config>] = &[];

/// Checks that need the whole configuration.
pub fn check(_ctx: &mut Ctx, _config: &Config) {}
