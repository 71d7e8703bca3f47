//! A text pre-pass that empties function bodies before `syn` sees the file.

/// The attributes the surface reads; all others are dropped.
const KEPT_ATTRIBUTES: [&str; 3] = ["derive", "deprecated", "non_exhaustive"];

/// `text` reduced to what the surface reads: the brace group that follows each `fn` (a
/// function body) becomes `{}`; comments (docs included), attributes other than
/// [`KEPT_ATTRIBUTES`] and trait impls other than `Default` are dropped.
///
/// Strings, character literals and comments are skipped whole, so braces inside them do not
/// count. A `fn` that ends in `;` (a trait method without body) or a `}` (a function pointer
/// type in a struct) has no body.
pub(super) fn strip_bodies(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() / 4);
    let (mut i, mut copied, mut after_fn) = (0, 0, false);
    // Drops `text[from..to]` and continues at `to`.
    let cut = |out: &mut String, copied: &mut usize, from: usize, to: usize| {
        out.push_str(&text[*copied..from]);
        *copied = to;
        to
    };
    while i < b.len() {
        if let Some(end) = skip_literal(b, i) {
            let comment = b[i] == b'/';
            i = if comment {
                cut(&mut out, &mut copied, i, end)
            } else {
                end
            };
            continue;
        }
        match b[i] {
            b'#' => {
                let open = i + 1 + usize::from(b.get(i + 1) == Some(&b'!'));
                if b.get(open) != Some(&b'[') {
                    i += 1;
                    continue;
                }
                let close = (matching(b, open, b'[', b']') + 1).min(b.len());
                let inner = text.get(open + 1..close - 1).unwrap_or("").trim_start();
                let kept = KEPT_ATTRIBUTES.iter().any(|k| inner.starts_with(k));
                i = if kept {
                    close
                } else {
                    cut(&mut out, &mut copied, i, close)
                };
                continue;
            }
            c if c == b'_' || c.is_ascii_alphabetic() => {
                let start = i;
                while i < b.len() && (b[i] == b'_' || b[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                let word = &b[start..i];
                after_fn |= word == b"fn";
                if word == b"impl" && !after_fn && item_starts(&out, &text[copied..start]) {
                    if let Some(end) = skippable_impl(b, text, i) {
                        i = cut(&mut out, &mut copied, start, end);
                    }
                }
                continue;
            }
            b';' | b'}' => after_fn = false,
            b'{' if after_fn => {
                out.push_str(&text[copied..=i]);
                i = matching(b, i, b'{', b'}');
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

/// Whether an item starts here: what precedes (in the output so far) ends an item or
/// attribute, so an `impl` here is an impl block, not `-> impl Trait`.
fn item_starts(out: &str, pending: &str) -> bool {
    let before = match pending.trim_end() {
        "" => out.trim_end(),
        p => p,
    };
    before.is_empty() || before.ends_with(['}', ';', ']'])
}

/// For an `impl` keyword ending at `i`: the end of the block when it implements a trait other
/// than `Default` (`impl Debug for X { .. }`), which the surface does not read.
fn skippable_impl(b: &[u8], text: &str, i: usize) -> Option<usize> {
    let mut open = i;
    while open < b.len() && b[open] != b'{' {
        open = skip_literal(b, open).unwrap_or(open + 1);
    }
    let header = text.get(i..open)?;
    let words = || header.split(|c: char| !(c == '_' || c.is_ascii_alphanumeric()));
    let trait_impl = words().any(|w| w == "for") && !words().any(|w| w == "Default");
    trait_impl.then(|| (matching(b, open, b'{', b'}') + 1).min(b.len()))
}

/// The index of the delimiter that closes the one at `open`, or the end of the text.
fn matching(b: &[u8], open: usize, left: u8, right: u8) -> usize {
    let (mut i, mut depth) = (open, 0usize);
    while i < b.len() {
        if let Some(end) = skip_literal(b, i) {
            i = end;
            continue;
        }
        if b[i] == left {
            depth += 1;
        } else if b[i] == right {
            depth -= 1;
            if depth == 0 {
                return i;
            }
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
#[derive(Default)]
#[serde(rename = "a]b")]
pub struct D { #[serde(default)] pub x: u8 }
impl ::std::fmt::Debug for D { fn fmt(&self) { "{" } }
impl Default for S<'static> { fn default() -> Self { todo!() } }
pub fn it() -> impl Iterator<Item = u8> { [1u8].into_iter() }
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
        assert!(!out.contains("First") && !out.contains("Second"), "{out}");
        assert!(out.contains("#[derive(Default)]"), "{out}");
        assert!(!out.contains("serde") && !out.contains("Debug"), "{out}");
        assert!(out.contains("impl Default for S<'static>"), "{out}");
        assert!(out.contains("-> impl Iterator<Item = u8> {}"), "{out}");
        assert!(syn::parse_file(&out).is_ok(), "{out}");
    }
}
