//! The intermediate representation: everything the emitters need, in plain data.
//!
//! **Invariant:** nothing here refers to `openapiv3`. `lower/` builds an [`Api`] from the parsed
//! document; `emit/` reads only an [`Api`]. Every reference is resolved, every name is final (a
//! valid, unique Rust identifier), and every collection is in spec order, so emitting is a pure
//! walk over this data.

use std::collections::BTreeMap;

/// A whole API, ready to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version` (may be empty in real specs).
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// The first server URL, used as the client's default base URL.
    pub base_url: Option<String>,
    /// Every named type, indexed by [`TypeId`].
    pub types: Vec<TypeDef>,
    /// Operations in spec order (paths in order, methods in the OpenAPI order within a path).
    pub operations: Vec<Operation>,
    /// Security schemes in spec order.
    pub security_schemes: Vec<SecurityScheme>,
    /// Problems that did not stop generation (the place and what was done about it).
    pub warnings: Vec<String>,
}

impl Api {
    /// The type behind an id.
    pub fn ty(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    /// The form a body type is, if it is one.
    pub fn form(&self, ty: &TypeExpr) -> Option<&Form> {
        match ty {
            TypeExpr::Named(id) => match &self.ty(*id).kind {
                TypeKind::Form(form) => Some(form),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Opaque handle of a named type in [`Api::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// Documentation taken from the spec.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Docs {
    /// `title` or `summary`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
}

/// A named type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// The Rust name (UpperCamelCase, unique).
    pub name: String,
    /// Where the type comes from, as a JSON pointer into the spec.
    pub pointer: String,
    /// Documentation.
    pub docs: Docs,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// What it is.
    pub kind: TypeKind,
    /// Of an alias, the constraints its own schema adds to the aliased type (`Code: {type:
    /// string, pattern: ...}`, a named array with `maxItems`): the server checks them wherever
    /// the alias stands, and the mock's samples meet them. Empty for other kinds.
    pub constraints: Constraints,
    /// Whether the type implements `Default` (computed after lowering).
    pub has_default: bool,
}

/// The shape of a named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(Struct),
    /// A string enum; unknown values are kept.
    Enum(StringEnum),
    /// `oneOf` / `anyOf`.
    Union(Union),
    /// A named alias for another type (a component schema that is an array, a primitive, ...).
    Alias(TypeExpr),
    /// A transparent newtype: an alias that refers to itself (`Tree = Vec<Tree>`), which a
    /// Rust type alias cannot express.
    Newtype(TypeExpr),
    /// The fields of a `multipart/form-data` or `application/x-www-form-urlencoded` request
    /// body, each with how it travels.
    Form(Form),
}

/// A request body sent as a form: one field per property of its object schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    /// Fields in spec order. A file field has type [`TypeExpr::Bytes`] (or an array of it).
    pub fields: Vec<FormField>,
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq)]
pub struct FormField {
    /// Name, type, requiredness, docs and constraints, as for a struct field.
    pub field: Field,
    /// How its value travels.
    pub part: PartKind,
    /// The media type of its part (`encoding.<name>.contentType`), when the spec gives one.
    pub content_type: Option<String>,
    /// For an array in a urlencoded form: repeated keys when true, one comma-joined value when
    /// false (`encoding.<name>.explode`). Multipart arrays are always repeated parts.
    pub explode: bool,
}

/// How the value of a form field travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// As text (scalars, string enums; each item of an array as its own value).
    Text,
    /// As a file: bytes, with an optional file name and media type (multipart only).
    File,
    /// As JSON text (objects, unions, maps: what a form cannot spell as text).
    Json,
}

/// An object schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    /// Fields in spec order.
    pub fields: Vec<Field>,
    /// `additionalProperties`: extra keys are collected into a map of this value type.
    pub additional: Option<TypeExpr>,
    /// `additionalProperties: false`: the server refuses a member that is not a field (the
    /// model still ignores one, so that a client reads a newer server's answers).
    pub closed: bool,
}

/// One property of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The JSON name.
    pub json_name: String,
    /// The Rust identifier (snake_case, escaped, unique within the struct).
    pub ident: String,
    /// The value type (without the `Option` that `required` adds).
    pub ty: TypeExpr,
    /// Listed in `required`.
    pub required: bool,
    /// `nullable: true`.
    pub nullable: bool,
    /// Documentation.
    pub docs: Docs,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// `readOnly` / `writeOnly`.
    pub read_only: bool,
    /// `writeOnly`.
    pub write_only: bool,
    /// Spec `default`, as JSON.
    pub default: Option<serde_json::Value>,
    /// Validation constraints.
    pub constraints: Constraints,
    /// The field holds a secret (a password or token) and is redacted from `Debug`.
    pub secret: bool,
    /// The field's type refers back to its own struct without indirection, so it is boxed.
    pub boxed: bool,
}

