//! Sample bodies and headers: for every response with a JSON body, and every header a response
//! declares, a value of its type that the generated mock answers with. It is the documented
//! example when that conforms to the type (many real examples do not: a required field
//! missing, a string where the schema says object, a map of named examples under a singular
//! `example`), and otherwise a value built from the type:
//! its required fields, first enum values, formats, bounds, array sizes and, where one of a
//! few candidates meets it, its pattern. A type no value can be built for gets a warning.
//!
//! A pass over the finished IR: the types are final, so what conforms here is what the
//! generated models read.

use crate::ir::{self, Api, Constraints, ErrorShape, Field, RefusalPart, TypeExpr, TypeKind};
use crate::load::SourceMap;
use serde_json::{json, Map, Value};

/// How deep a built value may nest: deeper, optional fields are left out, and a required one
/// makes the type one no value is built for.
const MAX_DEPTH: usize = 8;

/// Fills `sample` of every response body with a JSON type and of every response header; warns
/// where none can be built, with the place `source` finds.
pub(super) fn fill(api: &mut Api, source: &SourceMap<'_>) {
    let mut warnings = Vec::new();
    let mut bodies = Vec::new();
    let mut headers = Vec::new();
    for (o, op) in api.operations.iter().enumerate() {
        for (r, response) in op.responses.iter().enumerate() {
            for (h, header) in response.headers.iter().enumerate() {
                match sample(api, &header.ty, &header.constraints, &header.example) {
                    Some(sample) => headers.push((o, r, h, sample)),
                    None if header.required => warnings.push(format!(
                        "{}: no value of the type of header `{}` of response `{}` can be built \
                         (its constraints cannot all be met); the mock does not answer with \
                         this response",
                        source.locate(&op.pointer),
                        header.name,
                        response.ident
                    )),
                    None => {}
                }
            }
            let Some(body) = &response.body else {
                continue;
            };
            if let Some(data) = &body.events {
                match events(api, data, &body.example) {
                    Some(events) => bodies.push((o, r, events)),
                    None => warnings.push(format!(
                        "{}: no value of the type of the `{}` response's events can be built \
                         (its constraints cannot all be met); the mock sends no events",
                        source.locate(&op.pointer),
                        response.ident
                    )),
                }
                continue;
            }
            if !matches!(body.encoding, ir::BodyEncoding::Json) {
                continue;
            }
            let none = Constraints::default();
            match sample(api, &body.ty, &none, &body.example) {
                Some(sample) => bodies.push((o, r, sample)),
                None => warnings.push(format!(
                    "{}: no value of the `{}` response body's type can be built (its constraints \
                     cannot all be met); the mock answers this operation with `500`",
                    source.locate(&op.pointer),
                    response.ident
                )),
            }
        }
    }
    for (o, r, sample) in bodies {
        if let Some(body) = &mut api.operations[o].responses[r].body {
            body.sample = Some(sample);
        }
    }
    for (o, r, h, sample) in headers {
        api.operations[o].responses[r].headers[h].sample = Some(sample);
    }
    api.warnings.extend(warnings);
    let shapes: Vec<_> = api
        .operations
        .iter()
        .map(|op| {
            let bad_request = refusal_shape(api, op, &BAD_REQUEST);
            let not_found = refusal_shape(api, op, &NOT_FOUND);
            (bad_request, not_found)
        })
        .collect();
    for (op, (bad_request, not_found)) in api.operations.iter_mut().zip(shapes) {
        op.bad_request = bad_request;
        op.not_found = not_found;
    }
}

/// A refusal the router sends itself, as the runtime's `server::Rejection` writes it
/// (`tests/tests/refusals.rs` checks the two agree), and the documented responses that take
/// its place, most fitting first.
struct Refusal {
    status: u16,
    reason: &'static str,
    kind: &'static str,
    message: &'static str,
    /// Whether it lists what was wrong (`details`).
    details: bool,
    documented: &'static [ir::StatusSpec],
}

/// A bad request: a `400`, else a `422` (which the router then sends), else a `4XX`, else the
/// `default` response.
const BAD_REQUEST: Refusal = Refusal {
    status: 400,
    reason: "Bad Request",
    kind: "validation_failure",
    message: "The request does not match the API specification.",
    details: true,
    documented: &[
        ir::StatusSpec::Code(400),
        ir::StatusSpec::Code(422),
        ir::StatusSpec::Range(4),
        ir::StatusSpec::Default,
    ],
};

