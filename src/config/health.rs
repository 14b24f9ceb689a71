//! `[health]`: the status file and endpoint fleet monitoring reads.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::rules::*;
use super::{EmptyIsNone, Seconds};

/// `[health]`: what fleet monitoring can read.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Health {
    /// JSON status file, rewritten every `interval_s`; relative to the config file. "" = none.
    pub file: PathBuf,
    /// `GET /health` on this address (keep it on loopback). "" = no endpoint.
    #[serde(with = "EmptyIsNone")]
    pub listen: Option<SocketAddr>,
    /// Seconds between status writes (systemd's watchdog may ask for more often).
    #[serde(with = "Seconds")]
    pub interval_s: Duration,
}

impl Default for Health {
    fn default() -> Self {
        Self {
            file: "~/.local/state/kiosk/kiosk-health.json".into(),
            listen: Some(SocketAddr::from(([127, 0, 0, 1], 8790))),
            interval_s: Duration::from_secs(10),
        }
    }
}

impl Health {
    /// How often the status is written.
    pub(super) fn issues(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        issues.extend(check_duration("health.interval_s", self.interval_s, (1, 3600), "s").err());
        issues
    }
}
