//! Form request bodies (`multipart/form-data`, `application/x-www-form-urlencoded`) ->
//! [`ir::Form`] types.
//!
//! The body's object schema is lowered as any schema is (so fields get their names, docs and
//! constraints in one place); its struct then becomes a form: each field learns how it
//! travels (text, file or JSON part) from its type, its `format` and the media type's
//! `encoding` object.

use super::{Lowerer, NameHint};
use crate::error::push_pointer;
use crate::ir::{self, BodyEncoding, PartKind, TypeExpr, TypeId, TypeKind};
use openapiv3::{
    MediaType, QueryStyle, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};

impl Lowerer<'_> {
    /// The type of a form body of `encoding`: a [`TypeKind::Form`] when its schema is an object,
    /// else (with a warning saying what is sent instead) what the body was before forms.
    pub(super) fn lower_form(
        &mut self,
        media: &str,
        encoding: BodyEncoding,
        content: &MediaType,
        hint: &[String],
        ptr: &str,
    ) -> TypeExpr {
        let fallback = match encoding {
            BodyEncoding::Multipart => "sent as raw bytes, without a boundary (servers refuse it); describe the parts as an object schema",
            _ => "sent as `serde_urlencoded` makes it of the value",
        };
        let Some(schema) = &content.schema else {
            self.warn(ptr, format!("`{media}` body without a schema: {fallback}"));
            return match encoding {
                BodyEncoding::Multipart => TypeExpr::Bytes,
                _ => TypeExpr::JsonObject,
            };
        };
        let schema_ptr = push_pointer(ptr, "schema");
        let ty = self.lower_schema_ref(schema, hint, &schema_ptr);
        let Some(id) = self.struct_behind(&ty) else {
            self.warn(
                &schema_ptr,
                format!("`{media}` body whose schema is not an object: {fallback}"),
            );
            return match encoding {
                BodyEncoding::Multipart => TypeExpr::Bytes,
                _ => ty,
            };
        };
        let resolved = match schema {
            ReferenceOr::Item(s) => Some(s.clone()),
            ReferenceOr::Reference { reference } => self
                .resolve::<Schema>(reference)
                .and_then(Result::ok)
                .map(|s| s.into_owned()),
        };
        let form = self.form_of(encoding, id, resolved.as_ref(), content, ptr);
        // An inline schema's struct was made for this body alone: it becomes the form. A
        // component keeps its model, and its form is a type of its own, shared by the bodies
        // that send it the same way.
        if matches!(schema, ReferenceOr::Item(_)) && self.types[id.0].pointer == schema_ptr {
            self.types[id.0].kind = TypeKind::Form(form);
            return ty;
        }
        let key = format!("{}:{encoding:?}:{form:?}", id.0);
        if let Some(&known) = self.forms.get(&key) {
            return TypeExpr::Named(known);
        }
        let mut path = match &self.hints[id.0] {
            NameHint::Component(name) => vec![name.clone()],
            NameHint::Inline { path, .. } => path.clone(),
        };
        path.push("Form".to_string());
        let pointer = self.types[id.0].pointer.clone();
        let form_id = self.new_type(NameHint::Inline { path, title: None }, &pointer);
        self.types[form_id.0].docs = self.types[id.0].docs.clone();
        self.types[form_id.0].kind = TypeKind::Form(form);
        self.forms.insert(key, form_id);
        TypeExpr::Named(form_id)
    }

    /// The struct a type is, through aliases.
    fn struct_behind(&self, ty: &TypeExpr) -> Option<TypeId> {
        let mut ty = ty.clone();
        for _ in 0..=self.types.len() {
            let TypeExpr::Named(id) = ty else {
                return None;
            };
            match &self.types[id.0].kind {
                TypeKind::Struct(_) => return Some(id),
                TypeKind::Alias(e) => ty = e.clone(),
                _ => return None,
            }
        }
        None
    }

    /// The form made of struct `id` (whose schema, resolved, is `schema` when known).
    fn form_of(
        &mut self,
        encoding: BodyEncoding,
        id: TypeId,
        schema: Option<&Schema>,
        content: &MediaType,
        ptr: &str,
    ) -> ir::Form {
        let TypeKind::Struct(s) = self.types[id.0].kind.clone() else {
            return ir::Form { fields: Vec::new() };
        };
        let mut fields = Vec::with_capacity(s.fields.len());
        for field in s.fields {
            let enc = content.encoding.get(&field.json_name);
            let items_binary = self.items_are_binary(schema, &field.json_name);
            // Problems are reported at the `encoding` entry, or at the property without one.
            let at = match enc {
                Some(_) => push_pointer(&push_pointer(ptr, "encoding"), &field.json_name),
                None => {
                    let properties = push_pointer(&self.types[id.0].pointer, "properties");
                    push_pointer(&properties, &field.json_name)
                }
            };
            fields.push(self.form_field(encoding, field, enc, items_binary, &at));
        }
        for name in content.encoding.keys() {
            if !fields.iter().any(|f| &f.field.json_name == name) {
                let enc_ptr = push_pointer(&push_pointer(ptr, "encoding"), name);
                self.warn(
                    &enc_ptr,
                    format!("`encoding` names `{name}`, which is not a property; ignored"),
                );
            }
        }
        ir::Form { fields }
    }

    /// One field of a form, from its struct field and its `encoding` entry (at `enc_ptr` when
    /// there is one, else the property's pointer).
    fn form_field(
        &mut self,
        encoding: BodyEncoding,
        mut field: ir::Field,
        enc: Option<&openapiv3::Encoding>,
        items_binary: bool,
        enc_ptr: &str,
    ) -> ir::FormField {
        let content_type = enc.and_then(|e| e.content_type.clone());
        let binary_format = matches!(self.format_of(&field), Some("binary" | "byte"));
        let multipart = encoding == BodyEncoding::Multipart;
        let part = match &field.ty {
            _ if !multipart => self.text_or_json(&field.ty),
            TypeExpr::Array(_) if items_binary => {
                field.ty = TypeExpr::Array(Box::new(TypeExpr::Bytes));
                PartKind::File
            }
            ty if binary_format && self.is_string(ty) => {
                field.ty = TypeExpr::Bytes;
                PartKind::File
            }
            ty => self.text_or_json(ty),
        };
        if part == PartKind::File {
            field.secret = false;
        }
        if part == PartKind::Json && content_type.is_none() {
            self.warn(
                enc_ptr,
                format!(
                    "form field `{}` is not text: sent as a JSON-encoded part (`application/json`); an `encoding` entry with a `contentType` says so and silences this",
                    field.json_name
                ),
            );
        }
        let style = enc.and_then(|e| e.style.as_ref());
        if let Some(style) = style.filter(|s| !matches!(s, QueryStyle::Form)) {
            self.warn(
                enc_ptr,
                format!(
                    "`style: {style:?}` of a form field is not supported; sent in the `form` style"
                ),
            );
        }
        // `explode` defaults to true in the `form` style; openapiv3 reads a missing one as false.
        let explode = match enc {
            Some(_) => self
                .resolve_raw(&push_pointer(enc_ptr, "explode"))
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(true),
            None => true,
        };
        ir::FormField {
            field,
            part,
            content_type,
            explode: explode || multipart,
        }
    }

    /// Whether a value of `ty` travels as text (scalars, string enums, any JSON value, arrays
    /// of those) or as JSON (objects, unions, maps).
    fn text_or_json(&self, ty: &TypeExpr) -> PartKind {
        match ty {
            TypeExpr::Array(inner) => self.text_or_json(inner),
            TypeExpr::JsonObject | TypeExpr::Map(_) => PartKind::Json,
            TypeExpr::Named(id) => match &self.types[id.0].kind {
                TypeKind::Enum(_) => PartKind::Text,
                TypeKind::Alias(e) => self.text_or_json(&e.clone()),
                _ => PartKind::Json,
            },
            _ => PartKind::Text,
        }
    }

    /// Whether `ty` is a string, through aliases.
    /// The `format` of a field: written in place, or on the schema of the alias it names (a
    /// `$ref` place has no constraints of its own).
    fn format_of<'f>(&'f self, field: &'f ir::Field) -> Option<&'f str> {
        let mut ty = &field.ty;
        let mut format = field.constraints.format.as_deref();
        while let (None, TypeExpr::Named(id)) = (format, ty) {
            let def = &self.types[id.0];
            let TypeKind::Alias(e) = &def.kind else { break };
            format = def.constraints.format.as_deref();
            ty = e;
        }
        format
    }

    fn is_string(&self, ty: &TypeExpr) -> bool {
        match ty {
            TypeExpr::String => true,
            TypeExpr::Named(id) => match &self.types[id.0].kind {
                TypeKind::Alias(e) => self.is_string(&e.clone()),
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether property `name` of `schema` is an array of `format: binary` (or `byte`) strings.
    fn items_are_binary(&self, schema: Option<&Schema>, name: &str) -> bool {
        let Some(SchemaKind::Type(Type::Object(object))) = schema.map(|s| &s.schema_kind) else {
            return false;
        };
        let Some(prop) = object
            .properties
            .get(name)
            .and_then(|p| self.schema_behind(p))
        else {
            return false;
        };
        let SchemaKind::Type(Type::Array(array)) = &prop.schema_kind else {
            return false;
        };
        let Some(item) = array.items.as_ref().and_then(|i| self.schema_behind(i)) else {
            return false;
        };
        match &item.schema_kind {
            SchemaKind::Type(Type::String(s)) => matches!(
                s.format,
                VariantOrUnknownOrEmpty::Item(StringFormat::Binary | StringFormat::Byte)
            ),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ir::{Api, BodyEncoding, PartKind, TypeExpr};

    fn lower(spec: &str) -> Api {
        let loaded = crate::load::load("t.yaml", spec).expect("loads");
        crate::lower::lower("t.yaml", &loaded).expect("lowers")
    }

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file]
              properties:
                file: {type: string, format: binary}
                files: {type: array, items: {type: string, format: byte}}
                n: {type: integer}
                tags: {type: array, items: {type: string}}
                meta: {type: object, properties: {a: {type: string}}}
            encoding:
              file: {contentType: image/png}
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                file: {type: string, format: binary}
                tags: {type: array, items: {type: string}}
            encoding:
              tags: {explode: false}
      responses:
        "204": {description: ok}
"#;

    #[test]
    fn object_bodies_become_forms_with_parts_from_types_formats_and_encoding() {
        let api = lower(SPEC);
        let body = api.operations[0].body.as_ref().unwrap();
        let multipart = api.form(&body.contents[0].ty).expect("a form");
        assert_eq!(body.contents[0].encoding, BodyEncoding::Multipart);
        let got: Vec<_> = multipart
            .fields
            .iter()
            .map(|f| {
                (
                    f.field.json_name.as_str(),
                    f.part,
                    f.field.ty.clone(),
                    f.explode,
                )
            })
            .collect();
        let files = TypeExpr::Array(Box::new(TypeExpr::Bytes));
        let strings = TypeExpr::Array(Box::new(TypeExpr::String));
        assert_eq!(got[0], ("file", PartKind::File, TypeExpr::Bytes, true));
        assert_eq!(got[1], ("files", PartKind::File, files, true));
        assert_eq!(got[2], ("n", PartKind::Text, TypeExpr::I64, true));
        assert_eq!(got[3], ("tags", PartKind::Text, strings.clone(), true));
        assert_eq!((got[4].0, got[4].1), ("meta", PartKind::Json));
        assert_eq!(
            multipart.fields[0].content_type.as_deref(),
            Some("image/png")
        );
        assert!(multipart.fields[0].field.required);
        // Urlencoded: no files (a binary string is text), and `explode: false` kept.
        let urlencoded = api.form(&body.contents[1].ty).expect("a form");
        let got: Vec<_> = urlencoded
            .fields
            .iter()
            .map(|f| (f.part, f.field.ty.clone(), f.explode))
            .collect();
        assert_eq!(
            got,
            [
                (PartKind::Text, TypeExpr::String, true),
                (PartKind::Text, strings, false)
            ]
        );
        // The object property without an `encoding` entry is a JSON part, with a warning.
        assert!(
            api.warnings
                .iter()
                .any(|w| w.contains("/properties/meta") && w.contains("JSON-encoded part")),
            "{:?}",
            api.warnings
        );
    }

    #[test]
    fn bodies_that_cannot_be_forms_are_warnings() {
        let spec = SPEC.replace(
            "            schema:\n              type: object\n              required: [file]",
            "            schema:\n              type: array\n              items: {type: string}\n              x-required: [file]",
        );
        let api = lower(&spec);
        let body = api.operations[0].body.as_ref().unwrap();
        assert_eq!(body.contents[0].ty, TypeExpr::Bytes);
        assert!(
            api.warnings.iter().any(|w| w.contains("is not an object")),
            "{:?}",
            api.warnings
        );
    }
}
