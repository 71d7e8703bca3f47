//! Stage 4: emitted parts -> formatted source text with the generated-file header.
//!
//! Formatting uses `prettyplease` (pinned by Cargo.lock), never an installed `rustfmt`, so the
//! output is the same on every machine. Each [`Part`] (each member of a [`Part::Block`]) is
//! emitted, parsed and printed on its own, by as many workers as the machine has cores; the text
//! is joined in part order, so the output does not depend on which worker did what.

use crate::emit::docs::{deferred, Deferred};
use crate::emit::{Emit, Part, RustFile};
use crate::error::Error;
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::quote;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Time the workers spent, added up over all of them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Work {
    /// Running emitters (IR -> tokens).
    pub emit: Duration,
    /// Parsing and printing (tokens -> text).
    pub format: Duration,
    /// How many workers ran.
    pub workers: usize,
}

/// What one job prints.
enum Job<'p, 'a> {
    /// Whole items.
    Items(&'p Emit<'a>),
    /// A block's head, printed with an empty body; opened if members follow.
    Head(&'p Emit<'a>, bool),
    /// One member of a block, printed inside its head and cut out again.
    Member(&'p Emit<'a>, &'p Emit<'a>),
    /// The `}` closing a non-empty block.
    Close,
}

/// Emits and formats `files`; returns each path with its text, in the given order.
pub fn render(
    files: Vec<RustFile<'_>>,
    header: &str,
) -> Result<(Vec<(String, String)>, Work), Error> {
    let mut jobs: Vec<(usize, Job<'_, '_>)> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        for part in &f.parts {
            match part {
                Part::Items(emit) => jobs.push((i, Job::Items(emit))),
                Part::Block { head, members } => {
                    jobs.push((i, Job::Head(head, !members.is_empty())));
                    jobs.extend(members.iter().map(|m| (i, Job::Member(head, m))));
                    if !members.is_empty() {
                        jobs.push((i, Job::Close));
                    }
                }
            }
        }
    }
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len())
        .max(1);
    let next = AtomicUsize::new(0);
    // Texts are joined in job order as they finish, so a part's text is freed as soon as the
    // parts before it are in; the first failing job (in job order) is the error returned.
    let joined = Mutex::new(Joined {
        next: 0,
        pending: BTreeMap::new(),
        files: files.iter().map(|_| Items::new(header)).collect(),
        error: None,
    });
    let run = || {
        let mut work = Work::default();
        loop {
            let j = next.fetch_add(1, Ordering::Relaxed);
            let Some((file, job)) = jobs.get(j) else {
                break;
            };
            let path = files[*file].path;
            let text = match job {
                Job::Items(emit) => render_job(path, emit, &mut work),
                Job::Head(head, open) => {
                    let make = || {
                        let head = head();
                        quote!(#head {})
                    };
                    let text = render_job(path, &make, &mut work);
                    match open {
                        true => text.and_then(|text| open_block(path, &text)),
                        false => text,
                    }
                }
                Job::Member(head, member) => {
                    let make = || {
                        let (head, member) = (head(), member());
                        quote!(#head { #member })
                    };
                    render_job(path, &make, &mut work).and_then(|text| block_body(path, &text))
                }
                Job::Close => Ok("}\n".to_string()),
            };
            let mut joined = joined.lock().unwrap_or_else(|e| e.into_inner());
            joined.pending.insert(j, text);
            joined.drain(&jobs);
            if joined.error.is_some() {
                // Nothing after the failed job can be joined; the rest need not run.
                next.store(jobs.len(), Ordering::Relaxed);
                break;
            }
        }
        work
    };
    // Each worker takes the next job. This thread is one of the workers.
    let worked: Vec<Work> = std::thread::scope(|s| {
        let handles: Vec<_> = (1..workers).map(|_| s.spawn(run)).collect();
        let mut worked = vec![run()];
        worked.extend(handles.into_iter().map(|h| {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        }));
        worked
    });
    let mut work = Work {
        workers,
        ..Work::default()
    };
    for w in worked {
        work.emit += w.emit;
        work.format += w.format;
    }
    let joined = joined.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(error) = joined.error {
        return Err(error);
    }
    if joined.next != jobs.len() {
        return Err(Error::Internal {
            message: format!(
                "{} of {} parts were not joined",
                jobs.len() - joined.next,
                jobs.len()
            ),
        });
    }
    let out = files
        .iter()
        .zip(joined.files)
        .map(|(f, items)| (f.path.to_string(), items.text))
        .collect();
    Ok((out, work))
}

/// The output so far: the files joined up to job `next`, and the texts of later jobs that
/// finished early.
struct Joined {
    next: usize,
    pending: BTreeMap<usize, Result<String, Error>>,
    files: Vec<Items>,
    /// The first failing job's error; nothing is joined after it.
    error: Option<Error>,
}

impl Joined {
    /// Joins every finished text that is next in job order.
    fn drain(&mut self, jobs: &[(usize, Job<'_, '_>)]) {
        while self.error.is_none() {
            let Some(text) = self.pending.remove(&self.next) else {
                break;
            };
            match text {
                Ok(text) => self.files[jobs[self.next].0].push(&text),
                Err(e) => self.error = Some(e),
            }
            self.next += 1;
        }
    }
}

/// Runs an emitter, counting the time into `work`.
fn timed<T>(work: &mut Work, emit: impl FnOnce() -> T) -> T {
    let t0 = Instant::now();
    let out = emit();
    work.emit += t0.elapsed();
    out
}

/// Emits and prints one job's items with doc lines kept aside ([`deferred`]). Should a marker
/// print where it cannot be put back (anywhere but a doc comment line), the job is emitted and
/// printed again with its doc lines written out.
fn render_job(
    path: &str,
    make: &(dyn Fn() -> TokenStream + Sync),
    work: &mut Work,
) -> Result<String, Error> {
    let (tokens, docs) = timed(work, || deferred(make));
    if let Some(text) = print(path, tokens, &docs, work)? {
        return Ok(text);
    }
    let tokens = timed(work, make);
    print(path, tokens, &Deferred::default(), work)?.ok_or_else(|| Error::Internal {
        message: format!("{path}: doc comments written out still read as kept aside"),
    })
}

/// Parses and prints `tokens` item by item and puts back the doc lines kept aside while they
/// were made (`None` if they cannot be put back), counting the time into `work`.
fn print(
    path: &str,
    tokens: TokenStream,
    docs: &Deferred,
    work: &mut Work,
) -> Result<Option<String>, Error> {
    let t0 = Instant::now();
    let mut text = String::new();
    for item in items(tokens) {
        let file = syn::parse2::<syn::File>(item).map_err(|e| Error::Internal {
            message: format!("{path}: emitted tokens do not parse as Rust: {e}"),
        })?;
        text.push_str(&prettyplease::unparse(&file));
        if !text.ends_with('\n') {
            text.push('\n');
        }
    }
    let text = docs.splice(text);
    work.format += t0.elapsed();
    Ok(text)
}

/// Splits tokens into top-level items (leading inner attributes count as one), so that the
/// syntax tree of only one item is alive at a time.
///
/// An item ends at a top-level `;`, or at a top-level `{ ... }` that is neither followed by
/// `;` (`use a::{b};`, `static S: T = T { .. };`) nor preceded by `=`.
fn items(tokens: TokenStream) -> Vec<TokenStream> {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let punct =
        |i: usize, c: char| matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == c);
    let bracket = |i: usize| matches!(tokens.get(i), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket);
    let mut inner_end = 0;
    while punct(inner_end, '#') && punct(inner_end + 1, '!') && bracket(inner_end + 2) {
        inner_end += 3;
    }
    let mut bounds = vec![0, inner_end];
    for (i, tt) in tokens.iter().enumerate().skip(inner_end) {
        let ends = match tt {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) => {
                g.delimiter() == Delimiter::Brace
                    && !punct(i + 1, ';')
                    && !punct(i.wrapping_sub(1), '=')
            }
            _ => false,
        };
        if ends {
            bounds.push(i + 1);
        }
    }
    bounds.push(tokens.len());
    let mut rest = tokens.into_iter();
    bounds
        .windows(2)
        .filter(|w| w[1] > w[0])
        .map(|w| rest.by_ref().take(w[1] - w[0]).collect())
        .collect()
}

