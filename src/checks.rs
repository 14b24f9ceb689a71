//! Loading the config with every rule: the config's own (`Config::validate`) and those that
//! need a subsystem, each stated by its subsystem — countries (`address`), a mapped
//! warehouse's templates (`warehouse::mapped`), camera sources (`camera`), languages (`i18n`),
//! the web shop link (`domain::shop_link`).
//! The config module imports none of them (it is a leaf); this is where they meet, and every
//! broken rule is reported at once.

use std::path::Path;

use crate::config::{self, Config, ConfigError, Issue, LoadedConfig};

/// Every subsystem's rules for `config`.
pub fn subsystem_issues(config: &Config) -> Vec<Issue> {
    let mut issues = crate::domain::address::check_config(config);
    issues.extend(crate::warehouse::mapped::config_issues(config));
    issues.extend(crate::i18n::check_config(config));
    issues.extend(crate::domain::shop_link::check_config(config));
    issues
}

/// Loads `explicit`, else ./kiosk.toml, else the defaults, checked with every rule.
pub fn load(explicit: Option<&Path>) -> Result<LoadedConfig, ConfigError> {
    config::load_with(explicit, &subsystem_issues)
}

/// Parses config text with every rule (`path` only names the file in errors).
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    config::parse_with(text, path, &subsystem_issues)
}
