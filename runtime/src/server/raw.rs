//! [`RawRequest`]: the request as it arrived, which every generated request struct carries
//! beside its typed parameters and body.

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap, Method, Uri, Version};
use std::fmt;
use std::net::SocketAddr;

/// The request as it arrived, after the router's checks: its method, URI, headers and the
/// extensions tower layers set on it (a request id, a tracing span, the peer address).
///
/// Every generated request struct has it as its `raw` field. The router moves it there from
/// the request it read (nothing is copied), so a handler that does not read it pays nothing.
/// `Default` makes an empty one, for requests built by hand in tests.
///
/// Its `Debug` shows the method, the path and the header names only: header values and the
/// query may carry credentials.
#[derive(Default)]
pub struct RawRequest {
    /// The method.
    pub method: Method,
    /// The URI as sent (path and query).
    pub uri: Uri,
    /// The HTTP version.
    pub version: Version,
    /// Every header, including those the spec declares as parameters.
    pub headers: HeaderMap,
    /// What tower layers and the server put on the request (axum's `ConnectInfo`,
    /// tower-http's `RequestId`, your own types).
    pub extensions: Extensions,
}

impl RawRequest {
    /// The extension of type `T` a layer set, if any.
    pub fn extension<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.extensions.get::<T>()
    }

    /// The address of the peer, when the server records it: [`serve`](super::serve) always
    /// does, `axum::serve` with `into_make_service_with_connect_info::<SocketAddr>()`.
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        self.extension::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| *addr)
    }
}

impl fmt::Debug for RawRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("path", &self.uri.path())
            .field("version", &self.version)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_leaves_out_header_values_and_the_query() {
        let mut raw = RawRequest {
            uri: Uri::from_static("/items?api_key=hunter2"),
            ..RawRequest::default()
        };
        let bearer = axum::http::HeaderValue::from_static("Bearer hunter2");
        raw.headers
            .insert(axum::http::header::AUTHORIZATION, bearer);
        let addr = SocketAddr::from(([192, 0, 2, 1], 4000));
        raw.extensions.insert(ConnectInfo(addr));
        let debug = format!("{raw:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("\"/items\"") && debug.contains("authorization"));
        assert_eq!(raw.peer_addr(), Some(addr));
    }
}
