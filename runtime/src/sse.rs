//! Server-sent events (`text/event-stream`): the [`Event`] both ends name, and the parser the
//! client reads a stream with.
//!
//! The parser follows the WHATWG HTML standard's "parsing an event stream": lines end in CRLF,
//! LF or CR (a CRLF split across two chunks is one line end); one leading byte order mark is
//! dropped; a line starting with `:` is a comment; `data` lines are joined with `\n`; `id`
//! sets the last event ID (unless it holds NUL); `retry` sets the reconnection time (ASCII
//! digits only); a blank line dispatches the event, unless no `data` was given; an event the
//! stream ends before its blank line is dropped. Unknown fields are ignored.
//!
//! It is ours, not `eventsource-stream`'s or `sse-stream`'s: the client must bound what it
//! holds of one unfinished event (a server that never sends a line end must not exhaust
//! memory), which neither offers, and it works on bytes, so a UTF-8 character split across
//! chunks needs no care (lines are decoded whole, invalid bytes replaced, as the standard
//! says). It holds no I/O and is always compiled: the generator reads an example given as
//! event-stream text with it.

use std::time::Duration;

/// One server-sent event: its `data` (decoded into the schema's type where the spec gives
/// one, else the text), and the optional `event`, `id` and `retry` fields.
///
/// A server builds one with [`Event::new`] and the setters; a client receives them from an
/// event stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<T> {
    /// The data: `data` lines joined with `\n`, decoded.
    pub data: T,
    /// The event type (`event:`); `None` for the default type, `message`.
    pub event: Option<String>,
    /// The last event ID when the event was dispatched (`id:` of this event or an earlier
    /// one); `None` when none was set or it was set empty.
    pub id: Option<String>,
    /// The reconnection time this event's `retry:` field set, if it set one.
    pub retry: Option<Duration>,
}

impl<T> Event<T> {
    /// An event of the default type carrying `data`.
    pub fn new(data: T) -> Self {
        Event {
            data,
            event: None,
            id: None,
            retry: None,
        }
    }

    /// Sets the event type. Line breaks, which the format cannot carry, are dropped when sent.
    pub fn event(mut self, event: impl Into<String>) -> Self {
        self.event = Some(event.into());
        self
    }

    /// Sets the event ID. Line breaks and NUL, which the format cannot carry, are dropped when
    /// sent.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the reconnection time the client should use.
    pub fn retry(mut self, retry: Duration) -> Self {
        self.retry = Some(retry);
        self
    }

    /// The same event with its data mapped.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Event<U> {
        Event {
            data: f(self.data),
            event: self.event,
            id: self.id,
            retry: self.retry,
        }
    }
}

impl<T> From<T> for Event<T> {
    fn from(data: T) -> Self {
        Event::new(data)
    }
}

/// An event (or the line being read) is longer than the parser's limit.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;

/// An incremental event-stream parser: bytes in, dispatched events out.
#[doc(hidden)]
#[derive(Debug)]
pub struct Parser {
    /// The line read so far (no line end yet).
    line: Vec<u8>,
    /// The previous chunk ended in CR: a LF starting the next one ends no further line.
    after_cr: bool,
    /// No line has ended yet (the first may start with a byte order mark).
    first_line: bool,
    data: String,
    event: Option<String>,
    retry: Option<Duration>,
    last_id: String,
    reconnection: Option<Duration>,
    limit: usize,
}

impl Parser {
    /// A parser that fails once the unfinished line and event together exceed `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Parser {
            line: Vec::new(),
            after_cr: false,
            first_line: true,
            data: String::new(),
            event: None,
            retry: None,
            last_id: String::new(),
            reconnection: None,
            limit,
        }
    }

    /// The reconnection time the stream set last (`retry:`), if any.
    pub fn reconnection(&self) -> Option<Duration> {
        self.reconnection
    }

    /// The last event ID the stream set, if any (empty is none).
    pub fn last_event_id(&self) -> Option<&str> {
        (!self.last_id.is_empty()).then_some(self.last_id.as_str())
    }

    /// Reads `chunk`, pushing each event it completes to `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<Event<String>>) -> Result<(), TooLarge> {
        let mut rest = chunk;
        if rest.is_empty() {
            return Ok(());
        }
        if std::mem::take(&mut self.after_cr) && rest.first() == Some(&b'\n') {
            rest = &rest[1..];
        }
        while let Some(end) = rest.iter().position(|b| matches!(b, b'\r' | b'\n')) {
            self.line.extend_from_slice(&rest[..end]);
            self.check()?;
            self.end_line(out);
            let cr = rest[end] == b'\r';
            rest = &rest[end + 1..];
            if cr {
                match rest.first() {
                    None => self.after_cr = true,
                    Some(b'\n') => rest = &rest[1..],
                    Some(_) => {}
                }
            }
        }
        self.line.extend_from_slice(rest);
        self.check()
    }

    fn check(&self) -> Result<(), TooLarge> {
        if self.line.len() + self.data.len() > self.limit {
            return Err(TooLarge);
        }
        Ok(())
    }

    /// Processes the line in `self.line`.
    fn end_line(&mut self, out: &mut Vec<Event<String>>) {
        let mut bytes = std::mem::take(&mut self.line);
        if std::mem::take(&mut self.first_line) && bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        if bytes.is_empty() {
            return self.dispatch(out);
        }
        let line = String::from_utf8_lossy(&bytes);
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => self.event = Some(value.to_string()),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => self.last_id = value.to_string(),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                // More digits than a `u64` holds is a very long time.
                let ms = value.parse().unwrap_or(u64::MAX);
                self.retry = Some(Duration::from_millis(ms));
                self.reconnection = self.retry;
            }
            _ => {}
        }
    }

    /// A blank line: the event read so far, if it has data.
    fn dispatch(&mut self, out: &mut Vec<Event<String>>) {
        let event = self.event.take().filter(|e| !e.is_empty());
        let retry = self.retry.take();
        if self.data.is_empty() {
            return;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop();
        out.push(Event {
            data,
            event,
            id: self.last_event_id().map(str::to_string),
            retry,
        });
    }
}

