//! Passwords (Argon2id, in the PHC string format) and random secrets (refresh tokens, client
//! secrets; stored as SHA-256). The hashing itself is [`super::hashing`]: bounded and off the
//! async executor.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Params};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::hashing::argon2id;
use crate::domain::error::{AppError, AppResult};

/// A valid Argon2id hash of a random password: verifying against it takes as long as a real
/// check, so an unknown username is not revealed by timing.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3mOBZk5DhVx7XwUmaQ3Pjp9fM0+CIMDDPB3e9vEbgQY";

/// Hashes a password with Argon2id (default parameters: m=19 MiB, t=2, p=1).
pub async fn hash_password(password: String) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(AppError::internal)?;
    let params = Params::default();
    let out = argon2id(password.into_bytes(), salt_bytes.to_vec(), params.clone())
        .await?
        .ok_or_else(|| AppError::internal("argon2id refused its own parameters"))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(0x13),
        params: ParamsString::try_from(&params).map_err(AppError::internal)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(AppError::internal)?),
    };
    Ok(hash.to_string())
}

/// Checks a password against a stored hash (or against a dummy when there is none, so that an
/// unknown username costs as much as a known one). `Err` only when no hasher is free.
pub async fn verify_password(password: String, hash: Option<String>) -> AppResult<bool> {
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_owned());
    let Some((salt, params, expected)) = parse_hash(&hash) else {
        return Ok(false);
    };
    let out = argon2id(password.into_bytes(), salt, params).await?;
    // `Output`'s equality is constant-time.
    let matches = out.and_then(|o| Output::new(&o).ok()) == Some(expected);
    Ok(known && matches)
}

/// Salt, parameters and output of an Argon2id PHC string.
fn parse_hash(hash: &str) -> Option<(Vec<u8>, Params, Output)> {
    let parsed = PasswordHash::new(hash).ok()?;
    if parsed.algorithm != Algorithm::Argon2id.ident() {
        return None;
    }
    let params = Params::try_from(&parsed).ok()?;
    let mut salt = [0u8; 64];
    let salt = parsed.salt?.decode_b64(&mut salt).ok()?.to_vec();
    Some((salt, params, parsed.hash?))
}

/// A random secret of 32 bytes, URL-safe base64.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A random hex string of `bytes` bytes.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a high-entropy secret: what is stored instead of the secret.
pub fn sha256(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn password_round_trip() {
        let hash = hash_password("correct horse battery".into()).await;
        let hash = hash.ok();
        assert!(hash.as_deref().is_some_and(|h| h.starts_with("$argon2id$")));
        let verify = |p: &str, h: Option<String>| verify_password(p.into(), h);
        assert_eq!(
            verify("correct horse battery", hash.clone()).await.ok(),
            Some(true)
        );
        assert_eq!(
            verify("wrong horse battery", hash.clone()).await.ok(),
            Some(false)
        );
        assert_eq!(verify("anything", None).await.ok(), Some(false));
        // Interoperable with the reference implementation's verifier.
        use argon2::password_hash::PasswordVerifier;
        let stored = hash.unwrap_or_default();
        let parsed = PasswordHash::new(&stored).ok();
        assert!(parsed.is_some_and(|p| {
            argon2::Argon2::default()
                .verify_password(b"correct horse battery", &p)
                .is_ok()
        }));
    }

    #[test]
    fn dummy_hash_parses() {
        assert!(parse_hash(DUMMY_HASH).is_some());
        assert!(parse_hash("$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3mOBZk5DhVx7XwUmaQ3Pjp9fM0+CIMDDPB3e9vEbgQY").is_none());
    }

    #[tokio::test]
    async fn a_hash_asking_for_huge_memory_is_refused_not_computed() {
        let greedy = "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$3mOBZk5DhVx7XwUmaQ3Pjp9fM0+CIMDDPB3e9vEbgQY";
        let started = std::time::Instant::now();
        let verdict = verify_password("x".into(), Some(greedy.into())).await;
        assert_eq!(verdict.ok(), Some(false));
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }
}
