//! A guard against a known misreading of `serde_yaml` 0.9, which numbers anchors by how many
//! distinct names it has seen: once a name is anchored a second time, the next anchor gets the
//! same number, and aliases of the reused name resolve to that later node
//! (`a: &x 1`, `b: &x 2`, `c: &y 3`, `d: *x` reads `d: 3`). [`check`] finds the anchors and
//! aliases in the text, replays that numbering, and refuses a document in which an alias would
//! resolve to another node than the one YAML says, naming the alias's line.
//!
//! It reads tokens, not YAML: an `&name` or `*name` where a node can start (at the start of a
//! line, after `- `, `: `, `? `, a tag, or `[`, `{`, `,` in a flow collection), outside quotes,
//! comments and block scalars. Text that only looks like an anchor can at worst make it refuse
//! a document; it never changes what is read.

use crate::error::Error;
use std::collections::HashMap;

/// An anchor or an alias, with its 1-based line and column.
struct Token<'t> {
    alias: bool,
    name: &'t str,
    line: usize,
    column: usize,
}

/// Refuses `text` if `serde_yaml` would resolve one of its aliases to the wrong node.
pub(super) fn check(file: &str, text: &str) -> Result<(), Error> {
    if !text.contains('&') || !text.contains('*') {
        return Ok(());
    }
    let tokens = tokens(text);
    // What serde_yaml does: an anchor takes the number of names seen so far, and the node of
    // a number is the last one anchored with it.
    let mut number: HashMap<&str, usize> = HashMap::new();
    let mut node_of: HashMap<usize, usize> = HashMap::new();
    // What YAML says: an alias is the node last anchored with its name.
    let mut latest: HashMap<&str, usize> = HashMap::new();
    for (i, token) in tokens.iter().enumerate() {
        if !token.alias {
            let n = number.len();
            number.insert(token.name, n);
            node_of.insert(n, i);
            latest.insert(token.name, i);
            continue;
        }
        // An unknown alias is serde_yaml's to report.
        let (Some(n), Some(&meant)) = (number.get(token.name), latest.get(token.name)) else {
            continue;
        };
        let read = node_of[n];
        if read != meant {
            let (meant, read) = (&tokens[meant], &tokens[read]);
            return Err(Error::Syntax {
                file: file.to_string(),
                line: token.line,
                column: token.column,
                format: "YAML",
                message: format!(
                    "the alias `*{}` would be read as the node anchored `&{}` at line {} instead of `&{}` at line {}: the YAML reader misnumbers anchors once a name is anchored twice; give each anchor a name of its own",
                    token.name, read.name, read.line, meant.name, meant.line
                ),
            });
        }
    }
    Ok(())
}

