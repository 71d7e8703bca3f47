//! A large document parsed in pieces, on all cores.
//!
//! Most of a spec's text is a few block mappings (`paths`, `components`, `schemas`) whose
//! entries each start on a line of their own, at the mapping's indentation. Cut before such
//! lines, a run of entries is a document of its own (a block mapping, indented or not), and the
//! value of the whole is the pieces' mappings put together in text order, each under the keys
//! that lead to its mapping. An entry `key:` whose value is a large block mapping is cut in
//! turn, inside its value.
//!
//! Cutting never changes the value. A cut inside a construct that spans lines (a quoted
//! scalar, a flow collection) leaves the piece that opened it unclosed, and that piece does
//! not parse; an alias to another piece's anchor does not resolve; a key that the whole would
//! refuse as a duplicate is found when the pieces are put together; the nesting limit counts
//! the keys that lead to a piece. In each of those cases, and whenever a piece fails, the
//! document is parsed again whole, so values and errors are those of the one-thread parse.
//! `generator/tests/yaml.rs` cuts mutated YAML into small pieces and compares.

use super::parse_nested;
use crate::strict::compact;
use serde_json::{Map, Value};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Documents smaller than this are parsed on one thread. In a fresh process a new thread costs
/// about what cutting saves on the corpus's specs (up to 262 KiB): in process `order.yml`
/// parses in 4.9 ms instead of 7.1, but the whole `oasgen` command takes as long either way.
const PARALLEL_MIN: usize = 512 * 1024;

/// Pieces per worker, so that a worker that finishes early takes another.
const PIECES_PER_WORKER: usize = 8;

/// The smallest piece worth parsing on its own.
const PIECE_MIN: usize = 16 * 1024;

/// The value of a large `text` parsed in pieces on all cores; `None` for a small text, one that
/// cannot be cut, or one whose pieces fail (the caller parses it whole).
pub(super) fn parse_large(text: &str) -> Option<Value> {
    if text.len() < PARALLEL_MIN {
        return None;
    }
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    if workers < 2 {
        return None;
    }
    let target = (text.len() / (workers * PIECES_PER_WORKER)).max(PIECE_MIN);
    in_pieces(text, target, workers).map(|(value, _)| value)
}

/// `text` cut into pieces of about `target` bytes and parsed on two threads: the value and the
/// number of pieces, or `None` where it cannot be cut or a piece fails. For the tests, which
/// cut small documents into small pieces.
#[doc(hidden)]
pub fn parse_in_pieces(text: &str, target: usize) -> Option<(Value, usize)> {
    in_pieces(text, target, 2)
}

/// A run of entries of one block mapping, parsed as a document of its own.
struct Piece<'t> {
    text: &'t str,
    /// The keys that lead from the root to the mapping the entries belong to.
    path: Vec<String>,
    /// How many of the last keys of `path` this piece opens: the mappings they name start
    /// with its entries, so the keys must not be there yet.
    opens: usize,
}

fn in_pieces(text: &str, target: usize, workers: usize) -> Option<(Value, usize)> {
    let pieces = plan(text, target.max(1))?;
    if pieces.len() < 2 {
        return None;
    }
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let run = || {
        let mut done = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(piece) = pieces.get(i) else {
                break;
            };
            match parse_nested(piece.text, piece.path.len()) {
                Ok(value) => done.push((i, value)),
                Err(_) => failed.store(true, Ordering::Relaxed),
            }
        }
        done
    };
    let mut parsed = std::thread::scope(|s| {
        let handles: Vec<_> = (1..workers.min(pieces.len()))
            .map(|_| s.spawn(run))
            .collect();
        let mut parsed = run();
        for h in handles {
            parsed.extend(
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        parsed
    });
    if failed.into_inner() || parsed.len() != pieces.len() {
        return None;
    }
    parsed.sort_unstable_by_key(|&(i, _)| i);
    let values = parsed.into_iter().map(|(_, value)| value).collect();
    merge(&pieces, values).map(|value| (value, pieces.len()))
}

/// The pieces of `text`, in text order.
fn plan(text: &str, target: usize) -> Option<Vec<Piece<'_>>> {
    let mut lines: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .filter(|&at| at < text.len())
        .collect();
    let count = lines.len();
    lines.push(text.len());
    let mut cut = Cut {
        text,
        lines,
        target,
        pieces: Vec::new(),
        pending: 0,
    };
    cut.mapping(0..count, 0, &mut Vec::new())?;
    Some(cut.pieces)
}

struct Cut<'t> {
    text: &'t str,
    /// Where each line starts, and last the end of the text.
    lines: Vec<usize>,
    target: usize,
    pieces: Vec<Piece<'t>>,
    /// Mappings entered whose first piece is still to come.
    pending: usize,
}

