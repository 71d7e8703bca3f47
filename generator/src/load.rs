//! Stage 1: spec text -> `serde_json::Value` -> `openapiv3::OpenAPI`.
//!
//! YAML is read by `serde_yaml`, JSON by `serde_json`, both into a [`StrictValue`] (duplicate
//! keys refused); [`crate::normalize`] repairs known mistakes on that value, and `openapiv3`
//! types the whole document once. The raw value is kept beside the typed document: lowering
//! resolves `$ref`s that point into the middle of the document through it, and errors find
//! their line through [`SourceMap`].

mod anchors;

use crate::error::{push_pointer, Error, Location, Problem};
use crate::strict::StrictValue;
use serde::Deserialize;

/// A parsed spec.
pub struct Loaded<'t> {
    /// The typed document.
    pub doc: openapiv3::OpenAPI,
    /// The same document as plain JSON (after [`crate::normalize`]).
    pub raw: serde_json::Value,
    /// Finds lines for pointers.
    pub source: SourceMap<'t>,
    /// What normalisation repaired, each with its place (pointer and line).
    pub warnings: Vec<String>,
}

/// Parses `text` (YAML or JSON); `file` is only used in messages.
pub fn load<'t>(file: &str, text: &'t str) -> Result<Loaded<'t>, Error> {
    // A byte order mark says only that the text is UTF-8, which it is already.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let source = SourceMap::new(text);
    let mut raw = parse_value(file, text)?;
    check_version(file, &raw, &source)?;
    let mut repairs = Vec::new();
    crate::normalize::normalize(&mut raw, &mut repairs);
    let warnings = repairs
        .into_iter()
        .map(|(pointer, message)| format!("{}: {message}", source.locate(&pointer)))
        .collect();
    // Without path tracking first, which is several times faster; the tracked pass runs only
    // to locate an error.
    let doc = match openapiv3::OpenAPI::deserialize(&raw) {
        Ok(doc) => doc,
        Err(_) => locate_invalid(file, &raw, &source)?,
    };
    Ok(Loaded {
        doc,
        raw,
        source,
        warnings,
    })
}

/// Deserializes again with path tracking, for the place of an error.
fn locate_invalid(
    file: &str,
    raw: &serde_json::Value,
    source: &SourceMap<'_>,
) -> Result<openapiv3::OpenAPI, Error> {
    serde_path_to_error::deserialize(raw).map_err(|e| {
        let (pointer, message) = refine(raw, path_to_pointer(e.path()), e.inner().to_string());
        Error::Invalid {
            file: file.to_string(),
            problems: vec![Problem {
                location: source.locate(&pointer),
                message: format!("not a valid OpenAPI 3.0 object: {message}"),
            }],
        }
    })
}

/// `openapiv3` reads path items, operations and the status map of `responses` through flattening
/// (and untagged) deserializers, which hide where inside them an error is: serde reports the
/// container. Such an error is located again by typing the container's entries one by one,
/// down to the innermost container that fails.
fn refine(raw: &serde_json::Value, mut pointer: String, mut message: String) -> (String, String) {
    while let Some(container) = Container::at(&pointer) {
        let Some(map) = raw.pointer(&pointer[1..]).and_then(|v| v.as_object()) else {
            break;
        };
        let found = map.iter().find_map(|(key, value)| {
            let check = container.entry(key)?;
            check(value).map(|inner| (key, inner))
        });
        let Some((key, (inner, inner_message))) = found else {
            break;
        };
        // `inner` is `#` plus the pointer inside the entry.
        pointer = format!("{}{}", push_pointer(&pointer, key), &inner[1..]);
        message = inner_message;
    }
    (pointer, message)
}

/// The containers under `#/paths` whose errors [`refine`] can locate.
#[derive(Clone, Copy)]
enum Container {
    Paths,
    PathItem,
    Operation,
    Responses,
}