/// The events of a whole event-stream text (an example in a spec), without a limit.
pub fn parse(text: &str) -> Vec<Event<String>> {
    let mut parser = Parser::new(usize::MAX);
    let mut out = Vec::new();
    // Without a limit, feeding cannot fail.
    let _ = parser.feed(text.as_bytes(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(events: &[Event<String>]) -> Vec<&str> {
        events.iter().map(|e| e.data.as_str()).collect()
    }

    /// Feeds `text` cut at every position into two chunks: the events never depend on where
    /// the chunks end.
    fn parse_split(text: &[u8]) -> Vec<Event<String>> {
        let whole = {
            let mut p = Parser::new(usize::MAX);
            let mut out = Vec::new();
            p.feed(text, &mut out).unwrap();
            out
        };
        for cut in 0..=text.len() {
            let mut p = Parser::new(usize::MAX);
            let mut out = Vec::new();
            p.feed(&text[..cut], &mut out).unwrap();
            p.feed(&text[cut..], &mut out).unwrap();
            assert_eq!(out, whole, "cut at {cut}");
        }
        whole
    }

    #[test]
    fn data_lines_join_with_line_feeds_and_a_blank_line_dispatches() {
        let events = parse_split(b"data: first\ndata:second\ndata\n\ndata: x\n\n");
        assert_eq!(data(&events), ["first\nsecond\n", "x"]);
        // Only one space after the colon is dropped.
        assert_eq!(data(&parse_split(b"data:  two\n\n")), [" two"]);
    }

    #[test]
    fn comments_and_unknown_fields_are_ignored() {
        let events = parse_split(b": keep-alive\n:\nfoo: bar\ndata: a\n: inside\n\n");
        assert_eq!(data(&events), ["a"]);
        // A block of comments only dispatches nothing.
        assert!(parse_split(b": ping\n\n").is_empty());
    }

    #[test]
    fn event_id_and_retry_fields() {
        let text = b"event: delta\nid: 7\nretry: 1500\ndata: {}\n\ndata: next\n\nid\ndata: z\n\n";
        let events = parse_split(text);
        assert_eq!(events[0].event.as_deref(), Some("delta"));
        assert_eq!(events[0].id.as_deref(), Some("7"));
        assert_eq!(events[0].retry, Some(Duration::from_millis(1500)));
        // The type and retry belong to one event; the last event ID stays until reset.
        assert_eq!(events[1].event, None);
        assert_eq!(events[1].id.as_deref(), Some("7"));
        assert_eq!(events[1].retry, None);
        assert_eq!(events[2].id, None);
        // A retry that is not all digits, and an id holding NUL, are ignored.
        let events = parse_split(b"id: 1\nretry: 10s\nid: a\0b\ndata: d\n\n");
        assert_eq!(events[0].id.as_deref(), Some("1"));
        assert_eq!(events[0].retry, None);
    }

    #[test]
    fn crlf_cr_and_lf_all_end_lines() {
        let events = parse_split(b"data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r");
        assert_eq!(data(&events), ["a\nb\nc", "d"]);
        // A CRLF split across chunks is one line end, not an end and a blank line.
        let mut p = Parser::new(usize::MAX);
        let mut out = Vec::new();
        p.feed(b"data: A\r\ndata: B\r", &mut out).unwrap();
        p.feed(b"\ndata: C\r\n", &mut out).unwrap();
        assert!(out.is_empty());
        p.feed(b"\r\n", &mut out).unwrap();
        assert_eq!(data(&out), ["A\nB\nC"]);
    }

    #[test]
    fn a_leading_byte_order_mark_is_dropped_once() {
        let events = parse_split(b"\xEF\xBB\xBFdata: a\n\n\xEF\xBB\xBFdata: b\n\n");
        // The second mark is part of a field name, `\u{feff}data`, which is unknown.
        assert_eq!(data(&events), ["a"]);
    }

    #[test]
    fn an_event_the_stream_ends_before_its_blank_line_is_dropped() {
        assert_eq!(data(&parse_split(b"data: a\n\ndata: b\n")), ["a"]);
        assert_eq!(data(&parse_split(b"data: a\n\ndata: b")), ["a"]);
    }

    #[test]
    fn invalid_utf8_is_replaced_and_split_characters_join() {
        let events = parse_split(&["data: é".as_bytes(), b"\xFF\n\n"].concat());
        assert_eq!(data(&events), ["é\u{fffd}"]);
    }

    #[test]
    fn an_unfinished_line_or_event_over_the_limit_fails() {
        let mut p = Parser::new(8);
        let mut out = Vec::new();
        assert_eq!(p.feed(b"data: 1234", &mut out), Err(TooLarge));
        let mut p = Parser::new(8);
        p.feed(b"data: 12\n", &mut out).unwrap();
        assert_eq!(p.feed(b"data: 3", &mut out), Err(TooLarge));
        // Dispatched events free their room.
        let mut p = Parser::new(8);
        for _ in 0..100 {
            p.feed(b"data: 12\n\n", &mut out).unwrap();
        }
        assert_eq!(out.len(), 100);
    }

    #[test]
    fn a_whole_text_parses_without_a_limit() {
        let events = parse("event: a\ndata: 1\n\ndata: 2\n\n");
        assert_eq!(data(&events), ["1", "2"]);
        assert_eq!(events[0].event.as_deref(), Some("a"));
    }
}