impl<'t> Cut<'t> {
    /// Line `i`, with its line break.
    fn line(&self, i: usize) -> &'t str {
        &self.text[self.lines[i]..self.lines[i + 1]]
    }

    /// The text of lines `range`.
    fn span(&self, range: Range<usize>) -> &'t str {
        &self.text[self.lines[range.start]..self.lines[range.end]]
    }

    /// Cuts the block mapping on lines `range`, whose keys stand at column `indent` and which
    /// `path` leads to. `None` where the lines hold no entry.
    fn mapping(
        &mut self,
        range: Range<usize>,
        indent: usize,
        path: &mut Vec<String>,
    ) -> Option<()> {
        let starts = self.entries(range.clone(), indent)?;
        // The first piece starts with whatever comes before the first entry.
        let mut group: Option<usize> = None;
        for (i, &start) in starts.iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(range.end);
            let from = if i == 0 { range.start } else { start };
            let size = self.lines[end] - self.lines[from];
            // Past the parser's nesting limit the whole would fail anyway; no deeper cuts.
            let nests = path.len() < super::MAX_DEPTH;
            if size > self.target && nests && only_comments(self.span(from..start)) {
                if let Some((key, body, child)) = self.nested(start..end, indent) {
                    self.flush(&mut group, from, path);
                    path.push(key);
                    self.pending += 1;
                    self.mapping(body, child, path)?;
                    path.pop();
                    continue;
                }
            }
            let group_start = *group.get_or_insert(from);
            if self.lines[end] - self.lines[group_start] >= self.target {
                self.flush(&mut group, end, path);
            }
        }
        self.flush(&mut group, range.end, path);
        Some(())
    }

    /// Ends the piece that started at line `group`, if one did, before line `end`.
    fn flush(&mut self, group: &mut Option<usize>, end: usize, path: &[String]) {
        if let Some(start) = group.take() {
            self.pieces.push(Piece {
                text: self.span(start..end),
                path: path.to_vec(),
                opens: std::mem::take(&mut self.pending),
            });
        }
    }

    /// The lines where the entries of the block mapping on lines `range` start: each line of
    /// `indent` spaces and then a character a key can start with. `None` where there is none,
    /// or (at the root) where a line marks a second document or a directive, which pieces could
    /// not tell.
    fn entries(&self, range: Range<usize>, indent: usize) -> Option<Vec<usize>> {
        let mut starts = Vec::new();
        for i in range {
            let line = self.line(i);
            let marker = line.starts_with("---") || line.starts_with("...");
            if indent == 0 && (line.starts_with('%') || (marker && i != 0)) {
                return None;
            }
            if starts_entry(line, indent) {
                starts.push(i);
            }
        }
        (!starts.is_empty()).then_some(starts)
    }

    /// For an entry `key:` (alone on its line) whose value is a block mapping on the lines
    /// that follow: the key as the parser reads it, the lines of the value and the column of
    /// its keys.
    fn nested(&self, entry: Range<usize>, indent: usize) -> Option<(String, Range<usize>, usize)> {
        let header = self.line(entry.start).trim_end_matches(['\n', '\r', ' ']);
        if !header.ends_with(':') {
            return None;
        }
        // The key resolves as it would in the whole document (`200:` is "200").
        let key = match parse_nested(header, 0) {
            Ok(Value::Object(map)) if map.len() == 1 => match map.into_iter().next() {
                Some((key, Value::Null)) => key,
                _ => return None,
            },
            _ => return None,
        };
        let body = entry.start + 1..entry.end;
        for i in body.clone() {
            let line = self.line(i);
            let content = line.trim_start_matches(' ');
            if content.trim().is_empty() || content.starts_with('#') {
                continue;
            }
            let child = line.len() - content.len();
            return (child > indent && starts_entry(line, child)).then_some((key, body, child));
        }
        None
    }
}

/// Whether `line` has `indent` spaces and then a character that can start a mapping key in
/// block context (not a sequence entry, an explicit key, a comment, a flow collection, a tag,
/// an anchor or an alias).
fn starts_entry(line: &str, indent: usize) -> bool {
    let bytes = line.as_bytes();
    bytes.len() > indent
        && bytes[..indent].iter().all(|&b| b == b' ')
        && !matches!(
            bytes[indent],
            b' ' | b'\t'
                | b'\r'
                | b'\n'
                | b'#'
                | b'-'
                | b'?'
                | b':'
                | b','
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'%'
                | b'@'
                | b'`'
        )
}

/// Whether `text` holds only blank lines and comments.
fn only_comments(text: &str) -> bool {
    text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#')
    })
}

/// The pieces' mappings put together; `None` where a piece is no mapping or a key comes twice.
fn merge(pieces: &[Piece<'_>], values: Vec<Value>) -> Option<Value> {
    let mut root = Map::new();
    let mut opened: Vec<&[String]> = Vec::new();
    for (piece, value) in pieces.iter().zip(values) {
        let Value::Object(entries) = value else {
            return None;
        };
        let kept = piece.path.len().checked_sub(piece.opens)?;
        let mut map = &mut root;
        for key in &piece.path[..kept] {
            map = map.get_mut(key)?.as_object_mut()?;
        }
        for (i, key) in piece.path.iter().enumerate().skip(kept) {
            if map.contains_key(key) {
                return None;
            }
            opened.push(&piece.path[..=i]);
            map = map
                .entry(key.clone())
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()?;
        }
        for (key, value) in entries {
            if map.contains_key(&key) {
                return None;
            }
            map.insert(key, value);
        }
    }
    // Mappings that grew piece by piece give back their growth room, as the parser's do.
    for path in opened {
        let mut map = &mut root;
        for key in path {
            map = map.get_mut(key)?.as_object_mut()?;
        }
        *map = compact(std::mem::take(map));
    }
    Some(Value::Object(compact(root)))
}
