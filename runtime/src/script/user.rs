//! Who a script runs as: keepalived's `script_user` rules.

use nix::unistd::{getegid, geteuid, Group, User};

use super::ScriptError;

/// The uid and gid a script runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    pub uid: u32,
    pub gid: u32,
}

impl Identity {
    pub const ROOT: Identity = Identity { uid: 0, gid: 0 };

    /// Our own effective uid and gid.
    pub fn current() -> Identity {
        Identity {
            uid: geteuid().as_raw(),
            gid: getegid().as_raw(),
        }
    }

    /// `user [group]`: the group defaults to the user's primary group.
    pub fn lookup(
        user: &str,
        group: Option<&str>,
    ) -> Result<Identity, ScriptError> {
        let u = User::from_name(user).ok().flatten().ok_or_else(|| {
            ScriptError::User(format!("unknown script user `{user}`"))
        })?;
        let gid = match group {
            None => u.gid.as_raw(),
            Some(g) => Group::from_name(g)
                .ok()
                .flatten()
                .ok_or_else(|| {
                    ScriptError::User(format!("unknown script group `{g}`"))
                })?
                .gid
                .as_raw(),
        };
        Ok(Identity {
            uid: u.uid.as_raw(),
            gid,
        })
    }

    /// keepalived's default when `script_user` is not set: the user
    /// `keepalived_script` if it exists, else ourselves (root).
    pub fn keepalived_default() -> Identity {
        Identity::lookup("keepalived_script", None)
            .unwrap_or_else(|_| Identity::current())
    }
}
