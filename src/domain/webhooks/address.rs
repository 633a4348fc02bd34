//! Which receivers may be called. A webhook URL is the classic way into a server's own network
//! (SSRF): one whose host resolves to a loopback, private, link-local or otherwise internal
//! address is refused, when it is saved and again when connecting (a name may resolve
//! differently later), unless `LIAISON_WEBHOOK_ALLOW_PRIVATE` allows it.

use std::net::{IpAddr, SocketAddr};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// The longest a name may take to resolve when a URL is saved.
const LOOKUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// The URL, if it is an `http(s)` URL with a host and no credentials.
pub fn parse(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("the URL must be http or https".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the URL may not carry credentials".into());
    }
    Ok(url)
}

/// Whether `ip` is an address a webhook may not reach: loopback, private, link-local,
/// shared (CGNAT), unspecified, multicast, broadcast, documentation, or unique-local IPv6.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// Resolves the URL's host and refuses it when any address is internal (unless allowed).
pub async fn check(url: &Url, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(443);
    let lookup = tokio::net::lookup_host((host.trim_matches(['[', ']']), port));
    let addrs: Vec<SocketAddr> = tokio::time::timeout(LOOKUP_TIMEOUT, lookup)
        .await
        .map_err(|_| format!("the host {host} did not resolve in time"))?
        .map_err(|_| format!("the host {host} does not resolve"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("the host {host} does not resolve"));
    }
    if addrs.iter().any(|a| is_internal(a.ip())) {
        return Err(format!(
            "the host {host} resolves to a loopback, private or link-local address"
        ));
    }
    Ok(())
}

/// The resolver of the delivery client: it refuses internal addresses at connect time, so a
/// name that resolved to a public address when saved cannot be pointed inward later.
pub struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| !is_internal(a.ip()))
                .collect();
            if addrs.is_empty() {
                let refused = format!("{} has no public address", name.as_str());
                return Err(refused.into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            let ip: IpAddr = ip.parse().unwrap_or(IpAddr::V4([127, 0, 0, 1].into()));
            assert!(is_internal(ip), "{ip} must be refused");
        }
        for ip in ["8.8.8.8", "202.96.134.133", "2400:3200::1"] {
            let ip: IpAddr = ip.parse().unwrap_or(IpAddr::V4([127, 0, 0, 1].into()));
            assert!(!is_internal(ip), "{ip} is public");
        }
    }

    #[test]
    fn only_plain_http_urls_pass() {
        assert!(parse("https://hooks.example.gov.cn/liaison").is_ok());
        assert!(parse("ftp://example.com/").is_err());
        assert!(parse("https://user:pw@example.com/").is_err());
        assert!(parse("not a url").is_err());
    }
}
