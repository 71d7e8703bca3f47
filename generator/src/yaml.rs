//! YAML text -> `serde_json::Value`, built straight from the parser's events.
//!
//! serde_yaml 0.9 first collects the events of the whole document and only then deserializes,
//! so the event list (several times the size of the text) and the value exist at once. Here each
//! event goes into the value as it is parsed, and only the open containers are held. The parser
//! is the one serde_yaml runs, `unsafe-libyaml` (libyaml translated to Rust), driven as
//! serde_yaml drives it: the same documents parse into the same events, and syntax errors read
//! the same. (`libyaml-safer`, a safe port, was tried first: it panics on a block scalar that
//! ends the text without a line break.) Its unsafe calls are confined to `Events`.
//!
//! **Invariant:** the value is the one `serde_yaml::from_str::<StrictValue>` builds: scalars
//! resolve as serde_yaml resolves them (`true`, `~`, `0x1f`, `1e3`; quoted scalars stay strings;
//! `!!int` and the other core tags), non-string keys become text (`200:` is `"200"`), aliases
//! repeat their anchor's value (`<<` is a key like any other), a duplicate key is refused. Errors
//! carry serde_yaml's messages and places (a duplicate key is reported at the start of its
//! mapping, with serde_yaml's path), and its limits hold: 128 nested containers, alias
//! expansion bounded by 100 times the events. Three deliberate differences: a character the
//! reader refuses is placed by line and column (serde_yaml gives only its byte offset); an alias
//! that nests too deep is placed at the alias (serde_yaml places it where its replay ran out of
//! depth); and expansion is bounded by the events read so far, not by those of the whole
//! document, since a stream cannot know them. `generator/tests/yaml.rs` compares both loaders on
//! each feature and on mutated YAML.

mod split;

use crate::strict::{compact, key_of};
use serde_json::{Map, Number, Value};
use std::collections::HashMap;

pub use split::parse_in_pieces;

/// A YAML syntax or shape error, placed like serde_yaml places it.
#[derive(Debug)]
pub struct YamlError {
    /// 1-based line (1 when serde_yaml gives no place).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// serde_yaml's message for the same error.
    pub message: String,
}

/// How deep containers may nest (serde_yaml's recursion limit).
const MAX_DEPTH: usize = 128;

/// Parses a single-document YAML stream into a value with duplicate keys refused.
///
/// A large document is parsed in pieces on all cores where its layout allows
/// ([`parse_in_pieces`]); the value and any error are the same either way.
pub fn parse(text: &str) -> Result<Value, YamlError> {
    match split::parse_large(text) {
        Some(value) => Ok(value),
        None => parse_nested(text, 0),
    }
}

/// [`parse`] on one thread, of a document whose root stands inside `base` containers of an
/// enclosing document (for the nesting limit).
fn parse_nested(text: &str, base: usize) -> Result<Value, YamlError> {
    let mut events = Events::new(text);
    let mut builder = Builder {
        base,
        ..Builder::default()
    };
    let mut started = false;
    loop {
        let (event, mark) = events.next()?;
        match event {
            Event::StreamStart => {}
            // An empty stream is one empty document (serde_yaml's `Event::Void`).
            Event::StreamEnd => return Ok(builder.root.unwrap_or(Value::Null)),
            Event::DocumentStart if started => return Err(more_than_one()),
            Event::DocumentStart => started = true,
            Event::DocumentEnd => {
                // Whatever follows, a document or an error, is a second document to serde_yaml.
                return match events.next() {
                    Ok((Event::StreamEnd, _)) => Ok(builder.root.take().unwrap_or(Value::Null)),
                    _ => Err(more_than_one()),
                };
            }
            event => builder.event(event, mark)?,
        }
    }
}

fn more_than_one() -> YamlError {
    YamlError {
        line: 1,
        column: 1,
        message: "deserializing from YAML containing more than one document is not supported"
            .into(),
    }
}