/// A string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct StringEnum {
    /// Known values in spec order.
    pub variants: Vec<EnumVariant>,
    /// Spec `default`, if it is one of the values.
    pub default: Option<String>,
    /// `null` is one of the values: only then does `nullable: true` let the server take `null`
    /// (the `enum` still applies to it, as OpenAPI 3.0.3 clarifies).
    pub lists_null: bool,
}

/// One value of a string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumVariant {
    /// The JSON value.
    pub value: String,
    /// The Rust variant name (unique, never `Other`).
    pub ident: String,
}

/// `oneOf` / `anyOf`.
#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    /// Alternatives in spec order.
    pub variants: Vec<UnionVariant>,
    /// The discriminating property, if the spec names one.
    pub discriminator: Option<String>,
}

/// One alternative of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    /// Rust variant name.
    pub ident: String,
    /// The payload type.
    pub ty: TypeExpr,
    /// Discriminator values that select this variant.
    pub tags: Vec<String>,
    /// Boxed because it refers back to the union.
    pub boxed: bool,
}

/// A type as it appears in a field, parameter or body.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeExpr {
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f64`.
    F64,
    /// `String`.
    String,
    /// Raw bytes (binary bodies).
    Bytes,
    /// Any JSON value.
    Json,
    /// A JSON object with arbitrary keys.
    JsonObject,
    /// `Vec<T>`.
    Array(Box<TypeExpr>),
    /// A map from string keys to values.
    Map(Box<TypeExpr>),
    /// A named type.
    Named(TypeId),
}

/// Validation constraints of a value (used by the server to reject bad input).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `pattern` (ECMA-262 regex as written).
    pub pattern: Option<String>,
    /// `minimum` with `exclusiveMinimum`.
    pub minimum: Option<(f64, bool)>,
    /// `maximum` with `exclusiveMaximum`.
    pub maximum: Option<(f64, bool)>,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// `format` as written (`email`, `date-time`, ...).
    pub format: Option<String>,
    /// `uniqueItems: true`.
    pub unique_items: bool,
    /// JSON Schema admits only objects here, whatever the type says: an `allOf` member that
    /// only annotates says `type: object` (`allOf: [$ref, {type: object, description: ...}]`),
    /// or one of several declarations of a property is an object. The mock sends only objects
    /// (a field whose type has none is left out); the router, liberal in what it accepts, does
    /// not check it (`is_empty` leaves it out).
    pub object_only: bool,
    /// No value fits: a property's declarations (`allOf` members each declaring it) name
    /// different JSON types. The mock leaves such a field out; the router, liberal, takes what
    /// the model reads (`is_empty` leaves it out).
    pub no_value: bool,
    /// Of an array, the constraints of its items; of a map, those of its values: when the
    /// `items` or `additionalProperties` schema is written in place (a referenced one is a named
    /// type).
    pub items: Option<Box<Constraints>>,
}

impl Constraints {
    /// Whether there is anything to check.
    pub fn is_empty(&self) -> bool {
        self.min_length.is_none()
            && self.max_length.is_none()
            && self.pattern.is_none()
            && self.minimum.is_none()
            && self.maximum.is_none()
            && self.min_items.is_none()
            && self.max_items.is_none()
            && !self.unique_items
    }
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// OPTIONS
    Options,
    /// HEAD
    Head,
    /// PATCH
    Patch,
    /// TRACE
    Trace,
}

impl Method {
    /// Upper-case name, as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }

    /// Whether repeating the request is safe (RFC 9110 idempotent methods).
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }
}

/// One operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `operationId` as written, or one derived from method and path.
    pub operation_id: String,
    /// Rust function name (snake_case, unique).
    pub fn_name: String,
    /// UpperCamelCase stem for per-operation types (`GetCustomer` -> `GetCustomerResponse`).
    pub type_stem: String,
    /// The method.
    pub method: Method,
    /// The path template as written (`/customer/{tenant}/me`).
    pub path: String,
    /// The template split into literal text and parameter references.
    pub path_segments: Vec<PathSegment>,
    /// `summary` and `description`.
    pub docs: Docs,
    /// Tags.
    pub tags: Vec<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Parameters in spec order (path-item level first, overridden by operation level).
    pub params: Vec<Parameter>,
    /// The request body.
    pub body: Option<RequestBody>,
    /// Documented responses in spec order (`default` last).
    pub responses: Vec<Response>,
    /// Accepted credentials.
    pub security: Security,
    /// JSON pointer of the operation.
    pub pointer: String,
    /// The body the server answers a request it refuses as bad (`400`) with, when the spec
    /// documents one the router's standard body does not fit (see `lower/sample.rs`).
    pub bad_request: Option<ErrorShape>,
    /// The body the router answers `404` with when a request names this operation's path with
    /// an empty path parameter that axum does not route (an empty last segment, so its fallback
    /// answers), or with an invalid one that the operation answers `404`, when the spec
    /// documents one the standard body does not fit.
    pub not_found: Option<ErrorShape>,
}

/// A documented error body, and where the router writes what it found wrong into it.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorShape {
    /// A conforming value of the documented body.
    pub template: serde_json::Value,
    /// Top-level fields of `template` replaced, per request, by one part of the refusal.
    pub fields: Vec<(String, RefusalPart)>,
}

/// One part of the router's refusal of a request, as an error body's field takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalPart {
    /// The status code, a number (`400`).
    Code,
    /// The status's reason phrase (`Bad Request`).
    Reason,
    /// The kind of refusal (`validation_failure`).
    Kind,
    /// The message for people.
    Message,
    /// The problems, as objects `{field, type, message}`.
    Details,
    /// The problems, as texts (`field: message`).
    DetailTexts,
}

impl Operation {
    /// The path with its parameters' names left out (`/a/{}/b`): paths of one shape are, as
    /// OpenAPI says, the same path, whatever their parameters are called.
    pub fn path_shape(&self) -> String {
        self.path_segments
            .iter()
            .map(|s| match s {
                PathSegment::Literal(text) => text.as_str(),
                PathSegment::Param(_) => "{}",
            })
            .collect()
    }

    /// The names of its path parameters, in the order the path has them.
    pub fn path_param_names(&self) -> Vec<&str> {
        self.path_segments
            .iter()
            .filter_map(|s| match s {
                PathSegment::Param(i) => Some(self.params[*i].name.as_str()),
                PathSegment::Literal(_) => None,
            })
            .collect()
    }
}

/// A piece of a path template.
#[derive(Debug, Clone, PartialEq)]
pub enum PathSegment {
    /// Literal text, sent as written.
    Literal(String),
    /// A path parameter, by index into [`Operation::params`].
    Param(usize),
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamLocation {
    /// In the path.
    Path,
    /// In the query string.
    Query,
    /// A header.
    Header,
    /// A cookie.
    Cookie,
}

/// One parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The name on the wire.
    pub name: String,
    /// Rust identifier (unique within the operation).
    pub ident: String,
    /// Location.
    pub location: ParamLocation,
    /// Required (always true for path parameters).
    pub required: bool,
    /// Value type.
    pub ty: TypeExpr,
    /// Documentation.
    pub docs: Docs,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Validation constraints.
    pub constraints: Constraints,
    /// `explode` (query arrays: repeated keys when true, comma-joined when false).
    pub explode: bool,
    /// Spec `default`.
    pub default: Option<serde_json::Value>,
    /// The value is a secret (redacted in `Debug`).
    pub secret: bool,
}

/// How a body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BodyEncoding {
    /// `application/json` and `+json` media types.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`.
    Multipart,
    /// `text/*`.
    Text,
    /// Anything else, as bytes.
    Binary,
}

