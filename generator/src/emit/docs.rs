//! Rustdoc from spec text: one `#[doc]` attribute per line, made safe for rustdoc.

use crate::ir::{Api, OAuthFlow, Operation, SecurityScheme};
use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = " line"]` attributes for `paragraphs` (each may span lines), separated by blank lines.
pub fn doc_attrs<S: AsRef<str>>(paragraphs: &[S]) -> TokenStream {
    line_attrs(doc_lines(paragraphs), Style::Outer)
}

/// `#[doc]` attributes for text the generator wrote itself (intra-doc links allowed), each
/// paragraph preceded by a blank doc line.
pub fn raw_doc_attrs(paragraphs: &[String]) -> TokenStream {
    let lines = paragraphs
        .iter()
        .flat_map(|p| [String::new(), format!(" {p}")])
        .collect();
    line_attrs(lines, Style::Outer)
}

/// `#![doc = " line"]` attributes, for a crate or module root.
pub fn inner_doc_attrs<S: AsRef<str>>(paragraphs: &[S]) -> TokenStream {
    line_attrs(doc_lines(paragraphs), Style::Inner)
}

/// One `#[doc]` attribute per line, each line written as it should follow `///` (`" text"`).
pub fn outer_lines(lines: Vec<String>) -> TokenStream {
    line_attrs(lines, Style::Outer)
}

/// One `#![doc]` attribute per line, each line written as it should follow `//!` (`" text"`).
pub fn inner_lines(lines: Vec<String>) -> TokenStream {
    line_attrs(lines, Style::Inner)
}

/// Whether doc attributes document the item they precede or the one they are in.
#[derive(Clone, Copy)]
enum Style {
    Outer,
    Inner,
}

