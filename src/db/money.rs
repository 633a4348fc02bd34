//! Money: CNY as an exact decimal, a JSON string with two fraction digits (`"1250000.00"`),
//! `NUMERIC(14,2)` in PostgreSQL. Never a float; a JSON number is refused.

use std::fmt;
use std::str::FromStr;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Numeric;
use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The largest amount: 999999999999.99.
pub fn max_amount() -> Decimal {
    Decimal::new(99_999_999_999_999, 2)
}

/// An exact amount of yuan with at most two fraction digits.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, AsExpression, FromSqlRow,
)]
#[diesel(sql_type = Numeric)]
pub struct Money(pub Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn is_positive(self) -> bool {
        self.0 > Decimal::ZERO
    }

    /// Sum, refusing to leave the range.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0
            .checked_add(other.0)
            .filter(|v| v.abs() <= max_amount())
            .map(Money)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}", self.0)
    }
}

/// Why a text is not money.
#[derive(Debug, PartialEq, Eq)]
pub enum MoneyError {
    Format,
    Scale,
    Range,
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MoneyError::Format => "money is a decimal string such as \"1250000.00\"",
            MoneyError::Scale => "money has at most two fraction digits",
            MoneyError::Range => "money is at most 999999999999.99",
        })
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let digits = text.strip_prefix('-').unwrap_or(text);
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let plain = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !plain(whole)
            || !plain(fraction)
            || (digits.contains('.') && fraction.is_empty())
        {
            return Err(MoneyError::Format);
        }
        if fraction.len() > 2 {
            return Err(MoneyError::Scale);
        }
        if whole.trim_start_matches('0').len() > 12 {
            return Err(MoneyError::Range);
        }
        let value = Decimal::from_str(text).map_err(|_| MoneyError::Format)?;
        Ok(Money(value.round_dp(2)))
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MoneyVisitor;
        impl Visitor<'_> for MoneyVisitor {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal string such as \"1250000.00\" (not a JSON number)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Money, E> {
                Money::from_str(v).map_err(E::custom)
            }
        }
        d.deserialize_str(MoneyVisitor)
    }
}

impl ToSql<Numeric, Pg> for Money {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <Decimal as ToSql<Numeric, Pg>>::to_sql(&self.0, out)
    }
}

impl FromSql<Numeric, Pg> for Money {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        <Decimal as FromSql<Numeric, Pg>>::from_sql(bytes).map(Money)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<String, MoneyError> {
        Money::from_str(text).map(|m| m.to_string())
    }

    #[test]
    fn strict_text_in_two_digits_out() {
        assert_eq!(parse("1250000"), Ok("1250000.00".into()));
        assert_eq!(parse("0.01"), Ok("0.01".into()));
        assert_eq!(parse("0.1"), Ok("0.10".into()));
        assert_eq!(parse("999999999999.99"), Ok("999999999999.99".into()));
        assert_eq!(parse("-5.5"), Ok("-5.50".into()));
        assert_eq!(parse("1000000000000.00"), Err(MoneyError::Range));
        assert_eq!(parse("1.001"), Err(MoneyError::Scale));
        for bad in [
            "", "1.", ".5", "1e3", "1,000", " 1", "+1", "abc", "1.2.3", "NaN",
        ] {
            assert_eq!(parse(bad), Err(MoneyError::Format), "{bad:?}");
        }
    }

    #[test]
    fn json_numbers_are_refused() {
        assert!(serde_json::from_str::<Money>("1250000.00").is_err());
        assert!(serde_json::from_str::<Money>("12").is_err());
        let m: Result<Money, _> = serde_json::from_str("\"0.30\"");
        assert_eq!(
            m.map(|m| serde_json::to_string(&m).unwrap_or_default())
                .ok(),
            Some("\"0.30\"".into())
        );
    }

    #[test]
    fn sums_are_exact() {
        let cent = Money::from_str("0.01").unwrap_or_default();
        let mut total = Money::ZERO;
        for _ in 0..10_000 {
            total = total.checked_add(cent).unwrap_or_default();
        }
        assert_eq!(total.to_string(), "100.00");
        let max = Money(max_amount());
        assert_eq!(max.checked_add(cent), None);
    }
}