/// One media type of a request or response body.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyContent {
    /// The media type as written.
    pub media_type: String,
    /// How it is encoded.
    pub encoding: BodyEncoding,
    /// The payload type.
    pub ty: TypeExpr,
    /// The documented example: the media type's `example`, else its first `examples` entry,
    /// else the schema's `example`.
    pub example: Option<serde_json::Value>,
    /// For a JSON response body, a value of its type for the mock to answer with: the example
    /// if it conforms, else one built from the type (see `lower/sample.rs`). For an event
    /// stream, an array: the data of each event the mock sends.
    pub sample: Option<serde_json::Value>,
    /// For a `text/event-stream` response: the type of each event's data (the schema's, or
    /// `String` without one). `ty` stays `String`, the whole stream as text.
    pub events: Option<TypeExpr>,
}

/// How a response body can be read as it arrives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BodyStream<'a> {
    /// Server-sent events, each one's data of this type.
    Events(&'a TypeExpr),
    /// Binary chunks.
    Bytes,
}

impl BodyContent {
    /// How this body streams, if it does: an event stream, or any body read as bytes.
    pub fn stream(&self) -> Option<BodyStream<'_>> {
        match (&self.events, &self.ty) {
            (Some(data), _) => Some(BodyStream::Events(data)),
            (None, TypeExpr::Bytes) => Some(BodyStream::Bytes),
            _ => None,
        }
    }
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    /// `required: true`.
    pub required: bool,
    /// Documentation.
    pub docs: Docs,
    /// Accepted media types in spec order; the first is the default.
    pub contents: Vec<BodyContent>,
}

