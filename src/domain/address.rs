//! Shipping addresses: the countries the kiosk ships to and whether a postcode or an e-mail
//! address can be right. The postcode formats are data (`assets/address/postcodes.toml`, from
//! Google's address metadata), compiled in and shared by the kiosk's form and the reference
//! warehouse, so both refuse the same addresses.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;
use thiserror::Error;

const POSTCODES: &str = include_str!("../../assets/address/postcodes.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    pattern: String,
    examples: Vec<String>,
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    keep_prefix: bool,
}

/// A country the kiosk ships to.
#[derive(Debug)]
pub struct Country {
    /// ISO 3166-1 alpha-2, upper case.
    pub code: String,
    /// The whole postcode, anchored.
    pattern: Regex,
    /// Real postcodes of this country, to show as an example.
    pub examples: Vec<String>,
    prefix: String,
    keep_prefix: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AddressError {
    #[error("we do not ship to the country {0:?}")]
    UnknownCountry(String),
    #[error("{postcode:?} is not a postcode of {country} (for example {example})")]
    Postcode {
        postcode: String,
        country: String,
        example: String,
    },
    #[error("not an e-mail address (name@example.com)")]
    Email,
}

static COUNTRIES: LazyLock<Vec<Country>> = LazyLock::new(|| {
    // The file is compiled in and checked by a test: a broken entry is a build defect.
    let entries: BTreeMap<String, Entry> =
        toml::from_str(POSTCODES).expect("assets/address/postcodes.toml is valid");
    entries
        .into_iter()
        .map(|(code, e)| Country {
            pattern: Regex::new(&format!("^(?:{})$", e.pattern))
                .unwrap_or_else(|err| panic!("postcodes.toml [{code}]: {err}")),
            code,
            examples: e.examples,
            prefix: e.prefix,
            keep_prefix: e.keep_prefix,
        })
        .collect()
});

/// Every country the kiosk ships to, by code.
pub fn countries() -> &'static [Country] {
    &COUNTRIES
}

pub fn country(code: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.code == code)
}

impl Country {
    /// The postcode as the post writes it (capitals, single spaces, the country prefix only
    /// where it belongs), or why it cannot be one of this country's.
    pub fn postcode(&self, typed: &str) -> Result<String, AddressError> {
        let mut text = typed
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase();
        if !self.prefix.is_empty() {
            let bare = self.prefix.trim_end_matches('-');
            for written in [self.prefix.as_str(), bare] {
                if let Some(rest) = text.strip_prefix(written) {
                    text = rest.trim_start().to_owned();
                    break;
                }
            }
            if self.keep_prefix {
                text = format!("{}{text}", self.prefix);
            }
        }
        if self.pattern.is_match(&text) {
            Ok(text)
        } else {
            Err(AddressError::Postcode {
                postcode: typed.trim().to_owned(),
                country: self.code.clone(),
                example: self.example().to_owned(),
            })
        }
    }

    pub fn example(&self) -> &str {
        self.examples.first().map_or("", String::as_str)
    }
}

/// The postcode of `country_code` as the post writes it, or why not.
pub fn check_postcode(country_code: &str, postcode: &str) -> Result<String, AddressError> {
    country(country_code)
        .ok_or_else(|| AddressError::UnknownCountry(country_code.to_owned()))?
        .postcode(postcode)
}

/// Whether `email` has the form of an address (RFC 5322 via `email_address`, plus a dot in
/// the domain: a shop's customer is not at `localhost`).
pub fn check_email(email: &str) -> Result<(), AddressError> {
    let email = email.trim();
    let parsed = email_address::EmailAddress::parse_with_options(
        email,
        email_address::Options::default().without_display_text(),
    )
    .map_err(|_| AddressError::Email)?;
    let domain = parsed.domain();
    if !domain.contains('.') || domain.starts_with('[') || domain.ends_with('.') {
        return Err(AddressError::Email);
    }
    Ok(())
}

/// The config's rules about addresses: the store's country must be one the kiosk ships to.
pub fn check_config(config: &crate::config::Config) -> Vec<crate::config::Issue> {
    if country(&config.store.country).is_some() {
        return Vec::new();
    }
    let known: Vec<&str> = countries().iter().map(|c| c.code.as_str()).collect();
    vec![crate::config::Issue {
        key: "store.country".into(),
        problem: format!(
            "{:?} is not a country the kiosk ships to",
            config.store.country
        ),
        fix: format!("use one of {}", known.join(", ")),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_fits_its_country_and_the_list_covers_the_eu_uk_us_ch_no() {
        for c in countries() {
            assert!(!c.examples.is_empty(), "{} has no example", c.code);
            for e in &c.examples {
                assert!(c.postcode(e).is_ok(), "{}: example {e} refused", c.code);
            }
        }
        let eu = [
            "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
            "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
        ];
        for code in eu.iter().chain(&["GB", "US", "CH", "NO"]) {
            assert!(country(code).is_some(), "{code} missing");
        }
    }

    #[test]
    fn postcodes_are_checked_per_country_and_written_as_the_post_does() {
        assert!(
            check_postcode("ES", "12").is_err(),
            "the parcel that never arrived"
        );
        assert_eq!(check_postcode("ES", " 28013 ").unwrap(), "28013");
        assert!(check_postcode("ES", "2801A").is_err());
        assert_eq!(check_postcode("GB", "sw1a  1aa").unwrap(), "SW1A 1AA");
        assert!(check_postcode("GB", "12345").is_err());
        assert_eq!(check_postcode("NL", "1234ab").unwrap(), "1234AB");
        assert_eq!(check_postcode("US", "22162-1010").unwrap(), "22162-1010");
        assert!(check_postcode("US", "2216").is_err());
        assert_eq!(check_postcode("CH", "CH-8001").unwrap(), "8001");
        assert_eq!(check_postcode("LV", "1050").unwrap(), "LV-1050");
        assert_eq!(check_postcode("LV", "lv-1050").unwrap(), "LV-1050");
        assert_eq!(check_postcode("PT", "1250-096").unwrap(), "1250-096");
        assert!(check_postcode("PT", "1250").is_err());
        assert_eq!(check_postcode("NO", "0025").unwrap(), "0025");
        assert_eq!(
            check_postcode("XX", "1000"),
            Err(AddressError::UnknownCountry("XX".into()))
        );
        let err = check_postcode("DE", "1011").unwrap_err().to_string();
        assert!(err.contains("26133"), "the error gives an example: {err}");
    }

    #[test]
    fn emails_need_a_name_an_at_and_a_real_domain() {
        for ok in [
            "ana@example.com",
            "ana.li+shoes@mail.example.es",
            " a@b.co ",
        ] {
            assert!(check_email(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ana@example",
            "ana@",
            "@example.com",
            "ana example.com",
            "ana@@example.com",
            "ana@example.com.",
            "Ana <ana@example.com>",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }
}