/// Types one entry with path tracking: the error's pointer inside it and its message.
type Check = fn(&serde_json::Value) -> Option<(String, String)>;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl Container {
    fn at(pointer: &str) -> Option<Container> {
        let rest = pointer.strip_prefix("#/paths")?;
        let tokens: Vec<&str> = rest.split('/').skip(1).collect();
        match tokens.as_slice() {
            [] => Some(Container::Paths),
            [_] => Some(Container::PathItem),
            [_, method] if METHODS.contains(method) => Some(Container::Operation),
            [_, method, "responses"] if METHODS.contains(method) => Some(Container::Responses),
            _ => None,
        }
    }

    fn entry(self, key: &str) -> Option<Check> {
        use openapiv3::{
            Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response, Responses,
        };
        match self {
            Container::Paths if key.starts_with('/') => Some(ref_or::<PathItem>),
            Container::PathItem if METHODS.contains(&key) => Some(tracked::<Operation>),
            Container::PathItem | Container::Operation if key == "parameters" => {
                Some(tracked::<Vec<ReferenceOr<Parameter>>>)
            }
            Container::Operation if key == "requestBody" => Some(ref_or::<RequestBody>),
            Container::Operation if key == "responses" => Some(tracked::<Responses>),
            Container::Responses if !key.starts_with("x-") => Some(ref_or::<Response>),
            _ => None,
        }
    }
}

fn tracked<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> Option<(String, String)> {
    let e = serde_path_to_error::deserialize::<_, T>(v).err()?;
    Some((path_to_pointer(e.path()), e.inner().to_string()))
}

/// A `$ref` or a `T`: typed as `T` unless it is a reference, since an untagged enum's error
/// says only that no variant matched.
fn ref_or<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> Option<(String, String)> {
    match v.get("$ref") {
        Some(_) => None,
        None => tracked::<T>(v),
    }
}

fn parse_value(file: &str, text: &str) -> Result<serde_json::Value, Error> {
    let is_json = text.trim_start().starts_with('{');
    if is_json {
        serde_json::from_str(text)
            .map(|v: StrictValue| v.0)
            .map_err(|e| Error::Syntax {
                file: file.to_string(),
                line: e.line(),
                column: e.column(),
                format: "JSON",
                message: e.to_string(),
            })
    } else {
        anchors::check(file, text)?;
        StrictValue::deserialize(serde_yaml::Deserializer::from_str(text))
            .map(|v| v.0)
            .map_err(|e| {
                let place = e.location();
                Error::Syntax {
                    file: file.to_string(),
                    line: place.as_ref().map_or(1, |p| p.line()),
                    column: place.as_ref().map_or(1, |p| p.column()),
                    format: "YAML",
                    message: e.to_string(),
                }
            })
    }
}

fn check_version(file: &str, raw: &serde_json::Value, source: &SourceMap) -> Result<(), Error> {
    let problem = |pointer: &str, message: String| Error::Invalid {
        file: file.to_string(),
        problems: vec![Problem {
            location: source.locate(pointer),
            message,
        }],
    };
    if !raw.is_object() {
        return Err(problem("#", "the document is not a mapping".into()));
    }
    if let Some(v) = raw.get("swagger") {
        return Err(problem(
            "#/swagger",
            format!(
                "this is a Swagger {} document; only OpenAPI 3.0.x is supported (convert it first, e.g. with swagger2openapi)",
                v.as_str().unwrap_or("2.0")
            ),
        ));
    }
    match raw.get("openapi").and_then(|v| v.as_str()) {
        Some(v) if v.starts_with("3.0") => Ok(()),
        Some(v) => Err(problem(
            "#/openapi",
            format!("OpenAPI {v} is not supported; only 3.0.x documents are"),
        )),
        None => Err(problem(
            "#/openapi",
            "missing `openapi: 3.0.x` version field".into(),
        )),
    }
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::from("#");
    for seg in path.iter() {
        pointer = match seg {
            Segment::Seq { index } => push_pointer(&pointer, &index.to_string()),
            Segment::Map { key } => push_pointer(&pointer, key),
            Segment::Enum { variant } => push_pointer(&pointer, variant),
            Segment::Unknown => pointer,
        };
    }
    pointer
}

/// Finds the line of a JSON pointer in the original text, for error messages.
///
/// It follows the pointer's tokens through the text by indentation (YAML) or by order (JSON);
/// it is a best effort, and answers `None` rather than a wrong line when it gets lost.
pub struct SourceMap<'t> {
    text: &'t str,
}

