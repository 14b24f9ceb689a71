//! Shopper-facing text from Fluent files in `assets/locales/<language>/`. Adding a language is
//! adding a folder with a `.ftl` file (and rebuilding: the files are compiled in, so a kiosk
//! never runs with missing text). A key missing in a language falls back to English.

use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./assets/locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language the kiosk can show, by its folder name (`en`, `es`, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lang(LanguageIdentifier);

impl Lang {
    pub fn parse(tag: &str) -> Option<Self> {
        let id: LanguageIdentifier = tag.parse().ok()?;
        LOCALES.locales().any(|l| *l == id).then_some(Self(id))
    }

    pub fn english() -> Self {
        Self(fluent_templates::langid!("en"))
    }

    pub fn tag(&self) -> String {
        self.0.to_string()
    }

    /// The language's own name ("English", "Español"), for the language switch.
    pub fn native_name(&self) -> String {
        self.text("language-name")
    }

    pub fn text(&self, key: &str) -> String {
        LOCALES.lookup(&self.0, key)
    }

    /// The text for `key`, or `None` when the language has no such key (for labels that come
    /// from data and may have no translation).
    pub fn try_text(&self, key: &str) -> Option<String> {
        LOCALES.try_lookup(&self.0, key)
    }

    pub fn text_with(&self, key: &str, args: &[(&str, String)]) -> String {
        let args: HashMap<std::borrow::Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| {
                // Small counts become numbers, so plural forms ("1 try", "2 tries") work;
                // codes like "04012345001013" stay text, leading zero and all.
                let value = match v.parse::<u32>() {
                    Ok(n) if v.len() <= 6 && (v == "0" || !v.starts_with('0')) => {
                        FluentValue::from(n)
                    }
                    _ => FluentValue::from(v.clone()),
                };
                (std::borrow::Cow::Owned((*k).to_owned()), value)
            })
            .collect();
        LOCALES.lookup_with_args(&self.0, key, &args)
    }
}

/// A language's number and date formatters (ICU4X, compiled-in CLDR data), made once.
struct Formats {
    decimal: icu_decimal::DecimalFormatter,
    date: icu_datetime::FixedCalendarDateTimeFormatter<
        icu_calendar::Gregorian,
        icu_datetime::fieldsets::MDE,
    >,
}

fn formats(lang: &Lang) -> Option<std::rc::Rc<Formats>> {
    use std::cell::RefCell;
    use std::rc::Rc;
    // Per thread: the formatters are not `Send`, and only the UI thread shows prices.
    thread_local! {
        static MADE: RefCell<HashMap<String, Rc<Formats>>> = RefCell::default();
    }
    let tag = lang.tag();
    if let Some(f) = MADE.with_borrow(|made| made.get(&tag).cloned()) {
        return Some(f);
    }
    let locale: icu_locale_core::Locale = tag.parse().ok()?;
    let formats = Rc::new(Formats {
        decimal: icu_decimal::DecimalFormatter::try_new(locale.clone().into(), Default::default())
            .ok()?,
        date: icu_datetime::FixedCalendarDateTimeFormatter::try_new(
            locale.into(),
            icu_datetime::fieldsets::MDE::medium(),
        )
        .ok()?,
    });
    MADE.with_borrow_mut(|made| made.insert(tag, formats.clone()));
    Some(formats)
}

impl Lang {
    /// A price as this language writes it: `€149.99` in English, `149,99 €` in Spanish. The
    /// number comes from CLDR; where the symbol goes is the translators' (`money` in the .ftl).
    pub fn money(&self, cents: i64, currency: &str) -> String {
        let symbol = match currency {
            "EUR" => "€",
            "USD" => "$",
            "GBP" => "£",
            other => other,
        };
        let mut amount = icu_decimal::input::Decimal::from(cents);
        amount.multiply_pow10(-2);
        amount.pad_end(-2);
        let number = match formats(self) {
            Some(f) => f.decimal.format(&amount).to_string(),
            None => amount.to_string(),
        };
        self.text_with(
            "money",
            &[("amount", number), ("symbol", symbol.to_owned())],
        )
    }

    /// An RFC 3339 instant as a shopper reads it here: the short date and the local time,
    /// "Fri, Dec 4, 18:30". The text itself when it is not a time.
    pub fn short_date_time(&self, instant: &str) -> String {
        let Ok(t) = instant.parse::<jiff::Timestamp>() else {
            return instant.to_owned();
        };
        let local = t.to_zoned(jiff::tz::TimeZone::system());
        format!(
            "{}, {}",
            self.short_date(Some(&local.date().to_string())),
            local.strftime("%H:%M")
        )
    }