/// The anchors and aliases of `text`, in order.
fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    // The indentation of the line that opened a block scalar; deeper lines are its content.
    let mut block: Option<usize> = None;
    // The quote of a quoted scalar that goes on past its line.
    let mut quote: Option<u8> = None;
    let mut flow_depth = 0usize;
    for (i, line) in text.lines().enumerate() {
        let body = line.trim_start_matches([' ', '\t']);
        let indent = line.len() - body.len();
        if let Some(parent) = block {
            if body.is_empty() || indent > parent {
                continue;
            }
            block = None;
        }
        let bytes = line.as_bytes();
        let mut at = indent;
        if let Some(q) = quote {
            match close_quote(bytes, at, q) {
                Some(end) => (at, quote) = (end, None),
                None => continue,
            }
        }
        let mut node_start = quote.is_none();
        while at < bytes.len() {
            let c = bytes[at];
            let next = bytes.get(at + 1).copied();
            let spaced = matches!(next, None | Some(b' ' | b'\t'));
            match c {
                b' ' | b'\t' => {}
                b'#' if at == 0 || matches!(bytes[at - 1], b' ' | b'\t') => break,
                b'\'' | b'"' if node_start => match close_quote(bytes, at + 1, c) {
                    Some(end) => {
                        at = end;
                        node_start = false;
                        continue;
                    }
                    None => {
                        quote = Some(c);
                        break;
                    }
                },
                b'&' | b'*' if node_start => {
                    let start = at + 1;
                    let len = bytes[start..]
                        .iter()
                        .position(|b| b" \t,[]{}".contains(b))
                        .unwrap_or(bytes.len() - start);
                    if len > 0 {
                        out.push(Token {
                            alias: c == b'*',
                            name: &line[start..start + len],
                            line: i + 1,
                            column: line[..at].chars().count() + 1,
                        });
                    }
                    // An anchor's node follows it; an alias is a whole node.
                    node_start = c == b'&';
                    at = start + len;
                    continue;
                }
                b'!' if node_start => {
                    at += bytes[at..]
                        .iter()
                        .position(|b| matches!(b, b' ' | b'\t'))
                        .unwrap_or(bytes.len() - at);
                    continue;
                }
                b'|' | b'>' if node_start => {
                    block = Some(indent);
                    break;
                }
                b'-' | b'?' if spaced && node_start => {}
                b':' if spaced => node_start = true,
                b'[' | b'{' => {
                    flow_depth += 1;
                    node_start = true;
                }
                b']' | b'}' => {
                    flow_depth = flow_depth.saturating_sub(1);
                    node_start = false;
                }
                b',' if flow_depth > 0 => node_start = true,
                b':' if flow_depth > 0 => node_start = true,
                _ => node_start = false,
            }
            at += 1;
        }
    }
    out
}

/// The index just past the quote `q` that closes a scalar whose text starts at `from`, if it
/// closes on this line (`''` in single quotes and `\"` in double quotes do not close it).
fn close_quote(bytes: &[u8], from: usize, q: u8) -> Option<usize> {
    let mut at = from;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' if q == b'"' => at += 2,
            b if b == q && q == b'\'' && bytes.get(at + 1) == Some(&b'\'') => at += 2,
            b if b == q => return Some(at + 1),
            _ => at += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> Option<String> {
        check("s.yaml", text).err().map(|e| e.to_string())
    }

    #[test]
    fn refuses_an_alias_serde_yaml_would_misread() {
        let e = refused("a: &x 1\nb: &x 2\nc: &y 3\nd: *x\n").unwrap();
        assert!(e.starts_with("s.yaml:4:4:"), "{e}");
        assert!(
            e.contains("`&y` at line 3 instead of `&x` at line 2"),
            "{e}"
        );
        let flow = "a: [&x 1, &x 2, &y 3, *x]\n";
        assert!(refused(flow).is_some());
    }

    #[test]
    fn accepts_what_serde_yaml_reads_right() {
        for text in [
            // A name anchored again inside its own node, then used: no anchor follows.
            "A: &s {type: object, properties: {name: &s {type: string}}}\nB: *s\n",
            // Distinct names, used before and after.
            "a: &x 1\nb: &y 2\nc: *x\nd: *y\n",
            // A reused name whose old node is only used before the reuse.
            "a: &x 1\nb: *x\nc: &x 2\nd: &y 3\ne: *y\n",
            // Lookalikes in quotes, comments, block scalars and plain text.
            "a: &x 1\nb: '&x 2' # &x\nc: \"&x\"\nd: |\n  &x 3\n  &y 4\ne: R &x D\nf: *x\ng: &z 5\n",
        ] {
            assert_eq!(refused(text), None, "{text}");
        }
    }

    #[test]
    fn finds_tokens_where_nodes_start() {
        let text = "- &a x\n- ? &b k\n  : *a\n- !!str &c y\n- {k: &d v, l: *d}\n- it's &e no\n";
        let names: Vec<_> = tokens(text)
            .iter()
            .map(|t| format!("{}{}", if t.alias { '*' } else { '&' }, t.name))
            .collect();
        assert_eq!(names, ["&a", "&b", "*a", "&c", "&d", "*d"]);
    }
}
