//! The one error type of generated clients.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use std::fmt;

/// A boxed error from user code (a token source) or a library.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a call failed. `E` is the operation's error type: an enum of the bodies the spec
/// documents for its error statuses.
///
/// Nothing the server sent is dropped: every variant that comes from a response keeps its
/// status, and those that could not be typed keep the raw body.
pub enum Error<E = std::convert::Infallible> {
    /// The request could not be built (a path parameter of `.` or `..`, a header value with
    /// control characters, a body that does not serialize). Nothing was sent.
    InvalidRequest(String),
    /// No credentials of a scheme the operation accepts are available. Nothing was sent.
    MissingCredentials {
        /// The operation.
        operation: &'static str,
        /// The schemes it accepts.
        accepted: Vec<&'static str>,
    },
    /// A token source failed to produce a token. Nothing was sent.
    TokenRefresh {
        /// The scheme whose token was refreshed.
        scheme: String,
        /// What the token source reported.
        source: BoxError,
    },
    /// The request did not complete in time.
    Timeout(reqwest::Error),
    /// Connecting, sending or reading failed.
    Transport(reqwest::Error),
    /// The server answered with a status the spec documents as an error, and the body matched
    /// its schema.
    Api(Box<ResponseParts<E>>),
    /// The server answered with a status the spec does not document for this operation.
    UnexpectedStatus(Box<ResponseParts<()>>),
    /// The body of a documented status does not match its schema.
    Decode(Box<DecodeError>),
    /// A response header the spec declares is missing (when every response of the status must
    /// carry it) or does not parse as its type.
    ResponseHeader(Box<HeaderError>),
    /// The response body is longer than [`Config::max_response_body`](crate::Config); reading
    /// stopped at the limit.
    BodyTooLarge {
        /// Status of the response.
        status: StatusCode,
        /// The limit, in bytes.
        limit: u64,
    },
}

/// A declared response header that is missing or not of its type.
#[derive(Debug)]
pub struct HeaderError {
    /// Status of the response.
    pub status: StatusCode,
    /// Headers of the response.
    pub headers: HeaderMap,
    /// The header's name as the spec writes it.
    pub name: &'static str,
    /// The value as received (lossily decoded), if the header was there.
    pub value: Option<String>,
    /// Why it is not of its type.
    pub reason: String,
}

/// A body that does not match its schema.
///
/// Its `Debug` and `Display` show the body's size, not the body (it may hold a token): read it
/// with [`DecodeError::raw`].
pub struct DecodeError {
    /// Method of the request.
    pub method: Method,
    /// Path of the request (its query left out: it may hold a token).
    pub path: String,
    /// Status of the response.
    pub status: StatusCode,
    /// Headers of the response.
    pub headers: HeaderMap,
    /// The body as received (lossily decoded as UTF-8).
    pub raw: String,
    /// Where in the body decoding failed, as a JSON path (`items[3].amount`; `.` for the
    /// body itself).
    pub json_path: String,
    /// Why it did not match.
    pub source: serde_json::Error,
}

impl DecodeError {
    /// The body as received.
    pub fn raw(&self) -> &str {
        &self.raw
    }
}

/// A response the client did not turn into a success value.
///
/// Its `Debug` shows the typed body (whose secret fields redact themselves) and the raw body's
/// size, not the raw body: read it with [`ResponseParts::raw`].
pub struct ResponseParts<T> {
    /// Method of the request.
    pub method: Method,
    /// Path of the request (its query left out: it may hold a token).
    pub path: String,
    /// Status code.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// The typed body (`()` when there is none or it could not be typed).
    pub body: T,
    /// The body as received (lossily decoded as UTF-8).
    pub raw: String,
}

impl<T> ResponseParts<T> {
    /// The body as received.
    pub fn raw(&self) -> &str {
        &self.raw
    }
}

