//! Schemas -> [`TypeExpr`]s and named [`ir::TypeDef`]s.
//!
//! Every schema, whatever shape `openapiv3` parsed it into, is first flattened into one
//! [`View`], so one set of rules decides what it becomes: `allOf` merges into a struct,
//! `oneOf`/`anyOf` become unions, string `enum`s become enums, objects with properties become
//! structs, `additionalProperties` become maps, and anything without a usable type is JSON.

use super::{Lowerer, NameHint};
use crate::error::push_pointer;
use crate::ir::{self, Constraints, TypeExpr, TypeId, TypeKind};
use crate::naming;
use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;
use std::borrow::Borrow;

type Properties = IndexMap<String, ReferenceOr<Box<Schema>>>;

/// A schema's keywords, whatever variant `openapiv3` chose for it.
struct View<'s> {
    typ: Option<&'s str>,
    format: Option<String>,
    constraints: Constraints,
    properties: Option<&'s Properties>,
    required: &'s [String],
    additional: Option<&'s AdditionalProperties>,
    items: Option<&'s ReferenceOr<Box<Schema>>>,
    enumeration: Vec<Value>,
    one_of: &'s [ReferenceOr<Schema>],
    all_of: &'s [ReferenceOr<Schema>],
    any_of: &'s [ReferenceOr<Schema>],
}