/// The attributes for `lines`.
fn line_attrs(lines: Vec<String>, style: Style) -> TokenStream {
    let attrs = lines.iter().map(|l| match style {
        Style::Outer => quote!(#[doc = #l]),
        Style::Inner => quote!(#![doc = #l]),
    });
    quote!(#(#attrs)*)
}

/// A rustdoc link to the type `name` of the same module. A plain link to a type named like a
/// derive macro of the prelude (`Default`, `Debug`, ...) is ambiguous, so such a link names the
/// type namespace.
pub fn type_link(name: &str) -> String {
    const DERIVES: [&str; 9] = [
        "Clone",
        "Copy",
        "Debug",
        "Default",
        "Eq",
        "Hash",
        "Ord",
        "PartialEq",
        "PartialOrd",
    ];
    match DERIVES.contains(&name) {
        true => format!("[`{name}`](type@{name})"),
        false => format!("[`{name}`]"),
    }
}

/// `text` as one markdown code span: the fence is one backtick longer than the longest run of
/// backticks inside, and line breaks become spaces, so no spec text can end the span early.
pub fn code_span(text: &str) -> String {
    let text = text.replace(['\r', '\n'], " ");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    if longest > 0 {
        // A space keeps a backtick at either end from joining the fence.
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// The text of each doc line, with the leading space rustdoc expects.
fn doc_lines<S: AsRef<str>>(paragraphs: &[S]) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for p in paragraphs {
        let text = p.as_ref().trim();
        if text.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(sanitize(text));
    }
    lines.iter().map(|l| spaced(l)).collect()
}

/// A doc line's text with the leading space rustdoc expects (none on an empty line).
pub fn spaced(line: &str) -> String {
    match line.is_empty() {
        true => String::new(),
        false => [" ", line].concat(),
    }
}

/// Makes spec prose safe for rustdoc: code fences are marked `text` (so they are never compiled
/// as doctests), indentation that would start a code block is dropped, `[`/`]` that would be
/// taken for intra-doc links and `<`/`>` that would be taken for HTML are escaped, and bare
/// URLs become autolinks.
pub fn sanitize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    // Width of the marker of the list item being continued (`- ` is 2), if any.
    let mut list_indent: Option<usize> = None;
    for raw in text.lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            out.push(if in_fence {
                "```".to_string()
            } else {
                "```text".to_string()
            });
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(line.to_string());
            continue;
        }
        if trimmed.is_empty() {
            list_indent = None;
            out.push(String::new());
            continue;
        }
        let marker = list_marker(trimmed);
        let indent = match (marker, list_indent) {
            (Some(_), _) => 0,
            (None, Some(w)) => w,
            (None, None) => 0,
        };
        if marker.is_some() {
            list_indent = marker;
        }
        out.push(format!("{}{}", " ".repeat(indent), escape_inline(trimmed)));
    }
    if in_fence {
        out.push("```".to_string());
    }
    out
}

/// The width of a list item marker at the start of a line (`- `, `* `, `1. `).
fn list_marker(line: &str) -> Option<usize> {
    if line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") {
        return Some(2);
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    (digits > 0 && line[digits..].starts_with(". ")).then_some(digits + 2)
}

/// Escapes one line of prose. Code spans are kept as written; a backtick without a partner on
/// the line is escaped (markdown would print it anyway, but it would stop the rest of the line
/// from being escaped); links and autolinks to URLs are kept; bare URLs become autolinks; any
/// other `[`, `]`, `<`, `>` is escaped.
fn escape_inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    loop {
        // Text up to the next character that may start something to keep or escape goes as is.
        let plain = rest
            .find(['`', '<', '>', '[', ']', 'h'])
            .unwrap_or(rest.len());
        out.push_str(&rest[..plain]);
        rest = &rest[plain..];
        let Some(c) = rest.chars().next() else {
            break;
        };
        let kept = match c {
            '`' => code_span_at(rest),
            '<' => autolink_at(rest),
            _ => None,
        };
        if let Some(len) = kept {
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        }
        if let Some((label, len)) = url_link_at(rest) {
            out.push('[');
            out.push_str(&escape_inline(label));
            out.push_str(&rest[1 + label.len()..len]);
            rest = &rest[len..];
            continue;
        }
        if let Some(url_len) = url_at(rest) {
            out.push('<');
            out.push_str(&rest[..url_len]);
            out.push('>');
            rest = &rest[url_len..];
            continue;
        }
        if matches!(c, '[' | ']' | '<' | '>' | '`') {
            out.push('\\');
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The length of the code span starting here: a run of backticks up to the next run of the same
/// length on the line.
fn code_span_at(s: &str) -> Option<usize> {
    let run = s.len() - s.trim_start_matches('`').len();
    let mut i = run;
    while let Some(start) = s[i..].find('`').map(|j| i + j) {
        let len = s[start..].len() - s[start..].trim_start_matches('`').len();
        if len == run {
            return Some(start + len);
        }
        i = start + len;
    }
    None
}

/// A markdown link to a URL starting here, `[label](https://...)`: its label and length.
fn url_link_at(s: &str) -> Option<(&str, usize)> {
    let inner = s.strip_prefix('[')?;
    let close = inner.find(']')?;
    let label = &inner[..close];
    if label.contains('[') || label.contains('`') {
        return None;
    }
    let target = inner[close + 1..].strip_prefix('(')?;
    let url_len = url_at(target)?;
    // `[`, the label, `](`, the URL, `)`.
    target[url_len..]
        .starts_with(')')
        .then_some((label, 1 + close + 2 + url_len + 1))
}

/// The length of an autolink starting here, `<https://...>`.
fn autolink_at(s: &str) -> Option<usize> {
    let inner = s.strip_prefix('<')?;
    let url_len = url_at(inner)?;
    inner[url_len..].starts_with('>').then_some(url_len + 2)
}

/// The length of a bare URL starting here.
fn url_at(s: &str) -> Option<usize> {
    if !(s.starts_with("http://") || s.starts_with("https://")) {
        return None;
    }
    let len = s
        .find(|c: char| c.is_whitespace() || matches!(c, ')' | '"' | '\'' | '<' | '>' | '`' | ']'))
        .unwrap_or(s.len());
    let url = s[..len].trim_end_matches(['.', ',', ';', ':']);
    Some(url.len())
}

/// The schemes an operation accepts as code spans, `together` between schemes sent together and
/// `or` between alternatives (an empty alternative is `none`); `None` when it needs none.
pub fn accepted_schemes(api: &Api, op: &Operation, together: &str) -> Option<String> {
    if op.security.alternatives.is_empty() {
        return None;
    }
    let alts: Vec<String> = op
        .security
        .alternatives
        .iter()
        .map(|alt| {
            if alt.is_empty() {
                return "none".to_string();
            }
            let names: Vec<String> = alt
                .iter()
                .map(|r| {
                    let name = code_span(&api.security_schemes[r.scheme].name);
                    if r.scopes.is_empty() {
                        return name;
                    }
                    let scopes: Vec<String> = r.scopes.iter().map(|s| code_span(s)).collect();
                    format!("{name} (scopes {})", scopes.join(", "))
                })
                .collect();
            names.join(together)
        })
        .collect();
    Some(alts.join(" or "))
}

/// The doc lines (each as it follows `///`) describing a scheme's OAuth2 flows: per flow its
/// URLs and the scopes it offers with their descriptions. Empty for a scheme without flows.
/// Client and server docs of a scheme share them.
pub fn flow_lines(scheme: &SecurityScheme) -> Vec<String> {
    if scheme.flows.is_empty() {
        return Vec::new();
    }
    let mut lines = vec!["OAuth2 flows:".to_string(), String::new()];
    for flow in &scheme.flows {
        lines.push(format!(
            "- {}{}",
            code_span(flow.kind.as_str()),
            flow_urls(flow)
        ));
        for (scope, description) in &flow.scopes {
            let description = sanitize(description.trim()).join(" ");
            lines.push(match description.trim().is_empty() {
                true => format!("  - {}", code_span(scope)),
                false => format!("  - {}: {}", code_span(scope), description.trim()),
            });
        }
    }
    lines.iter().map(|l| spaced(l)).collect()
}

/// `: authorization URL `...`, token URL `...``, and `; scopes:` when it has some.
fn flow_urls(flow: &OAuthFlow) -> String {
    let urls = [
        ("authorization URL", &flow.authorization_url),
        ("token URL", &flow.token_url),
        ("refresh URL", &flow.refresh_url),
    ];
    let named: Vec<String> = urls
        .iter()
        .filter_map(|(what, url)| url.as_ref().map(|u| (what, u)))
        .map(|(what, url)| match url.contains("://") {
            true => format!("{what} {}", code_span(url)),
            false => format!("{what} {} (relative to the server's URL)", code_span(url)),
        })
        .collect();
    let mut text = match named.is_empty() {
        true => String::new(),
        false => format!(": {}", named.join(", ")),
    };
    if !flow.scopes.is_empty() {
        text.push_str(if named.is_empty() {
            ": scopes:"
        } else {
            "; scopes:"
        });
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_rustdoc_would_misread() {
        assert_eq!(
            sanitize("see [docs](x) <br>"),
            vec![r"see \[docs\](x) \<br\>"]
        );
        assert_eq!(
            sanitize("go to https://x.io/a."),
            vec!["go to <https://x.io/a>."]
        );
        assert_eq!(
            sanitize("```\nlet x;\n```"),
            vec!["```text", "let x;", "```"]
        );
        assert_eq!(sanitize("    indented"), vec!["indented"]);
        assert_eq!(sanitize("`a[0]` and [b]"), vec![r"`a[0]` and \[b\]"]);
        assert_eq!(
            sanitize("[site](https://x.io) <https://y.io> [rel](other)"),
            vec![r"[site](https://x.io) <https://y.io> \[rel\](other)"]
        );
        assert_eq!(sanitize("a ` b [c]"), vec![r"a \` b \[c\]"]);
        assert_eq!(sanitize("``a`b`` [c]"), vec![r"``a`b`` \[c\]"]);
        assert_eq!(
            sanitize("- item\nmore\n\nafter"),
            vec!["- item", "  more", "", "after"]
        );
    }

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(code_span("/a/{b}"), "`/a/{b}`");
        assert_eq!(code_span("a`b"), "`` a`b ``");
        assert_eq!(code_span("x\ny"), "`x y`");
    }

    #[test]
    fn flow_lines_list_urls_and_scopes() {
        use crate::ir::{Docs, FlowKind, OAuthFlow, SchemeKind, SecurityScheme};
        let scheme = SecurityScheme {
            name: "OAuth2".into(),
            ident: "OAuth2".into(),
            kind: SchemeKind::Bearer,
            flows: vec![OAuthFlow {
                kind: FlowKind::AuthorizationCode,
                authorization_url: Some("https://a.example/authorize".into()),
                token_url: Some("/token".into()),
                refresh_url: None,
                scopes: vec![("read".into(), "Read [all] things.".into())],
            }],
            docs: Docs::default(),
        };
        assert_eq!(
            flow_lines(&scheme),
            [
                " OAuth2 flows:",
                "",
                " - `authorizationCode`: authorization URL `https://a.example/authorize`, token \
                 URL `/token` (relative to the server's URL); scopes:",
                "   - `read`: Read \\[all\\] things.",
            ]
        );
        let plain = SecurityScheme {
            flows: Vec::new(),
            ..scheme
        };
        assert!(flow_lines(&plain).is_empty());
    }
}
