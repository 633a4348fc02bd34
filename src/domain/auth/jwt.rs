//! Access tokens: HS256 JWTs with `iss aud sub dept roles iat exp jti` (and `kind`).

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::{Context, bail};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::actor::{ActorKind, Role};

/// Clock difference tolerated between replicas, in seconds.
const LEEWAY_SECS: u64 = 5;

/// The shortest accepted HS256 key.
pub const MIN_SECRET_BYTES: usize = 32;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// User or client id.
    pub sub: Uuid,
    /// Department code.
    pub dept: String,
    pub roles: Vec<Role>,
    pub iat: i64,
    pub exp: i64,
    /// Not before (optional; refused while in the future).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    pub jti: Uuid,
    /// `user` or `client`.
    pub kind: ActorKind,
}

/// Signing and verification keys with the only accepted algorithm, issuer and audience.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_secs: i64,
}

impl JwtKeys {
    /// Keys from the secret's bytes.
    pub fn new(secret: &[u8], issuer: &str, audience: &str, ttl_secs: i64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "iat"]);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            ttl_secs,
        }
    }

    /// Lifetime of issued tokens in seconds.
    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// Issues a token for a user or client.
    pub fn issue(
        &self,
        sub: Uuid,
        kind: ActorKind,
        dept: &str,
        roles: &[Role],
    ) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub,
            dept: dept.to_owned(),
            roles: roles.to_vec(),
            iat: now,
            exp: now + self.ttl_secs,
            nbf: None,
            jti: Uuid::new_v4(),
            kind,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// Verifies signature, algorithm, issuer, audience and expiry, and (RFC 8725) refuses a
    /// token not yet valid (`nbf`), issued in the future (`iat`), or living longer than the
    /// tokens this service issues.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()?
            .claims;
        let now = chrono::Utc::now().timestamp();
        let leeway = LEEWAY_SECS as i64;
        let issued_in_time = claims.iat <= now + leeway;
        let lifetime_ok = claims.exp - claims.iat <= self.ttl_secs + leeway;
        (issued_in_time && lifetime_ok).then_some(claims)
    }
}

/// The signing secret: `LIAISON_JWT_SECRET` when set (refused when shorter than 32 bytes), else
/// one generated on first start and kept in `<data_dir>/jwt-secret` (mode 0600).
pub fn resolve_secret(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = configured {
        if secret.len() < MIN_SECRET_BYTES {
            bail!(
                "LIAISON_JWT_SECRET is {} bytes; at least {MIN_SECRET_BYTES} are required",
                secret.len()
            );
        }
        return Ok(secret.as_bytes().to_vec());
    }
    let path = data_dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_owned();
        if existing.len() >= MIN_SECRET_BYTES {
            return Ok(existing.into_bytes());
        }
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    let secret = super::secrets::random_secret();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(secret.as_bytes())?;
    log::info!("generated a JWT signing key in {}", path.display());
    Ok(secret.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(
            b"0123456789abcdef0123456789abcdef",
            "liaison",
            "liaison-api",
            900,
        )
    }

    #[test]
    fn issued_tokens_verify_and_carry_claims() {
        let id = Uuid::new_v4();
        let token = keys()
            .issue(id, ActorKind::User, "gxw", &[Role::Liaison])
            .ok();
        let claims = token.and_then(|t| keys().verify(&t));
        assert_eq!(claims.as_ref().map(|c| c.sub), Some(id));
        assert_eq!(claims.map(|c| c.dept), Some("gxw".to_owned()));
    }

    #[test]
    fn other_key_or_audience_is_refused() {
        let token = keys()
            .issue(Uuid::new_v4(), ActorKind::User, "gxw", &[Role::Admin])
            .unwrap_or_default();
        let other = JwtKeys::new(
            b"another-secret-another-secret-xx",
            "liaison",
            "liaison-api",
            900,
        );
        assert!(other.verify(&token).is_none());
        let other_aud = JwtKeys::new(b"0123456789abcdef0123456789abcdef", "liaison", "x", 900);
        assert!(other_aud.verify(&token).is_none());
    }

    fn signed(claims: &Claims) -> String {
        let key = EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef");
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key).unwrap_or_default()
    }

    #[test]
    fn tokens_from_the_future_or_living_too_long_are_refused() {
        let token = keys()
            .issue(Uuid::new_v4(), ActorKind::User, "gxw", &[Role::Admin])
            .unwrap_or_default();
        let good = keys().verify(&token);
        assert!(good.is_some());
        let base = good.unwrap_or_else(|| unreachable!());
        let now = chrono::Utc::now().timestamp();
        let cases = [
            Claims {
                nbf: Some(now + 3600),
                ..base.clone()
            },
            Claims {
                iat: now + 3600,
                exp: now + 3600 + 900,
                ..base.clone()
            },
            Claims {
                exp: now + 50 * 365 * 86400,
                ..base.clone()
            },
        ];
        for claims in cases {
            assert!(keys().verify(&signed(&claims)).is_none(), "{claims:?}");
        }
        assert!(
            keys()
                .verify(&signed(&Claims {
                    nbf: Some(now - 10),
                    ..base
                }))
                .is_some()
        );
    }

    #[test]
    fn weak_secret_is_refused() {
        assert!(resolve_secret(Some("short"), Path::new("/nonexistent")).is_err());
    }
}