fn format_name<T: std::fmt::Debug>(
    f: &VariantOrUnknownOrEmpty<T>,
    known: impl Fn(&T) -> &'static str,
) -> Option<String> {
    match f {
        VariantOrUnknownOrEmpty::Item(i) => Some(known(i).to_string()),
        VariantOrUnknownOrEmpty::Unknown(s) => Some(s.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

fn view(kind: &SchemaKind) -> View<'_> {
    let mut v = View {
        typ: None,
        format: None,
        constraints: Constraints::default(),
        properties: None,
        required: &[],
        additional: None,
        items: None,
        enumeration: Vec::new(),
        one_of: &[],
        all_of: &[],
        any_of: &[],
    };
    match kind {
        SchemaKind::Type(Type::String(s)) => {
            v.typ = Some("string");
            v.format = format_name(&s.format, |f| match f {
                StringFormat::Date => "date",
                StringFormat::DateTime => "date-time",
                StringFormat::Password => "password",
                StringFormat::Byte => "byte",
                StringFormat::Binary => "binary",
            });
            v.constraints.pattern = s.pattern.clone();
            v.constraints.min_length = s.min_length.map(|n| n as u64);
            v.constraints.max_length = s.max_length.map(|n| n as u64);
            v.enumeration = s
                .enumeration
                .iter()
                .map(|e| e.clone().map(Value::String).unwrap_or(Value::Null))
                .collect();
        }
        SchemaKind::Type(Type::Number(n)) => {
            v.typ = Some("number");
            v.format = format_name(&n.format, |f| match f {
                openapiv3::NumberFormat::Float => "float",
                openapiv3::NumberFormat::Double => "double",
            });
            v.constraints.minimum = n.minimum.map(|m| (m, n.exclusive_minimum));
            v.constraints.maximum = n.maximum.map(|m| (m, n.exclusive_maximum));
        }
        SchemaKind::Type(Type::Integer(n)) => {
            v.typ = Some("integer");
            v.format = format_name(&n.format, |f| match f {
                openapiv3::IntegerFormat::Int32 => "int32",
                openapiv3::IntegerFormat::Int64 => "int64",
            });
            v.constraints.minimum = n.minimum.map(|m| (m as f64, n.exclusive_minimum));
            v.constraints.maximum = n.maximum.map(|m| (m as f64, n.exclusive_maximum));
            v.enumeration = n
                .enumeration
                .iter()
                .map(|e| e.map(Value::from).unwrap_or(Value::Null))
                .collect();
        }
        SchemaKind::Type(Type::Boolean(_)) => v.typ = Some("boolean"),
        SchemaKind::Type(Type::Object(o)) => {
            v.typ = Some("object");
            v.properties = Some(&o.properties);
            v.required = &o.required;
            v.additional = o.additional_properties.as_ref();
        }
        SchemaKind::Type(Type::Array(a)) => {
            v.typ = Some("array");
            v.items = a.items.as_ref();
            v.constraints.min_items = a.min_items.map(|n| n as u64);
            v.constraints.max_items = a.max_items.map(|n| n as u64);
            v.constraints.unique_items = a.unique_items;
        }
        SchemaKind::OneOf { one_of } => v.one_of = one_of,
        SchemaKind::AllOf { all_of } => {
            v.all_of = all_of;
            v.constraints.object_only = all_of.iter().any(|m| {
                matches!(m, ReferenceOr::Item(s)
                    if annotation_only(s) && view(&s.schema_kind).typ == Some("object"))
            });
        }
        SchemaKind::AnyOf { any_of } => v.any_of = any_of,
        SchemaKind::Not { .. } => {}
        SchemaKind::Any(a) => {
            v.typ = a.typ.as_deref();
            v.format = a.format.clone();
            v.constraints = Constraints {
                min_length: a.min_length.map(|n| n as u64),
                max_length: a.max_length.map(|n| n as u64),
                pattern: a.pattern.clone(),
                minimum: a.minimum.map(|m| (m, a.exclusive_minimum.unwrap_or(false))),
                maximum: a.maximum.map(|m| (m, a.exclusive_maximum.unwrap_or(false))),
                min_items: a.min_items.map(|n| n as u64),
                max_items: a.max_items.map(|n| n as u64),
                format: None,
                unique_items: a.unique_items.unwrap_or(false),
                object_only: false,
                no_value: false,
                items: None,
            };
            if !a.properties.is_empty() {
                v.properties = Some(&a.properties);
            }
            v.required = &a.required;
            v.additional = a.additional_properties.as_ref();
            v.items = a.items.as_ref();
            v.enumeration = a.enumeration.clone();
            v.one_of = &a.one_of;
            v.all_of = &a.all_of;
            v.any_of = &a.any_of;
        }
    }
    v.constraints.format = v.format.clone();
    // The items of an array, or the values of a map (an object with only
    // `additionalProperties`, which lowers to one).
    let inner = match (v.items, v.additional) {
        (Some(ReferenceOr::Item(items)), _) => Some(&items.schema_kind),
        (None, Some(AdditionalProperties::Schema(s)))
            if v.properties.is_none_or(|p| p.is_empty()) =>
        {
            match s.as_ref() {
                ReferenceOr::Item(values) => Some(&values.schema_kind),
                ReferenceOr::Reference { .. } => None,
            }
        }
        _ => None,
    };
    if let Some(inner) = inner {
        let c = view(inner).constraints;
        if !c.is_empty() || c.format.is_some() || c.items.is_some() {
            v.constraints.items = Some(Box::new(c));
        }
    }
    v
}

/// A property to lower: its schema, its pointer, and the hint path of the schema declaring it.
type PropertySource = (ReferenceOr<Box<Schema>>, String, Vec<String>);

/// Properties gathered from a schema and everything it `allOf`-includes.
#[derive(Default)]
struct ObjectParts {
    /// Property name -> each declaration of it (schema, pointer, hint path of the schema that
    /// declares it), in order: `allOf` members may declare a property again.
    properties: IndexMap<String, Vec<PropertySource>>,
    required: Vec<String>,
    additional: Option<(AdditionalProperties, String, Vec<String>)>,
    /// The schemas that say `additionalProperties: false` (pointer), each with the properties
    /// it declares itself.
    closed_by: Vec<(String, Vec<String>)>,
    /// Members that are not objects, kept to report.
    unmergeable: Vec<String>,
}

impl Lowerer<'_> {
    /// The type of a schema or `$ref` standing at `ptr`; `hint` names inline types.
    pub(super) fn lower_schema_ref<T: Borrow<Schema>>(
        &mut self,
        schema: &ReferenceOr<T>,
        hint: &[String],
        ptr: &str,
    ) -> TypeExpr {
        match schema {
            ReferenceOr::Reference { reference } => self.ref_expr(reference, ptr),
            ReferenceOr::Item(s) => self.lower_schema(s.borrow(), hint, ptr, None),
        }
    }

    /// The type a `$ref` stands for; reports refs that lead nowhere.
    pub(super) fn ref_expr(&mut self, reference: &str, ptr: &str) -> TypeExpr {
        if !reference.starts_with('#') {
            self.problem(
                ptr,
                format!("external $ref `{reference}` is not supported; bundle the spec into one file first"),
            );
            return TypeExpr::Json;
        }
        if self.resolve_raw(reference).is_none() {
            self.problem(
                ptr,
                format!("$ref `{reference}` points to nothing in this document"),
            );
            return TypeExpr::Json;
        }
        TypeExpr::Named(self.slot_for_ref(reference))
    }

    /// Lowers the schema a `$ref` points to into its slot.
    pub(super) fn lower_ref_target(&mut self, reference: &str, id: TypeId) {
        let Some(raw) = self.resolve_raw(reference) else {
            // Reported where the reference stands.
            return;
        };
        // A target that is itself only a `$ref` is an alias of what that points to.
        if let Some(next) = super::alias_of(raw) {
            let expr = self.ref_expr(next, &push_pointer(reference, "$ref"));
            self.types[id.0].kind = TypeKind::Alias(expr);
            return;
        }
        let schema = match self.resolve::<Schema>(reference) {
            Some(Ok(schema)) => schema,
            // Only a schema read from the middle of the document can fail: the typed document
            // holds the components. Path tracking is slow: it runs only to locate the error.
            Some(Err(e)) => {
                let mut ptr = reference.to_string();
                if let Err(e) = serde_path_to_error::deserialize::<_, Schema>(raw) {
                    for seg in e.path().iter() {
                        if let serde_path_to_error::Segment::Map { key } = seg {
                            ptr = push_pointer(&ptr, key);
                        }
                    }
                }
                self.problem(&ptr, format!("not a valid schema: {e}"));
                return;
            }
            None => return,
        };
        let root = match &self.hints[id.0] {
            NameHint::Component(name) => vec![name.clone()],
            NameHint::Inline { path, .. } => path.clone(),
        };
        let expr = self.lower_schema(&schema, &root, reference, Some(id));
        if expr != TypeExpr::Named(id) {
            self.types[id.0].kind = TypeKind::Alias(expr);
            self.types[id.0].constraints = constraints_of(&schema);
            self.types[id.0].docs = docs_of(&schema);
            self.types[id.0].deprecated = schema.schema_data.deprecated;
        }
    }

    /// Lowers one schema. A schema that becomes a named type fills `slot` if given, or else a
    /// new type named from `hint` (or its `title`).
    pub(super) fn lower_schema(
        &mut self,
        schema: &Schema,
        hint: &[String],
        ptr: &str,
        slot: Option<TypeId>,
    ) -> TypeExpr {
        if slot.is_none() {
            if let Some(done) = self.inline.get(ptr) {
                return done.clone();
            }
        }
        let v = view(&schema.schema_kind);
        if let Some(e) = v.constraints.pattern.as_deref().and_then(pattern_error) {
            self.warn(&push_pointer(ptr, "pattern"), e);
        }
        let expr = self.lower_view(schema, &v, hint, ptr, slot);
        if slot.is_none() {
            self.inline.insert(ptr.to_string(), expr.clone());
        }
        expr
    }

    fn lower_view(
        &mut self,
        schema: &Schema,
        v: &View<'_>,
        hint: &[String],
        ptr: &str,
        slot: Option<TypeId>,
    ) -> TypeExpr {
        if !v.all_of.is_empty() {
            let members: Vec<(ReferenceOr<Schema>, String)> = v
                .all_of
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let member_ptr = push_pointer(&push_pointer(ptr, "allOf"), &i.to_string());
                    (m.clone(), member_ptr)
                })
                .collect();
            return self.lower_all_of(schema, v, &members, hint, ptr, slot);
        }
        let (alternatives, keyword) = if !v.one_of.is_empty() {
            (v.one_of, "oneOf")
        } else {
            (v.any_of, "anyOf")
        };
        if !alternatives.is_empty() {
            if v.properties.is_some_and(|p| !p.is_empty()) {
                self.warn(ptr, format!("properties beside `{keyword}` are ignored; the alternatives define the type"));
            }
            return self.lower_union(schema, alternatives, keyword, hint, ptr, slot);
        }
        let is_string_enum = !v.enumeration.is_empty()
            && matches!(v.typ, None | Some("string"))
            && v.enumeration.iter().all(|e| e.is_string() || e.is_null());
        if is_string_enum {
            return self.lower_enum(schema, v, hint, ptr, slot);
        }
        let has_properties = v.properties.is_some_and(|p| !p.is_empty());
        match v.typ {
            Some("string") => TypeExpr::String,
            Some("integer") => integer_type(v.format.as_deref()),
            Some("number") => match v.format.as_deref() {
                // A real-world quirk: `type: number` with an integer format means an integer.
                Some("int32") | Some("int64") => integer_type(v.format.as_deref()),
                _ => TypeExpr::F64,
            },
            Some("boolean") => TypeExpr::Bool,
            Some("array") => self.lower_array(v, hint, ptr),
            Some("object") => self.lower_object(schema, v, hint, ptr, slot),
            None if has_properties || v.additional.is_some() => {
                self.lower_object(schema, v, hint, ptr, slot)
            }
            None if v.items.is_some() => self.lower_array(v, hint, ptr),
            None => TypeExpr::Json,
            Some(other) => {
                self.warn(
                    ptr,
                    format!("unknown type `{other}`; using serde_json::Value"),
                );
                TypeExpr::Json
            }
        }
    }

    fn lower_array(&mut self, v: &View<'_>, hint: &[String], ptr: &str) -> TypeExpr {
        let item = match v.items {
            Some(items) => {
                let hint = extend(hint, "Item");
                self.lower_schema_ref(items, &hint, &push_pointer(ptr, "items"))
            }
            None => TypeExpr::Json,
        };
        TypeExpr::Array(Box::new(item))
    }

    /// The value type of `additionalProperties`, or `None` when extra keys are not modelled.
    fn additional_type(
        &mut self,
        additional: &AdditionalProperties,
        hint: &[String],
        ptr: &str,
    ) -> Option<TypeExpr> {
        match additional {
            AdditionalProperties::Any(true) => Some(TypeExpr::Json),
            AdditionalProperties::Any(false) => None,
            AdditionalProperties::Schema(s) => {
                let hint = extend(hint, "Value");
                Some(self.lower_schema_ref(
                    s.as_ref(),
                    &hint,
                    &push_pointer(ptr, "additionalProperties"),
                ))
            }
        }
    }

    fn lower_object(
        &mut self,
        schema: &Schema,
        v: &View<'_>,
        hint: &[String],
        ptr: &str,
        slot: Option<TypeId>,
    ) -> TypeExpr {
        let mut parts = ObjectParts::default();
        self.collect_own(v, hint, ptr, &mut parts);
        self.object_from_parts(schema, parts, hint, ptr, slot)
    }

    /// Adds the properties a schema declares itself to `parts`.
    fn collect_own(&mut self, v: &View<'_>, hint: &[String], ptr: &str, parts: &mut ObjectParts) {
        if let Some(props) = v.properties {
            let props_ptr = push_pointer(ptr, "properties");
            for (name, prop) in props {
                let prop_ptr = push_pointer(&props_ptr, name);
                // A later declaration (a subtype in `allOf`) adds to an earlier one: the value
                // must fit both (see `property_type`).
                let sources = parts.properties.entry(name.clone()).or_default();
                if !sources.iter().any(|(earlier, ..)| earlier == prop) {
                    sources.push((prop.clone(), prop_ptr, hint.to_vec()));
                }
            }
        }
        for r in v.required {
            if !parts.required.contains(r) {
                parts.required.push(r.clone());
            }
        }
        if let Some(a) = v.additional {
            if *a == AdditionalProperties::Any(false) {
                let own = v.properties.map(|p| p.keys().cloned().collect());
                parts
                    .closed_by
                    .push((ptr.to_string(), own.unwrap_or_default()));
            }
            parts.additional = Some((a.clone(), ptr.to_string(), hint.to_vec()));
        }
    }

    /// Adds everything `schema` contributes to an `allOf` merge, following `$ref`s.
    fn collect_all_of_member(
        &mut self,
        member: &ReferenceOr<Schema>,
        hint: &[String],
        ptr: &str,
        parts: &mut ObjectParts,
        depth: usize,
    ) {
        if depth > 32 {
            self.problem(
                ptr,
                "`allOf` nests more than 32 levels deep (a $ref cycle?)",
            );
            return;
        }
        let (schema, hint, ptr) = match member {
            ReferenceOr::Item(s) => (s.clone(), hint.to_vec(), ptr.to_string()),
            ReferenceOr::Reference { reference } => {
                let s = match self.resolve::<Schema>(reference) {
                    Some(Ok(s)) => s.into_owned(),
                    Some(Err(_)) => {
                        parts.unmergeable.push(reference.clone());
                        return;
                    }
                    None => {
                        self.ref_expr(reference, ptr);
                        return;
                    }
                };
                let name = reference.rsplit('/').next().unwrap_or("").to_string();
                (
                    s,
                    vec![crate::error::unescape_token(&name)],
                    reference.clone(),
                )
            }
        };
        let v = view(&schema.schema_kind);
        for (i, inner) in v.all_of.iter().enumerate() {
            let inner_ptr = push_pointer(&push_pointer(&ptr, "allOf"), &i.to_string());
            self.collect_all_of_member(inner, &hint, &inner_ptr, parts, depth + 1);
        }
        if !objectish(&v) {
            parts.unmergeable.push(ptr.clone());
            return;
        }
        self.collect_own(&v, &hint, &ptr, parts);
    }

    /// The type of `schema`, whose view `v` has `allOf` `members` (each with its pointer).
    fn lower_all_of(
        &mut self,
        schema: &Schema,
        v: &View<'_>,
        members: &[(ReferenceOr<Schema>, String)],
        hint: &[String],
        ptr: &str,
        slot: Option<TypeId>,
    ) -> TypeExpr {
        // `allOf: [$ref]` (often with a description beside it, or with a member that only
        // annotates, like `{type: object, description: ...}`) is the referenced type itself.
        let own_properties = v.properties.is_some_and(|p| !p.is_empty());
        let structural: Vec<&(ReferenceOr<Schema>, String)> = members
            .iter()
            .filter(|(m, _)| !matches!(m, ReferenceOr::Item(s) if annotation_only(s)))
            .collect();
        if let [(ReferenceOr::Reference { reference }, member_ptr)] = structural[..] {
            if !own_properties && v.additional.is_none() {
                return self.ref_expr(reference, member_ptr);
            }
        }
        // Members that only annotate, none saying `type: object`, and nothing object-like beside
        // them (`allOf: [{}]`): no constraint on the value at all, so any value, `null` too.
        let says_object = |m: &ReferenceOr<Schema>| match m {
            ReferenceOr::Item(s) => view(&s.schema_kind).typ == Some("object"),
            ReferenceOr::Reference { .. } => true,
        };
        if structural.is_empty()
            && !own_properties
            && v.additional.is_none()
            && !members.iter().any(|(m, _)| says_object(m))
        {
            // Beside a type of its own (`{type: string, allOf: [{}]}`) the members add nothing
            // either: the schema is what it says without them.
            match v.typ {
                None => return TypeExpr::Json,
                Some("object") => {}
                Some(_) => {
                    let mut own = view(&schema.schema_kind);
                    own.all_of = &[];
                    return self.lower_view(schema, &own, hint, ptr, slot);
                }
            }
        }
        let mut parts = ObjectParts::default();
        for (member, member_ptr) in members {
            self.collect_all_of_member(member, hint, member_ptr, &mut parts, 0);
        }
        self.collect_own(v, hint, ptr, &mut parts);
        if !parts.unmergeable.is_empty() {
            let list = parts.unmergeable.join(", ");
            self.warn(ptr, format!("`allOf` members that are not objects ({list}) cannot be merged; using serde_json::Value"));
            return TypeExpr::Json;
        }
        // JSON Schema checks each member alone: `additionalProperties: false` in one refuses
        // what the others declare, so a strict validator takes no object that has those.
        for (closed, own) in &parts.closed_by {
            let refused: Vec<&str> = parts
                .properties
                .keys()
                .filter(|name| !own.contains(name))
                .map(String::as_str)
                .collect();
            if !refused.is_empty() && self.closed_warned.insert(closed.clone()) {
                let more = match refused.len() {
                    n if n > 4 => format!(" and {} more", n - 4),
                    _ => String::new(),
                };
                let refused = refused[..refused.len().min(4)].join("`, `");
                self.warn(
                    ptr,
                    format!("`additionalProperties: false` at {closed} refuses `{refused}`{more}, which it does not declare itself: JSON Schema checks each `allOf` member alone, so strict validators take no object with those members; the generated code merges the members, as the spec evidently means"),
                );
            }
        }
        self.object_from_parts(schema, parts, hint, ptr, slot)
    }

    fn object_from_parts(
        &mut self,
        schema: &Schema,
        parts: ObjectParts,
        hint: &[String],
        ptr: &str,
        slot: Option<TypeId>,
    ) -> TypeExpr {
        let additional = match &parts.additional {
            Some((a, a_ptr, a_hint)) => self.additional_type(a, a_hint, a_ptr),
            None => None,
        };
        if parts.properties.is_empty() {
            return match additional {
                Some(TypeExpr::Json) | None if parts.additional.is_none() => TypeExpr::JsonObject,
                Some(TypeExpr::Json) => TypeExpr::JsonObject,
                Some(value) => TypeExpr::Map(Box::new(value)),
                // `additionalProperties: false` and no properties: an empty object.
                None => self.named(
                    schema,
                    hint,
                    ptr,
                    slot,
                    TypeKind::Struct(ir::Struct {
                        fields: Vec::new(),
                        additional: None,
                        closed: true,
                    }),
                ),
            };
        }
        let id = self.claim(schema, hint, ptr, slot);
        let mut scope = naming::Scope::new();
        // Fields whose JSON name is already snake_case claim their name first, so `access_token`
        // keeps it and a colliding `accessToken` becomes `access_token_2`.
        let snake: Vec<String> = parts
            .properties
            .keys()
            .map(|name| naming::snake_name(name, "field"))
            .collect();
        let mut order: Vec<usize> = (0..parts.properties.len()).collect();
        order.sort_by_key(|&i| {
            parts.properties.get_index(i).map(|(name, _)| name) != Some(&snake[i])
        });
        let mut idents = vec![String::new(); parts.properties.len()];
        for i in order {
            idents[i] = scope.claim(&snake[i]);
        }
        // A member `required` names that no property declares (`required: [email]` beside a
        // property `emails`): JSON Schema requires it, with any value. It gets a field of any
        // JSON value, so that a server can send it and a client can read it.
        let mut undeclared: Vec<(String, String)> = Vec::new();
        for r in &parts.required {
            if !parts.properties.contains_key(r) && !undeclared.iter().any(|(name, _)| name == r) {
                self.warn(
                    ptr,
                    format!("`required` names `{r}`, which is not a property; the model has a field of any JSON value for it"),
                );
                undeclared.push((r.clone(), scope.claim(&naming::snake_name(r, "field"))));
            }
        }
        if additional.is_some() {
            scope.claim("additional_properties");
        }
        let mut fields = Vec::with_capacity(parts.properties.len() + undeclared.len());
        for ((name, sources), ident) in parts.properties.iter().zip(idents) {
            // The last declaration names the field's type and gives its facts (docs, flags).
            let Some((prop, _, prop_hint)) = sources.last() else {
                continue;
            };
            let field_hint = extend(prop_hint, name);
            let ty = self.property_type(sources, &field_hint);
            let PropertyFacts {
                read_only,
                write_only,
                mut nullable,
                deprecated,
                default,
                mut constraints,
                docs,
            } = self.property_facts(prop);
            // Declared more than once: a value must fit each declaration. Those that name a JSON
            // type (if only to annotate) narrow it to theirs; two different ones leave none; `null`
            // only if each takes it.
            if sources.len() > 1 {
                nullable = sources
                    .iter()
                    .all(|(s, ..)| self.property_facts(s).nullable);
                let mut kinds: Vec<&str> = sources
                    .iter()
                    .filter_map(|(s, ..)| self.json_type(s, 0))
                    .collect();
                kinds.dedup();
                constraints.object_only |= kinds == ["object"];
                constraints.no_value = kinds.iter().any(|k| *k != kinds[0]);
                if constraints.no_value {
                    let pointers: Vec<&str> = sources.iter().map(|(_, p, _)| p.as_str()).collect();
                    self.warn(
                        ptr,
                        format!(
                            "property `{name}` is declared as {} ({}); no value fits them all: the model keeps one of them, the mock leaves the member out",
                            kinds.join(" and "),
                            pointers.join(", ")
                        ),
                    );
                }
            }
            let secret = ty == TypeExpr::String && naming::is_secret_name(name);
            fields.push(ir::Field {
                json_name: name.clone(),
                ident,
                // OpenAPI: a required readOnly (writeOnly) property is required in responses
                // (requests) only, so one model serving both directions makes it optional.
                required: parts.required.contains(name) && !read_only && !write_only,
                nullable,
                docs,
                deprecated,
                read_only,
                write_only,
                default,
                constraints,
                secret,
                boxed: false,
                ty,
            });
        }
        for (name, ident) in undeclared {
            let description = format!(
                "`required` in the spec, which declares no property `{name}`: any JSON value."
            );
            fields.push(ir::Field {
                json_name: name,
                ident,
                ty: TypeExpr::Json,
                required: true,
                nullable: false,
                docs: ir::Docs {
                    title: None,
                    description: Some(description),
                },
                deprecated: false,
                read_only: false,
                write_only: false,
                default: None,
                constraints: Constraints::default(),
                secret: false,
                boxed: false,
            });
        }
        // Under `allOf`, a member's `false` refuses the other members' properties too (JSON
        // Schema reads each member alone); the server refuses only what no member declares.
        let closed = matches!(
            parts.additional,
            Some((AdditionalProperties::Any(false), ..))
        );
        self.types[id.0].kind = TypeKind::Struct(ir::Struct {
            fields,
            additional,
            closed,
        });
        TypeExpr::Named(id)
    }

    /// The type of a property from its declarations (`allOf` members may each declare it, and
    /// a value must fit every one): one as it is; those that only annotate add nothing to the
    /// type; several objects merge as their `allOf` would; otherwise the last, which refines the
    /// others (a subtype narrowing a string to an enum).
    fn property_type(&mut self, sources: &[PropertySource], hint: &[String]) -> TypeExpr {
        let structural: Vec<&PropertySource> = sources
            .iter()
            .filter(|(s, ..)| !matches!(s, ReferenceOr::Item(s) if annotation_only(s)))
            .collect();
        let objects = structural.len() > 1 && structural.iter().all(|(s, ..)| self.objectish(s));
        let Some((last, last_ptr, _)) = structural.last().copied().or(sources.last()) else {
            return TypeExpr::Json;
        };
        if !objects {
            return self.lower_schema_ref(last, hint, last_ptr);
        }
        let members: Vec<(ReferenceOr<Schema>, String)> = structural
            .iter()
            .map(|(s, ptr, _)| {
                let member = match s {
                    ReferenceOr::Item(s) => ReferenceOr::Item((**s).clone()),
                    ReferenceOr::Reference { reference } => ReferenceOr::Reference {
                        reference: reference.clone(),
                    },
                };
                (member, ptr.clone())
            })
            .collect();
        // The merged type keeps the docs of the last declaration written in place.
        let schema_data = structural
            .iter()
            .rev()
            .find_map(|(s, ..)| match s {
                ReferenceOr::Item(s) => Some(s.schema_data.clone()),
                ReferenceOr::Reference { .. } => None,
            })
            .unwrap_or_default();
        let merged = Schema {
            schema_data,
            schema_kind: SchemaKind::AllOf { all_of: Vec::new() },
        };
        let v = view(&merged.schema_kind);
        self.lower_all_of(&merged, &v, &members, hint, last_ptr, None)
    }

    /// The JSON type a schema (through its `$ref`s and `allOf` members) admits, when it names
    /// one (`integer` is a `number`).
    fn json_type<T: Borrow<Schema>>(
        &self,
        schema: &ReferenceOr<T>,
        depth: usize,
    ) -> Option<&'static str> {
        if depth > 16 {
            return None;
        }
        let schema = self.schema_behind(schema)?;
        let v = view(&schema.schema_kind);
        match v.typ {
            Some("object") => Some("object"),
            Some("array") => Some("array"),
            Some("string") => Some("string"),
            Some("number" | "integer") => Some("number"),
            Some("boolean") => Some("boolean"),
            _ if v.properties.is_some_and(|p| !p.is_empty()) || v.additional.is_some() => {
                Some("object")
            }
            _ => v.all_of.iter().find_map(|m| self.json_type(m, depth + 1)),
        }
    }

    /// Whether a property's schema (through its `$ref`) describes an object.
    fn objectish(&self, schema: &ReferenceOr<Box<Schema>>) -> bool {
        self.schema_behind(schema)
            .is_some_and(|s| objectish(&view(&s.schema_kind)))
    }

    /// What a property takes from its schema, or from the schema its `$ref` points to (typed
    /// once per target, however many properties point there; a target's docs live on its type,
    /// not on each property using it). Defaults if the target does not type.
    fn property_facts(&mut self, prop: &ReferenceOr<Box<Schema>>) -> PropertyFacts {
        let reference = match prop {
            ReferenceOr::Item(s) => return PropertyFacts::of(s, docs_of(s)),
            ReferenceOr::Reference { reference } => reference,
        };
        match self.resolve::<Schema>(reference) {
            // The target's constraints are its named type's, checked wherever it is used.
            Some(Ok(s)) => PropertyFacts {
                constraints: Constraints::default(),
                ..PropertyFacts::of(&s, ir::Docs::default())
            },
            _ => PropertyFacts::default(),
        }
    }

    fn lower_enum(
        &mut self,
        schema: &Schema,
        v: &View<'_>,
        hint: &[String],
        ptr: &str,
        slot: Option<TypeId>,
    ) -> TypeExpr {
        let mut scope = naming::Scope::with_reserved(&["Other"]);
        let mut variants: Vec<ir::EnumVariant> = Vec::new();
        for value in v.enumeration.iter().filter_map(Value::as_str) {
            if variants.iter().any(|x| x.value == value) {
                continue;
            }
            variants.push(ir::EnumVariant {
                value: value.to_string(),
                ident: scope.claim(&naming::type_name(value, "Empty")),
            });
        }
        let default = schema
            .schema_data
            .default
            .as_ref()
            .and_then(Value::as_str)
            .filter(|d| variants.iter().any(|x| x.value == *d))
            .map(str::to_string);
        self.named(
            schema,
            hint,
            ptr,
            slot,
            TypeKind::Enum(ir::StringEnum {
                variants,
                default,
                lists_null: v.enumeration.iter().any(Value::is_null),
            }),
        )
    }

    fn lower_union(
        &mut self,
        schema: &Schema,
        alternatives: &[ReferenceOr<Schema>],
        keyword: &str,
        hint: &[String],
        ptr: &str,
        slot: Option<TypeId>,
    ) -> TypeExpr {
        if alternatives.len() == 1 {
            let alt_ptr = push_pointer(&push_pointer(ptr, keyword), "0");
            return self.lower_schema_ref(&alternatives[0], hint, &alt_ptr);
        }
        let id = self.claim(schema, hint, ptr, slot);
        let discriminator = schema.schema_data.discriminator.as_ref();
        let mut variants = Vec::new();
        for (i, alt) in alternatives.iter().enumerate() {
            let alt_ptr = push_pointer(&push_pointer(ptr, keyword), &i.to_string());
            let alt_hint = extend(hint, &format!("Variant{i}"));
            let ty = self.lower_schema_ref(alt, &alt_hint, &alt_ptr);
            let mut tags = Vec::new();
            if let (Some(d), ReferenceOr::Reference { reference }) = (discriminator, alt) {
                let mapped: Vec<String> = d
                    .mapping
                    .iter()
                    .filter(|(_, target)| {
                        *target == reference || reference.ends_with(&format!("/{target}"))
                    })
                    .map(|(tag, _)| tag.clone())
                    .collect();
                if mapped.is_empty() {
                    let name = reference.rsplit('/').next().unwrap_or("");
                    tags.push(crate::error::unescape_token(name));
                } else {
                    tags = mapped;
                }
            }
            variants.push(ir::UnionVariant {
                ident: String::new(),
                ty,
                tags,
                boxed: false,
            });
        }
        let discriminator = match discriminator {
            Some(d) if variants.iter().all(|v| !v.tags.is_empty()) => Some(d.property_name.clone()),
            Some(_) => {
                self.warn(ptr, "discriminator on inline alternatives cannot be mapped; matching by shape instead");
                None
            }
            None => None,
        };
        self.types[id.0].kind = TypeKind::Union(ir::Union {
            variants,
            discriminator,
        });
        TypeExpr::Named(id)
    }

    /// The slot for a named type: the given one, or a new one named from the hint or title.
    fn claim(
        &mut self,
        schema: &Schema,
        hint: &[String],
        ptr: &str,
        slot: Option<TypeId>,
    ) -> TypeId {
        let id = slot.unwrap_or_else(|| {
            let title = schema
                .schema_data
                .title
                .clone()
                .filter(|t| !t.trim().is_empty());
            self.new_type(
                NameHint::Inline {
                    path: hint.to_vec(),
                    title,
                },
                ptr,
            )
        });
        let def = &mut self.types[id.0];
        def.docs = docs_of(schema);
        def.deprecated = schema.schema_data.deprecated;
        // A memo entry before the fields are lowered lets a self-referencing inline schema
        // (through a `$ref` to its own pointer) resolve to this type.
        if slot.is_none() {
            self.inline.insert(ptr.to_string(), TypeExpr::Named(id));
        }
        id
    }

    fn named(
        &mut self,
        schema: &Schema,
        hint: &[String],
        ptr: &str,
        slot: Option<TypeId>,
        kind: TypeKind,
    ) -> TypeExpr {
        let id = self.claim(schema, hint, ptr, slot);
        self.types[id.0].kind = kind;
        TypeExpr::Named(id)
    }
}