impl<E> Error<E> {
    /// The status of the response, if the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(p) => Some(p.status),
            Error::UnexpectedStatus(p) => Some(p.status),
            Error::Decode(d) => Some(d.status),
            Error::ResponseHeader(h) => Some(h.status),
            Error::BodyTooLarge { status, .. } => Some(*status),
            Error::Timeout(e) | Error::Transport(e) => e.status(),
            _ => None,
        }
    }

    /// The body of the response as received, if the server answered.
    pub fn raw_body(&self) -> Option<&str> {
        match self {
            Error::Api(p) => Some(&p.raw),
            Error::UnexpectedStatus(p) => Some(&p.raw),
            Error::Decode(d) => Some(&d.raw),
            _ => None,
        }
    }

    /// The headers of the response, if the server answered.
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Error::Api(p) => Some(&p.headers),
            Error::UnexpectedStatus(p) => Some(&p.headers),
            Error::Decode(d) => Some(&d.headers),
            Error::ResponseHeader(h) => Some(&h.headers),
            _ => None,
        }
    }

    /// The documented error body, for [`Error::Api`].
    pub fn api_error(&self) -> Option<&E> {
        match self {
            Error::Api(p) => Some(&p.body),
            _ => None,
        }
    }

    /// Why the token endpoint of an OAuth2 client gave no token, for an [`Error::TokenRefresh`]
    /// of a scheme set up with
    /// [`ClientCredentials`](crate::oauth2::ClientCredentials).
    pub fn token_error(&self) -> Option<&crate::oauth2::TokenError> {
        match self {
            Error::TokenRefresh { source, .. } => source.downcast_ref(),
            _ => None,
        }
    }

    /// Converts an error that cannot carry an API body (as from a constructor or a helper)
    /// into the error of any operation.
    #[doc(hidden)]
    pub fn widen<F>(self) -> Error<F> {
        match self {
            Error::InvalidRequest(m) => Error::InvalidRequest(m),
            Error::MissingCredentials {
                operation,
                accepted,
            } => Error::MissingCredentials {
                operation,
                accepted,
            },
            Error::TokenRefresh { scheme, source } => Error::TokenRefresh { scheme, source },
            Error::Timeout(e) => Error::Timeout(e),
            Error::Transport(e) => Error::Transport(e),
            Error::UnexpectedStatus(p) => Error::UnexpectedStatus(p),
            Error::Decode(d) => Error::Decode(d),
            Error::ResponseHeader(h) => Error::ResponseHeader(h),
            Error::BodyTooLarge { status, limit } => Error::BodyTooLarge { status, limit },
            Error::Api(p) => Error::UnexpectedStatus(Box::new(ResponseParts {
                method: p.method,
                path: p.path,
                status: p.status,
                headers: p.headers,
                body: (),
                raw: p.raw,
            })),
        }
    }
}

/// At most this many characters of a body are shown by `Display`.
const SHOWN_BODY: usize = 300;

pub(crate) fn excerpt(raw: &str) -> String {
    let raw = raw.trim();
    if raw.is_empty() {
        return "empty body".to_string();
    }
    let mut s: String = raw.chars().take(SHOWN_BODY).collect();
    if s.len() < raw.len() {
        s.push_str("...");
    }
    format!("body: {s}")
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest(m) => write!(f, "invalid request, nothing was sent: {m}"),
            Error::MissingCredentials {
                operation,
                accepted,
            } => write!(
                f,
                "`{operation}` needs a token of one of these schemes: {}; none is set, so nothing \
                 was sent (set one with `Credentials::set_token` or `set_source`)",
                accepted.join(", ")
            ),
            Error::TokenRefresh { scheme, source } => {
                write!(f, "refreshing the `{scheme}` token failed: {source}")
            }
            Error::Timeout(e) => write!(f, "the request timed out: {e}"),
            Error::Transport(e) => write!(f, "the request failed before a response: {e}"),
            Error::Api(p) => write!(
                f,
                "`{} {}` answered {} ({})",
                p.method,
                p.path,
                p.status,
                shown_body(p.status, &p.raw)
            ),
            Error::UnexpectedStatus(p) => write!(
                f,
                "`{} {}` answered {}, which the spec does not document for this operation ({})",
                p.method,
                p.path,
                p.status,
                shown_body(p.status, &p.raw)
            ),
            Error::Decode(d) => write!(
                f,
                "the {} response to `{} {}` does not match its schema at `{}`: {} ({} bytes)",
                d.status,
                d.method,
                d.path,
                d.json_path,
                d.source,
                d.raw.len()
            ),
            Error::ResponseHeader(h) => match &h.value {
                Some(value) => write!(
                    f,
                    "the {} response's header `{}` (`{value}`) does not match its schema: {}",
                    h.status, h.name, h.reason
                ),
                None => write!(
                    f,
                    "the {} response lacks the header `{}`, which the spec requires",
                    h.status, h.name
                ),
            },
            Error::BodyTooLarge { status, limit } => write!(
                f,
                "the {status} response's body is longer than the limit of {limit} bytes \
                 (`Config::max_response_body`); reading stopped there"
            ),
        }
    }
}

