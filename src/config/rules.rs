//! The shapes of a broken rule ([`Issue`]) and the checks the sections share.

use std::time::Duration;

use serde::Serialize;
use url::Url;

/// A rule broken by a value: which key, what is wrong, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub key: std::borrow::Cow<'static, str>,
    pub problem: String,
    pub fix: String,
}

pub(super) fn issue(
    key: &'static str,
    problem: impl Into<String>,
    fix: impl Into<String>,
) -> Issue {
    Issue {
        key: key.into(),
        problem: problem.into(),
        fix: fix.into(),
    }
}

pub(super) fn check_range(
    key: &'static str,
    value: u64,
    min: u64,
    max: u64,
    unit: &str,
) -> Result<(), Issue> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(issue(
            key,
            format!("{value} {unit} is out of range"),
            format!("use a value from {min} to {max} {unit}"),
        ))
    }
}

/// A duration in the key's unit ("ms" or "s") within `min..=max` of that unit.
pub(super) fn check_duration(
    key: &'static str,
    value: Duration,
    (min, max): (u64, u64),
    unit: &str,
) -> Result<(), Issue> {
    let whole = if unit == "ms" {
        value.as_millis()
    } else {
        u128::from(value.as_secs())
    };
    check_range(
        key,
        u64::try_from(whole).unwrap_or(u64::MAX),
        min,
        max,
        unit,
    )
}

/// An id that travels in URLs and logs: 1-64 letters, digits, '-' or '_'.
pub(super) fn check_identifier(
    key: &'static str,
    value: &str,
    what: &str,
    hint: &str,
) -> Result<(), Issue> {
    let ok = (1..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(issue(
            key,
            format!("{value:?} is not a valid {what}"),
            format!("use 1 to 64 letters, digits, '-' or '_', {hint}"),
        ))
    }
}

pub(super) fn check_fraction(
    key: &'static str,
    value: f64,
    min: f64,
    max: f64,
) -> Result<(), Issue> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(issue(
            key,
            format!("{value} is out of range"),
            format!("use a value from {min:.1} to {max:.1}"),
        ))
    }
}

/// A list of enabled options must not be empty, and its default must be one of them.
pub(super) fn check_choice<T: PartialEq + Serialize>(
    (list_key, list, example): (&'static str, &[T], &str),
    (default_key, default): (&'static str, &T),
) -> Result<(), Issue> {
    if list.is_empty() {
        return Err(issue(
            list_key,
            "nothing is enabled",
            format!("list at least one, e.g. {example}"),
        ));
    }
    if !list.contains(default) {
        // Shown as written in the file, e.g. "fr".
        let shown = serde_json::to_string(default).unwrap_or_default();
        return Err(issue(
            default_key,
            format!("{shown} is not in {list_key}"),
            format!("add it to {list_key} or pick one of them"),
        ));
    }
    Ok(())
}

/// A parsed URL the kiosk can call: http or https, with a host.
pub(super) fn check_http_url(key: &'static str, value: &Url) -> Result<(), Issue> {
    if matches!(value.scheme(), "http" | "https") && value.host().is_some() {
        Ok(())
    } else {
        Err(issue(
            key,
            format!("{:?} is not an http(s) URL", value.as_str()),
            "write it as https://host/path",
        ))
    }
}
