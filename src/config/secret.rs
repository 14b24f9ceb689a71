//! Secrets (the warehouse token, the manager PIN hash) never live in `kiosk.toml`: the config
//! names an environment variable or a file, and this reads it.

use std::path::{Path, PathBuf};

use super::ConfigError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    Env(String),
    File(PathBuf),
    None,
}

impl SecretSource {
    /// `env` wins when both are named (validation forbids setting both for the token).
    pub fn new(env: &str, file: &Path) -> Self {
        if !env.is_empty() {
            Self::Env(env.to_owned())
        } else if !file.as_os_str().is_empty() {
            Self::File(file.to_path_buf())
        } else {
            Self::None
        }
    }
}

/// Reads the secret; `Ok(None)` when the variable is unset or no source is configured. A named
/// file that cannot be read is an error: the integrator asked for it.
pub fn read_secret(source: &SecretSource) -> Result<Option<String>, ConfigError> {
    match source {
        SecretSource::Env(name) => Ok(std::env::var(name)
            .ok()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())),
        SecretSource::File(path) => std::fs::read_to_string(path)
            .map(|s| Some(s.trim().to_owned()).filter(|v| !v.is_empty()))
            .map_err(|e| ConfigError::Io {
                path: path.clone(),
                message: e.to_string(),
            }),
        SecretSource::None => Ok(None),
    }
}