/// What `Display` shows of a body: its message fields when it is JSON that has some, else an
/// excerpt of an error status's body, else only its size (a success body may hold a token).
fn shown_body(status: StatusCode, raw: &str) -> String {
    let fields = message_fields(raw);
    if !fields.is_empty() {
        let shown: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        return shown.join("; ");
    }
    if status.is_client_error() || status.is_server_error() {
        return excerpt(raw);
    }
    format!("{} bytes", raw.len())
}

/// The keys whose string values say what went wrong, in error bodies as servers write them
/// (RFC 9457 problem details, OAuth2 errors, and the common `message`/`error` shapes).
const MESSAGE_KEYS: &[&str] = &[
    "title",
    "message",
    "error",
    "error_description",
    "errorMessage",
    "detail",
    "description",
    "reason",
];

/// At most this many characters of a message field are shown.
const SHOWN_FIELD: usize = 200;

/// The message fields of a JSON object body, in [`MESSAGE_KEYS`] order; an object under
/// `error` is searched too (`error.message`).
pub(crate) fn message_fields(raw: &str) -> Vec<(String, String)> {
    let Ok(serde_json::Value::Object(body)) = serde_json::from_str(raw) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut scan = |prefix: &str, map: &serde_json::Map<String, serde_json::Value>| {
        for key in MESSAGE_KEYS {
            if let Some(serde_json::Value::String(v)) = map.get(*key) {
                let mut shown: String = v.chars().take(SHOWN_FIELD).collect();
                if shown.len() < v.len() {
                    shown.push_str("...");
                }
                out.push((format!("{prefix}{key}"), shown));
            }
        }
    };
    scan("", &body);
    if let Some(serde_json::Value::Object(inner)) = body.get("error") {
        scan("error.", inner);
    }
    out
}

/// `Debug` of a response's headers, with the values of those that carry credentials redacted.
struct Headers<'a>(&'a HeaderMap);

impl fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            let n = name.as_str();
            let secret = value.is_sensitive()
                || matches!(
                    n,
                    "authorization" | "proxy-authorization" | "cookie" | "set-cookie"
                )
                || ["token", "secret", "key", "session", "password"]
                    .iter()
                    .any(|w| n.contains(w));
            if secret {
                map.entry(&n, &"<redacted>");
            } else {
                map.entry(&n, value);
            }
        }
        map.finish()
    }
}

/// `Debug` of a raw body: its size only.
struct Size(usize);

impl fmt::Debug for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0)
    }
}

impl<T: fmt::Debug> fmt::Debug for ResponseParts<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseParts")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("status", &self.status)
            .field("headers", &Headers(&self.headers))
            .field("body", &self.body)
            .field("raw", &Size(self.raw.len()))
            .finish()
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("status", &self.status)
            .field("headers", &Headers(&self.headers))
            .field("raw", &Size(self.raw.len()))
            .field("json_path", &self.json_path)
            .field("source", &self.source)
            .finish()
    }
}

impl<E: fmt::Debug> fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest(m) => f.debug_tuple("InvalidRequest").field(m).finish(),
            Error::MissingCredentials {
                operation,
                accepted,
            } => f
                .debug_struct("MissingCredentials")
                .field("operation", operation)
                .field("accepted", accepted)
                .finish(),
            Error::TokenRefresh { scheme, source } => f
                .debug_struct("TokenRefresh")
                .field("scheme", scheme)
                .field("source", source)
                .finish(),
            Error::Timeout(e) => f.debug_tuple("Timeout").field(e).finish(),
            Error::Transport(e) => f.debug_tuple("Transport").field(e).finish(),
            Error::Api(p) => f.debug_tuple("Api").field(p).finish(),
            Error::UnexpectedStatus(p) => f.debug_tuple("UnexpectedStatus").field(p).finish(),
            Error::Decode(d) => f.debug_tuple("Decode").field(d).finish(),
            Error::ResponseHeader(h) => f.debug_tuple("ResponseHeader").field(h).finish(),
            Error::BodyTooLarge { status, limit } => f
                .debug_struct("BodyTooLarge")
                .field("status", status)
                .field("limit", limit)
                .finish(),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::TokenRefresh { source, .. } => Some(source.as_ref()),
            Error::Timeout(e) | Error::Transport(e) => Some(e),
            Error::Decode(d) => Some(&d.source),
            _ => None,
        }
    }
}