/// A parser event, owned.
enum Event {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias(String),
    Scalar {
        anchor: Option<String>,
        tag: Option<String>,
        value: String,
        plain: bool,
    },
    SequenceStart {
        anchor: Option<String>,
        tag: Option<String>,
    },
    SequenceEnd,
    MappingStart {
        anchor: Option<String>,
        tag: Option<String>,
    },
    MappingEnd,
}

/// Where an event starts: 0-based line and column, as libyaml counts.
#[derive(Clone, Copy)]
struct Mark {
    line: u64,
    column: u64,
}

/// libyaml's event parser over `text`, driven as serde_yaml's own `libyaml` module drives it.
struct Events<'t> {
    /// Boxed, so the parser never moves once initialized; it reads `text` in place.
    parser: Box<std::mem::MaybeUninit<unsafe_libyaml::yaml_parser_t>>,
    text: &'t str,
}

impl<'t> Events<'t> {
    fn new(text: &'t str) -> Self {
        let mut parser = Box::new(std::mem::MaybeUninit::<unsafe_libyaml::yaml_parser_t>::uninit());
        // SAFETY: the parser is initialized before any other use and deleted once, in `drop`;
        // `text` outlives it (the lifetime of `Events`). Initialization fails only when out of
        // memory, which aborts in Rust anyway.
        unsafe {
            let p = parser.as_mut_ptr();
            if unsafe_libyaml::yaml_parser_initialize(p).fail {
                std::process::abort();
            }
            unsafe_libyaml::yaml_parser_set_encoding(p, unsafe_libyaml::YAML_UTF8_ENCODING);
            unsafe_libyaml::yaml_parser_set_input_string(p, text.as_ptr(), text.len() as u64);
        }
        Events { parser, text }
    }

    fn next(&mut self) -> Result<(Event, Mark), YamlError> {
        let mut event = std::mem::MaybeUninit::<unsafe_libyaml::yaml_event_t>::uninit();
        // SAFETY: the parser is initialized (`new`); an event that `yaml_parser_parse` filled is
        // read, its strings copied, and deleted before returning. A failed parser is not run
        // again (libyaml would only repeat the error).
        unsafe {
            let p = self.parser.as_mut_ptr();
            let failed_before = {
                let parser: &unsafe_libyaml::yaml_parser_t = &*p;
                parser.error != unsafe_libyaml::YAML_NO_ERROR
            };
            if failed_before || unsafe_libyaml::yaml_parser_parse(p, event.as_mut_ptr()).fail {
                return Err(parse_error(self.text, &*p));
            }
            let e = event.as_mut_ptr();
            let mark = Mark {
                line: (*e).start_mark.line,
                column: (*e).start_mark.column,
            };
            let converted = convert(&*e);
            unsafe_libyaml::yaml_event_delete(e);
            Ok((converted?, mark))
        }
    }
}

impl Drop for Events<'_> {
    fn drop(&mut self) {
        // SAFETY: initialized in `new`, deleted only here.
        unsafe { unsafe_libyaml::yaml_parser_delete(self.parser.as_mut_ptr()) }
    }
}

/// Copies an event out of libyaml's memory.
///
/// # Safety
/// `e` is an event `yaml_parser_parse` filled and not yet deleted.
unsafe fn convert(e: &unsafe_libyaml::yaml_event_t) -> Result<Event, YamlError> {
    Ok(match e.type_ {
        unsafe_libyaml::YAML_STREAM_START_EVENT => Event::StreamStart,
        unsafe_libyaml::YAML_DOCUMENT_START_EVENT => Event::DocumentStart,
        unsafe_libyaml::YAML_DOCUMENT_END_EVENT => Event::DocumentEnd,
        unsafe_libyaml::YAML_ALIAS_EVENT => {
            Event::Alias(text_of(e.data.alias.anchor).unwrap_or_default())
        }
        unsafe_libyaml::YAML_SCALAR_EVENT => {
            let s = &e.data.scalar;
            let bytes = std::slice::from_raw_parts(s.value, s.length as usize);
            let Ok(value) = std::str::from_utf8(bytes) else {
                // serde_yaml's error for a scalar that is no text (the input is text, so only
                // an escape could make one).
                let mark = e.start_mark;
                return Err(placed(
                    "invalid type: byte array, expected any YAML or JSON value",
                    Mark {
                        line: mark.line,
                        column: mark.column,
                    },
                ));
            };
            Event::Scalar {
                anchor: text_of(s.anchor),
                tag: text_of(s.tag),
                value: value.to_string(),
                plain: s.style == unsafe_libyaml::YAML_PLAIN_SCALAR_STYLE,
            }
        }
        unsafe_libyaml::YAML_SEQUENCE_START_EVENT => Event::SequenceStart {
            anchor: text_of(e.data.sequence_start.anchor),
            tag: text_of(e.data.sequence_start.tag),
        },
        unsafe_libyaml::YAML_SEQUENCE_END_EVENT => Event::SequenceEnd,
        unsafe_libyaml::YAML_MAPPING_START_EVENT => Event::MappingStart {
            anchor: text_of(e.data.mapping_start.anchor),
            tag: text_of(e.data.mapping_start.tag),
        },
        unsafe_libyaml::YAML_MAPPING_END_EVENT => Event::MappingEnd,
        // `YAML_STREAM_END_EVENT`, and `YAML_NO_EVENT`, which a successful parse never gives.
        _ => Event::StreamEnd,
    })
}

