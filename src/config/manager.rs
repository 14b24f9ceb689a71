//! `[manager]` and `[notifications]`: manager mode (PIN, imports, timeouts) and the associate webhook.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::rules::*;
use super::{EmptyIsNone, Seconds};
use url::Url;

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Manager {
    pub pin_hash_env: String,
    pub pin_hash_file: PathBuf,
    pub max_attempts: u32,
    #[serde(with = "Seconds")]
    pub lockout_s: Duration,
    /// The dashboard shows the last sync in red when it is older than this.
    #[serde(with = "Seconds")]
    pub sync_max_age_s: Duration,
    /// Folders searched (three levels deep) for stock files to import: the store's share,
    /// USB sticks. Relative paths are relative to the config file's folder.
    pub import_dirs: Vec<PathBuf>,
    /// A whole-stock (replace) import that would remove more than this share of the sizes
    /// in stock, percent, is refused unless forced: a short or wrong file must not empty the
    /// store's stock. 100 = never refused.
    pub import_max_removed_percent: u32,
    /// Seconds without a touch before manager mode asks "still there?" and then logs out: a
    /// manager reads, counts and checks the stockroom between taps, a shopper does not.
    #[serde(with = "Seconds")]
    pub idle_timeout_s: Duration,
}

impl Default for Manager {
    fn default() -> Self {
        Self {
            pin_hash_env: "KIOSK_MANAGER_PIN_HASH".into(),
            pin_hash_file: PathBuf::new(),
            max_attempts: 5,
            lockout_s: Duration::from_secs(300),
            sync_max_age_s: Duration::from_secs(3600),
            import_dirs: vec!["imports".into(), "/media".into(), "/run/media".into()],
            import_max_removed_percent: 50,
            idle_timeout_s: Duration::from_secs(600),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Notifications {
    /// POSTed when a shopper asks an associate for a size; "" = the local queue only.
    #[serde(with = "EmptyIsNone")]
    pub associate_webhook: Option<Url>,
}

impl Manager {
    /// The PIN gate, the sync age, the import guard and manager mode's own timeout.
    pub(super) fn issues(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        issues.extend(
            check_range(
                "manager.max_attempts",
                u64::from(self.max_attempts),
                1,
                100,
                "attempts",
            )
            .err(),
        );
        issues.extend(check_duration("manager.lockout_s", self.lockout_s, (0, 86_400), "s").err());
        issues.extend(
            check_duration(
                "manager.idle_timeout_s",
                self.idle_timeout_s,
                (60, 7_200),
                "s",
            )
            .err(),
        );
        issues.extend(
            check_duration(
                "manager.sync_max_age_s",
                self.sync_max_age_s,
                (60, 604_800),
                "s",
            )
            .err(),
        );
        issues.extend(
            check_range(
                "manager.import_max_removed_percent",
                u64::from(self.import_max_removed_percent),
                0,
                100,
                "%",
            )
            .err(),
        );
        issues
    }
}

impl Notifications {
    /// A webhook the kiosk can call.
    pub(super) fn issues(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        if let Some(webhook) = &self.associate_webhook {
            issues.extend(check_http_url("notifications.associate_webhook", webhook).err());
        }
        issues
    }
}