/// Sorts a reqwest error into [`Error::Timeout`] or [`Error::Transport`].
///
/// The query is removed from the URL the error carries: it may hold a token (`logout`'s
/// `accessToken`), and errors end up in logs.
pub(crate) fn from_reqwest<E>(mut e: reqwest::Error) -> Error<E> {
    if let Some(url) = e.url_mut() {
        url.set_query(None);
    }
    if e.is_timeout() {
        Error::Timeout(e)
    } else {
        Error::Transport(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Raw;
    use reqwest::header::HeaderValue;

    fn raw(status: u16, body: &str) -> Raw {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", HeaderValue::from_static("r-1"));
        headers.insert("set-cookie", HeaderValue::from_static("session=s3cr3t"));
        headers.insert("x-auth-token", HeaderValue::from_static("t0k3n"));
        Raw {
            method: Method::POST,
            path: "/customer/t1/login".into(),
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    #[derive(Debug)]
    struct Typed;

    #[test]
    fn api_errors_show_method_path_status_and_message_fields() {
        let body = r#"{"status":401,"title":"Unauthorized","message":"token expired","error":{"message":"invalid_token"},"code":7}"#;
        let err = raw(401, body).api_error(Typed);
        assert_eq!(
            err.to_string(),
            "`POST /customer/t1/login` answered 401 Unauthorized (title: Unauthorized; message: token expired; error.message: invalid_token)"
        );
        assert_eq!(err.raw_body(), Some(body));
        let Error::Api(parts) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(parts.raw(), body);
        assert_eq!(parts.method, Method::POST);
    }

    #[test]
    fn bodies_without_message_fields() {
        let err = raw(502, "<html>bad gateway</html>").unexpected::<Typed>();
        assert_eq!(
            err.to_string(),
            "`POST /customer/t1/login` answered 502 Bad Gateway, which the spec does not document for this operation (body: <html>bad gateway</html>)"
        );
        // A success body may hold a token: only its size is shown.
        let err = raw(200, r#"{"accessToken":"abc"}"#).unexpected::<Typed>();
        assert!(err.to_string().ends_with("(21 bytes)"), "{err}");
        assert!(!err.to_string().contains("abc"), "{err}");
    }

    #[test]
    fn decode_errors_name_the_json_path_and_keep_the_body() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Line {
            amount: i64,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Order {
            lines: Vec<Line>,
        }
        let body = r#"{"accessToken":"abc","lines":[{"amount":1},{"amount":"2"}]}"#;
        let err = raw(200, body).json::<Order, Typed>().unwrap_err();
        let Error::Decode(d) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(d.json_path, "lines[1].amount");
        assert_eq!(d.raw(), body);
        assert_eq!(err.raw_body(), Some(body));
        let shown = err.to_string();
        assert!(
            shown.starts_with("the 200 OK response to `POST /customer/t1/login` does not match its schema at `lines[1].amount`: invalid type: string \"2\", expected i64"),
            "{shown}"
        );
        assert!(!shown.contains("abc"), "{shown}");

        let err = raw(200, r#"{"lines":[]} x"#)
            .json::<Order, Typed>()
            .unwrap_err();
        assert!(
            matches!(&err, Error::Decode(d) if d.json_path == "." && d.source.is_syntax()),
            "{err:?}"
        );
    }

    #[test]
    fn debug_shows_no_body_and_no_credential_headers() {
        let body = r#"{"accessToken":"abc","lines":"x"}"#;
        let api = raw(401, body).api_error(Typed);
        let decode = raw(200, body).json::<Vec<String>, Typed>().unwrap_err();
        for err in [api, decode] {
            let debug = format!("{err:?}");
            for secret in ["abc", "s3cr3t", "t0k3n"] {
                assert!(!debug.contains(secret), "{debug}");
            }
            assert!(debug.contains("\"x-request-id\": \"r-1\""), "{debug}");
            assert!(debug.contains("\"set-cookie\": \"<redacted>\""), "{debug}");
            assert!(debug.contains("bytes>"), "{debug}");
        }
    }
}
