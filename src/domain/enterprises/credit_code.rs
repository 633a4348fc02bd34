//! 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters from
//! `0123456789ABCDEFGHJKLMNPQRTUWXY` (no I, O, S, V, Z); the 18th is a check character over the
//! first 17 with weights 3^i mod 31.

/// The 31 characters a code may use; a character's value is its position.
pub const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// What is wrong with a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditCodeError {
    /// Not 18 characters.
    Length,
    /// A character outside the charset.
    Character,
    /// The check character does not match.
    Checksum,
}

impl CreditCodeError {
    /// The validation `code` of the problem document.
    pub fn code(self) -> &'static str {
        match self {
            CreditCodeError::Length => "invalid_length",
            CreditCodeError::Character => "invalid_character",
            CreditCodeError::Checksum => "invalid_checksum",
        }
    }

    /// A sentence for people.
    pub fn message(self) -> &'static str {
        match self {
            CreditCodeError::Length => "a unified social credit code has 18 characters",
            CreditCodeError::Character => {
                "only digits and the letters ABCDEFGHJKLMNPQRTUWXY may appear (no I, O, S, V, Z)"
            }
            CreditCodeError::Checksum => {
                "the check character (the 18th) does not match GB 32100-2015"
            }
        }
    }
}

fn value_of(c: char) -> Option<u32> {
    CHARSET.find(c).map(|i| i as u32)
}

/// The check character for the first 17 characters, if they are all in the charset.
pub fn check_character(first17: &str) -> Option<char> {
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value_of(c)? * w;
    }
    let index = (31 - sum % 31) % 31;
    CHARSET.chars().nth(index as usize)
}

/// Upper-cases and trims a code, as people type it in lower case.
pub fn normalize(code: &str) -> String {
    code.trim().to_ascii_uppercase()
}

/// Checks a normalized code.
pub fn validate(code: &str) -> Result<(), CreditCodeError> {
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return Err(CreditCodeError::Length);
    }
    if chars.iter().any(|c| value_of(*c).is_none()) {
        return Err(CreditCodeError::Character);
    }
    let first17: String = chars[..17].iter().collect();
    if check_character(&first17) != Some(chars[17]) {
        return Err(CreditCodeError::Checksum);
    }
    Ok(())
}

/// Shape only (length and charset), for codes stored with an override reason.
pub fn validate_shape(code: &str) -> Result<(), CreditCodeError> {
    match validate(code) {
        Err(CreditCodeError::Checksum) | Ok(()) => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_pass() {
        // Published codes of real organisations.
        for code in ["91350100M000100Y43", "91440300708461136T"] {
            assert_eq!(validate(code), Ok(()), "{code}");
        }
    }

    #[test]
    fn every_single_character_change_of_the_check_is_caught() {
        let code = "91350100M000100Y43";
        for c in CHARSET.chars().filter(|c| *c != '3') {
            let changed = format!("{}{c}", &code[..17]);
            assert_eq!(
                validate(&changed),
                Err(CreditCodeError::Checksum),
                "{changed}"
            );
        }
    }

    #[test]
    fn shape_errors() {
        assert_eq!(validate("9135010"), Err(CreditCodeError::Length));
        assert_eq!(
            validate("91350100M000100I43"),
            Err(CreditCodeError::Character)
        );
        assert_eq!(normalize(" 91350100m000100y43 "), "91350100M000100Y43");
        assert_eq!(validate_shape("91350100M000100Y44"), Ok(()));
        assert_eq!(
            validate_shape("91350100M00010OY44"),
            Err(CreditCodeError::Character)
        );
    }

    #[test]
    fn generated_check_characters_validate() {
        let mut seed = 12345u64;
        for _ in 0..500 {
            let first17: String = (0..17)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    CHARSET
                        .chars()
                        .nth(((seed >> 33) % 31) as usize)
                        .unwrap_or('0')
                })
                .collect();
            let check = check_character(&first17).unwrap_or('?');
            assert_eq!(validate(&format!("{first17}{check}")), Ok(()));
        }
    }
}
