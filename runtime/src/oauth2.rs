//! OAuth2 client credentials (RFC 6749 §4.4): a backend fetches its own tokens from the token
//! endpoint a scheme's `clientCredentials` flow names, and the client caches and refreshes
//! them through [`Credentials`] like any other [`TokenSource`](crate::TokenSource).
//!
//! The other flows (authorization code, password, implicit) involve a user or a browser, so
//! their tokens come from the application: a [`TokenSource`](crate::TokenSource) set with
//! [`Credentials::set_source`].

use crate::auth::{Credentials, ScopeSet, ScopedTokenSource, Token, TokenFuture};
use crate::secret::Secret;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{StatusCode, Url};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The credentials of a backend that authenticates as itself, and how it asks for tokens.
///
/// ```no_run
/// # use oasgen_runtime::{ClientCredentials, Scopes};
/// let grant = ClientCredentials::new("my-client-id", "my-client-secret")
///     .scopes(Scopes::PerOperation);
/// ```
///
/// `Debug` shows the client id, never the secret.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    client_id: String,
    client_secret: Secret,
    token_url: Option<String>,
    authentication: ClientAuthentication,
    scopes: Scopes,
}

/// How the client authenticates at the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ClientAuthentication {
    /// `client_secret_basic`: HTTP Basic with the form-urlencoded id and secret. Every
    /// authorization server must support it, so it is the default.
    #[default]
    Basic,
    /// `client_secret_post`: `client_id` and `client_secret` in the form body.
    Post,
}

/// Which scopes a token is asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Scopes {
    /// No `scope` parameter: the authorization server grants the scopes assigned to the client
    /// (RFC 6749 §3.3), and one token serves every operation. The default, because that is how
    /// a backend client is usually set up, and it costs one token request, not one per scope set.
    #[default]
    ServerDefault,
    /// These scopes, for every operation.
    Fixed(Vec<String>),
    /// The scopes each operation names in the spec: one token per scope set, each cached on its
    /// own. For authorization servers that grant only what is asked for.
    PerOperation,
}

impl ClientCredentials {
    /// Credentials with the defaults: the token URL of the scheme's `clientCredentials` flow,
    /// `client_secret_basic`, and [`Scopes::ServerDefault`].
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        ClientCredentials {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            token_url: None,
            authentication: ClientAuthentication::default(),
            scopes: Scopes::default(),
        }
    }

    /// Uses this token endpoint instead of the spec's; a relative URL is resolved against the
    /// client's base URL, as the spec's are.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// How the client authenticates at the token endpoint.
    pub fn authentication(mut self, authentication: ClientAuthentication) -> Self {
        self.authentication = authentication;
        self
    }

    /// Which scopes tokens are asked for.
    pub fn scopes(mut self, scopes: Scopes) -> Self {
        self.scopes = scopes;
        self
    }

    /// The token URL set with [`ClientCredentials::token_url`], if any.
    pub(crate) fn token_url_override(&self) -> Option<&str> {
        self.token_url.as_deref()
    }
}

/// Makes `credentials` fetch the tokens of `scheme` from the token endpoint at `url`.
pub(crate) fn install(
    credentials: &Credentials,
    scheme: &str,
    http: reqwest::Client,
    url: Url,
    grant: ClientCredentials,
) {
    let scopes = grant.scopes.clone();
    let endpoint = Arc::new(Endpoint { http, url, grant });
    match scopes {
        Scopes::ServerDefault => {
            credentials.set_source(scheme, ScopeSet::new(endpoint, Vec::new()))
        }
        Scopes::Fixed(scopes) => credentials.set_source(scheme, ScopeSet::new(endpoint, scopes)),
        Scopes::PerOperation => credentials.set_scoped_source(scheme, endpoint),
    }
}

/// A token endpoint and the credentials sent to it.
struct Endpoint {
    http: reqwest::Client,
    url: Url,
    grant: ClientCredentials,
}

impl ScopedTokenSource for Endpoint {
    fn fetch<'a>(&'a self, scopes: &'a [String]) -> TokenFuture<'a> {
        Box::pin(async move { Ok(self.request(scopes).await?) })
    }
}

