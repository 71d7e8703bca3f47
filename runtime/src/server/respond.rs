//! The headers a response declares, written by the generated `IntoResponse` of a response
//! enum whose variant carries them.

use super::Rejection;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

/// The declared headers of one response, each rendered as OpenAPI's `simple` style says
/// (a string as is, a number or boolean as written in JSON, an array's items joined with
/// commas, an object's keys and values joined with commas); an absent one (`None`) is not
/// sent.
///
/// The framing headers (`Content-Length`, `Transfer-Encoding`) are the server's and are never
/// replaced; a name that is not an HTTP token is not sent. A value HTTP cannot carry (a line
/// break) turns the response into a `500`: the handler broke the spec's contract.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct ResponseHeaders {
    headers: Vec<(HeaderName, HeaderValue)>,
    /// The first header whose value could not be sent.
    invalid: Option<&'static str>,
}

impl ResponseHeaders {
    /// No headers yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// With header `name` set to `value`.
    pub fn add<T: Serialize>(mut self, name: &'static str, value: &T) -> Self {
        let Ok(header) = HeaderName::from_bytes(name.as_bytes()) else {
            return self;
        };
        if header == header::CONTENT_LENGTH || header == header::TRANSFER_ENCODING {
            return self;
        }
        let text = match serde_json::to_value(value) {
            Ok(Value::Null) => return self,
            Ok(value) => simple(&value),
            Err(_) => None,
        };
        match text.and_then(|t| HeaderValue::try_from(t).ok()) {
            Some(value) => self.headers.push((header, value)),
            None => {
                self.invalid.get_or_insert(name);
            }
        }
        self
    }

    /// `response` with the headers, or a `500` naming the header that could not be sent.
    pub fn respond(self, mut response: Response) -> Response {
        if let Some(name) = self.invalid {
            let message =
                format!("The handler gave response header {name} a value HTTP cannot carry.");
            let status = StatusCode::INTERNAL_SERVER_ERROR;
            return Rejection::new(status, "invalid_response_header", message).into_response();
        }
        let headers = response.headers_mut();
        for (name, value) in self.headers {
            headers.insert(name, value);
        }
        response
    }
}

/// `value` in the `simple` style, if it is one a header can hold (no nested containers).
fn simple(value: &Value) -> Option<String> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
        _ => None,
    };
    match value {
        Value::Array(items) => Some(
            items
                .iter()
                .map(scalar)
                .collect::<Option<Vec<_>>>()?
                .join(","),
        ),
        Value::Object(members) => {
            let pairs = members
                .iter()
                .map(|(k, v)| Some(format!("{k},{}", scalar(v)?)));
            Some(pairs.collect::<Option<Vec<_>>>()?.join(","))
        }
        other => scalar(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(headers: ResponseHeaders) -> Response {
        headers.respond(StatusCode::CREATED.into_response())
    }

    #[test]
    fn values_are_written_in_the_simple_style() {
        let response = sent(
            ResponseHeaders::new()
                .add("Location", &"/items/1")
                .add("X-Total-Count", &42_i64)
                .add("X-Tags", &["a", "b"])
                .add("X-Absent", &None::<String>)
                .add("Content-Length", &7),
        );
        assert_eq!(response.status(), StatusCode::CREATED);
        let h = response.headers();
        assert_eq!(h["location"], "/items/1");
        assert_eq!(h["x-total-count"], "42");
        assert_eq!(h["x-tags"], "a,b");
        assert!(!h.contains_key("x-absent") && !h.contains_key("content-length"));
    }

    #[test]
    fn a_value_http_cannot_carry_is_a_server_error() {
        let response = sent(ResponseHeaders::new().add("Location", &"/a\r\nSet-Cookie: x"));
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!response.headers().contains_key("set-cookie"));
    }
}
