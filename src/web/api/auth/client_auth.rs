//! Who the client of a token or revocation request is (RFC 6749 §2.3): a confidential client
//! proves itself with its secret (HTTP Basic or form fields), a public client only names itself
//! with `client_id`, and most requests name no client at all.

use actix_web::HttpRequest;
use actix_web::http::header;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use diesel_async::AsyncPgConnection;

use crate::domain::auth::{secrets, throttle};
use crate::domain::clients::store as clients;
use crate::domain::error::AppResult;
use crate::web::state::AppState;

/// The client a request presents.
enum ClientAuth {
    /// No client named: a frontend with the user's own credentials.
    None,
    /// A `client_id` without a secret: a public client naming itself (accepted, not verified).
    Public,
    /// A `client_id` with a secret: verified, whatever the grant.
    Confidential { id: String, secret: String },
}

/// Why the presented client is refused.
pub enum ClientRefusal {
    /// Two ways of authenticating at once (RFC 6749 §2.3: MUST NOT); `invalid_request`.
    TwoMethods,
    /// A secret without its `client_id`, an unknown client or a wrong secret; `invalid_client`.
    Invalid,
}

/// The client of a token or revocation request, checked: `None` when it names no client or
/// a public one, the client when its secret is right; refused otherwise. A wrong secret counts
/// against `addr`, as a failed login does.
pub async fn client_of(
    state: &AppState,
    req: &HttpRequest,
    addr: &str,
    client_id: Option<String>,
    client_secret: Option<String>,
) -> AppResult<Result<Option<clients::ClientRow>, ClientRefusal>> {
    match presented(req, client_id, client_secret) {
        Ok(client) => verify(state, &client, addr).await,
        Err(refusal) => Ok(Err(refusal)),
    }
}

/// The client of a request, from its `Authorization: Basic` header or its form fields.
fn presented(
    req: &HttpRequest,
    client_id: Option<String>,
    client_secret: Option<String>,
) -> Result<ClientAuth, ClientRefusal> {
    // Empty values name no client: Swagger UI's password flow sends `Basic :` when its client
    // fields are left blank.
    let basic = basic_credentials(req).filter(|(id, _)| !id.is_empty());
    let client_id = client_id.filter(|id| !id.is_empty());
    let client_secret = client_secret.filter(|secret| !secret.is_empty());
    match (basic, client_id, client_secret) {
        (Some(_), _, Some(_)) => Err(ClientRefusal::TwoMethods),
        (Some((id, secret)), None, None) => Ok(ClientAuth::Confidential { id, secret }),
        // The same id in the form as in the header says nothing more.
        (Some((id, secret)), Some(form_id), None) if form_id == id => {
            Ok(ClientAuth::Confidential { id, secret })
        }
        (Some(_), Some(_), None) => Err(ClientRefusal::TwoMethods),
        (None, Some(id), Some(secret)) => Ok(ClientAuth::Confidential { id, secret }),
        (None, None, Some(_)) => Err(ClientRefusal::Invalid),
        (None, Some(_), None) => Ok(ClientAuth::Public),
        (None, None, None) => Ok(ClientAuth::None),
    }
}

/// Checks a confidential client's secret; no client or a public one passes.
async fn verify(
    state: &AppState,
    client: &ClientAuth,
    addr: &str,
) -> AppResult<Result<Option<clients::ClientRow>, ClientRefusal>> {
    let ClientAuth::Confidential { id, secret } = client else {
        return Ok(Ok(None));
    };
    let mut conn = state.pool.get().await?;
    let attempt = throttle::admit(&mut conn, None, addr).await?;
    match authenticate(&mut conn, id, secret).await? {
        Some(row) => {
            throttle::forgive(&mut conn, attempt).await?;
            Ok(Ok(Some(row)))
        }
        None => {
            state.security.login_failed(id, addr);
            Ok(Err(ClientRefusal::Invalid))
        }
    }
}

/// `client_id:client_secret` from an HTTP Basic header.
fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// The enabled client with this `client_id` and secret. Every `client_id` this service issues
/// is `lc_` and 24 hex digits: anything else is not looked up (a NUL or a 3 KB string never
/// reaches the database).
async fn authenticate(
    conn: &mut AsyncPgConnection,
    client_id: &str,
    secret: &str,
) -> AppResult<Option<clients::ClientRow>> {
    if !is_client_id(client_id) {
        return Ok(None);
    }
    let client = clients::find_by_client_id(conn, client_id).await?;
    Ok(client.filter(|c| !c.disabled && same_hash(&c.secret_hash, &secrets::sha256(secret))))
}

/// Whether `text` has the shape of the `client_id`s this service issues.
fn is_client_id(text: &str) -> bool {
    text.len() == 27 && text.starts_with("lc_") && text[3..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Compares two hashes without stopping at the first difference.
fn same_hash(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
