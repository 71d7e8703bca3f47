//! Stage 4: the tokens of each file's items -> formatted source text with the generated-file
//! header.
//!
//! Formatting uses `prettyplease` (pinned by Cargo.lock), never an installed `rustfmt`, so the
//! output is the same on every machine. It is an ordered map over items: each item is emitted,
//! parsed (`syn`) and printed on its own, by as many workers as the machine has cores, and the
//! texts are joined in item order, so the output does not depend on which worker did what.

use crate::emit::RustFile;
use crate::error::Error;
use proc_macro2::TokenStream;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Emits (with `emit`) and formats the items of `files`; returns each path with its text, in
/// the given order.
pub fn render<I: Copy + Sync>(
    files: &[RustFile<I>],
    header: &str,
    emit: impl Fn(I) -> TokenStream + Sync,
) -> Result<Vec<(String, String)>, Error> {
    let items: Vec<(usize, I)> = files
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.items.iter().map(move |item| (i, *item)))
        .collect();
    let printed = map_ordered(&items, |(file, item)| print(files[*file].path, emit(*item)));
    let mut texts: Vec<Text> = files.iter().map(|_| Text::new(header)).collect();
    for ((file, _), text) in items.iter().zip(printed) {
        texts[*file].push(&text?);
    }
    Ok(files
        .iter()
        .zip(texts)
        .map(|(f, text)| (f.path.to_string(), text.text))
        .collect())
}

/// `f` applied to every item, on one worker per core; the results in item order.
fn map_ordered<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(item)));
        }
    };
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (1..workers).map(|_| s.spawn(work)).collect();
        let mut done = work();
        for h in handles {
            done.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        done
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Parses and prints one item (or a few items, or a file's inner attributes).
fn print(path: &str, item: TokenStream) -> Result<String, Error> {
    let file = syn::parse2::<syn::File>(item).map_err(|e| Error::Internal {
        message: format!("{path}: emitted tokens do not parse as Rust: {e}"),
    })?;
    Ok(prettyplease::unparse(&file))
}

/// A file's text, item by item, with the blank lines `prettyplease` leaves out: between
/// top-level items, and between the members of a top-level `impl` or `trait`.
struct Text {
    text: String,
    /// The last line closed an item (or a member of the block we are in).
    closed: bool,
    /// Inside a top-level `impl` or `trait` block.
    in_block: bool,
}

impl Text {
    fn new(header: &str) -> Self {
        Self {
            text: format!("{header}\n"),
            closed: false,
            in_block: false,
        }
    }

    fn push(&mut self, printed: &str) {
        for line in printed.lines() {
            let body = line.trim_start_matches(' ');
            let depth = line.len() - body.len();
            let item_depth = if self.in_block { 4 } else { 0 };
            let opens =
                depth == item_depth && !body.is_empty() && !body.starts_with(['}', ')', ']']);
            if self.closed && opens {
                self.text.push('\n');
            }
            self.text.push_str(line);
            self.text.push('\n');
            if depth == 0 {
                let head = !body.starts_with("//")
                    && (body.starts_with("impl") || body.contains("trait "));
                if head && body.ends_with('{') {
                    self.in_block = true;
                } else if body == "}" {
                    self.in_block = false;
                }
            }
            self.closed = match depth {
                // A doc or other comment line ends no item, whatever its last character.
                _ if body.starts_with("//") => false,
                0 => {
                    body == "}"
                        || body.ends_with(';')
                        || body.ends_with("{}")
                        || body.starts_with("#![")
                }
                4 if self.in_block => body == "}" || body.ends_with(';') || body.ends_with("{}"),
                _ => false,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// Renders `items` as one file, emitting item `i` as `items[i]`.
    fn render_items(items: Vec<TokenStream>, header: &str) -> Result<String, Error> {
        // Token streams cannot cross threads: each worker makes its own copy from text.
        let texts: Vec<String> = items.iter().map(|t| t.to_string()).collect();
        let file = RustFile {
            path: "src/x.rs",
            items: (0..texts.len()).collect(),
        };
        let emit = |i: usize| texts[i].parse::<TokenStream>().unwrap();
        Ok(render(&[file], header, emit)?.remove(0).1)
    }

    #[test]
    fn items_join_in_order_and_the_first_failing_item_is_the_error() {
        // More items than workers, so they finish out of order. Item `fn_at` lacks its
        // parentheses, item `struct_at` its name: each fails its own way.
        let items = |fn_at: usize, struct_at: usize| {
            (0..200usize)
                .map(|i| {
                    let name = quote::format_ident!("f{i}");
                    match i {
                        _ if i == fn_at => quote!(fn #name),
                        _ if i == struct_at => quote!(struct;),
                        _ => quote!(fn #name() {}),
                    }
                })
                .collect::<Vec<_>>()
        };
        let ok = render_items(items(usize::MAX, usize::MAX), "// h").unwrap();
        // An item that ends in `{}` is closed: the next one is set apart.
        let expected: Vec<String> = (0..200).map(|i| format!("fn f{i}() {{}}\n")).collect();
        assert_eq!(ok, format!("// h\n{}", expected.join("\n")));
        for (fn_at, struct_at, first) in [(37, 150, "parentheses"), (150, 37, "identifier")] {
            let Err(Error::Internal { message }) = render_items(items(fn_at, struct_at), "") else {
                panic!("broken items rendered");
            };
            assert!(message.contains(first), "{message}");
        }
    }

    #[test]
    fn members_of_impls_and_traits_are_set_apart() {
        let items = vec![
            quote!(#![allow(dead_code)]),
            quote!(
                impl A {
                    /// Doc.
                    pub fn f(&self) -> u8 { if true { 1 } else { 2 } }
                    pub fn g(&self) {}
                }
            ),
            quote!(
                /// A doc line that ends like an item;
                pub trait T {
                    /// This one too;
                    fn f(&self);
                    #[doc = "Doc."]
                    fn g(&self) -> u8 {
                        let x = { 1 };
                        x
                    }
                }
            ),
            quote!(
                struct B;
            ),
        ];
        let text = &render_items(items, "// h").unwrap();
        let expected = "// h
#![allow(dead_code)]

impl A {
    /// Doc.
    pub fn f(&self) -> u8 {
        if true { 1 } else { 2 }
    }

    pub fn g(&self) {}
}

/// A doc line that ends like an item;
pub trait T {
    /// This one too;
    fn f(&self);

    ///Doc.
    fn g(&self) -> u8 {
        let x = { 1 };
        x
    }
}

struct B;
";
        assert_eq!(text, expected);
    }
}
