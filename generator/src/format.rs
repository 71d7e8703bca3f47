//! Stage 4: token streams -> formatted source text with the generated-file header.
//!
//! Formatting uses `prettyplease` (pinned by Cargo.lock), never an installed `rustfmt`, so the
//! output is the same on every machine.

use crate::error::Error;
use proc_macro2::TokenStream;

/// Formats one file; `header` is the `// @generated ...` line.
pub fn format_file(path: &str, tokens: TokenStream, header: &str) -> Result<String, Error> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Internal {
        message: format!("{path}: emitted tokens do not parse as Rust: {e}"),
    })?;
    let body = separate_items(&prettyplease::unparse(&file));
    Ok(format!("{header}\n{body}"))
}

/// Puts a blank line between top-level items, which `prettyplease` prints back to back.
fn separate_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut prev_closed_item = false;
    for line in text.lines() {
        let starts_item = !line.starts_with([' ', '}', ')', ']']) && !line.is_empty();
        if prev_closed_item && starts_item {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        prev_closed_item = line == "}"
            || (line.ends_with(';') && !line.starts_with(' '))
            || line.starts_with("#![");
    }
    out
}
