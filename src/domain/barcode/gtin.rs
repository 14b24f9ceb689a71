use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use super::BarcodeError;

/// A GS1 Global Trade Item Number, normalised to 14 digits (GTIN-8/12/13 are left-padded with
/// zeros, as GS1 specifies). Stored as an integer: it always fits, compares fast and indexes
/// small in SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gtin(u64);

/// The GS1 mod-10 check digit of `body` (every digit but the check digit).
pub fn gs1_check_digit(body: &[u8]) -> u8 {
    // Weights alternate 3, 1, 3, … starting from the digit next to the check digit.
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| u32::from(d) * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl Gtin {
    /// Builds a GTIN from 8 to 14 decimal digits (values 0–9), verifying the check digit.
    pub fn from_digits(digits: &[u8]) -> Result<Self, BarcodeError> {
        if !(8..=14).contains(&digits.len()) {
            return Err(BarcodeError::WrongLength { len: digits.len() });
        }
        let (body, check) = digits.split_at(digits.len() - 1);
        let expected = gs1_check_digit(body);
        if check[0] != expected {
            return Err(BarcodeError::CheckDigit {
                expected,
                found: check[0],
            });
        }
        Ok(Self(
            digits.iter().fold(0u64, |acc, &d| acc * 10 + u64::from(d)),
        ))
    }

    /// Rebuilds a GTIN stored by this program (no check-digit verification: it was verified on
    /// the way in). Returns `None` for values that cannot be a GTIN-14.
    pub fn from_stored(value: i64) -> Option<Self> {
        u64::try_from(value)
            .ok()
            .filter(|v| *v < 100_000_000_000_000)
            .map(Self)
    }

    /// The value as SQLite stores it.
    pub fn as_i64(self) -> i64 {
        // < 10^14, so always fits.
        self.0 as i64
    }

    /// The 14 digits, most significant first.
    pub fn digits(self) -> [u8; 14] {
        let mut out = [0u8; 14];
        let mut v = self.0;
        for slot in out.iter_mut().rev() {
            *slot = (v % 10) as u8;
            v /= 10;
        }
        out
    }
}

impl fmt::Display for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:014}", self.0)
    }
}

impl Serialize for Gtin {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl FromStr for Gtin {
    type Err = BarcodeError;

    /// Strict: 8, 12, 13 or 14 digits with a valid check digit (CSV files, APIs, fixtures).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = super::digits(s)?;
        match digits.len() {
            8 | 12 | 13 | 14 => Self::from_digits(&digits),
            0 => Err(BarcodeError::Empty),
            len => Err(BarcodeError::WrongLength { len }),
        }
    }
}