/// A NUL-terminated string of libyaml's (an anchor or a tag), copied.
///
/// # Safety
/// `p` is null or points to a NUL-terminated string that lives through the call.
unsafe fn text_of(p: *const u8) -> Option<String> {
    if p.is_null() {
        return None;
    }
    let c = std::ffi::CStr::from_ptr(p.cast());
    Some(String::from_utf8_lossy(c.to_bytes()).into_owned())
}

/// The parser's error in serde_yaml's words: `problem at line L column C, context at line L
/// column C`. A reader error (e.g. a control character) has only a byte offset, which is turned
/// into a line and column.
fn parse_error(text: &str, p: &unsafe_libyaml::yaml_parser_t) -> YamlError {
    // SAFETY: libyaml's problem and context are null or static NUL-terminated strings.
    let (problem, context) = unsafe { (text_of(p.problem.cast()), text_of(p.context.cast())) };
    let mut message =
        problem.unwrap_or_else(|| "libyaml parser failed but there is no error".into());
    let at =
        |m: unsafe_libyaml::yaml_mark_t| format!("line {} column {}", m.line + 1, m.column + 1);
    let nonzero = |m: unsafe_libyaml::yaml_mark_t| m.line != 0 || m.column != 0;
    let (pm, cm) = (p.problem_mark, p.context_mark);
    let (line, column) = if nonzero(pm) {
        message.push_str(&format!(" at {}", at(pm)));
        (pm.line as usize + 1, pm.column as usize + 1)
    } else if p.problem_offset != 0 {
        let offset = (p.problem_offset as usize).min(text.len());
        let before = text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        message.push_str(&format!(" at line {line} column {column}"));
        (line, column)
    } else {
        (1, 1)
    };
    if let Some(context) = context {
        message.push_str(&format!(", {context}"));
        if nonzero(cm) && (cm.line, cm.column) != (pm.line, pm.column) {
            message.push_str(&format!(" at {}", at(cm)));
        }
    }
    YamlError {
        line,
        column,
        message,
    }
}

/// An open sequence or mapping.
struct Frame {
    mark: Mark,
    /// The anchor the finished container is kept under.
    anchor: Option<String>,
    /// `Builder::jumps` when the container opened (for its anchor's weight).
    jumps_at_start: usize,
    kind: FrameKind,
}

enum FrameKind {
    Seq(Vec<Value>),
    Map {
        map: Map<String, Value>,
        /// The key whose value is being read, once read.
        key: Option<Key>,
    },
}

/// A mapping key, and how serde_yaml names it in error paths.
struct Key {
    key: String,
    path: KeyPath,
}

enum KeyPath {
    /// The key as written is the key (a string).
    Same,
    /// A scalar key that resolved to something else (`200`, `true`): its text as written.
    Written(String),
    /// An alias or a container: `?`.
    Unknown,
}