/// The line where a printed block's body starts: the first line of the item itself (not a doc
/// comment or attribute) that ends with `{`.
fn body_start(text: &str) -> Option<usize> {
    text.lines()
        .position(|l| !l.starts_with([' ', '/', '#']) && l.ends_with('{'))
}

/// `head {}` printed, turned into `head {` for members to follow.
fn open_block(path: &str, text: &str) -> Result<String, Error> {
    let trimmed = text.trim_end();
    match trimmed.strip_suffix("{}") {
        Some(open) => Ok(format!("{open}{{\n")),
        None => Err(Error::Internal {
            message: format!("{path}: a block head does not print as `... {{}}`: {trimmed}"),
        }),
    }
}

/// The body lines of `head { member }` printed.
fn block_body(path: &str, text: &str) -> Result<String, Error> {
    let lines: Vec<&str> = text.lines().collect();
    match (body_start(text), lines.last()) {
        (Some(start), Some(&"}")) if start < lines.len() - 1 => {
            let mut body = lines[start + 1..lines.len() - 1].join("\n");
            body.push('\n');
            Ok(body)
        }
        _ => Err(Error::Internal {
            message: format!("{path}: a block member does not print inside its block"),
        }),
    }
}

/// A file's text, part by part, with a blank line between top-level items, which
/// `prettyplease` prints back to back.
struct Items {
    text: String,
    prev_closed_item: bool,
}

