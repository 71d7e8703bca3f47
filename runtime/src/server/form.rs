//! Form bodies on the server: a `multipart/form-data` or urlencoded body read into its parts
//! (within the limits of [`Config`]), and the fields of a form type read from them, each
//! checked as a parameter is.

use super::{Check, Config, FieldError, Input, Kind, Payload, Rejection};
use crate::form::File;
use axum::body::Bytes;
use axum::http::{header, HeaderMap};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::convert::Infallible;

/// The parts of a multipart body (already read whole, within the body limit): at most
/// `config.form_parts` of them, none over `config.part_limit` bytes (`413` otherwise).
pub(super) async fn multipart(
    headers: &HeaderMap,
    bytes: Bytes,
    config: &Config,
) -> Result<Vec<(String, File)>, Rejection> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = multer::parse_boundary(content_type)
        .map_err(|e| Rejection::malformed_form(e.to_string()))?;
    let limits = multer::SizeLimit::new().per_field(config.part_limit as u64);
    let constraints = multer::Constraints::new().size_limit(limits);
    let stream = futures_util::stream::once(async move { Ok::<Bytes, Infallible>(bytes) });
    let mut body = multer::Multipart::with_constraints(stream, boundary, constraints);
    let mut parts = Vec::new();
    while let Some(field) = body.next_field().await.map_err(rejection)? {
        if parts.len() == config.form_parts {
            return Err(too_many_parts(config));
        }
        let name = field.name().unwrap_or_default().to_string();
        let file = File {
            file_name: field.file_name().map(str::to_string),
            content_type: field.content_type().map(|m| m.to_string()),
            bytes: field.bytes().await.map_err(rejection)?.to_vec(),
        };
        parts.push((name, file));
    }
    Ok(parts)
}

/// The pairs of a urlencoded body, as parts without a file name.
pub(super) fn urlencoded(bytes: &[u8]) -> Vec<(String, File)> {
    form_urlencoded::parse(bytes)
        .into_owned()
        .map(|(name, value)| (name, File::new(value)))
        .collect()
}

/// `413` for a form with more than `config.form_parts` parts.
pub(super) fn too_many_parts(config: &Config) -> Rejection {
    let limit = config.form_parts;
    Rejection::form_too_large(format!("the form has more than {limit} parts"))
}

/// What a multipart parse error answers: `413` for a size limit, else `400`.
fn rejection(e: multer::Error) -> Rejection {
    match e {
        multer::Error::FieldSizeExceeded { limit, field_name } => {
            let name = field_name.unwrap_or_default();
            Rejection::form_too_large(format!("part `{name}` is larger than {limit} bytes"))
        }
        multer::Error::StreamSizeExceeded { .. } => Rejection::payload_too_large(),
        other => Rejection::malformed_form(other.to_string()),
    }
}

impl Input {
    /// The form `read` makes of a form body; `None` when the request has none. Parts no field
    /// names are ignored, as unknown members of a JSON body are.
    pub fn form<T>(&mut self, read: fn(&mut Input) -> Option<T>) -> Option<T> {
        if !matches!(self.body, Some(Payload::Form(_))) {
            return None;
        }
        let form = read(self);
        self.body = None;
        form
    }

    /// A text field (the first part of that name), read as `kind`, checked and decoded.
    pub fn form_text<T: DeserializeOwned>(
        &mut self,
        name: &str,
        kind: Kind,
        required: bool,
        check: Check,
    ) -> Option<T> {
        let field = format!("body.{name}");
        let raw = self.texts(name, &field)?.into_iter().next();
        let value = self.scalar(&field, raw, kind, required)?;
        self.decode(&field, &field, value, check)
    }

    /// An array field: one part per item when `explode`, else one comma-separated part; each
    /// item read as `kind`, then the array checked and decoded.
    pub fn form_texts<T: DeserializeOwned>(
        &mut self,
        name: &str,
        kind: Kind,
        explode: bool,
        required: bool,
        check: Check,
    ) -> Option<T> {
        let field = format!("body.{name}");
        let raws = self.texts(name, &field)?;
        if raws.is_empty() {
            if required {
                self.errors.push(super::missing(&field));
            }
            return None;
        }
        let items: Vec<String> = match explode {
            true => raws,
            false => raws[0].split(',').map(str::to_string).collect(),
        };
        let values: Option<Vec<Value>> = items
            .into_iter()
            .map(|raw| self.scalar(&field, Some(raw), kind, true))
            .collect();
        self.decode(&field, &field, Value::Array(values?), check)
    }

    /// A field sent as JSON text (the first part of that name), parsed, checked and decoded.
    pub fn form_json<T: DeserializeOwned>(
        &mut self,
        name: &str,
        required: bool,
        check: Check,
    ) -> Option<T> {
        let field = format!("body.{name}");
        let Some(raw) = self.texts(name, &field)?.into_iter().next() else {
            if required {
                self.errors.push(super::missing(&field));
            }
            return None;
        };
        match serde_json::from_str(&raw) {
            Ok(value) => self.decode(&field, &field, value, check),
            Err(e) => {
                let message = format!("not JSON: {e}");
                self.errors
                    .push(FieldError::new(&field, "invalid_value", message));
                None
            }
        }
    }

    /// A file field (the first part of that name).
    pub fn form_file(&mut self, name: &str, required: bool) -> Option<File> {
        self.form_files(name, required)?.into_iter().next()
    }

    /// A field of files: every part of that name, in order; `None` when there is none.
    pub fn form_files(&mut self, name: &str, required: bool) -> Option<Vec<File>> {
        let files = self.take_parts(name);
        if files.is_empty() {
            if required {
                self.errors.push(super::missing(&format!("body.{name}")));
            }
            return None;
        }
        Some(files)
    }

    /// The parts named `name`, taken out of the form.
    fn take_parts(&mut self, name: &str) -> Vec<File> {
        let Some(Payload::Form(parts)) = &mut self.body else {
            return Vec::new();
        };
        let mut taken = Vec::new();
        parts.retain_mut(|(n, file)| {
            if n != name {
                return true;
            }
            taken.push(std::mem::take(file));
            false
        });
        taken
    }

    /// The parts named `name` as text; `None` (with the problem recorded) if one is not UTF-8.
    fn texts(&mut self, name: &str, field: &str) -> Option<Vec<String>> {
        let mut texts = Vec::new();
        for file in self.take_parts(name) {
            match String::from_utf8(file.bytes) {
                Ok(text) => texts.push(text),
                Err(_) => {
                    let e = FieldError::new(field, "invalid_value", "the part is not UTF-8 text");
                    self.errors.push(e);
                    return None;
                }
            }
        }
        Some(texts)
    }
}