/// Which status codes a response covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatusSpec {
    /// One code.
    Code(u16),
    /// `1XX` .. `5XX`.
    Range(u8),
    /// `default`.
    Default,
}

impl StatusSpec {
    /// Whether the code is a success (2xx).
    pub fn is_success(self) -> bool {
        match self {
            StatusSpec::Code(c) => (200..300).contains(&c),
            StatusSpec::Range(r) => r == 2,
            StatusSpec::Default => false,
        }
    }
}

/// One documented response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The status (or range) it covers.
    pub status: StatusSpec,
    /// Rust variant name (`Ok`, `Created`, `BadRequest`, ...), unique within the operation.
    pub ident: String,
    /// Documentation.
    pub docs: Docs,
    /// The body (the preferred media type when several are given).
    pub body: Option<BodyContent>,
    /// The headers it declares, in spec order (`Content-Type` left out, as OpenAPI says).
    pub headers: Vec<ResponseHeader>,
}

/// One header a response declares (`X-Total-Count`, `Location`).
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseHeader {
    /// The name as written.
    pub name: String,
    /// Rust identifier (snake_case, unique within the response).
    pub ident: String,
    /// Value type.
    pub ty: TypeExpr,
    /// `required: true`: every response of this status carries it.
    pub required: bool,
    /// Its name marks it as a credential (`X-Session-Token`): a string one is never printed.
    pub secret: bool,
    /// Documentation.
    pub docs: Docs,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Validation constraints.
    pub constraints: Constraints,
    /// The documented example: the header's `example`, else its first `examples` entry, else
    /// the schema's `example`.
    pub example: Option<serde_json::Value>,
    /// The value the mock sends: `example` if it conforms to the type, else one built from
    /// the type (see `lower/sample.rs`); `None` when neither can be had.
    pub sample: Option<serde_json::Value>,
}