impl Endpoint {
    /// One access token request (§4.4.2) and its answer (§5.1 or §5.2).
    async fn request(&self, scopes: &[String]) -> Result<Token, TokenError> {
        let grant = &self.grant;
        let mut request = self.http.post(self.url.clone());
        let mut form = vec![("grant_type", "client_credentials".to_string())];
        if !scopes.is_empty() {
            form.push(("scope", scopes.join(" ")));
        }
        match grant.authentication {
            // §2.3.1: id and secret are form-urlencoded before they are joined with `:` and
            // Base64-encoded, so a `:` or non-ASCII character in either survives.
            ClientAuthentication::Basic => {
                let secret = form_encode(grant.client_secret.expose());
                request = request.basic_auth(form_encode(&grant.client_id), Some(secret));
            }
            ClientAuthentication::Post => {
                form.push(("client_id", grant.client_id.clone()));
                form.push(("client_secret", grant.client_secret.expose().to_string()));
            }
        }
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&form)
            .finish();
        let response = request
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .body(body)
            .send()
            .await
            .map_err(TokenError::Transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(TokenError::Transport)?;
        if status.is_success() {
            token_response(status, &body)
        } else {
            Err(error_response(status, &body))
        }
    }
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn form_encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A successful answer (§5.1). Nothing of the body goes into an error: it may hold the token.
fn token_response(status: StatusCode, body: &[u8]) -> Result<Token, TokenError> {
    let invalid = |reason: String| TokenError::InvalidResponse { status, reason };
    let json: Value =
        serde_json::from_slice(body).map_err(|e| invalid(format!("the body is not JSON ({e})")))?;
    let Some(access_token) = json.get("access_token").and_then(Value::as_str) else {
        return Err(invalid("the body has no `access_token`".into()));
    };
    // A token of another type (`mac`, `DPoP`) must not be sent as a bearer token (§7.1). A
    // missing `token_type` is tolerated: some servers leave it out, meaning bearer.
    if let Some(kind) = json.get("token_type").and_then(Value::as_str) {
        if !kind.eq_ignore_ascii_case("bearer") {
            return Err(invalid(format!("the token type is `{kind}`, not `Bearer`")));
        }
    }
    Ok(match expires_in(&json) {
        Some(lifetime) => Token::expiring_in(access_token, lifetime),
        None => Token::new(access_token),
    })
}

/// `expires_in` in seconds; some servers send it as a string.
fn expires_in(json: &Value) -> Option<Duration> {
    let value = json.get("expires_in")?;
    let secs = match value {
        Value::String(s) => s.trim().parse().ok()?,
        other => other.as_u64()?,
    };
    Some(Duration::from_secs(secs))
}

/// A failed answer: an error response (§5.2) if the body is one.
fn error_response(status: StatusCode, body: &[u8]) -> TokenError {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| {
        json.as_ref()
            .and_then(|j| j.get(name))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    match field("error") {
        Some(code) => TokenError::Rejected {
            status,
            code: ErrorCode::parse(&code),
            description: field("error_description"),
            uri: field("error_uri"),
        },
        None => TokenError::InvalidResponse {
            status,
            reason: format!(
                "not an OAuth2 error response ({})",
                crate::error::excerpt(&String::from_utf8_lossy(body))
            ),
        },
    }
}

/// Why the token endpoint gave no token. A client reports it as
/// [`Error::TokenRefresh`](crate::Error::TokenRefresh); [`Error::token_error`](crate::Error::token_error)
/// finds it there.
#[derive(Debug)]
pub enum TokenError {
    /// The authorization server refused with an error response (RFC 6749 §5.2).
    Rejected {
        /// The status (400, or 401 for `invalid_client`).
        status: StatusCode,
        /// `error`.
        code: ErrorCode,
        /// `error_description`.
        description: Option<String>,
        /// `error_uri`.
        uri: Option<String>,
    },
    /// The answer is neither a token response (§5.1) nor an error response (§5.2).
    InvalidResponse {
        /// Its status.
        status: StatusCode,
        /// What is wrong with it.
        reason: String,
    },
    /// The token endpoint could not be reached, or did not answer in time.
    Transport(reqwest::Error),
}

impl TokenError {
    /// The status the token endpoint answered with, if it answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            TokenError::Rejected { status, .. } | TokenError::InvalidResponse { status, .. } => {
                Some(*status)
            }
            TokenError::Transport(e) => e.status(),
        }
    }

    /// The §5.2 error code, if the answer was an error response.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            TokenError::Rejected { code, .. } => Some(code),
            _ => None,
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Rejected {
                status,
                code,
                description,
                ..
            } => {
                write!(
                    f,
                    "the token endpoint answered {status} `{}`",
                    code.as_str()
                )?;
                match description {
                    Some(d) => write!(f, ": {d}"),
                    None => Ok(()),
                }
            }
            TokenError::InvalidResponse { status, reason } => {
                write!(f, "the token endpoint answered {status}, but {reason}")
            }
            TokenError::Transport(e) => write!(f, "the token endpoint could not be reached: {e}"),
        }
    }
}