/// An anchored node, kept for its aliases.
struct Anchored {
    value: Value,
    /// How deep its containers nest (they count where an alias repeats them).
    depth: usize,
    /// How many alias expansions building it took (an alias repeats them all).
    jumps: usize,
}

#[derive(Default)]
struct Builder {
    /// Containers of an enclosing document around the root (see [`parse_nested`]).
    base: usize,
    stack: Vec<Frame>,
    root: Option<Value>,
    /// `None` while the anchored node is still open (an alias to it would never end).
    anchors: HashMap<String, Option<Anchored>>,
    events: usize,
    /// Alias expansions, counted as serde_yaml counts its replays.
    jumps: usize,
}

/// The message of serde's default `visit_enum`: serde_yaml reads a local tag (`!foo`) as an
/// enum variant, which a JSON value cannot be.
const ENUM: &str = "invalid type: enum, expected any YAML or JSON value";

impl Builder {
    fn event(&mut self, event: Event, mark: Mark) -> Result<(), YamlError> {
        self.events += 1;
        match event {
            Event::Scalar {
                anchor,
                tag,
                value,
                plain,
            } => {
                let (value, written) = scalar(value, plain, tag.as_deref())
                    .map_err(|message| self.error(&message, mark, self.stack.len()))?;
                if let Some(anchor) = anchor {
                    let anchored = Anchored {
                        value: value.clone(),
                        depth: 0,
                        jumps: 0,
                    };
                    self.anchors.insert(anchor, Some(anchored));
                }
                let path = written.map_or(KeyPath::Same, KeyPath::Written);
                self.finish(value, path)
            }
            Event::SequenceStart { anchor, tag } => {
                self.open(anchor, tag, mark, FrameKind::Seq(Vec::new()))
            }
            Event::MappingStart { anchor, tag } => {
                let map = FrameKind::Map {
                    map: Map::new(),
                    key: None,
                };
                self.open(anchor, tag, mark, map)
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Alias(anchor) => self.alias(&anchor, mark),
            // Stream and document events are handled by `parse`.
            _ => Ok(()),
        }
    }

    fn open(
        &mut self,
        anchor: Option<String>,
        tag: Option<String>,
        mark: Mark,
        kind: FrameKind,
    ) -> Result<(), YamlError> {
        if tag.as_deref().is_some_and(|t| t.starts_with('!')) {
            return Err(self.error(ENUM, mark, self.stack.len()));
        }
        if self.base + self.stack.len() >= MAX_DEPTH {
            return Err(placed("recursion limit exceeded", mark));
        }
        if let Some(anchor) = &anchor {
            self.anchors.insert(anchor.clone(), None);
        }
        self.stack.push(Frame {
            mark,
            anchor,
            jumps_at_start: self.jumps,
            kind,
        });
        Ok(())
    }

    fn close(&mut self) -> Result<(), YamlError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let value = match frame.kind {
            FrameKind::Seq(mut items) => {
                items.shrink_to_fit();
                Value::Array(items)
            }
            FrameKind::Map { map, .. } => Value::Object(compact(map)),
        };
        if let Some(anchor) = frame.anchor {
            let anchored = Anchored {
                depth: depth_of(&value),
                jumps: self.jumps - frame.jumps_at_start,
                value: value.clone(),
            };
            self.anchors.insert(anchor, Some(anchored));
        }
        self.finish(value, KeyPath::Unknown)
    }

    fn alias(&mut self, anchor: &str, mark: Mark) -> Result<(), YamlError> {
        let found = match self.anchors.get(anchor) {
            None => return Err(placed("unknown anchor", mark)),
            // An alias inside its own anchor: serde_yaml repeats it until it is too deep.
            Some(None) => return Err(placed("recursion limit exceeded", mark)),
            Some(Some(found)) => found,
        };
        if self.base + self.stack.len() + found.depth > MAX_DEPTH {
            return Err(placed("recursion limit exceeded", mark));
        }
        // serde_yaml bounds the replays by 100 times the events of the whole document; a
        // stream only knows the events so far, which bounds memory as it goes.
        self.jumps += 1 + found.jumps;
        if self.jumps > self.events * 100 {
            return Err(YamlError {
                line: 1,
                column: 1,
                message: "repetition limit exceeded".into(),
            });
        }
        let value = found.value.clone();
        self.finish(value, KeyPath::Unknown)
    }