/// No resource at the path: a `404`, else a `4XX`, else the `default` response.
const NOT_FOUND: Refusal = Refusal {
    status: 404,
    reason: "Not Found",
    kind: "not_found",
    message: "No operation matches the request path.",
    details: false,
    documented: &[
        ir::StatusSpec::Code(404),
        ir::StatusSpec::Range(4),
        ir::StatusSpec::Default,
    ],
};

/// What each [`RefusalPart`] looks like in `refusal`.
fn refusal_part(part: RefusalPart, refusal: &Refusal) -> Value {
    let detail =
        json!({"field": "body", "type": "missing_value", "message": "a required value is missing"});
    match part {
        RefusalPart::Code => json!(refusal.status),
        RefusalPart::Reason => json!(refusal.reason),
        RefusalPart::Kind => json!(refusal.kind),
        RefusalPart::Message => json!(refusal.message),
        RefusalPart::Details if refusal.details => json!([detail]),
        RefusalPart::DetailTexts if refusal.details => {
            json!(["body: a required value is missing"])
        }
        RefusalPart::Details | RefusalPart::DetailTexts => json!([]),
    }
}

/// The router's standard body for `refusal`.
fn standard_refusal(refusal: &Refusal) -> Value {
    json!({
        "status": refusal_part(RefusalPart::Code, refusal),
        "type": refusal_part(RefusalPart::Kind, refusal),
        "message": refusal_part(RefusalPart::Message, refusal),
        "details": refusal_part(RefusalPart::Details, refusal),
    })
}

/// The parts an error body's field may take, by the field's name, most fitting first.
fn parts_for(name: &str) -> &'static [RefusalPart] {
    use RefusalPart::*;
    let name: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    match name.as_str() {
        "status" | "statuscode" | "httpstatus" => &[Code, Reason],
        "code" | "errorcode" => &[Code, Kind],
        "type" | "kind" | "errortype" => &[Kind],
        "message" | "error" | "errormessage" | "detail" | "title" | "description" | "reason" => {
            &[Message]
        }
        "details" | "errors" | "errordetails" | "violations" => &[Details, DetailTexts],
        _ => &[],
    }
}

/// The body to answer `refusal` to `op` with, when the spec documents a JSON body for it (see
/// [`Refusal::documented`]) that the router's standard body does not fit: the documented
/// sample, with each field whose name and type take a part of the refusal (`status` as a
/// number or as its reason phrase, `message`, `details` as objects or texts) filled with it
/// per request.
fn refusal_shape(api: &Api, op: &ir::Operation, refusal: &Refusal) -> Option<ErrorShape> {
    let documented = refusal
        .documented
        .iter()
        .find_map(|s| op.responses.iter().find(|r| r.status == *s))?;
    let body = documented.body.as_ref()?;
    let none = Constraints::default();
    if !matches!(body.encoding, ir::BodyEncoding::Json)
        || conforms(api, &body.ty, &none, &standard_refusal(refusal), 0)
    {
        return None;
    }
    let mut template = body.sample.clone()?;
    let mut fields = Vec::new();
    if let (Some(s), Some(m)) = (struct_of(api, &body.ty), template.as_object_mut()) {
        for f in s.fields.iter().filter(|f| !f.write_only) {
            let fits = parts_for(&f.json_name).iter().find(|part| {
                conforms(
                    api,
                    &f.ty,
                    &f.constraints,
                    &refusal_part(**part, refusal),
                    1,
                )
            });
            if let Some(part) = fits {
                m.insert(f.json_name.clone(), refusal_part(*part, refusal));
                fields.push((f.json_name.clone(), *part));
            }
        }
    }
    if !conforms(api, &body.ty, &none, &template, 0) {
        // The fields fit one by one but not together (a union, say): the sample as it is.
        template = body.sample.clone()?;
        fields.clear();
    }
    Some(ErrorShape { template, fields })
}

/// The struct behind a type, through aliases.
fn struct_of<'a>(api: &'a Api, ty: &TypeExpr) -> Option<&'a ir::Struct> {
    match ty {
        TypeExpr::Named(id) => match &api.ty(*id).kind {
            TypeKind::Struct(s) => Some(s),
            TypeKind::Alias(e) | TypeKind::Newtype(e) => struct_of(api, e),
            _ => None,
        },
        _ => None,
    }
}

