//! The one error type of generated clients.

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
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
#[derive(Debug)]
pub struct DecodeError {
    /// Status of the response.
    pub status: StatusCode,
    /// Headers of the response.
    pub headers: HeaderMap,
    /// The body as received (lossily decoded as UTF-8).
    pub raw: String,
    /// Why it did not match.
    pub source: serde_json::Error,
}

/// A response the client did not turn into a success value.
#[derive(Debug)]
pub struct ResponseParts<T> {
    /// Status code.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// The typed body (`()` when there is none or it could not be typed).
    pub body: T,
    /// The body as received (lossily decoded as UTF-8).
    pub raw: String,
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
            Error::Api(p) => write!(f, "the server answered {}: {:?}", p.status, p.body),
            Error::UnexpectedStatus(p) => write!(
                f,
                "the server answered {}, which the spec does not document for this operation ({})",
                p.status,
                excerpt(&p.raw)
            ),
            Error::Decode(d) => write!(
                f,
                "the {} response does not match its schema: {} ({})",
                d.status,
                d.source,
                excerpt(&d.raw)
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
