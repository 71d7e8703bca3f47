//! Response bodies read as they arrive: the events of a `text/event-stream` response
//! ([`EventStream`]) and the chunks of a binary one ([`ByteStream`]), returned by a request
//! builder's `send_stream`.
//!
//! Neither holds the whole body, so [`Config::max_response_body`](crate::Config) does not
//! bound a stream's length: a byte stream passes each chunk on as it arrives, and an event
//! stream holds one unfinished event at a time, which the limit bounds (a longer one ends the
//! stream with [`Error::BodyTooLarge`]). `Config::timeout` bounds the wait for the response
//! and then each wait for the next chunk, not the whole stream.

use crate::error::{from_reqwest, DecodeError, Error};
use crate::sse::{Event, Parser};
use crate::transport::json_at;
use futures_util::Stream;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use bytes::Bytes;

type Chunks = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// A response whose head has arrived and whose body is still to be read.
#[doc(hidden)]
#[derive(Debug)]
pub struct Open {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) response: reqwest::Response,
    pub(crate) limit: u64,
}

impl Open {
    /// The events, each one's data decoded from JSON.
    pub fn json_events<T: DeserializeOwned, E>(self) -> EventStream<T, E> {
        EventStream::new(self, json_data)
    }

    /// The events, each one's data as text.
    pub fn text_events<E>(self) -> EventStream<String, E> {
        EventStream::new(self, |_, data| Ok(data))
    }

    /// The body's chunks.
    pub fn bytes<E>(self) -> ByteStream<E> {
        let (head, chunks) = self.split();
        ByteStream {
            head,
            chunks,
            done: false,
            error: PhantomData,
        }
    }

    fn split(self) -> (Head, Chunks) {
        let chunks = futures_util::stream::unfold(self.response, |mut response| async move {
            match response.chunk().await {
                Ok(Some(chunk)) => Some((Ok(chunk), response)),
                Ok(None) => None,
                Err(e) => Some((Err(e), response)),
            }
        });
        let head = Head {
            method: self.method,
            path: self.path,
            status: self.status,
            headers: self.headers,
            limit: self.limit,
        };
        (head, Box::pin(chunks))
    }
}

/// The data of an event decoded from JSON, or the error naming where it failed.
fn json_data<T: DeserializeOwned>(head: &Head, data: String) -> Result<T, Box<DecodeError>> {
    json_at(data.as_bytes()).map_err(|(json_path, source)| {
        Box::new(DecodeError {
            method: head.method.clone(),
            path: head.path.clone(),
            status: head.status,
            headers: head.headers.clone(),
            raw: data,
            json_path,
            source,
        })
    })
}

/// What a stream knows of its response, for its accessors and errors.
#[doc(hidden)]
#[derive(Debug)]
pub struct Head {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) limit: u64,
}

/// The events of a `text/event-stream` response, each decoded as it arrives: a
/// [`Stream`] of `Result<Event<T>, Error<E>>` (call [`EventStream::next`] without importing
/// a stream trait).
///
/// `T` is the type the spec gives each event's data (decoded from JSON), or `String` when it
/// gives none. An event whose data does not decode is an [`Error::Decode`] item and the
/// stream goes on; a broken connection or an event longer than
/// [`Config::max_response_body`](crate::Config) ([`Error::BodyTooLarge`]) ends it. The stream
/// ends when the server closes the response; an event it closes before finishing is dropped,
/// as the standard says.
pub struct EventStream<T, E = std::convert::Infallible> {
    head: Head,
    chunks: Chunks,
    parser: Parser,
    ready: VecDeque<Event<String>>,
    decode: fn(&Head, String) -> Result<T, Box<DecodeError>>,
    done: bool,
    /// An event outgrew the limit: the stream ends with that error after the ready events.
    too_large: bool,
    error: PhantomData<fn() -> E>,
}