/// Whether a schema describes an object an `allOf` can merge: object-like, no alternatives.
fn objectish(v: &View<'_>) -> bool {
    let object_like = v.properties.is_some()
        || v.additional.is_some()
        || matches!(v.typ, Some("object"))
        || (v.typ.is_none()
            && v.one_of.is_empty()
            && v.any_of.is_empty()
            && v.items.is_none()
            && v.enumeration.is_empty());
    object_like && v.one_of.is_empty() && v.any_of.is_empty()
}

/// A schema with `properties` or `additionalProperties` but no `type` and no composition: it
/// lowers to an object, but constrains only objects, so `null` is one of its values.
fn untyped_object(kind: &SchemaKind) -> bool {
    let v = view(kind);
    v.typ.is_none()
        && (v.properties.is_some_and(|p| !p.is_empty()) || v.additional.is_some())
        && v.enumeration.is_empty()
        && v.one_of.is_empty()
        && v.any_of.is_empty()
        && v.all_of.is_empty()
}

/// A schema that only documents (description, title, `type: object`) and adds no structure.
fn annotation_only(schema: &Schema) -> bool {
    let v = view(&schema.schema_kind);
    matches!(v.typ, None | Some("object"))
        && v.properties.is_none_or(|p| p.is_empty())
        && v.additional.is_none()
        && v.items.is_none()
        && v.enumeration.is_empty()
        && v.one_of.is_empty()
        && v.any_of.is_empty()
        && v.all_of.is_empty()
}