impl Items {
    fn new(header: &str) -> Self {
        Self {
            text: format!("{header}\n"),
            prev_closed_item: false,
        }
    }

    fn push(&mut self, part: &str) {
        for line in part.lines() {
            let starts_item = !line.starts_with([' ', '}', ')', ']']) && !line.is_empty();
            if self.prev_closed_item && starts_item {
                self.text.push('\n');
            }
            self.text.push_str(line);
            self.text.push('\n');
            self.prev_closed_item = line == "}"
                || (line.ends_with(';') && !line.starts_with(' '))
                || line.starts_with("#![");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::{block, member, part};

    fn file<'a>(parts: Vec<Part<'a>>) -> Vec<RustFile<'a>> {
        vec![RustFile {
            path: "src/x.rs",
            parts,
        }]
    }

    #[test]
    fn items_split_at_item_ends_only() {
        let tokens = quote! {
            #![allow(dead_code)]
            #![doc = "x"]
            use a::{b, c};
            static S: T = T { a: 1 };
            const C: [u8; 2] = [1, 2];
            pub struct A { x: u8 }
            struct B(u8);
            impl A { fn f() { let _ = { 1 }; } }
            fn g() -> u8 where u8: Copy { 1 }
        };
        let items: Vec<String> = items(tokens).iter().map(|t| t.to_string()).collect();
        assert_eq!(items.len(), 8, "{items:#?}");
        assert!(items[0].starts_with("# ! [allow"), "{}", items[0]);
        assert!(items[2].starts_with("static S"), "{}", items[2]);
        assert!(items[6].starts_with("impl A"), "{}", items[6]);
    }