/// The data of the events the mock sends for an event stream whose data is of type `data`, as
/// an array: the example's, read as a list of events (an array, when the type is not one
/// itself), as event-stream text (a string with `data:` lines), or as one event; each item a
/// value of the type, else one built from it.
fn events(api: &Api, data: &TypeExpr, example: &Option<Value>) -> Option<Value> {
    let none = Constraints::default();
    let items: Vec<Option<Value>> = match example {
        Some(Value::Array(items)) if !matches!(data, TypeExpr::Array(_)) => {
            items.iter().cloned().map(Some).collect()
        }
        Some(Value::String(text)) if text.contains("data:") => {
            let events = oasgen_runtime::sse::parse(text).into_iter().map(|e| e.data);
            match data {
                TypeExpr::String => events.map(|d| Some(Value::String(d))).collect(),
                _ => events.map(|d| serde_json::from_str(&d).ok()).collect(),
            }
        }
        other => vec![other.clone()],
    };
    let items = if items.is_empty() { vec![None] } else { items };
    let built: Option<Vec<Value>> = items
        .iter()
        .map(|item| sample(api, data, &none, item))
        .collect();
    built.map(Value::Array)
}

/// The documented `example` if it is a value of `ty` (with `c`), else one built from `ty`.
fn sample(api: &Api, ty: &TypeExpr, c: &Constraints, example: &Option<Value>) -> Option<Value> {
    let example = example.clone().filter(|e| conforms(api, ty, c, e, 0));
    example.or_else(|| build(api, ty, c, 0))
}

/// Whether `v` is a value of `ty` (with `c`, the constraints of where it stands).
fn conforms(api: &Api, ty: &TypeExpr, c: &Constraints, v: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH * 4 || c.no_value || (c.object_only && !v.is_object()) {
        return false;
    }
    match ty {
        TypeExpr::Bool => v.is_boolean(),
        TypeExpr::I32 => v
            .as_i64()
            .is_some_and(|n| i32::try_from(n).is_ok() && in_bounds(c, n as f64)),
        TypeExpr::I64 => v.as_i64().is_some_and(|n| in_bounds(c, n as f64)),
        TypeExpr::F64 => v.as_f64().is_some_and(|n| in_bounds(c, n)),
        TypeExpr::String | TypeExpr::Bytes => v.as_str().is_some_and(|s| string_ok(c, s)),
        TypeExpr::Json => true,
        TypeExpr::JsonObject => v.is_object(),
        TypeExpr::Array(item) => v.as_array().is_some_and(|items| {
            let n = items.len() as u64;
            c.min_items.is_none_or(|min| n >= min)
                && c.max_items.is_none_or(|max| n <= max)
                && (!c.unique_items || oasgen_runtime::unique::all_distinct(items))
                && items.iter().all(|i| {
                    let c = c.items.as_deref().cloned().unwrap_or_default();
                    conforms(api, item, &c, i, depth + 1)
                })
        }),
        TypeExpr::Map(value) => v.as_object().is_some_and(|m| {
            let c = c.items.as_deref().cloned().unwrap_or_default();
            m.values().all(|i| conforms(api, value, &c, i, depth + 1))
        }),
        TypeExpr::Named(id) => match &api.ty(*id).kind {
            TypeKind::Struct(s) => v.as_object().is_some_and(|m| {
                s.fields.iter().all(|f| field_conforms(api, f, m, depth))
                    && s.additional.as_ref().is_none_or(|extra| {
                        m.iter()
                            .filter(|(k, _)| !s.fields.iter().any(|f| &f.json_name == *k))
                            .all(|(_, x)| {
                                conforms(api, extra, &Constraints::default(), x, depth + 1)
                            })
                    })
            }),
            TypeKind::Enum(e) => v
                .as_str()
                .is_some_and(|s| e.variants.iter().any(|x| x.value == s)),
            TypeKind::Union(u) => {
                let tagged = |variant: &ir::UnionVariant| match &u.discriminator {
                    Some(d) => v.get(d).and_then(Value::as_str).is_some_and(|tag| {
                        variant.tags.is_empty() || variant.tags.iter().any(|t| t == tag)
                    }),
                    None => true,
                };
                u.variants.iter().any(|x| {
                    tagged(x) && conforms(api, &x.ty, &Constraints::default(), v, depth + 1)
                })
            }
            TypeKind::Alias(e) | TypeKind::Newtype(e) => {
                let c = with_alias(c, &api.ty(*id).constraints);
                conforms(api, e, &c, v, depth + 1)
            }
            // Forms are request bodies only, never a JSON sample.
            TypeKind::Form(_) => false,
        },
    }
}