    /// A distance as a shopper says it: "850 m" (to 50 m), "1.9 km", "13 km" (whole km from
    /// 10 km), with this language's decimal mark ("1,9 km").
    pub fn distance(&self, metres: u32) -> String {
        let (amount, key) = if metres < 1000 {
            let m = icu_decimal::input::Decimal::from((metres.div_ceil(50) * 50).max(50));
            (m, "distance-m")
        } else if metres < 9950 {
            let mut km = icu_decimal::input::Decimal::from((metres + 50) / 100);
            km.multiply_pow10(-1);
            km.pad_end(-1);
            (km, "distance-km")
        } else {
            (
                icu_decimal::input::Decimal::from((metres + 500) / 1000),
                "distance-km",
            )
        };
        let number = match formats(self) {
            Some(f) => f.decimal.format(&amount).to_string(),
            None => amount.to_string(),
        };
        self.text_with(key, &[("amount", number)])
    }

    /// `2026-12-04` as a shopper reads it in this language, weekday, day and month, never
    /// ambiguous: "Fri, Dec 4", "vie, 4 dic". `—` when unknown.
    pub fn short_date(&self, date: Option<&str>) -> String {
        let Some(d) = date.and_then(|d| d.parse::<jiff::civil::Date>().ok()) else {
            return "—".to_owned();
        };
        let formatted = icu_calendar::Date::try_new_gregorian(
            i32::from(d.year()),
            d.month() as u8,
            d.day() as u8,
        )
        .ok()
        .zip(formats(self))
        .map(|(date, f)| f.date.format(&date).to_string());
        formatted.unwrap_or_else(|| d.to_string())
    }
}

/// Every language with a folder in `assets/locales`, English first.
pub fn available() -> Vec<Lang> {
    let mut all: Vec<Lang> = LOCALES.locales().cloned().map(Lang).collect();
    all.sort_by_key(|l| (l.tag() != "en", l.tag()));
    all
}

/// The config's rules about languages: each must have its texts (a folder in assets/locales).
pub fn check_config(config: &crate::config::Config) -> Vec<crate::config::Issue> {
    let Some(unknown) = config
        .ui
        .languages
        .iter()
        .find(|l| Lang::parse(l).is_none())
    else {
        return Vec::new();
    };
    let have: Vec<String> = available().iter().map(Lang::tag).collect();
    vec![crate::config::Issue {
        key: "ui.languages".into(),
        problem: format!("no texts for language {unknown:?}"),
        fix: format!(
            "use languages that have a folder in assets/locales ({}), or add one",
            have.join(", ")
        ),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        text.lines()
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_owned()))
            .filter(|k| !k.starts_with('#') && !k.is_empty())
            .collect()
    }

    #[test]
    fn english_and_spanish_are_complete() {
        let en = keys(include_str!("../assets/locales/en/kiosk.ftl"));
        let es = keys(include_str!("../assets/locales/es/kiosk.ftl"));
        let missing: Vec<_> = en.iter().filter(|k| !es.contains(k)).collect();
        assert!(missing.is_empty(), "missing in es: {missing:?}");
        let extra: Vec<_> = es.iter().filter(|k| !en.contains(k)).collect();
        assert!(extra.is_empty(), "not in en: {extra:?}");
    }

    #[test]
    fn lookups_with_arguments() {
        let es = Lang::parse("es").unwrap();
        assert_eq!(es.native_name(), "Español");
        assert_eq!(
            es.text_with("instore-title", &[("size", "EU 42".into())]),
            "Un dependiente te traerá la talla EU 42"
        );
        assert!(available().iter().any(|l| l.tag() == "en"));
        // Counts pick the plural form in each language.
        let en = Lang::english();
        assert!(
            en.text_with("pin-wrong", &[("left", "1".into())])
                .contains("1 more try")
        );
        assert!(
            en.text_with("pin-wrong", &[("left", "3".into())])
                .contains("3 more tries")
        );
        assert!(
            es.text_with("pin-wrong", &[("left", "1".into())])
                .contains("Queda")
        );
        assert!(Lang::parse("xx").is_none());
    }

    #[test]
    fn money_and_dates_follow_the_language() {
        let en = Lang::english();
        let es = Lang::parse("es").unwrap();
        assert_eq!(en.money(14999, "EUR"), "€149.99");
        assert_eq!(es.money(14999, "EUR"), "149,99 €");
        assert_eq!(en.money(5, "USD"), "$0.05");
        assert_eq!(en.money(1_234_500, "GBP"), "£12,345.00");
        // Weekday, day and month in words: never "04/12" (4 December or 12 April?).
        let (en_date, es_date) = (
            en.short_date(Some("2026-12-04")),
            es.short_date(Some("2026-12-04")),
        );
        assert!(en_date.contains("Fri") && en_date.contains("Dec") && en_date.contains('4'));
        assert!(es_date.contains("vie") && es_date.contains("dic") && es_date.contains('4'));
        assert_eq!(en.short_date(None), "—");
        // Distances as people say them: metres to 50, one decimal to 10 km, then whole km.
        assert_eq!(en.distance(12), "50 m");
        assert_eq!(en.distance(830), "850 m");
        assert_eq!(en.distance(1862), "1.9 km");
        assert_eq!(es.distance(1862), "1,9 km");
        assert_eq!(en.distance(9949), "9.9 km");
        assert_eq!(en.distance(13_600), "14 km");
        assert_eq!(es.distance(301_234), "301 km");
        assert_eq!(en.short_date(Some("soon")), "—");
    }
}