    #[test]
    fn kept_aside_docs_print_as_written_out() {
        use crate::emit::docs::{doc_attrs, inner_doc_attrs, raw_doc_attrs};
        let emit = || {
            let prose = doc_attrs(&[
                "Trailing spaces   \n\n  indented\n/ a slash",
                "```\n    code   \n```",
            ]);
            // Written out, not kept aside: `prettyplease` prints a line with a return as it is.
            let odd = doc_attrs(&["has\ra return"]);
            let ours = raw_doc_attrs(&["Ours, with trailing spaces  ".to_string()]);
            let root = inner_doc_attrs(&["The crate."]);
            quote! {
                #root
                #prose
                #ours
                pub struct A { #prose pub x: u8, #odd pub y: u8 }
                impl A { #prose fn f() { #prose struct B; } }
            }
        };
        let (_, kept) = deferred(emit);
        assert!(!kept.0.is_empty(), "nothing was kept aside");
        let (spliced, _) = render(file(vec![part(emit)]), "// h").unwrap();
        let written: syn::File = syn::parse2(emit()).unwrap();
        let mut expected = Items::new("// h");
        expected.push(&prettyplease::unparse(&written));
        assert_eq!(spliced[0].1, expected.text);
        assert!(!spliced[0].1.contains('\u{1}'));
    }

    #[test]
    fn docs_in_macro_tokens_are_written_out() {
        use crate::emit::docs::doc_attrs;
        // prettyplease prints a macro's tokens as they are, so a marker there would stay.
        let emit = || {
            let docs = doc_attrs(&["Inside a macro.", "Has \u{1} of its own."]);
            quote! {
                #docs
                pub struct A;
                m! { #docs pub struct B; }
            }
        };
        let (rendered, _) = render(file(vec![part(emit)]), "// h").unwrap();
        let written: syn::File = syn::parse2(emit()).unwrap();
        let mut expected = Items::new("// h");
        expected.push(&prettyplease::unparse(&written));
        assert_eq!(rendered[0].1, expected.text);
        assert!(rendered[0].1.contains("Inside a macro"));
    }

    #[test]
    fn parts_join_in_order_and_the_first_failing_part_is_the_error() {
        // More parts than workers, so texts finish out of order and wait to be joined. Part
        // `fn_at` lacks its parentheses, part `struct_at` its name: each fails its own way.
        let parts = |fn_at: usize, struct_at: usize| {
            (0..200usize)
                .map(|i| {
                    part(move || {
                        let name = quote::format_ident!("f{i}");
                        match i {
                            _ if i == fn_at => quote!(fn #name),
                            _ if i == struct_at => quote!(struct;),
                            _ => quote!(fn #name() {}),
                        }
                    })
                })
                .collect::<Vec<_>>()
        };
        let (ok, _) = render(file(parts(usize::MAX, usize::MAX)), "// h").unwrap();
        let expected: String = (0..200).map(|i| format!("fn f{i}() {{}}\n")).collect();
        assert_eq!(ok[0].1, format!("// h\n{expected}"));
        for _ in 0..5 {
            for (fn_at, struct_at, first) in [(37, 150, "parentheses"), (150, 37, "identifier")] {
                let Err(Error::Internal { message }) = render(file(parts(fn_at, struct_at)), "")
                else {
                    panic!("broken parts rendered");
                };
                assert!(message.contains(first), "{message}");
            }
        }
    }

    #[test]
    fn blocks_print_as_one_item() {
        let members = || {
            (0..3).map(|i| {
                member(move || {
                    let name = quote::format_ident!("f{i}");
                    quote!(
                        /// Doc.
                        pub fn #name(&self) -> u8 { #i }
                    )
                })
            })
        };
        let head = || quote!(#[doc = "A type."] impl A);
        let (split, _) = render(file(vec![block(head, members())]), "// h").unwrap();
        let whole = || {
            quote! {
                #[doc = "A type."]
                impl A {
                    /// Doc.
                    pub fn f0(&self) -> u8 { 0i32 }
                    /// Doc.
                    pub fn f1(&self) -> u8 { 1i32 }
                    /// Doc.
                    pub fn f2(&self) -> u8 { 2i32 }
                }
            }
        };
        let (joined, _) = render(file(vec![part(whole)]), "// h").unwrap();
        assert_eq!(split, joined);
        let empty = vec![block(|| quote!(pub trait T), Vec::new())];
        let (empty, _) = render(file(empty), "// h").unwrap();
        assert_eq!(empty[0].1, "// h\npub trait T {}\n");
    }
}
