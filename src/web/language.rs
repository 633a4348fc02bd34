//! The language of problem texts, from `Accept-Language` (RFC 9110 §12.5.4): Chinese when the
//! caller prefers `zh` (`zh-CN`, `zh-Hans`, `zh` …) to English, English otherwise. Problem
//! documents say which in `Content-Language`.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;

/// A language problem texts are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    Chinese,
}

impl Language {
    /// Its `Content-Language` tag.
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Chinese => "zh-CN",
        }
    }
}

tokio::task_local! {
    static LANGUAGE: Language;
}

/// The language of the request being served (English outside a request).
pub fn current() -> Language {
    LANGUAGE.try_with(|l| *l).unwrap_or(Language::English)
}

/// The language an `Accept-Language` value prefers: of the ranges naming Chinese or English
/// (or `*`, English), the one of highest weight; the first listed among equals.
pub fn preferred(accept_language: Option<&str>) -> Language {
    let mut best = (0.0_f32, Language::English);
    // A header is short; more than 32 ranges are not read.
    for range in accept_language.unwrap_or_default().split(',').take(32) {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let weight = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
            .unwrap_or(0.0);
        let primary = tag.split('-').next().unwrap_or_default();
        let language = match primary {
            "zh" => Language::Chinese,
            "en" | "*" => Language::English,
            _ => continue,
        };
        if weight > best.0 {
            best = (weight, language);
        }
    }
    best.1
}

/// Middleware: serves the request in the language it prefers.
pub async fn negotiate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let value = req.headers().get(header::ACCEPT_LANGUAGE);
    let language = preferred(value.and_then(|v| v.to_str().ok()));
    LANGUAGE.scope(language, next.call(req)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_when_preferred() {
        for chinese in [
            "zh-CN",
            "zh",
            "zh-Hans",
            "zh-CN,zh;q=0.9,en;q=0.8",
            "en;q=0.5, zh-Hans",
        ] {
            assert_eq!(preferred(Some(chinese)), Language::Chinese, "{chinese}");
        }
        for english in [
            "",
            "en-US",
            "en,zh;q=0.9",
            "fr, *;q=0.5, zh;q=0.1",
            "zh;q=0",
            "de",
        ] {
            assert_eq!(preferred(Some(english)), Language::English, "{english}");
        }
        assert_eq!(preferred(None), Language::English);
    }
}