/// Whether the field of `m` that `f` names conforms (or is absent and may be).
fn field_conforms(api: &Api, f: &Field, m: &Map<String, Value>, depth: usize) -> bool {
    match m.get(&f.json_name) {
        None => !f.required,
        Some(Value::Null) if f.nullable || !f.required => true,
        Some(v) => conforms(api, &f.ty, &f.constraints, v, depth + 1),
    }
}

fn in_bounds(c: &Constraints, n: f64) -> bool {
    let above = c
        .minimum
        .is_none_or(|(min, exclusive)| if exclusive { n > min } else { n >= min });
    let below = c
        .maximum
        .is_none_or(|(max, exclusive)| if exclusive { n < max } else { n <= max });
    above && below
}

fn string_ok(c: &Constraints, s: &str) -> bool {
    let len = s.chars().count() as u64;
    c.min_length.is_none_or(|min| len >= min)
        && c.max_length.is_none_or(|max| len <= max)
        && c.pattern.as_deref().is_none_or(|pattern| {
            super::schema::compile_pattern(pattern).is_ok_and(|re| re.find(s).is_some())
        })
        && c.format
            .as_deref()
            .is_none_or(|f| oasgen_runtime::format::conforms(f, s))
}

/// A value of `ty` (with `c`, the constraints of where it stands), if one can be built.
fn build(api: &Api, ty: &TypeExpr, c: &Constraints, depth: usize) -> Option<Value> {
    let value = build_value(api, ty, c, depth)?;
    (!c.no_value && (!c.object_only || value.is_object())).then_some(value)
}

/// [`build`], before the checks of `c` no type expresses ([`Constraints::object_only`],
/// [`Constraints::no_value`]).
fn build_value(api: &Api, ty: &TypeExpr, c: &Constraints, depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    match ty {
        TypeExpr::Bool => Some(json!(true)),
        TypeExpr::I32 | TypeExpr::I64 => {
            let n = number(c).ceil();
            let n = if in_bounds(c, n) { n } else { number(c) };
            in_bounds(c, n).then(|| json!(n as i64))
        }
        TypeExpr::F64 => {
            let n = number(c);
            in_bounds(c, n).then(|| json!(n))
        }
        TypeExpr::String | TypeExpr::Bytes => string(c).map(Value::String),
        TypeExpr::Json | TypeExpr::JsonObject | TypeExpr::Map(_) => Some(json!({})),
        TypeExpr::Array(item) => {
            let min = c.min_items.unwrap_or(1).max(1);
            let n = c.max_items.map_or(min, |max| min.min(max));
            let of_items = c.items.as_deref().cloned().unwrap_or_default();
            let items = (0..n)
                .map(|_| build(api, item, &of_items, depth + 1))
                .collect::<Option<Vec<_>>>();
            // An array that may be empty is still one when its items cannot be built (or
            // cannot be built different from each other, under `uniqueItems`).
            match items {
                Some(items) if !c.unique_items || oasgen_runtime::unique::all_distinct(&items) => {
                    Some(Value::Array(items))
                }
                _ if c.min_items.unwrap_or(0) == 0 => Some(json!([])),
                _ => None,
            }
        }
        TypeExpr::Named(id) => match &api.ty(*id).kind {
            TypeKind::Struct(s) => {
                let mut m = Map::new();
                for f in s.fields.iter().filter(|f| !f.write_only) {
                    match build(api, &f.ty, &f.constraints, depth + 1) {
                        Some(v) => {
                            m.insert(f.json_name.clone(), v);
                        }
                        None if f.required && f.nullable => {
                            m.insert(f.json_name.clone(), Value::Null);
                        }
                        None if f.required => return None,
                        None => {}
                    }
                }
                Some(Value::Object(m))
            }
            TypeKind::Enum(e) => e.variants.first().map(|x| json!(x.value)),
            TypeKind::Union(u) => u.variants.iter().find_map(|x| {
                let mut v = build(api, &x.ty, &Constraints::default(), depth + 1)
                    .filter(|v| !c.object_only || v.is_object())?;
                if let (Some(d), Some(tag), Some(m)) =
                    (&u.discriminator, x.tags.first(), v.as_object_mut())
                {
                    m.insert(d.clone(), json!(tag));
                }
                Some(v)
            }),
            TypeKind::Alias(e) | TypeKind::Newtype(e) => {
                let c = with_alias(c, &api.ty(*id).constraints);
                build(api, e, &c, depth + 1)
            }
            TypeKind::Form(_) => None,
        },
    }
}

