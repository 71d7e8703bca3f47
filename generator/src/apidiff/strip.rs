//! A text pre-pass that empties function bodies before `syn` sees the file.

/// `text` with the brace group that follows each `fn` (a function body) replaced by `{}`,
/// and doc comments cut to their first line.
/// Strings, character literals and comments are skipped whole, so braces inside them do not
/// count. A `fn` that ends in `;` (a trait method without body) or a `}` (a function pointer
/// type in a struct) has no body.
pub(super) fn strip_bodies(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() / 2);
    let (mut i, mut copied, mut after_fn, mut in_doc) = (0, 0, false, false);
    while i < b.len() {
        if b[i..].starts_with(b"///") || b[i..].starts_with(b"//!") {
            // Only the first line of a doc comment is read (the status of a response
            // variant); dropping the rest halves what syn has to lex.
            let end = skip_literal(b, i).unwrap_or(b.len());
            if in_doc || b[i + 2] == b'!' {
                out.push_str(&text[copied..i]);
                copied = end;
            }
            in_doc = true;
            i = end;
            continue;
        }
        if !b[i].is_ascii_whitespace() {
            in_doc = false;
        }
        if let Some(end) = skip_literal(b, i) {
            i = end;
            continue;
        }
        match b[i] {
            c if c == b'_' || c.is_ascii_alphabetic() => {
                let start = i;
                while i < b.len() && (b[i] == b'_' || b[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                after_fn |= &b[start..i] == b"fn";
                continue;
            }
            b';' | b'}' => after_fn = false,
            b'{' if after_fn => {
                out.push_str(&text[copied..=i]);
                i = matching_brace(b, i);
                copied = i;
                after_fn = false;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// The index of the `}` that closes the `{` at `open`, or the end of the text.
fn matching_brace(b: &[u8], open: usize) -> usize {
    let (mut i, mut depth) = (open, 0usize);
    while i < b.len() {
        if let Some(end) = skip_literal(b, i) {
            i = end;
            continue;
        }
        match b[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// When a comment, string or character literal starts at `i`, the index just past it.
fn skip_literal(b: &[u8], i: usize) -> Option<usize> {
    let at = |k: usize| b.get(k).copied().unwrap_or(0);
    if !matches!(at(i), b'/' | b'"' | b'r' | b'\'') {
        return None;
    }
    let ident_before = i > 0 && (at(i - 1) == b'_' || at(i - 1).is_ascii_alphanumeric());
    match at(i) {
        b'/' if at(i + 1) == b'/' => {
            let len = b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .unwrap_or(b.len() - i);
            Some(i + len)
        }
        b'/' if at(i + 1) == b'*' => {
            let (mut k, mut depth) = (i + 2, 1);
            while k < b.len() && depth > 0 {
                if at(k) == b'/' && at(k + 1) == b'*' {
                    depth += 1;
                    k += 2;
                } else if at(k) == b'*' && at(k + 1) == b'/' {
                    depth -= 1;
                    k += 2;
                } else {
                    k += 1;
                }
            }
            Some(k)
        }
        b'"' => {
            let mut k = i + 1;
            while k < b.len() && at(k) != b'"' {
                k += if at(k) == b'\\' { 2 } else { 1 };
            }
            Some((k + 1).min(b.len()))
        }
        b'r' if !ident_before && matches!(at(i + 1), b'"' | b'#') => {
            let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
            if at(i + 1 + hashes) != b'"' {
                return None;
            }
            let mut k = i + 2 + hashes;
            while k < b.len() {
                if at(k) == b'"'
                    && b[k + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&c| c == b'#')
                        .count()
                        == hashes
                {
                    return Some(k + 1 + hashes);
                }
                k += 1;
            }
            Some(b.len())
        }
        b'\'' => {
            // A character literal ('x', '\n', '\u{..}', multi-byte 'é'), not a lifetime ('a).
            if at(i + 1) == b'\\' {
                let end = b[i + 2..].iter().position(|&c| c == b'\'')?;
                return Some(i + 2 + end + 1);
            }
            let len = match at(i + 1) {
                c if c < 0x80 => 1,
                c if c >= 0xF0 => 4,
                c if c >= 0xE0 => 3,
                _ => 2,
            };
            (at(i + 1 + len) == b'\'').then_some(i + 2 + len)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::strip_bodies;

    #[test]
    fn bodies_go_and_signatures_stay() {
        let src = r##"
/// First line.
/// Second line.
pub fn f(a: u8) -> u8 { let s = "}"; let c = '{'; /* } */ g(|| { 1 }) }
pub trait T { fn m(&self); fn d(&self) -> u8 { 0 } }
pub struct S<'a> { pub p: fn(u8) -> u8, pub r: &'a str }
impl S<'_> { pub fn new() -> Self { Self { p: |x| x } } }
const R: &str = r#"fn x() {"#;
"##;
        let out = strip_bodies(src);
        assert!(out.contains("pub fn f(a: u8) -> u8 {}"), "{out}");
        assert!(out.contains("fn m(&self); fn d(&self) -> u8 {}"), "{out}");
        assert!(
            out.contains("pub struct S<'a> { pub p: fn(u8) -> u8, pub r: &'a str }"),
            "{out}"
        );
        assert!(
            out.contains("impl S<'_> { pub fn new() -> Self {} }"),
            "{out}"
        );
        assert!(
            out.contains("/// First line.") && !out.contains("Second"),
            "{out}"
        );
        assert!(syn::parse_file(&out).is_ok(), "{out}");
    }
}