/// A security scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityScheme {
    /// The name in `components.securitySchemes`.
    pub name: String,
    /// Rust identifier (UpperCamelCase).
    pub ident: String,
    /// How the credential is sent.
    pub kind: SchemeKind,
    /// The OAuth2 flows it declares, in the order OpenAPI lists them (empty for other schemes).
    pub flows: Vec<OAuthFlow>,
    /// Documentation.
    pub docs: Docs,
}

/// One OAuth2 flow of a scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthFlow {
    /// Which flow.
    pub kind: FlowKind,
    /// `authorizationUrl` (implicit and authorization code).
    pub authorization_url: Option<String>,
    /// `tokenUrl` (password, client credentials and authorization code), as written: it may be
    /// relative to the server's URL.
    pub token_url: Option<String>,
    /// `refreshUrl`.
    pub refresh_url: Option<String>,
    /// The scopes it offers, with their descriptions, in spec order.
    pub scopes: Vec<(String, String)>,
}

/// The OAuth2 flows OpenAPI names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowKind {
    /// `implicit`.
    Implicit,
    /// `password` (resource owner password credentials).
    Password,
    /// `clientCredentials`.
    ClientCredentials,
    /// `authorizationCode`.
    AuthorizationCode,
}

impl FlowKind {
    /// The flow's name in OpenAPI.
    pub fn as_str(self) -> &'static str {
        match self {
            FlowKind::Implicit => "implicit",
            FlowKind::Password => "password",
            FlowKind::ClientCredentials => "clientCredentials",
            FlowKind::AuthorizationCode => "authorizationCode",
        }
    }
}

/// How a scheme's credential travels.
#[derive(Debug, Clone, PartialEq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>` (http bearer, OAuth2, OpenID Connect).
    Bearer,
    /// `Authorization: Basic ...`.
    Basic,
    /// An API key in a header, query parameter or cookie.
    ApiKey {
        /// Where.
        location: ParamLocation,
        /// Parameter name.
        name: String,
    },
}

/// What an operation accepts: any one of `alternatives`, each a set of schemes used together
/// (OR across alternatives, AND within one).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Security {
    /// An empty inner list means "no credentials".
    pub alternatives: Vec<Vec<Requirement>>,
}

/// One scheme of an alternative, and the scopes it must grant.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    /// Index into [`Api::security_schemes`].
    pub scheme: usize,
    /// The scopes the credential must carry (OAuth2 and OpenID Connect), in spec order.
    pub scopes: Vec<String>,
}

impl Security {
    /// The operation may be called without credentials.
    pub fn is_optional(&self) -> bool {
        self.alternatives.is_empty() || self.alternatives.iter().any(Vec::is_empty)
    }

    /// Schemes accepted on their own, in spec order, without duplicates.
    pub fn single_schemes(&self) -> Vec<usize> {
        let mut out = Vec::new();
        for alt in &self.alternatives {
            for r in alt {
                if !out.contains(&r.scheme) {
                    out.push(r.scheme);
                }
            }
        }
        out
    }

    /// Whether any alternative asks for scopes.
    pub fn has_scopes(&self) -> bool {
        self.alternatives
            .iter()
            .flatten()
            .any(|r| !r.scopes.is_empty())
    }
}

/// Helper for tests and emitters: type names by id.
pub fn type_names(api: &Api) -> BTreeMap<String, TypeId> {
    api.types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), TypeId(i)))
        .collect()
}