    /// Puts a finished node where it belongs: the root, an item, a key or a value.
    fn finish(&mut self, value: Value, path: KeyPath) -> Result<(), YamlError> {
        let depth = self.stack.len();
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(value);
            return Ok(());
        };
        let mark = frame.mark;
        let message = match &mut frame.kind {
            FrameKind::Seq(items) => {
                items.push(value);
                return Ok(());
            }
            FrameKind::Map { map, key } => match key.take() {
                None => match key_of(value) {
                    Ok(k) => {
                        *key = Some(Key { key: k, path });
                        return Ok(());
                    }
                    Err(message) => message,
                },
                // Like serde_yaml, after the value: an error inside it comes first.
                Some(Key { key, .. }) if map.contains_key(&key) => {
                    format!("duplicate key `{key}`")
                }
                Some(Key { key, .. }) => {
                    map.insert(key, value);
                    return Ok(());
                }
            },
        };
        // serde_yaml places a mapping's own errors at the mapping.
        Err(self.error(&message, mark, depth - 1))
    }

    /// An error at a node inside the first `depth` open containers, named as serde_yaml names it.
    fn error(&self, message: &str, mark: Mark, depth: usize) -> YamlError {
        let path = self.path(depth);
        if path == "." {
            placed(message, mark)
        } else {
            placed(&format!("{path}: {message}"), mark)
        }
    }

    /// serde_yaml's path (`paths./a.get.parameters[1]`) of a node inside the first `depth` open
    /// containers: `.` for the root.
    fn path(&self, depth: usize) -> String {
        let mut path = String::from(".");
        for frame in &self.stack[..depth] {
            match &frame.kind {
                FrameKind::Seq(items) => path.push_str(&format!("[{}]", items.len())),
                // A key has the path of its mapping.
                FrameKind::Map { key: None, .. } => {}
                FrameKind::Map { key: Some(key), .. } => {
                    if path == "." {
                        path.clear();
                    } else {
                        path.push('.');
                    }
                    path.push_str(match &key.path {
                        KeyPath::Same => &key.key,
                        KeyPath::Written(text) => text,
                        KeyPath::Unknown => "?",
                    });
                }
            }
        }
        path
    }
}

/// How deep containers nest in `value` (0 for a scalar).
fn depth_of(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth_of).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth_of).max().unwrap_or(0),
        _ => 0,
    }
}

/// serde_yaml's error at `mark`: `message at line L column C` (no place at the very start).
fn placed(message: &str, mark: Mark) -> YamlError {
    let (line, column) = (mark.line as usize + 1, mark.column as usize + 1);
    let message = if mark.line == 0 && mark.column == 0 {
        message.to_string()
    } else {
        format!("{message} at line {line} column {column}")
    };
    YamlError {
        line,
        column,
        message,
    }
}

/// Resolves a scalar as serde_yaml's `deserialize_any` does. Returns the value, and the text as
/// written when the value is not that text (for error paths); or serde's error message.
fn scalar(text: String, plain: bool, tag: Option<&str>) -> Result<(Value, Option<String>), String> {
    const BOOL_TAG: &str = "tag:yaml.org,2002:bool";
    const INT_TAG: &str = "tag:yaml.org,2002:int";
    const FLOAT_TAG: &str = "tag:yaml.org,2002:float";
    const NULL_TAG: &str = "tag:yaml.org,2002:null";
    let resolved = match tag {
        Some(tag) if tag.starts_with('!') => return Err(ENUM.into()),
        Some(BOOL_TAG) => match parse_bool(&text) {
            Some(b) => Value::Bool(b),
            None => return Err(invalid_value(&text, "a boolean")),
        },
        Some(INT_TAG) => match int(&text) {
            Some(v) => v?,
            None => return Err(invalid_value(&text, "an integer")),
        },
        Some(FLOAT_TAG) => match parse_f64(&text) {
            Some(f) => float(f),
            None => return Err(invalid_value(&text, "a float")),
        },
        Some(NULL_TAG) => match parse_null(&text) {
            true => Value::Null,
            false => return Err(invalid_value(&text, "null")),
        },
        None if plain => match untagged(&text)? {
            Some(v) => v,
            None => return Ok((Value::String(text), None)),
        },
        _ => return Ok((Value::String(text), None)),
    };
    Ok((resolved, Some(text)))
}

