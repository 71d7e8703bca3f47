//! What a call returns beside its body ([`Response`]), the typed reading of the response
//! headers a spec declares, and the extra headers a caller adds to one call.

use crate::error::{Error, HeaderError};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// The future a request builder becomes on `.await` (through `IntoFuture`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A successful response: the decoded body with the status, the headers the spec declares
/// for the operation (typed, in `H`) and every header as received.
///
/// Returned by the `send_with_response` method of each request builder; `send` (and
/// `.await` on the builder) returns the body alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T, H> {
    /// The status code.
    pub status: StatusCode,
    /// The headers the spec declares for the operation's successes, typed.
    pub headers: H,
    /// Every header as received.
    pub raw_headers: HeaderMap,
    /// The decoded body.
    pub body: T,
}

impl<T, H> Response<T, H> {
    /// The decoded body, the rest dropped.
    pub fn into_inner(self) -> T {
        self.body
    }
}

/// Headers added to one call with a request builder's `header` method (a request id,
/// `Accept-Language`). `Debug` shows their names only: a caller may add a credential.
#[doc(hidden)]
#[derive(Clone, Default)]
pub struct ExtraHeaders {
    headers: Vec<(HeaderName, HeaderValue)>,
    /// Why a header was refused; the call then fails with [`Error::InvalidRequest`] before
    /// anything is sent.
    error: Option<String>,
}

impl ExtraHeaders {
    /// Adds `name: value`; a name or value HTTP cannot carry is reported when the call is sent.
    pub fn push(&mut self, name: &str, value: &str) {
        let Ok(parsed) = HeaderName::from_bytes(name.as_bytes()) else {
            self.error
                .get_or_insert_with(|| format!("`{name}` is not a valid header name"));
            return;
        };
        let Ok(mut value) = HeaderValue::from_str(value) else {
            self.error.get_or_insert_with(|| {
                format!("the value of header `{name}` has characters a header cannot carry")
            });
            return;
        };
        value.set_sensitive(true);
        self.headers.push((parsed, value));
    }

    /// Appends the headers to `map`, or fails with the first refused one.
    pub(crate) fn apply<E>(self, map: &mut HeaderMap) -> Result<(), Error<E>> {
        if let Some(message) = self.error {
            return Err(Error::InvalidRequest(message));
        }
        for (name, value) in self.headers {
            map.append(name, value);
        }
        Ok(())
    }
}

impl fmt::Debug for ExtraHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.headers.iter().map(|(name, _)| name))
            .finish()
    }
}

/// A declared response header that every response of the status carries: missing, or not of
/// its type, it is an [`Error::ResponseHeader`] naming it.
#[doc(hidden)]
pub fn required_header<T: DeserializeOwned, E>(
    status: StatusCode,
    headers: &HeaderMap,
    name: &'static str,
) -> Result<T, Error<E>> {
    optional_header(status, headers, name)?
        .ok_or_else(|| header_error(status, headers, name, None, "it is missing".to_string()))
}

/// A declared response header that may be absent (`None`); present but not of its type, it
/// is an [`Error::ResponseHeader`] naming it.
#[doc(hidden)]
pub fn optional_header<T: DeserializeOwned, E>(
    status: StatusCode,
    headers: &HeaderMap,
    name: &'static str,
) -> Result<Option<T>, Error<E>> {
    let Some(value) = headers.get(name) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| {
        let shown = String::from_utf8_lossy(value.as_bytes()).into_owned();
        let reason = "it is not visible ASCII".to_string();
        header_error(status, headers, name, Some(shown), reason)
    })?;
    decode_header(text)
        .map(Some)
        .map_err(|reason| header_error(status, headers, name, Some(text.to_string()), reason))
}

fn header_error<E>(
    status: StatusCode,
    headers: &HeaderMap,
    name: &'static str,
    value: Option<String>,
    reason: String,
) -> Error<E> {
    Error::ResponseHeader(Box::new(HeaderError {
        status,
        headers: headers.clone(),
        name,
        value,
        reason,
    }))
}

/// A header value as `T`, read the way OpenAPI's `simple` style writes it: a string as is, a
/// number or boolean as its text, an array as comma-separated items.
fn decode_header<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let text = text.trim();
    let string = serde_json::from_value::<T>(Value::String(text.to_string()));
    let Err(first) = string else {
        return string.map_err(|e| e.to_string());
    };
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        if let Ok(t) = serde_json::from_value(v) {
            return Ok(t);
        }
    }
    let items = text.split(',').map(|item| scalar(item.trim())).collect();
    serde_json::from_value(Value::Array(items)).map_err(|_| first.to_string())
}

/// One item of a header value: a number or boolean when it reads as one, else a string.
fn scalar(item: &str) -> Value {
    match serde_json::from_str::<Value>(item) {
        Ok(v @ (Value::Number(_) | Value::Bool(_))) => v,
        _ => Value::String(item.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_decode_in_the_simple_style() {
        assert_eq!(decode_header::<i64>(" 42 "), Ok(42));
        assert_eq!(decode_header::<String>("42"), Ok("42".to_string()));
        assert_eq!(decode_header::<bool>("true"), Ok(true));
        assert_eq!(decode_header::<Vec<i32>>("1, 2,3"), Ok(vec![1, 2, 3]));
        assert_eq!(
            decode_header::<Vec<String>>("a,b"),
            Ok(vec!["a".to_string(), "b".to_string()])
        );
        let err = decode_header::<i64>("many").unwrap_err();
        assert!(err.contains("expected i64"), "{err}");
    }

    #[test]
    fn a_bad_or_missing_header_is_an_error_naming_it() {
        let mut h = HeaderMap::new();
        h.insert("x-total-count", HeaderValue::from_static("lots"));
        let e = optional_header::<i64, ()>(StatusCode::OK, &h, "X-Total-Count").unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("`X-Total-Count`") && text.contains("lots"),
            "{text}"
        );
        let missing = required_header::<String, ()>(StatusCode::OK, &h, "Location");
        let text = missing.unwrap_err().to_string();
        assert!(text.contains("lacks the header `Location`"), "{text}");
        let absent = optional_header::<String, ()>(StatusCode::OK, &h, "Location");
        assert_eq!(absent.unwrap(), None);
    }

    #[test]
    fn extra_headers_keep_the_first_refusal_and_hide_values() {
        let mut extra = ExtraHeaders::default();
        extra.push("X-Request-Id", "r-1");
        assert_eq!(format!("{extra:?}"), r#"["x-request-id"]"#);
        let mut map = HeaderMap::new();
        extra.clone().apply::<()>(&mut map).unwrap();
        assert_eq!(map["x-request-id"], "r-1");
        extra.push("bad name", "v");
        extra.push("X-Ok", "line\nbreak");
        let err = extra.apply::<()>(&mut HeaderMap::new()).unwrap_err();
        assert!(err.to_string().contains("`bad name`"), "{err}");
    }
}