/// Why `pattern` is not an ECMA-262 regular expression, if it is not. It is compiled as the
/// runtime compiles it (`new RegExp(pattern, "u")`, `oasgen_runtime::server::Pattern`), where
/// such a pattern fails every value: the warning is the spec author's one chance to hear it.
fn pattern_error(pattern: &str) -> Option<String> {
    let e = compile_pattern(pattern).err()?;
    Some(format!(
        "`pattern` {pattern:?} does not compile as ECMA-262 with flag u ({e}); the generated server rejects every value"
    ))
}

/// `pattern` compiled as the runtime compiles it: ECMA-262 with flag `u`.
pub(super) fn compile_pattern(pattern: &str) -> Result<regress::Regex, regress::Error> {
    regress::Regex::with_flags(pattern, "u")
}

fn integer_type(format: Option<&str>) -> TypeExpr {
    match format {
        Some("int32") | Some("int16") | Some("int8") => TypeExpr::I32,
        _ => TypeExpr::I64,
    }
}

/// `hint` + one more word.
pub(super) fn extend(hint: &[String], word: &str) -> Vec<String> {
    let mut out = hint.to_vec();
    out.push(word.to_string());
    out
}

/// What a property takes from the schema it stands for ([`Lowerer::property_facts`]).
#[derive(Debug, Clone, Default)]
pub(super) struct PropertyFacts {
    read_only: bool,
    write_only: bool,
    nullable: bool,
    deprecated: bool,
    default: Option<Value>,
    constraints: Constraints,
    docs: ir::Docs,
}

impl PropertyFacts {
    fn of(schema: &Schema, docs: ir::Docs) -> Self {
        let data = &schema.schema_data;
        PropertyFacts {
            read_only: data.read_only,
            write_only: data.write_only,
            // OpenAPI 3.0 refuses `null` only where a `type` is written: a schema that
            // describes an object's members without saying `type: object` takes it.
            nullable: data.nullable || untyped_object(&schema.schema_kind),
            deprecated: data.deprecated,
            default: data.default.clone(),
            constraints: view(&schema.schema_kind).constraints,
            docs,
        }
    }
}

/// The docs of a schema.
pub(super) fn docs_of(schema: &Schema) -> ir::Docs {
    ir::Docs {
        title: schema
            .schema_data
            .title
            .clone()
            .filter(|t| !t.trim().is_empty()),
        description: schema
            .schema_data
            .description
            .clone()
            .filter(|t| !t.trim().is_empty()),
    }
}

/// The validation constraints of a schema.
pub(super) fn constraints_of(schema: &Schema) -> Constraints {
    view(&schema.schema_kind).constraints
}
