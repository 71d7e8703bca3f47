//! Form bodies (`multipart/form-data`, `application/x-www-form-urlencoded`): the [`File`] of a
//! form field, and the parts a generated form is sent as ([`Form`]). Client and server read
//! the same parts: the client sends them, the server's router decodes them back into the form.

use serde::Serialize;
use std::fmt;

/// A file of a form field: its bytes, with the file name and media type sent beside them.
///
/// `Debug` shows the length of the bytes, not the bytes.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct File {
    /// The content.
    pub bytes: Vec<u8>,
    /// The file name (`filename` of the part's `Content-Disposition`).
    pub file_name: Option<String>,
    /// The media type (the part's `Content-Type`).
    pub content_type: Option<String>,
}

impl File {
    /// A file of `bytes`, without a name or media type.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        File {
            bytes: bytes.into(),
            ..File::default()
        }
    }

    /// The same file, named `name`.
    pub fn with_file_name(self, name: impl Into<String>) -> Self {
        File {
            file_name: Some(name.into()),
            ..self
        }
    }

    /// The same file, of media type `content_type`.
    pub fn with_content_type(self, content_type: impl Into<String>) -> Self {
        File {
            content_type: Some(content_type.into()),
            ..self
        }
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// A request body that travels as a form: generated for each form body of the spec.
pub trait Form {
    /// Writes the form's fields, in spec order, as parts.
    fn write(&self, parts: &mut Parts);
}

/// The parts of a form, in order: each a field name and a value (text parts are files without
/// a name or media type, holding the text).
#[derive(Debug, Default)]
pub struct Parts {
    parts: Vec<(&'static str, File)>,
    error: Option<String>,
}

impl Parts {
    /// The parts of `form`, or what could not be written (a value that does not serialize).
    pub fn of<F: Form + ?Sized>(form: &F) -> Result<Vec<(&'static str, File)>, String> {
        let mut parts = Parts::default();
        form.write(&mut parts);
        match parts.error {
            Some(e) => Err(e),
            None => Ok(parts.parts),
        }
    }

    /// A text field: a scalar as its text, an array as one part per item when `explode`, else
    /// one comma-joined part; `None` writes nothing.
    #[doc(hidden)]
    pub fn text<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T, explode: bool) {
        let json = match serde_json::to_value(value) {
            Ok(json) => json,
            Err(e) => return self.fail(name, e),
        };
        let texts = texts(&json);
        if explode {
            for t in texts {
                self.parts.push((name, File::new(t)));
            }
        } else if !texts.is_empty() {
            self.parts.push((name, File::new(texts.join(","))));
        }
    }

    /// A field sent as JSON text, as `content_type`; `None` writes nothing.
    #[doc(hidden)]
    pub fn json<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
        content_type: &'static str,
    ) {
        match serde_json::to_value(value) {
            Ok(serde_json::Value::Null) => {}
            Ok(json) => {
                let file = File::new(json.to_string()).with_content_type(content_type);
                self.parts.push((name, file));
            }
            Err(e) => self.fail(name, e),
        }
    }

    /// A file field: one part per file. A file without a media type is sent as `content_type`
    /// (the spec's `encoding`), if given.
    #[doc(hidden)]
    pub fn files<'a>(
        &mut self,
        name: &'static str,
        files: impl IntoIterator<Item = &'a File>,
        content_type: Option<&'static str>,
    ) {
        for file in files {
            let mut file = file.clone();
            if file.content_type.is_none() {
                file.content_type = content_type.map(str::to_string);
            }
            self.parts.push((name, file));
        }
    }

    fn fail(&mut self, name: &str, e: serde_json::Error) {
        self.error
            .get_or_insert_with(|| format!("form field `{name}` does not serialize: {e}"));
    }
}

/// A parameter's or text field's value as the texts the `simple` and `form` styles join or
/// repeat: a scalar is one (a string as is, anything else as its JSON text), an array one per
/// item, an object a name and a value per member, `null` none.
pub(crate) fn texts(value: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items.iter().map(text).collect(),
        Value::Object(map) => map.iter().flat_map(|(k, v)| [k.clone(), text(v)]).collect(),
        other => vec![text(other)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Sample {
        tags: Vec<String>,
        note: Option<String>,
        count: i64,
        meta: serde_json::Value,
        file: File,
    }

    impl Form for Sample {
        fn write(&self, parts: &mut Parts) {
            parts.text("tags", &self.tags, false);
            parts.text("tags2", &self.tags, true);
            parts.text("note", &self.note, true);
            parts.text("count", &self.count, true);
            parts.json("meta", &self.meta, "application/json");
            parts.files("file", std::iter::once(&self.file), Some("image/png"));
        }
    }

    #[test]
    fn parts_follow_the_fields() {
        let sample = Sample {
            tags: vec!["a".into(), "b c".into()],
            note: None,
            count: 3,
            meta: serde_json::json!({"k": 1}),
            file: File::new(vec![1, 2]).with_file_name("x.bin"),
        };
        let parts = Parts::of(&sample).unwrap();
        let names: Vec<&str> = parts.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["tags", "tags2", "tags2", "count", "meta", "file"]);
        assert_eq!(parts[0].1.bytes, b"a,b c");
        assert_eq!(parts[3].1.bytes, b"3");
        assert_eq!(parts[4].1.bytes, br#"{"k":1}"#);
        assert_eq!(parts[5].1.content_type.as_deref(), Some("image/png"));
        assert_eq!(
            format!("{:?}", parts[5].1),
            r#"File { bytes: <2 bytes>, file_name: Some("x.bin"), content_type: Some("image/png") }"#
        );
    }
}