/// The constraints where an alias stands (`c`) with those of the alias's own schema added: a
/// bound written in both places keeps the place's.
fn with_alias(c: &Constraints, alias: &Constraints) -> Constraints {
    Constraints {
        min_length: c.min_length.or(alias.min_length),
        max_length: c.max_length.or(alias.max_length),
        pattern: c.pattern.clone().or_else(|| alias.pattern.clone()),
        minimum: c.minimum.or(alias.minimum),
        maximum: c.maximum.or(alias.maximum),
        min_items: c.min_items.or(alias.min_items),
        max_items: c.max_items.or(alias.max_items),
        format: c.format.clone().or_else(|| alias.format.clone()),
        unique_items: c.unique_items || alias.unique_items,
        object_only: c.object_only || alias.object_only,
        no_value: c.no_value || alias.no_value,
        items: c.items.clone().or_else(|| alias.items.clone()),
    }
}

/// A number within `c`'s bounds: the lower bound (just above it when exclusive), else the
/// upper one, else zero.
fn number(c: &Constraints) -> f64 {
    match (c.minimum, c.maximum) {
        (Some((min, false)), _) => min,
        (Some((min, true)), Some((max, _))) => (min + max) / 2.0,
        (Some((min, true)), None) => min + 1.0,
        (None, Some((max, false))) => max.min(0.0),
        (None, Some((max, true))) => (max - 1.0).min(0.0),
        (None, None) => 0.0,
    }
}

/// A string that meets `c`: one for its format, padded or cut to its length, and checked
/// against its pattern; for a pattern, a few other candidates are tried.
fn string(c: &Constraints) -> Option<String> {
    let by_format = match c.format.as_deref() {
        Some("date-time") => "2024-01-01T00:00:00Z",
        Some("date") => "2024-01-01",
        Some("time") => "00:00:00Z",
        Some("uuid") => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        Some("email") => "user@example.com",
        Some("uri" | "url") => "https://example.com",
        Some("hostname") => "example.com",
        Some("ipv4") => "192.0.2.1",
        Some("ipv6") => "2001:db8::1",
        Some("byte") => "AA==",
        _ => "string",
    };
    let candidates = [
        by_format, "a", "A", "1", "a1", "abc", "ABC", "123", "a-b", "a_b", "",
    ];
    candidates
        .iter()
        .map(|s| fit(c, s))
        .find(|s| string_ok(c, s))
}

/// `s` padded (with its last character, or `a`) or cut to `c`'s length bounds.
fn fit(c: &Constraints, s: &str) -> String {
    let mut out: String = match c.max_length {
        Some(max) => s.chars().take(max as usize).collect(),
        None => s.to_string(),
    };
    let pad = out.chars().last().unwrap_or('a');
    while (out.chars().count() as u64) < c.min_length.unwrap_or(0) {
        out.push(pad);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn constraints(f: impl FnOnce(&mut Constraints)) -> Constraints {
        let mut c = Constraints::default();
        f(&mut c);
        c
    }

    #[test]
    fn strings_meet_format_length_and_pattern() {
        let c = constraints(|c| c.format = Some("date-time".into()));
        assert_eq!(string(&c).unwrap(), "2024-01-01T00:00:00Z");
        let c = constraints(|c| {
            c.min_length = Some(3);
            c.max_length = Some(5);
        });
        assert_eq!(string(&c).unwrap(), "strin");
        let c = constraints(|c| c.pattern = Some("^[0-9]+$".into()));
        assert_eq!(string(&c).unwrap(), "1");
        let c = constraints(|c| c.pattern = Some("^x{3}$".into()));
        assert_eq!(string(&c), None);
    }

    #[test]
    fn numbers_meet_bounds() {
        let c = constraints(|c| c.minimum = Some((100.0, false)));
        assert_eq!(build(&empty(), &TypeExpr::I32, &c, 0), Some(json!(100)));
        let c = constraints(|c| c.minimum = Some((0.0, true)));
        assert_eq!(build(&empty(), &TypeExpr::I64, &c, 0), Some(json!(1)));
        let c = constraints(|c| c.maximum = Some((-5.0, false)));
        assert_eq!(build(&empty(), &TypeExpr::F64, &c, 0), Some(json!(-5.0)));
    }

    fn empty() -> Api {
        Api {
            title: String::new(),
            version: String::new(),
            description: None,
            base_url: None,
            types: Vec::new(),
            operations: Vec::new(),
            security_schemes: Vec::new(),
            warnings: Vec::new(),
        }
    }
}
