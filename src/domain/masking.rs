//! Masking of contact persons' phone numbers and e-mail addresses for callers who may not see
//! them (everyone but admins and liaison officers of an assigned department).

/// `13812345678` → `138****5678`; short numbers keep nothing but their last digit or two.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    match chars.len() {
        0 => String::new(),
        n if n >= 7 => {
            let head: String = chars[..3].iter().collect();
            let tail: String = chars[n - 4..].iter().collect();
            format!("{head}****{tail}")
        }
        n => {
            let tail: String = chars[n.saturating_sub(2)..].iter().collect();
            format!("****{tail}")
        }
    }
}

/// `zhang.wei@example.com` → `z***@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_like_the_contract_shows() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("0791-86123456"), "079****3456");
        assert_eq!(mask_phone("12345"), "****45");
        assert_eq!(mask_email("zhang.wei@example.com"), "z***@example.com");
        assert_eq!(mask_email("张伟@例子.中国"), "张***@例子.中国");
    }
}