impl std::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TokenError::Transport(e) => Some(e),
            _ => None,
        }
    }
}

/// The `error` of an error response (RFC 6749 §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorCode {
    /// `invalid_request`: a parameter is missing, repeated or malformed.
    InvalidRequest,
    /// `invalid_client`: the client id or secret is wrong, or the authentication method is not
    /// the one the server expects ([`ClientAuthentication`]).
    InvalidClient,
    /// `invalid_grant`.
    InvalidGrant,
    /// `unauthorized_client`: the client may not use the client credentials grant.
    UnauthorizedClient,
    /// `unsupported_grant_type`.
    UnsupportedGrantType,
    /// `invalid_scope`: a scope asked for is unknown or not assigned to the client.
    InvalidScope,
    /// A code RFC 6749 does not define (an extension).
    Other(String),
}

impl ErrorCode {
    fn parse(code: &str) -> Self {
        match code {
            "invalid_request" => ErrorCode::InvalidRequest,
            "invalid_client" => ErrorCode::InvalidClient,
            "invalid_grant" => ErrorCode::InvalidGrant,
            "unauthorized_client" => ErrorCode::UnauthorizedClient,
            "unsupported_grant_type" => ErrorCode::UnsupportedGrantType,
            "invalid_scope" => ErrorCode::InvalidScope,
            other => ErrorCode::Other(other.to_string()),
        }
    }

    /// The code as sent.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::Other(code) => code,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_responses_keep_code_and_description() {
        let body = br#"{"error":"invalid_client","error_description":"bad secret"}"#;
        let e = error_response(StatusCode::UNAUTHORIZED, body);
        assert_eq!(e.code(), Some(&ErrorCode::InvalidClient));
        assert_eq!(e.status(), Some(StatusCode::UNAUTHORIZED));
        assert_eq!(
            e.to_string(),
            "the token endpoint answered 401 Unauthorized `invalid_client`: bad secret"
        );
        let e = error_response(StatusCode::BAD_GATEWAY, b"<html>");
        assert_eq!(e.code(), None);
        assert!(e.to_string().contains("<html>"), "{e}");
    }

    #[test]
    fn token_responses_are_read_per_section_5_1() {
        let t = token_response(
            StatusCode::OK,
            br#"{"access_token":"t","token_type":"bearer","expires_in":"60"}"#,
        )
        .unwrap();
        assert_eq!(t.value.expose(), "t");
        assert!(t.expires_at.is_some());
        let e = token_response(
            StatusCode::OK,
            br#"{"access_token":"t","token_type":"mac"}"#,
        );
        assert!(e.unwrap_err().to_string().contains("`mac`"));
        // A malformed body is not quoted: it may hold a token.
        let e = token_response(StatusCode::OK, br#"{"token":"s3cret"}"#).unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }

    #[test]
    fn basic_credentials_are_form_encoded_first() {
        assert_eq!(form_encode("a:b c/é"), "a%3Ab+c%2F%C3%A9");
    }
}