/// A plain scalar: null, a boolean, an integer, a float, or else (`None`) a string.
fn untagged(v: &str) -> Result<Option<Value>, String> {
    if v.is_empty() || parse_null(v) {
        return Ok(Some(Value::Null));
    }
    if let Some(b) = parse_bool(v) {
        return Ok(Some(Value::Bool(b)));
    }
    if let Some(n) = int(v) {
        return n.map(Some);
    }
    if !digits_but_not_number(v) {
        if let Some(f) = parse_f64(v) {
            return Ok(Some(float(f)));
        }
    }
    Ok(None)
}

/// `serde_json::Value` from an f64: NaN and the infinities become null, as in `StrictValue`.
fn float(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

fn invalid_value(v: &str, expected: &str) -> String {
    format!("invalid value: string {v:?}, expected {expected}")
}

fn parse_null(v: &str) -> bool {
    matches!(v, "null" | "Null" | "NULL" | "~")
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// serde_yaml's `visit_int`: a u64, a negative i64, or (an error for a JSON value) a u128 or
/// i128; `None` if the text is no integer.
fn int(v: &str) -> Option<Result<Value, String>> {
    if let Some(n) = unsigned::<u64>(v, u64::from_str_radix) {
        return Some(Ok(Value::Number(n.into())));
    }
    if let Some(n) = negative::<i64>(v, i64::from_str_radix) {
        return Some(Ok(Value::Number(n.into())));
    }
    let too_large = |n: String, ty: &str| {
        Err(format!(
            "invalid type: integer `{n}` as {ty}, expected any YAML or JSON value"
        ))
    };
    if let Some(n) = unsigned::<u128>(v, u128::from_str_radix) {
        return Some(too_large(n.to_string(), "u128"));
    }
    if let Some(n) = negative::<i128>(v, i128::from_str_radix) {
        return Some(too_large(n.to_string(), "i128"));
    }
    None
}

type Radix<T> = fn(&str, u32) -> Result<T, std::num::ParseIntError>;

/// serde_yaml's `parse_unsigned_int`.
fn unsigned<T>(scalar: &str, from_str_radix: Radix<T>) -> Option<T> {
    let unpositive = scalar.strip_prefix('+').unwrap_or(scalar);
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unpositive.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(n) = from_str_radix(rest, radix) {
                return Some(n);
            }
        }
    }
    if unpositive.starts_with(['+', '-']) || digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(unpositive, 10).ok()
}

/// serde_yaml's `parse_negative_int`.
fn negative<T>(scalar: &str, from_str_radix: Radix<T>) -> Option<T> {
    for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(rest) = scalar.strip_prefix(prefix) {
            if let Ok(n) = from_str_radix(&format!("-{rest}"), radix) {
                return Some(n);
            }
        }
    }
    if digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(scalar, 10).ok()
}

/// serde_yaml's `parse_f64`.
fn parse_f64(scalar: &str) -> Option<f64> {
    let unpositive = match scalar.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => scalar,
    };
    if let ".inf" | ".Inf" | ".INF" = unpositive {
        return Some(f64::INFINITY);
    }
    if let "-.inf" | "-.Inf" | "-.INF" = scalar {
        return Some(f64::NEG_INFINITY);
    }
    if let ".nan" | ".NaN" | ".NAN" = scalar {
        return Some(f64::NAN);
    }
    unpositive.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Leading zeros before digits make a string in YAML 1.2 (`0123`).
fn digits_but_not_number(scalar: &str) -> bool {
    let scalar = scalar.strip_prefix(['-', '+']).unwrap_or(scalar);
    scalar.len() > 1 && scalar.starts_with('0') && scalar[1..].bytes().all(|b| b.is_ascii_digit())
}
