//! Streamed response bodies: the events of a `text/event-stream` response ([`EventStream`],
//! sent with axum's `Sse`) and the chunks of a binary one ([`ByteStream`]). A generated
//! response enum has a `…Stream` variant holding one for each response of those media types.

use crate::sse::Event;
use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::sse::{self, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use std::convert::Infallible;
use std::fmt;
use std::pin::Pin;
use std::time::Duration;

type Events<T> = Pin<Box<dyn Stream<Item = Event<T>> + Send>>;

/// The events a handler answers a `text/event-stream` operation with, sent as each arrives.
///
/// Built from any stream of data values ([`EventStream::new`]) or of whole [`Event`]s with
/// their type, ID and retry ([`EventStream::from_events`]). `T` is the type the spec gives
/// each event's data (sent as JSON), or `String` (sent as text; line breaks become several
/// `data` lines). The response ends when the stream does.
pub struct EventStream<T> {
    events: Events<T>,
    keep_alive: Option<Duration>,
}

impl<T: Send + 'static> EventStream<T> {
    /// An event of the default type per item of `data`.
    pub fn new(data: impl Stream<Item = T> + Send + 'static) -> Self {
        Self::from_events(data.map(Event::new))
    }

    /// One event per item of `events`.
    pub fn from_events(events: impl Stream<Item = Event<T>> + Send + 'static) -> Self {
        EventStream {
            events: Box::pin(events),
            keep_alive: None,
        }
    }

    /// The events of `data`, sent at once (what the mock answers with).
    pub fn iter(data: impl IntoIterator<Item = T, IntoIter: Send + 'static>) -> Self {
        Self::new(futures_util::stream::iter(data))
    }

    /// Sends a comment line when no event was sent for `interval`, so that proxies keep an
    /// idle connection open.
    pub fn keep_alive(mut self, interval: Duration) -> Self {
        self.keep_alive = Some(interval);
        self
    }
}

impl<T> fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("keep_alive", &self.keep_alive)
            .finish_non_exhaustive()
    }
}

/// The text a field may carry: line breaks (and NUL, for an ID) dropped, where axum would
/// panic on them.
fn field_text(text: &str, nul: bool) -> String {
    text.chars()
        .filter(|c| !(matches!(c, '\r' | '\n') || nul && *c == '\0'))
        .collect()
}

/// Everything of `event` but its data.
fn frame<T>(event: &Event<T>) -> sse::Event {
    let mut out = sse::Event::default();
    if let Some(name) = &event.event {
        out = out.event(field_text(name, false));
    }
    if let Some(id) = &event.id {
        out = out.id(field_text(id, true));
    }
    if let Some(retry) = event.retry {
        out = out.retry(retry);
    }
    out
}

fn respond(
    code: u16,
    events: impl Stream<Item = Result<sse::Event, Infallible>> + Send + 'static,
    keep_alive: Option<Duration>,
) -> Response {
    let body = match keep_alive {
        Some(interval) => Sse::new(events)
            .keep_alive(KeepAlive::new().interval(interval))
            .into_response(),
        None => Sse::new(events).into_response(),
    };
    (super::status(code), body).into_response()
}

/// A `text/event-stream` response whose events' data is JSON.
#[doc(hidden)]
pub fn json_events<T: Serialize + Send + 'static>(code: u16, stream: EventStream<T>) -> Response {
    let events = stream.events.map(|event| {
        // A value that does not serialize (a map with non-string keys) is sent as `null`.
        let data = serde_json::to_string(&event.data).unwrap_or_else(|_| "null".to_string());
        Ok(frame(&event).data(data))
    });
    respond(code, events, stream.keep_alive)
}

/// A `text/event-stream` response whose events' data is text.
#[doc(hidden)]
pub fn text_events(code: u16, stream: EventStream<String>) -> Response {
    let events = stream.events.map(|event| {
        // CR alone or in CRLF is a line break too; axum splits lines at LF only.
        let data = event.data.replace("\r\n", "\n").replace('\r', "\n");
        Ok(frame(&event).data(data))
    });
    respond(code, events, stream.keep_alive)
}

/// The body of a binary response, sent chunk by chunk as the stream yields them.
///
/// Built from any stream of chunks ([`ByteStream::new`]); an error item ends the response
/// abruptly (the client sees a broken body, not a complete one).
pub struct ByteStream {
    body: Body,
}

impl ByteStream {
    /// The chunks of `chunks`.
    pub fn new<S, D, E>(chunks: S) -> Self
    where
        S: Stream<Item = Result<D, E>> + Send + 'static,
        D: Into<Bytes> + 'static,
        E: Into<axum::BoxError> + 'static,
    {
        ByteStream {
            body: Body::from_stream(chunks),
        }
    }

    /// One chunk (what the mock answers with).
    pub fn once(bytes: impl Into<Bytes>) -> Self {
        ByteStream {
            body: Body::from(bytes.into()),
        }
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream").finish_non_exhaustive()
    }
}

/// A binary response streaming `body`, sent as `media_type`.
#[doc(hidden)]
pub fn byte_stream(code: u16, media_type: &'static str, body: ByteStream) -> Response {
    let content_type = [(header::CONTENT_TYPE, media_type)];
    (super::status(code), content_type, body.body).into_response()
}