impl<'t> SourceMap<'t> {
    /// Borrows `text`; lines are found only when a location is asked for.
    pub fn new(text: &'t str) -> Self {
        Self { text }
    }

    /// The location of `pointer` (`#/a/b`).
    pub fn locate(&self, pointer: &str) -> Location {
        Location {
            pointer: pointer.to_string(),
            line: self.line_of(pointer),
        }
    }

    fn line_of(&self, pointer: &str) -> Option<usize> {
        let tokens: Vec<String> = pointer
            .trim_start_matches('#')
            .split('/')
            .skip(1)
            .map(crate::error::unescape_token)
            .collect();
        // Where the search stands: line number, the byte where that line starts, and the
        // indentation of the key found there.
        let mut at = (0usize, 0usize);
        let mut indent: isize = -1;
        for token in &tokens {
            let (found, found_indent) = self.find_token(token, at, indent)?;
            at = found;
            indent = found_indent;
        }
        Some(at.0 + 1)
    }

    /// Finds `token` as a key (or, for a number, a list item) below the block at `indent`,
    /// from line `from.0`, which starts at byte `from.1`: its line, that line's start, and the
    /// key's indentation.
    fn find_token(
        &self,
        token: &str,
        from: (usize, usize),
        indent: isize,
    ) -> Option<((usize, usize), isize)> {
        let index: Option<usize> = token.parse().ok();
        let keys = [
            format!("{token}:"),
            format!("\"{token}\":"),
            format!("'{token}':"),
        ];
        let mut seen_items = 0usize;
        let mut child_indent: Option<isize> = None;
        let mut start = from.1;
        for (i, line) in self.text[from.1..].split_inclusive('\n').enumerate() {
            let (i, line_start) = (from.0 + i, start);
            start += line.len();
            let text = line.trim_end_matches(['\n', '\r']);
            let trimmed = text.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let ind = (text.len() - trimmed.len()) as isize;
            if i > from.0 && ind <= indent {
                return None; // left the block
            }
            if i == from.0 && indent >= 0 {
                continue;
            }
            let ci = *child_indent.get_or_insert(ind);
            if ind != ci && !(trimmed.starts_with("- ") && ind + 2 == ci) {
                continue;
            }
            // A number is an item's index in a list, or a key in a map (`'200':`).
            if let Some(n) = index {
                if trimmed.starts_with("- ") || trimmed == "-" {
                    if seen_items == n {
                        return Some(((i, line_start), ind + 1));
                    }
                    seen_items += 1;
                    continue;
                }
            }
            let key = trimmed.trim_start_matches("- ");
            if keys.iter().any(|k| key.starts_with(k.as_str())) {
                let key_indent = ind + (trimmed.len() - key.len()) as isize;
                return Some(((i, line_start), key_indent));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_yaml_keys_and_items() {
        let text = "openapi: 3.0.3\npaths:\n  /a/b:\n    get:\n      parameters:\n        - name: x\n        - name: y\n          in: query\n";
        let map = SourceMap::new(text);
        assert_eq!(map.line_of("#/paths/~1a~1b/get"), Some(4));
        assert_eq!(map.line_of("#/paths/~1a~1b/get/parameters/1"), Some(7));
        assert_eq!(map.line_of("#/paths/~1a~1b/get/parameters/1/in"), Some(8));
        assert_eq!(map.line_of("#/paths/~1nope"), None);
    }

    #[test]
    fn rejects_other_versions() {
        let e = load("s.yaml", "swagger: '2.0'\n")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("#/swagger (line 1)"), "{e}");
        let e = load("s.yaml", "openapi: 3.1.0\n")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("OpenAPI 3.1.0 is not supported"), "{e}");
        let e = load("s.yaml", "openapi: 3.0.3\ninfo:\n  title: a\n  title: b\n")
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("duplicate key `title`") && e.starts_with("s.yaml:3:"),
            "{e}"
        );
        let e = load("s.json", "{\"openapi\": 3").err().unwrap().to_string();
        assert!(e.starts_with("s.json:1:"), "{e}");
    }
}
