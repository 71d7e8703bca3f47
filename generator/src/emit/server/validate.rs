//! Validation: one `check_<type>` function per type a request can carry, checking a JSON value
//! against the spec (types, required members, nullability, enums, lengths, patterns, bounds)
//! before serde decodes it. Serde alone would accept `null` for an optional string and ignore
//! constraints, so the checks run on the JSON value first. A body whose checks ask nothing
//! that a strict decode does not ([`strict_decode_suffices`]) is decoded straight into its
//! type, and the checks run only when that fails, to list the problems.
//!
//! Generated checks use three names: `v: &Value`, `at: &rt::At` (the JSON path, for the error
//! detail) and `errors: &mut Vec<FieldError>`.

use crate::emit::docs::outer_lines;
use crate::ir::{Api, Constraints, PartKind, Struct, TypeExpr, TypeId, TypeKind, Union};
use crate::naming::snake_name;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};
use std::collections::{BTreeMap, BTreeSet};

/// The types reachable from a request parameter or body the router reads: each gets a
/// `check_<type>`. The router reads a body as its first media type's schema (`router.rs`), so
/// the schemas of other media types are not checked, and a check of them would be dead code.
pub fn reachable(api: &Api) -> BTreeSet<TypeId> {
    let mut reachable = BTreeSet::new();
    for op in &api.operations {
        for p in &op.params {
            collect(api, &p.ty, &mut reachable);
        }
        if let Some(first) = op.body.as_ref().and_then(|b| b.contents.first()) {
            collect(api, &first.ty, &mut reachable);
        }
    }
    reachable
}

/// The checks of parameters and bodies that are more than a call of `check_<type>`: each
/// emitted once as a function and shared by every input with the same name, schema and
/// constraints (a `tenant` path parameter used by every operation is checked by one function).
///
/// The table is made once, before any part that needs it is emitted, by visiting every
/// operation's inputs in spec order (so names and collision suffixes do not depend on which
/// part is emitted first); it keeps the answer for each input, which emitters look up.
pub struct InputChecks {
    /// The functions, in first use order: name and what they check.
    fns: Vec<InputCheck>,
    /// For each operation, in order: the check of each parameter, then of the body if any.
    inputs: Vec<Vec<Check>>,
}

/// One shared check function.
struct InputCheck {
    name: String,
    ty: TypeExpr,
    constraints: Option<Constraints>,
}

/// The check of one input.
#[derive(Clone, Copy)]
enum Check {
    /// A function there is already (`rt::any`, `check_<type>`, ...).
    Simple(Simple),
    /// A shared function of its own: index into [`InputChecks::fns`].
    Shared(usize),
}

