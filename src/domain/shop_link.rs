//! "Continue on your phone": the chain's web-shop address of a style and size (`[shop]
//! product_url`), which the product screen shows as a QR code — for shoppers who would rather
//! not type an address on a public screen, or who want to think it over.
//!
//! The template is minijinja like the mapped warehouse's URLs, and every value is
//! percent-encoded wherever it goes. A variable it does not know, or an address that is not
//! https once filled in, is refused when the config is loaded.

use minijinja::Environment;

use crate::config::{Config, Issue};
use crate::domain::barcode::Gtin;

/// The variables a `product_url` may use.
pub const VARIABLES: [&str; 4] = ["gtin", "style", "store", "kiosk"];

const NAME: &str = "shop.url";
const KEY: &str = "shop.product_url";

/// What a link is made for.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The size: the one the shopper scanned (the display shoe's), until they choose one.
    pub gtin: Gtin,
    pub style: &'a str,
}

/// A compiled `product_url`.
pub struct ShopLink {
    env: Environment<'static>,
    store: String,
    kiosk: String,
}

impl std::fmt::Debug for ShopLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopLink").finish_non_exhaustive()
    }
}

/// Why a `product_url` cannot be used: the problem and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkFault {
    pub problem: String,
    pub fix: String,
}

impl ShopLink {
    /// `None` when no web shop is configured (`product_url = ""`): no QR code is shown.
    pub fn from_config(config: &Config) -> Result<Option<Self>, LinkFault> {
        let template = config.shop.product_url.trim();
        if template.is_empty() {
            return Ok(None);
        }
        let mut env = crate::warehouse::mapped::template_environment();
        env.add_template_owned(NAME, template.to_owned())
            .map_err(|e| LinkFault {
                problem: format!("the template does not parse: {}", e.detail().unwrap_or("")),
                fix: EXAMPLE.into(),
            })?;
        let compiled = env.get_template(NAME).map_err(|e| LinkFault {
            problem: e.to_string(),
            fix: EXAMPLE.into(),
        })?;
        if let Some(unknown) = compiled
            .undeclared_variables(false)
            .into_iter()
            .find(|v| !VARIABLES.contains(&v.as_str()))
        {
            return Err(LinkFault {
                problem: format!("{{{{ {unknown} }}}} is not a variable of the shop link"),
                fix: format!(
                    "use {}",
                    VARIABLES.map(|v| format!("{{{{ {v} }}}}")).join(", ")
                ),
            });
        }
        let link = Self {
            env,
            store: config.store.id.clone(),
            kiosk: config.store.kiosk_id.clone(),
        };
        // A trial with sample values: what a phone would be asked to open.
        let sample = link.url(Target {
            gtin: "04012345001013".parse().map_err(|_| LinkFault {
                problem: "sample GTIN".into(),
                fix: String::new(),
            })?,
            style: "RUN-100",
        })?;
        match url::Url::parse(&sample) {
            Ok(url) if url.scheme() == "https" && url.host().is_some() => Ok(Some(link)),
            Ok(url) => Err(LinkFault {
                problem: format!("it gives a {}: address, not https:", url.scheme()),
                fix: EXAMPLE.into(),
            }),
            Err(e) => Err(LinkFault {
                problem: format!("filled in, it is no address ({e})"),
                fix: EXAMPLE.into(),
            }),
        }
    }

    /// The address for `target`, every value percent-encoded.
    pub fn url(&self, target: Target<'_>) -> Result<String, LinkFault> {
        let template = self.env.get_template(NAME).map_err(|e| LinkFault {
            problem: e.to_string(),
            fix: EXAMPLE.into(),
        })?;
        template
            .render(minijinja::context! {
                gtin => target.gtin.to_string(),
                style => target.style,
                store => &self.store,
                kiosk => &self.kiosk,
            })
            .map(|url| url.trim().to_owned())
            .map_err(|e| LinkFault {
                problem: format!("it cannot be filled in: {e}"),
                fix: EXAMPLE.into(),
            })
    }
}

const EXAMPLE: &str = "write it like \"https://shop.example.com/p/{{ style }}?gtin={{ gtin }}&utm_source=kiosk&utm_campaign={{ store }}\", or \"\" for none";

/// `[shop]`'s rules, for `kiosk::checks`.
pub fn check_config(config: &Config) -> Vec<Issue> {
    match ShopLink::from_config(config) {
        Ok(_) => Vec::new(),
        Err(fault) => vec![Issue {
            key: KEY.into(),
            problem: fault.problem,
            fix: fault.fix,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(template: &str) -> Config {
        let mut config = Config::default();
        config.shop.product_url = template.into();
        config
    }

    fn target() -> Target<'static> {
        Target {
            gtin: "04012345001020".parse().unwrap(),
            style: "TRAIL 9/W&B",
        }
    }

    #[test]
    fn no_template_means_no_link() {
        assert!(ShopLink::from_config(&with("")).unwrap().is_none());
        assert!(ShopLink::from_config(&with("  ")).unwrap().is_none());
    }

    #[test]
    fn values_are_percent_encoded_wherever_they_go() {
        let link = ShopLink::from_config(&with(
            "https://shop.example.com/p/{{ style }}?gtin={{ gtin }}&utm_campaign={{ store }}-{{ kiosk }}",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(
            link.url(target()).unwrap(),
            "https://shop.example.com/p/TRAIL%209%2FW%26B?gtin=04012345001020&utm_campaign=demo-store-001-kiosk-1"
        );
    }

    #[test]
    fn a_bad_template_is_refused_with_what_and_how() {
        for (template, says) in [
            (
                "https://shop.example.com/p/{{ sku }}",
                "{{ sku }} is not a variable",
            ),
            ("https://shop.example.com/p/{{ style ", "does not parse"),
            ("http://shop.example.com/p/{{ style }}", "not https"),
            ("{{ style }}", "no address"),
        ] {
            let issues = check_config(&with(template));
            assert_eq!(issues.len(), 1, "{template}");
            assert_eq!(issues[0].key, KEY);
            assert!(
                issues[0].problem.contains(says),
                "{template}: {}",
                issues[0].problem
            );
            assert!(issues[0].fix.starts_with("use ") || issues[0].fix.contains("https://"));
        }
    }
}
