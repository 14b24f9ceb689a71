//! "Shoes like this in your size": when a size is nowhere, or the shopper asks, the styles this
//! store has on its shelf now in the same size and width — the same gender and category first,
//! then the same colour family, shared tags, and the nearest price.

use rusqlite::Connection;
use serde::Serialize;

use crate::db::DbError;
use crate::domain::barcode::Gtin;
use crate::domain::catalog::Style;
use crate::domain::sizes::Width;

/// Most styles offered at once: a screen of cards a shopper takes in at a glance.
pub const MAX_OFFERED: usize = 6;

/// What the shopper wants a substitute for: the style they scanned, at their size.
#[derive(Debug, Clone, PartialEq)]
pub struct Wanted<'a> {
    pub style: &'a Style,
    pub size_mm: u16,
    pub width: Width,
}

/// A style on this store's shelf in the wanted size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Substitute {
    pub style: Style,
    /// Its size (and width) the shopper wears.
    pub gtin: Gtin,
    pub quantity: u32,
}

const SQL: &str = "
    SELECT s.style_code, s.brand, s.name, s.colour, s.gender, s.price_cents, s.currency,
           s.image, s.description, s.fit_note, s.translations, s.category, s.colour_family,
           s.tags, v.gtin, st.quantity
      FROM variants AS v
      JOIN store_stock AS st ON st.gtin = v.gtin
      JOIN styles AS s ON s.id = v.style_id
     WHERE v.size_mm = ?1 AND v.width = ?2 AND st.quantity > 0 AND s.style_code <> ?3";

/// Whether a style of `gender` suits a shopper who scanned one of `wanted`: the same, or
/// either is unisex.
fn same_wearer(wanted: &str, gender: &str) -> bool {
    wanted == gender || wanted == "unisex" || gender == "unisex"
}

/// How alike `s` is to the wanted style; smaller sorts first: the same wearer, the same
/// category, the same colour family, more tags in common, the nearest price.
fn rank(wanted: &Style, s: &Style) -> (bool, bool, bool, std::cmp::Reverse<usize>, i64) {
    let shared_tags = s.tags.iter().filter(|t| wanted.tags.contains(t)).count();
    let known = |a: &str, b: &str| !a.is_empty() && a == b;
    (
        !same_wearer(&wanted.gender, &s.gender),
        !known(&wanted.category, &s.category),
        !known(&wanted.colour_family, &s.colour_family),
        std::cmp::Reverse(shared_tags),
        (s.price_cents - wanted.price_cents).abs(),
    )
}

/// Up to [`MAX_OFFERED`] styles in stock here in the wanted size, most alike first.
pub fn find(conn: &Connection, wanted: &Wanted<'_>) -> Result<Vec<Substitute>, DbError> {
    let mut stmt = conn.prepare_cached(SQL)?;
    let rows = stmt.query_map(
        rusqlite::params![wanted.size_mm, wanted.width.code(), wanted.style.style_code],
        |r| {
            let tags: String = r.get(13)?;
            let raw_gtin: i64 = r.get(14)?;
            Ok((
                Style {
                    style_code: r.get(0)?,
                    brand: r.get(1)?,
                    name: r.get(2)?,
                    colour: r.get(3)?,
                    gender: r.get(4)?,
                    price_cents: r.get(5)?,
                    currency: r.get(6)?,
                    image: r.get(7)?,
                    description: r.get(8)?,
                    fit_note: r.get(9)?,
                    translations: serde_json::from_str(&r.get::<_, String>(10)?)
                        .unwrap_or_default(),
                    category: r.get(11)?,
                    colour_family: r.get(12)?,
                    tags: split_tags(&tags),
                },
                raw_gtin,
                r.get::<_, u32>(15)?,
            ))
        },
    )?;
    let mut found: Vec<Substitute> = Vec::new();
    for row in rows {
        let (style, raw_gtin, quantity) = row?;
        let Some(gtin) = Gtin::from_stored(raw_gtin) else {
            continue;
        };
        // One card per style (a style has one variant per size and width).
        if found.iter().any(|f| f.style.style_code == style.style_code) {
            continue;
        }
        found.push(Substitute {
            style,
            gtin,
            quantity,
        });
    }
    found.sort_by(|a, b| {
        rank(wanted.style, &a.style)
            .cmp(&rank(wanted.style, &b.style))
            .then_with(|| a.style.style_code.cmp(&b.style.style_code))
    });
    found.truncate(MAX_OFFERED);
    Ok(found)
}

/// Tags as stored (`;`-separated), trimmed, lower case, no empties.
pub fn split_tags(text: &str) -> Vec<String> {
    text.split(';')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(code: &str, gender: &str, category: &str, family: &str, price: i64) -> Style {
        Style {
            style_code: code.into(),
            brand: "B".into(),
            name: code.into(),
            colour: family.into(),
            gender: gender.into(),
            price_cents: price,
            currency: "EUR".into(),
            image: String::new(),
            description: String::new(),
            fit_note: String::new(),
            translations: Default::default(),
            category: category.into(),
            colour_family: family.into(),
            tags: Vec::new(),
        }
    }

    #[test]
    fn the_same_wearer_and_kind_come_first_then_colour_then_price() {
        let wanted = style("W", "men", "running", "black", 10_000);
        let mut candidates = [
            style("women-running-black", "women", "running", "black", 10_000),
            style("men-boot-black", "men", "boot", "black", 10_000),
            style(
                "unisex-running-blue-near",
                "unisex",
                "running",
                "blue",
                10_500,
            ),
            style("men-running-blue-far", "men", "running", "blue", 19_000),
            style("men-running-black-far", "men", "running", "black", 19_000),
        ];
        candidates.sort_by_key(|s| rank(&wanted, s));
        let order: Vec<&str> = candidates.iter().map(|s| s.style_code.as_str()).collect();
        assert_eq!(
            order,
            [
                "men-running-black-far",
                "unisex-running-blue-near",
                "men-running-blue-far",
                "men-boot-black",
                "women-running-black",
            ]
        );
    }

    #[test]
    fn tags_are_read_loosely() {
        assert_eq!(split_tags(" Road; cushioned ;;"), ["road", "cushioned"]);
        assert!(split_tags("").is_empty());
    }
}
