//! `[shop]`: the chain's web shop, for "Continue on your phone".

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Shop {
    /// The web shop's page of a style and size, a minijinja template (variables: gtin, style,
    /// store, kiosk), shown as a QR code on the product screen; "" = no QR code. Its rules are
    /// `domain::shop_link`'s.
    pub product_url: String,
}