/// A check function that exists whatever the inputs: of the runtime, or of a type.
#[derive(Clone, Copy)]
enum Simple {
    /// `rt::<name>`.
    Runtime(&'static str),
    /// `check_<type>`.
    Type(TypeId),
}

impl Simple {
    fn tokens(self, api: &Api) -> TokenStream {
        match self {
            Simple::Runtime(name) => {
                let name = format_ident!("{}", name);
                quote!(rt::#name)
            }
            Simple::Type(id) => {
                let name = check_fn_name(api, id);
                quote!(#name)
            }
        }
    }
}

impl InputChecks {
    /// The check functions of every parameter and body; none takes the name of a `check_<type>`.
    pub fn new(api: &Api) -> Self {
        let mut taken: BTreeSet<String> = reachable(api)
            .into_iter()
            .map(|id| check_fn_name(api, id).to_string())
            .collect();
        let mut fns: Vec<InputCheck> = Vec::new();
        let mut by_key: BTreeMap<String, usize> = BTreeMap::new();
        let mut inputs = Vec::with_capacity(api.operations.len());
        for op in &api.operations {
            let params = op
                .params
                .iter()
                .map(|p| (&p.ty, Some(&p.constraints), param_stem(p)));
            // A form's fields are checked one by one, in place of the body.
            let first = op.body.as_ref().map(|b| &b.contents[0].ty);
            let body = match first.and_then(|ty| api.form(ty)) {
                Some(form) => form
                    .fields
                    .iter()
                    .map(|f| match f.part {
                        // Files are not JSON values: nothing to check but their presence.
                        PartKind::File => (&TypeExpr::Json, None, field_stem(f)),
                        _ => (&f.field.ty, Some(&f.field.constraints), field_stem(f)),
                    })
                    .collect(),
                None => first
                    .map(|ty| (ty, None, body_stem(op)))
                    .into_iter()
                    .collect::<Vec<_>>(),
            };
            let mut checks = Vec::new();
            for (ty, constraints, stem) in params.chain(body) {
                let body = check_expr(api, ty, constraints);
                if let Some(simple) = simple_check(ty, constraints, &body) {
                    checks.push(Check::Simple(simple));
                    continue;
                }
                // Shared by inputs of the same name and schema only, so that the name says what
                // it checks.
                let key = format!("{stem}: {body}");
                let index = *by_key.entry(key).or_insert_with(|| {
                    let base = format!("check_{stem}");
                    let mut name = base.clone();
                    let mut n = 1;
                    while !taken.insert(name.clone()) {
                        n += 1;
                        name = format!("{base}_{n}");
                    }
                    fns.push(InputCheck {
                        name,
                        ty: ty.clone(),
                        constraints: constraints.cloned(),
                    });
                    fns.len() - 1
                });
                checks.push(Check::Shared(index));
            }
            inputs.push(checks);
        }
        InputChecks { fns, inputs }
    }

    /// The `Check` function of parameter `param` of operation `op` (indexes into the IR's
    /// lists): `any`, a `check_<type>`, or a function named after the parameter
    /// (`check_tenant_param`).
    pub fn param(&self, api: &Api, op: usize, param: usize) -> TokenStream {
        self.tokens(api, self.inputs[op][param])
    }

    /// The `Check` function of field `field` of the form body of operation `op` (see
    /// [`InputChecks::param`]).
    pub fn form_field(&self, api: &Api, op: usize, field: usize) -> TokenStream {
        self.tokens(
            api,
            self.inputs[op][api.operations[op].params.len() + field],
        )
    }

    /// The `Check` function of the body of operation `op` (see [`InputChecks::param`]).
    pub fn body(&self, api: &Api, op: usize) -> TokenStream {
        self.tokens(api, self.inputs[op][api.operations[op].params.len()])
    }

    fn tokens(&self, api: &Api, check: Check) -> TokenStream {
        match check {
            Check::Simple(simple) => simple.tokens(api),
            Check::Shared(index) => {
                let name = format_ident!("{}", self.fns[index].name);
                quote!(#name)
            }
        }
    }

    /// The functions, in first use order.
    pub fn emit(&self, api: &Api) -> TokenStream {
        let fns = self.fns.iter().map(|f| {
            let name = format_ident!("{}", f.name);
            let body = check_expr(api, &f.ty, f.constraints.as_ref());
            quote! {
                fn #name(
                    v: &::serde_json::Value,
                    at: &rt::At<'_>,
                    errors: &mut Vec<rt::FieldError>,
                ) {
                    #body
                }
            }
        });
        quote!(#(#fns)*)
    }
}

/// The stem of a parameter's check function (`tenant_param`).
fn param_stem(p: &crate::ir::Parameter) -> String {
    format!("{}_param", p.ident.trim_end_matches('_'))
}

/// The stem of a form field's check function (`title_field`).
fn field_stem(f: &crate::ir::FormField) -> String {
    format!("{}_field", f.field.ident.trim_end_matches('_'))
}

/// The stem of a request body's check function (`signup_body`).
fn body_stem(op: &crate::ir::Operation) -> String {
    format!("{}_body", op.fn_name.trim_end_matches('_'))
}

/// A function that checks a value of `ty` with `constraints` (whose check is `body`) on its
/// own, if one exists already: `rt::any`, a runtime check of a scalar, or a `check_<type>`.
fn simple_check(
    ty: &TypeExpr,
    constraints: Option<&Constraints>,
    body: &TokenStream,
) -> Option<Simple> {
    if body.is_empty() {
        return Some(Simple::Runtime("any"));
    }
    if constraints.is_some_and(has_rules) {
        return None;
    }
    match ty {
        TypeExpr::Named(id) => Some(Simple::Type(*id)),
        TypeExpr::String => Some(Simple::Runtime("check_string")),
        TypeExpr::Bool => Some(Simple::Runtime("boolean")),
        TypeExpr::I32 => Some(Simple::Runtime("check_i32")),
        TypeExpr::I64 => Some(Simple::Runtime("check_i64")),
        TypeExpr::F64 => Some(Simple::Runtime("number")),
        _ => None,
    }
}

/// Whether a strict decode of a value of `ty` (`rt::Input::typed_body`: JSON types as serde
/// expects them, no `null` anywhere, structs only from objects) already refuses everything its
/// checks refuse. Then a valid body needs no `serde_json::Value`: the checks run only to list
/// the problems of one that fails to decode.
///
/// Not so for anything with constraints, string enums (serde keeps unknown values), unions
/// (serde picks the first alternative that decodes, the checks ask whether any passes),
/// additional properties (serde buffers them) and closed objects (serde ignores unknown
/// members), nor for a struct with a member that is both
/// required and nullable (serde takes a missing `Option` member for `None`).
pub fn strict_decode_suffices(api: &Api, ty: &TypeExpr) -> bool {
    suffices(api, ty, &mut BTreeSet::new())
}

/// [`strict_decode_suffices`], assuming it of the types in `visiting` (recursive types: any
/// violation is found on another path).
fn suffices(api: &Api, ty: &TypeExpr, visiting: &mut BTreeSet<TypeId>) -> bool {
    match ty {
        TypeExpr::Array(inner) | TypeExpr::Map(inner) => suffices(api, inner, visiting),
        TypeExpr::Named(id) => {
            if !visiting.insert(*id) {
                return true;
            }
            match &api.ty(*id).kind {
                TypeKind::Struct(s) => {
                    s.additional.is_none()
                        && !s.closed
                        && s.fields.iter().all(|f| {
                            let serde_misses =
                                f.required && f.nullable || has_rules(&f.constraints);
                            !serde_misses && suffices(api, &f.ty, visiting)
                        })
                }
                TypeKind::Alias(e) | TypeKind::Newtype(e) => {
                    !has_rules(&api.ty(*id).constraints) && suffices(api, e, visiting)
                }
                TypeKind::Enum(_) | TypeKind::Union(_) | TypeKind::Form(_) => false,
            }
        }
        TypeExpr::Bool
        | TypeExpr::I32
        | TypeExpr::I64
        | TypeExpr::F64
        | TypeExpr::String
        | TypeExpr::Bytes
        | TypeExpr::Json
        | TypeExpr::JsonObject => true,
    }
}

fn collect(api: &Api, ty: &TypeExpr, out: &mut BTreeSet<TypeId>) {
    match ty {
        TypeExpr::Array(inner) | TypeExpr::Map(inner) => collect(api, inner, out),
        TypeExpr::Named(id) => {
            // A form is read field by field, each checked on its own: its fields' types need
            // checks, the form none.
            if let Some(form) = api.form(ty) {
                form.fields
                    .iter()
                    .for_each(|f| collect(api, &f.field.ty, out));
                return;
            }
            if !out.insert(*id) {
                return;
            }
            match &api.ty(*id).kind {
                TypeKind::Struct(s) => {
                    for f in &s.fields {
                        collect(api, &f.ty, out);
                    }
                    if let Some(a) = &s.additional {
                        collect(api, a, out);
                    }
                }
                TypeKind::Union(u) => u.variants.iter().for_each(|v| collect(api, &v.ty, out)),
                TypeKind::Alias(e) | TypeKind::Newtype(e) => collect(api, e, out),
                TypeKind::Enum(_) | TypeKind::Form(_) => {}
            }
        }
        _ => {}
    }
}

fn check_fn_name(api: &Api, id: TypeId) -> Ident {
    let name = snake_name(&api.ty(id).name, "type");
    format_ident!("check_{}", name.trim_end_matches('_'))
}

/// `check_<type>`: the checks a value of one type must pass.
pub fn emit_check_fn(api: &Api, id: TypeId) -> TokenStream {
    let name = check_fn_name(api, id);
    let def = api.ty(id);
    let body = match &def.kind {
        TypeKind::Struct(s) => check_struct(api, s),
        TypeKind::Enum(e) => {
            let values = e.variants.iter().map(|v| &v.value);
            quote!(rt::one_of(v, at, &[#(#values),*], errors);)
        }
        TypeKind::Union(u) => check_union(api, u),
        TypeKind::Alias(e) | TypeKind::Newtype(e) => check_expr(api, e, Some(&def.constraints)),
        // Never reachable: see `collect`.
        TypeKind::Form(_) => quote!(),
    };
    let doc = outer_lines(vec![format!(" Checks a value of `{}`.", def.name)]);
    let (v, at, errors) = if body.is_empty() {
        (quote!(_v), quote!(_at), quote!(_errors))
    } else {
        (quote!(v), quote!(at), quote!(errors))
    };
    quote! {
        #doc
        fn #name(
            #v: &::serde_json::Value,
            #at: &rt::At<'_>,
            #errors: &mut Vec<rt::FieldError>,
        ) {
            #body
        }
    }
}

fn check_struct(api: &Api, s: &Struct) -> TokenStream {
    let required = s.fields.iter().filter(|f| f.required).map(|f| &f.json_name);
    let fields = s.fields.iter().map(|f| {
        let name = &f.json_name;
        // OpenAPI 3.0 refuses `null` only where a `type` is written: an untyped member takes it.
        // An `enum` applies to `null` too: a nullable enum takes it only if it lists it.
        let enum_refuses_null = matches!(&f.ty, TypeExpr::Named(id)
            if matches!(&api.ty(*id).kind, TypeKind::Enum(e) if !e.lists_null));
        let nullable = (f.nullable && !enum_refuses_null) || f.ty == TypeExpr::Json;
        let check = check_fn(api, &f.ty, Some(&f.constraints));
        quote!((#name, #nullable, #check))
    });
    let members =
        (!s.fields.is_empty()).then(|| quote!(rt::members(o, at, errors, &[#(#fields),*]);));
    let additional = s.additional.as_ref().map(|a| {
        let check = check_expr(api, a, None);
        let known = s.fields.iter().map(|f| &f.json_name);
        (!check.is_empty()).then(|| {
            quote! {
                for (k, v) in o {
                    if [#(#known),*].contains(&k.as_str()) { continue; }
                    let at = &rt::member(at, k);
                    #check
                }
            }
        })
    });
    let closed = s.closed.then(|| {
        let known = s.fields.iter().map(|f| &f.json_name);
        quote!(rt::no_other_members(o, at, &[#(#known),*], errors);)
    });
    if s.fields.is_empty() && !s.closed && additional.as_ref().is_none_or(Option::is_none) {
        return quote!(rt::object(v, at, &[#(#required),*], errors););
    }
    quote! {
        let Some(o) =
            rt::object(v, at, &[#(#required),*], errors)
        else {
            return;
        };
        #members
        #closed
        #additional
    }
}

fn check_union(api: &Api, u: &Union) -> TokenStream {
    let alternatives = u.variants.iter().map(|var| {
        let check = check_expr(api, &var.ty, None);
        quote! {
            rt::accepts(v, |v, errors| {
                let _ = (v, &errors);
                #check
            })
        }
    });
    // The generated model keeps an unknown discriminator as `Other`; a request must name a
    // known one.
    let discriminator = u.discriminator.as_ref().map(|property| {
        let tags = u.variants.iter().flat_map(|v| &v.tags);
        quote! {
            match v.get(#property) {
                Some(tag) => rt::one_of(tag, &rt::member(at, #property), &[#(#tags),*], errors),
                None => {
                    rt::object(v, at, &[#property], errors);
                }
            }
        }
    });
    quote! {
        #discriminator
        if !(#(#alternatives)||*) {
            rt::no_alternative(at, errors);
        }
    }
}

/// The checks for a value of type `ty` with `constraints`; empty when anything is accepted.
pub fn check_expr(api: &Api, ty: &TypeExpr, constraints: Option<&Constraints>) -> TokenStream {
    let item_constraints = constraints.and_then(|c| c.items.as_deref());
    let shape = match ty {
        TypeExpr::Bool => quote!(rt::boolean(v, at, errors);),
        TypeExpr::I32 => quote!(rt::integer(v, at, true, errors);),
        TypeExpr::I64 => quote!(rt::integer(v, at, false, errors);),
        TypeExpr::F64 => quote!(rt::number(v, at, errors);),
        TypeExpr::String => quote!(rt::string(v, at, errors);),
        TypeExpr::Bytes | TypeExpr::Json => quote!(),
        TypeExpr::JsonObject => quote!(rt::object(v, at, &[], errors);),
        TypeExpr::Array(inner) => match check_expr(api, inner, item_constraints) {
            any if any.is_empty() => quote!(rt::array(v, at, errors);),
            body => {
                let check = as_check_fn(api, inner, item_constraints, body);
                quote!(rt::items(v, at, errors, #check);)
            }
        },
        TypeExpr::Map(inner) => match check_expr(api, inner, item_constraints) {
            any if any.is_empty() => quote!(rt::object(v, at, &[], errors);),
            body => {
                let check = as_check_fn(api, inner, item_constraints, body);
                quote!(rt::values(v, at, errors, #check);)
            }
        },
        TypeExpr::Named(id) => {
            let name = check_fn_name(api, *id);
            quote!(#name(v, at, errors);)
        }
    };
    let rules = constraints.and_then(rules_static);
    quote!(#shape #rules)
}

/// An `rt::Check` for a value of type `ty` with `constraints`: a function there is already
/// ([`simple_check`]) or a closure.
fn check_fn(api: &Api, ty: &TypeExpr, constraints: Option<&Constraints>) -> TokenStream {
    as_check_fn(api, ty, constraints, check_expr(api, ty, constraints))
}

/// [`check_fn`] with the checks `body` of the value already made.
fn as_check_fn(
    api: &Api,
    ty: &TypeExpr,
    constraints: Option<&Constraints>,
    body: TokenStream,
) -> TokenStream {
    match simple_check(ty, constraints, &body) {
        Some(simple) => simple.tokens(api),
        None => quote!(|v, at, errors| { #body }),
    }
}

/// Whether `c` has anything the server checks, of the value or of its items.
fn has_rules(c: &Constraints) -> bool {
    own_rules(c) || c.items.as_deref().is_some_and(has_rules)
}

/// Whether `c` has anything the server checks of the value itself.
fn own_rules(c: &Constraints) -> bool {
    !c.is_empty() || checked_format(c).is_some()
}

/// The format of a value with constraints `c`, if the runtime checks it.
fn checked_format(c: &Constraints) -> Option<&str> {
    c.format
        .as_deref()
        .filter(|f| oasgen_runtime::format::is_checked(f))
}

/// A `static` with the constraints and the call that checks them, if any apply.
fn rules_static(c: &Constraints) -> Option<TokenStream> {
    if !own_rules(c) {
        return None;
    }
    let count = |name: &str, x: Option<u64>| {
        let name = format_ident!("{}", name);
        x.map(|n| {
            let n = Literal::u64_unsuffixed(n);
            quote!(.#name(#n))
        })
    };
    let bound = |name: &str, x: Option<(f64, bool)>| {
        let name = format_ident!("{}", name);
        x.map(|(n, excl)| {
            let n = Literal::f64_suffixed(n);
            quote!(.#name(#n, #excl))
        })
    };
    let min_length = count("min_length", c.min_length);
    let max_length = count("max_length", c.max_length);
    let pattern = c.pattern.as_ref().map(|p| quote!(.pattern(#p)));
    let minimum = bound("minimum", c.minimum);
    let maximum = bound("maximum", c.maximum);
    let min_items = count("min_items", c.min_items);
    let max_items = count("max_items", c.max_items);
    let unique_items = c.unique_items.then(|| quote!(.unique_items()));
    let format = checked_format(c).map(|f| quote!(.format(#f)));
    Some(quote! {
        static RULES: rt::Rules = rt::Rules::NONE
            #min_length #max_length #pattern #minimum #maximum #min_items #max_items
            #unique_items #format;
        rt::rules(v, at, &RULES, errors);
    })
}

#[cfg(test)]
mod tests {
    use super::strict_decode_suffices;
    use crate::ir::{TypeExpr, TypeId};

    const SPEC: &str = r##"
openapi: 3.0.3
info: { title: t, version: "1" }
paths: {}
components:
  schemas:
    Plain:
      type: object
      required: [id]
      properties:
        id: { type: string }
        tags: { type: array, items: { type: string } }
        counts: { type: object, additionalProperties: { type: integer } }
        any: {}
        optionalNullable: { type: string, nullable: true }
        next: { $ref: "#/components/schemas/Plain" }
    Constrained:
      type: object
      properties:
        id: { type: string, minLength: 1 }
    Email:
      type: object
      properties:
        mail: { type: string, format: email }
    OtherFormat:
      type: object
      properties:
        secret: { type: string, format: password }
    DateTime:
      type: object
      properties:
        at: { type: string, format: date-time }
    RequiredNullable:
      type: object
      required: [id]
      properties:
        id: { type: string, nullable: true }
    Color: { type: string, enum: [red, green] }
    WithEnum:
      type: object
      properties:
        color: { $ref: "#/components/schemas/Color" }
    Either:
      oneOf: [{ type: string }, { type: integer }]
    WithAdditional:
      type: object
      properties:
        id: { type: string }
      additionalProperties: { type: string }
    DeepEnum:
      type: object
      properties:
        items: { type: array, items: { $ref: "#/components/schemas/WithEnum" } }
"##;

    #[test]
    fn strict_decoding_suffices_only_without_constraints_enums_unions_or_buffering() {
        let loaded = crate::load::load("t.yaml", SPEC).unwrap();
        let api = crate::lower::lower("t.yaml", &loaded).unwrap();
        let suffices = |name: &str| {
            let id = api.types.iter().position(|t| t.name == name).unwrap();
            strict_decode_suffices(&api, &TypeExpr::Named(TypeId(id)))
        };
        assert!(suffices("Plain"));
        assert!(suffices("OtherFormat"));
        for name in [
            "Constrained",
            "Email",
            "DateTime",
            "RequiredNullable",
            "Color",
            "WithEnum",
            "Either",
            "WithAdditional",
            "DeepEnum",
        ] {
            assert!(!suffices(name), "{name}");
        }
        assert!(strict_decode_suffices(&api, &TypeExpr::String));
    }
}