impl<T, E> EventStream<T, E> {
    fn new(open: Open, decode: fn(&Head, String) -> Result<T, Box<DecodeError>>) -> Self {
        let limit = usize::try_from(open.limit).unwrap_or(usize::MAX);
        let (head, chunks) = open.split();
        EventStream {
            head,
            chunks,
            parser: Parser::new(limit),
            ready: VecDeque::new(),
            decode,
            done: false,
            too_large: false,
            error: PhantomData,
        }
    }

    /// The next event, or `None` at the end of the stream.
    #[allow(clippy::should_implement_trait)]
    pub async fn next(&mut self) -> Option<Result<Event<T>, Error<E>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The response's status.
    pub fn status(&self) -> StatusCode {
        self.head.status
    }

    /// The response's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.head.headers
    }

    /// The last event ID the stream set (`id:`), to send as `Last-Event-ID` when reconnecting.
    pub fn last_event_id(&self) -> Option<&str> {
        self.parser.last_event_id()
    }

    /// The reconnection time the stream asked for last (`retry:`), if any.
    pub fn retry(&self) -> Option<std::time::Duration> {
        self.parser.reconnection()
    }

    fn decode(&self, event: Event<String>) -> Result<Event<T>, Error<E>> {
        let Event {
            data,
            event,
            id,
            retry,
        } = event;
        let data = (self.decode)(&self.head, data).map_err(Error::Decode)?;
        Ok(Event {
            data,
            event,
            id,
            retry,
        })
    }
}

impl<T, E> Stream for EventStream<T, E> {
    type Item = Result<Event<T>, Error<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Poll::Ready(Some(self.decode(event)));
            }
            if std::mem::take(&mut self.too_large) {
                let (status, limit) = (self.head.status, self.head.limit);
                return Poll::Ready(Some(Err(Error::BodyTooLarge { status, limit })));
            }
            if self.done {
                return Poll::Ready(None);
            }
            let chunk = match self.chunks.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    self.done = true;
                    continue;
                }
                Poll::Ready(Some(Err(e))) => {
                    self.done = true;
                    return Poll::Ready(Some(Err(from_reqwest(e))));
                }
                Poll::Ready(Some(Ok(chunk))) => chunk,
            };
            let this = &mut *self;
            let mut out = Vec::new();
            let fed = this.parser.feed(&chunk, &mut out);
            // The events completed before a too long one still come first.
            this.ready.extend(out);
            if fed.is_err() {
                this.done = true;
                this.too_large = true;
            }
        }
    }
}

impl<T, E> fmt::Debug for EventStream<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("status", &self.head.status)
            .field("path", &self.head.path)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// The body of a binary response as it arrives: a [`Stream`] of `Result<Bytes, Error<E>>`
/// (call [`ByteStream::next`] without importing a stream trait). No chunk is held once
/// handed over, so the stream may be longer than
/// [`Config::max_response_body`](crate::Config).
pub struct ByteStream<E = std::convert::Infallible> {
    head: Head,
    chunks: Chunks,
    done: bool,
    error: PhantomData<fn() -> E>,
}

impl<E> ByteStream<E> {
    /// The next chunk, or `None` at the end of the body.
    #[allow(clippy::should_implement_trait)]
    pub async fn next(&mut self) -> Option<Result<Bytes, Error<E>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The response's status.
    pub fn status(&self) -> StatusCode {
        self.head.status
    }

    /// The response's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.head.headers
    }
}

impl<E> Stream for ByteStream<E> {
    type Item = Result<Bytes, Error<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        match self.chunks.as_mut().poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                self.done = true;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(e))) => {
                self.done = true;
                Poll::Ready(Some(Err(from_reqwest(e))))
            }
            Poll::Ready(Some(Ok(chunk))) => Poll::Ready(Some(Ok(chunk))),
        }
    }
}

impl<E> fmt::Debug for ByteStream<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream")
            .field("status", &self.head.status)
            .field("path", &self.head.path)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}
