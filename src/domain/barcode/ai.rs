//! The GS1 Application Identifiers the kiosk understands, with the data length each carries
//! (GS1 General Specifications, section 3.2). Data, not control flow: adding an AI is one row.

/// How much data follows an AI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataLength {
    Fixed(usize),
    /// Variable, up to this many characters, ended by a GS or the end of the data.
    UpTo(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplicationIdentifier {
    pub code: &'static str,
    pub title: &'static str,
    pub data: DataLength,
    pub numeric: bool,
}

use DataLength::{Fixed, UpTo};

const fn ai(
    code: &'static str,
    title: &'static str,
    data: DataLength,
    numeric: bool,
) -> ApplicationIdentifier {
    ApplicationIdentifier {
        code,
        title,
        data,
        numeric,
    }
}

/// Every AI the parser accepts. Four-digit AIs whose last digit is a decimal-point position
/// (310n…369n, 392n, 393n) are listed by their first three digits with `n` implied.
static TABLE: &[ApplicationIdentifier] = &[
    ai("00", "SSCC", Fixed(18), true),
    ai("01", "GTIN", Fixed(14), true),
    ai("02", "CONTENT", Fixed(14), true),
    ai("10", "BATCH/LOT", UpTo(20), false),
    ai("11", "PROD DATE", Fixed(6), true),
    ai("12", "DUE DATE", Fixed(6), true),
    ai("13", "PACK DATE", Fixed(6), true),
    ai("15", "BEST BEFORE", Fixed(6), true),
    ai("16", "SELL BY", Fixed(6), true),
    ai("17", "USE BY", Fixed(6), true),
    ai("20", "VARIANT", Fixed(2), true),
    ai("21", "SERIAL", UpTo(20), false),
    ai("22", "CPV", UpTo(20), false),
    ai("235", "TPX", UpTo(28), false),
    ai("240", "ADDITIONAL ID", UpTo(30), false),
    ai("241", "CUST. PART No.", UpTo(30), false),
    ai("242", "MTO VARIANT", UpTo(6), true),
    ai("250", "SECONDARY SERIAL", UpTo(30), false),
    ai("251", "REF. TO SOURCE", UpTo(30), false),
    ai("253", "GDTI", UpTo(30), false),
    ai("254", "GLN EXTENSION", UpTo(20), false),
    ai("255", "GCN", UpTo(25), true),
    ai("30", "VAR. COUNT", UpTo(8), true),
    ai("37", "COUNT", UpTo(8), true),
    ai("400", "ORDER NUMBER", UpTo(30), false),
    ai("401", "GINC", UpTo(30), false),
    ai("402", "GSIN", Fixed(17), true),
    ai("403", "ROUTE", UpTo(30), false),
    ai("410", "SHIP TO LOC", Fixed(13), true),
    ai("411", "BILL TO", Fixed(13), true),
    ai("412", "PURCHASE FROM", Fixed(13), true),
    ai("413", "SHIP FOR LOC", Fixed(13), true),
    ai("414", "LOC No.", Fixed(13), true),
    ai("415", "PAY TO", Fixed(13), true),
    ai("416", "PROD/SERV LOC", Fixed(13), true),
    ai("417", "PARTY", Fixed(13), true),
    ai("420", "SHIP TO POST", UpTo(20), false),
    ai("421", "SHIP TO POST", UpTo(12), false),
    ai("422", "ORIGIN", Fixed(3), true),
    ai("7003", "EXPIRY TIME", Fixed(10), true),
    ai("8003", "GRAI", UpTo(30), false),
    ai("8004", "GIAI", UpTo(30), false),
    ai("8020", "REF No.", UpTo(25), false),
    ai("8200", "PRODUCT URL", UpTo(70), false),
    ai("90", "INTERNAL", UpTo(30), false),
];

/// Measures with a decimal-point digit: `31nn`–`36nn` carry six digits.
static MEASURE: ApplicationIdentifier = ai("3xxx", "MEASURE", Fixed(6), true);
/// `91`–`99`: company internal information.
static INTERNAL: ApplicationIdentifier = ai("9x", "INTERNAL", UpTo(90), false);

/// Finds the AI at the start of `data`, returning it and how many characters its code takes.
pub fn lookup(data: &str) -> Option<(ApplicationIdentifier, usize)> {
    let prefix2 = data.get(..2)?;
    if !prefix2.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if ("31"..="36").contains(&prefix2) {
        let code = data.get(..4)?;
        return code
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then_some((MEASURE, 4));
    }
    if ("91"..="99").contains(&prefix2) {
        return Some((INTERNAL, 2));
    }
    TABLE
        .iter()
        .find(|ai| data.starts_with(ai.code))
        .map(|ai| (*ai, ai.code.len()))
}

/// Finds an AI given exactly its code (Digital Link path segments and query keys).
pub fn by_code(code: &str) -> Option<ApplicationIdentifier> {
    match lookup(code) {
        Some((ai, len)) if len == code.len() => Some(ai),
        _ => None,
    }
}

impl ApplicationIdentifier {
    /// Checks a value's length and character set against this AI.
    pub fn check_value(&self, ai_code: &str, value: &str) -> Result<(), String> {
        let len = value.chars().count();
        match self.data {
            Fixed(n) if len != n => {
                return Err(format!(
                    "AI {ai_code} ({}) needs {n} characters, found {len}",
                    self.title
                ));
            }
            UpTo(max) if len == 0 || len > max => {
                return Err(format!(
                    "AI {ai_code} ({}) needs 1 to {max} characters, found {len}",
                    self.title
                ));
            }
            _ => {}
        }
        if self.numeric && !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "AI {ai_code} ({}) must be digits only, found {value:?}",
                self.title
            ));
        }
        // GS1 AI encodable character set 82: printable ASCII excluding a few symbols; the
        // practical rule for a kiosk is "no control characters".
        if value.chars().any(|c| c.is_control()) {
            return Err(format!(
                "AI {ai_code} ({}) contains a control character",
                self.title
            ));
        }
        Ok(())
    }
}
