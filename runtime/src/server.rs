//! Support for generated servers (feature `server`): credentials, parameter and body input,
//! validation of JSON values against the spec's constraints, and the rejection bodies.
//!
//! Generated routers call these helpers before a handler runs, so every rejection has the same
//! shape: an `ErrorMessage` body (`status`, `type`, `message`, `details[field, type, message]`)
//! or, for a missing or rejected credential, a gateway `fault` body with status 401.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, Collected, Limited};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Waker};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

mod form;
mod mock;
mod raw;
mod respond;
mod serve;
mod stream;
mod strict;

use crate::form::File;

pub use crate::sse::Event;
pub use mock::Mock;
pub use raw::RawRequest;
#[doc(hidden)]
pub use respond::ResponseHeaders;
pub use serve::{serve, Serve};
#[doc(hidden)]
pub use stream::{byte_stream, json_events, text_events};
pub use stream::{ByteStream, EventStream};

/// Settings of a generated router.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The largest request body accepted, in bytes; larger bodies get `413`.
    pub body_limit: usize,
    /// The most parts (fields) a form body may have; more get `413`.
    pub form_parts: usize,
    /// The largest part of a `multipart/form-data` body, in bytes; a larger one gets `413`.
    pub part_limit: usize,
}

impl Default for Config {
    /// 2 MiB bodies and parts, as a plain axum app accepts (its `DefaultBodyLimit`); 100 parts.
    fn default() -> Self {
        Config {
            body_limit: 2 * 1024 * 1024,
            form_parts: 100,
            part_limit: 2 * 1024 * 1024,
        }
    }
}

/// What the handlers of a generated router share: the service and the router's settings.
#[doc(hidden)]
pub struct Shared<S> {
    /// The implementation of the crate's `Api`.
    pub service: Arc<S>,
    /// The router's settings.
    pub config: Config,
}

// Not derived: that would ask `S: Clone`, and only the `Arc` is cloned.
impl<S> Clone for Shared<S> {
    fn clone(&self) -> Self {
        Shared {
            service: Arc::clone(&self.service),
            config: self.config,
        }
    }
}

/// A credential taken from a request (a bearer token, an API key, ...). Its `Debug` output is
/// redacted so that it never reaches logs.
pub type Credential = crate::Secret;

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer(headers: &HeaderMap) -> Option<Credential> {
    authorization(headers, "bearer")
}

/// The credentials of an `Authorization: Basic <base64>` header, still encoded.
pub fn basic(headers: &HeaderMap) -> Option<Credential> {
    authorization(headers, "basic")
}

fn authorization(headers: &HeaderMap, scheme: &str) -> Option<Credential> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (name, token) = value.split_once(' ')?;
    let token = token.trim();
    (name.eq_ignore_ascii_case(scheme) && !token.is_empty()).then(|| Credential::new(token))
}

/// An API key sent in a header.
pub fn api_key_header(headers: &HeaderMap, name: &str) -> Option<Credential> {
    let value = headers.get(name)?.to_str().ok()?;
    (!value.is_empty()).then(|| Credential::new(value))
}

/// An API key sent as a query parameter.
pub fn api_key_query(query: Option<&str>, name: &str) -> Option<Credential> {
    let query = query?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, v)| k == name && !v.is_empty())
        .map(|(_, v)| Credential::new(v.into_owned()))
}

/// An API key sent as a cookie.
pub fn api_key_cookie(headers: &HeaderMap, name: &str) -> Option<Credential> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty())
        .map(|(_, v)| Credential::new(v))
}

/// One problem with a request: the `details` item of an `ErrorMessage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Where: a parameter name, or a JSON path into the body (`body.customerAddress.tags[0]`).
    pub field: String,
    /// What kind of problem (`missing_value`, `invalid_type`, `pattern_mismatch`,
    /// `uncompilable_pattern`, ...).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// A message for people.
    pub message: String,
}

impl FieldError {
    /// A problem at `field`.
    /// An empty `field` (the root of the body) is reported as `body`.
    pub fn new(field: &str, kind: &'static str, message: impl Into<String>) -> Self {
        let field = if field.is_empty() { "body" } else { field };
        FieldError {
            field: field.to_string(),
            kind,
            message: message.into(),
        }
    }
}

/// A request refused before the handler ran, rendered as an `ErrorMessage` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// The HTTP status, repeated in the body.
    pub status: u16,
    /// Classification (`validation_failure`, `unsupported_media_type`, ...).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// A message for people.
    pub message: String,
    /// The individual problems.
    pub details: Vec<FieldError>,
}

impl Rejection {
    /// One part of it, as JSON.
    pub fn part(&self, part: Part) -> Value {
        match part {
            Part::Code => Value::from(self.status),
            Part::Reason => {
                let status = StatusCode::from_u16(self.status).ok();
                Value::from(status.and_then(|s| s.canonical_reason()).unwrap_or("Error"))
            }
            Part::Kind => Value::from(self.kind),
            Part::Message => Value::from(self.message.as_str()),
            Part::Details => serde_json::to_value(&self.details).unwrap_or_default(),
            Part::DetailTexts => self
                .details
                .iter()
                .map(|d| Value::from(format!("{}: {}", d.field, d.message)))
                .collect(),
        }
    }

    fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Rejection {
            status: status.as_u16(),
            kind,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// `400`: parameters or body do not match the spec.
    pub fn validation(details: Vec<FieldError>) -> Self {
        Rejection {
            details,
            ..Rejection::new(
                StatusCode::BAD_REQUEST,
                "validation_failure",
                "The request does not match the API specification.",
            )
        }
    }

    /// `400`: the body is not well-formed.
    pub fn malformed_body(message: impl Into<String>) -> Self {
        let detail = FieldError::new("body", "malformed_json", message);
        Rejection {
            details: vec![detail],
            ..Rejection::new(
                StatusCode::BAD_REQUEST,
                "malformed_request",
                "The request body is not well-formed JSON.",
            )
        }
    }

    /// `400`: a form body is not well-formed.
    pub fn malformed_form(message: impl Into<String>) -> Self {
        let detail = FieldError::new("body", "malformed_form", message);
        Rejection {
            details: vec![detail],
            ..Rejection::new(
                StatusCode::BAD_REQUEST,
                "malformed_request",
                "The request body is not a well-formed form.",
            )
        }
    }

    /// `413`: a form body has more parts, or a larger part, than the server accepts.
    pub fn form_too_large(message: impl Into<String>) -> Self {
        let detail = FieldError::new("body", "payload_too_large", message);
        Rejection {
            details: vec![detail],
            ..Rejection::payload_too_large()
        }
    }

    /// `413`: the body is larger than the limit.
    pub fn payload_too_large() -> Self {
        Rejection::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The request body is larger than the server accepts.",
        )
    }

    /// `415`: the body's media type is not one the operation accepts.
    pub fn unsupported_media_type(got: Option<&str>, accepted: &[&str]) -> Self {
        let got = got.unwrap_or("none");
        Rejection::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "Content-Type {got} is not supported; send {}.",
                accepted.join(" or ")
            ),
        )
    }

    /// `404`: no route matches the path.
    pub fn not_found() -> Self {
        Rejection::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No operation matches the request path.",
        )
    }

    /// `404`: a path parameter does not match the spec, so the path names no resource. What
    /// was wrong is told in the message: the `details` of a documented `404` body may not
    /// take it.
    pub fn invalid_path(details: &[FieldError]) -> Self {
        let problems: Vec<String> = details
            .iter()
            .map(|d| format!("{}: {}", d.field, d.message))
            .collect();
        let message = format!(
            "No resource matches the request path ({}).",
            problems.join("; ")
        );
        Rejection::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// This refusal in a status the operation documents (see [`Refusals::documented`]) where
    /// the one that fits is not, and a documented one still says what happened, so that a
    /// client generated from the spec decodes the answer:
    /// - a bad request whose problems are all in the path (`in_path`) is a `404` when that is
    ///   documented: the path names no resource;
    /// - a bad request is a `422` when that is documented and `400` not;
    /// - a `413` or `415` is a bad request (`400`, else `422`); its `type` still says which.
    pub fn documented(self, refusals: &Refusals, in_path: bool) -> Self {
        let has = |status: u16| refusals.documented.contains(&status);
        match (self.status, refusals.bad_request_status()) {
            (status, _) if has(status) => self,
            (400, _) if in_path && has(404) => Rejection::invalid_path(&self.details),
            (400 | 413 | 415, Some(status)) => Rejection { status, ..self },
            _ => self,
        }
    }

    /// `405`: the path exists but not with this method.
    pub fn method_not_allowed() -> Self {
        Rejection::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "The request method is not supported for this path.",
        )
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, axum::Json(self)).into_response()
    }
}

/// `404` for paths no operation matches (the router's fallback).
pub async fn not_found() -> Rejection {
    Rejection::not_found()
}

/// An operation's path as the router's fallback sees it: axum routes no empty last segment, so
/// a request that leaves a path parameter there empty (`/carts/c1/items/`) reaches the
/// fallback, which answers it as the operation answers for a resource that is not there.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct EmptyParameterRoute {
    /// The operation's method, upper case.
    pub method: &'static str,
    /// Its path template (`/carts/{cartId}/items`).
    pub template: &'static str,
    /// How it refuses a request.
    pub refusals: &'static Refusals,
}

impl EmptyParameterRoute {
    /// The route of `method` (upper case) and `template`, refused as `refusals` says.
    pub const fn new(
        method: &'static str,
        template: &'static str,
        refusals: &'static Refusals,
    ) -> Self {
        EmptyParameterRoute {
            method,
            template,
            refusals,
        }
    }
}

/// The answer to a request no route takes: when it names one of `routes` with an empty path
/// parameter, the operation's `404` (in the body it documents), or its bad request where it
/// documents that and not `404`; else the standard `404`.
#[doc(hidden)]
pub fn not_found_in(routes: &[EmptyParameterRoute], request: &Request) -> Response {
    let path = request.uri().path();
    let method = request.method().as_str();
    let found = routes
        .iter()
        .filter(|r| r.method == method)
        .find_map(|r| Some((r, empty_parameter(r.template, path)?)));
    match found {
        Some((route, name)) => {
            // The empty value may be one the parameter's schema takes: the path names no
            // resource (`404`), unless only a bad request is documented.
            let refusals = route.refusals;
            let bad_request_only =
                !refusals.documented.contains(&404) && refusals.bad_request_status().is_some();
            let rejection = match bad_request_only {
                true => Rejection::validation(vec![missing(name)]),
                false => Rejection::invalid_path(&[missing(name)]),
            };
            route.refusals.answer(rejection, true).into_response()
        }
        None => Rejection::not_found().into_response(),
    }
}

/// The first path parameter (a whole segment) of `template` that `path` leaves empty, if
/// `path` is `template` with some parameters empty: an empty segment, or none at all (a client
/// that joins the path may drop the empty segment with its slash: `/carts/items` for
/// `/carts/{cartId}/items`).
fn empty_parameter<'t>(template: &'t str, path: &str) -> Option<&'t str> {
    let template: Vec<&str> = template.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    first_empty(&template, &path, None)
}

fn first_empty<'t>(template: &[&'t str], path: &[&str], empty: Option<&'t str>) -> Option<&'t str> {
    let parameter = |t: &'t str| {
        let name = t.strip_prefix('{')?.strip_suffix('}')?;
        (!name.is_empty() && !name.contains(['{', '}'])).then_some(name)
    };
    match (template.split_first(), path.split_first()) {
        (None, None) => empty,
        (Some((t, template)), path_parts) if parameter(t).is_some() => {
            let name = parameter(t);
            let given = path_parts.and_then(|(p, path)| {
                first_empty(template, path, empty.or(name.filter(|_| p.is_empty())))
            });
            given.or_else(|| first_empty(template, path, empty.or(name)))
        }
        (Some((t, template)), Some((p, path))) if t == p => first_empty(template, path, empty),
        _ => None,
    }
}

/// `405` for known paths with another method (the router's method fallback; axum adds `Allow`).
pub async fn method_not_allowed() -> Rejection {
    Rejection::method_not_allowed()
}

/// A missing or rejected credential: `401` with the gateway's `fault` body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unauthorized {
    /// No credential for any accepted scheme was sent.
    Missing,
    /// A credential was sent but the authenticator rejected it for every accepted scheme.
    Rejected,
}

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        let (faultstring, errorcode) = match self {
            Unauthorized::Missing => ("Access token is missing", "oauth.v2.MissingAccessToken"),
            Unauthorized::Rejected => ("Invalid access token", "oauth.v2.InvalidAccessToken"),
        };
        let body = serde_json::json!({
            "fault": { "faultstring": faultstring, "detail": { "errorcode": errorcode } }
        });
        let mut response = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        response
    }
}

/// Why a generated handler answered before calling the method: its error type, so that the
/// handler can use `?`.
#[doc(hidden)]
#[derive(Debug)]
pub enum Refused {
    /// `401`.
    Unauthorized(Unauthorized),
    /// `403`.
    Forbidden(Forbidden),
    /// `400`, `413` or `415`.
    Rejection(Rejection),
    /// A refusal in the body the spec documents for it.
    Documented(Response),
}

impl From<Unauthorized> for Refused {
    fn from(e: Unauthorized) -> Self {
        Refused::Unauthorized(e)
    }
}

impl From<Forbidden> for Refused {
    fn from(e: Forbidden) -> Self {
        Refused::Forbidden(e)
    }
}

impl From<Rejection> for Refused {
    fn from(e: Rejection) -> Self {
        Refused::Rejection(e)
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::Unauthorized(e) => e.into_response(),
            Refused::Forbidden(e) => e.into_response(),
            Refused::Rejection(e) => e.into_response(),
            Refused::Documented(response) => response,
        }
    }
}

/// What the router knows of one operation: the credentials it accepts and how its input is
/// read. The generated code has one per operation; its handler authenticates with it, then
/// [`read`] reads and checks the request.
#[doc(hidden)]
pub struct Operation<Scheme: 'static, P> {
    /// The alternatives of security schemes it accepts: one alternative, with every scheme in
    /// it and the scopes each must grant, is enough. Empty when it takes no credentials.
    pub security: &'static [&'static [Requirement<Scheme>]],
    /// What its method gets of the principal: [`NoPrincipal`], [`OptionalPrincipal`] or
    /// [`RequiredPrincipal`].
    pub principal: P,
    /// Whether its path has parameters.
    pub path_params: bool,
    /// Its request body, if it has one.
    pub body: Option<BodyRules>,
    /// The JSON body the spec documents for its `403`, sent when the credentials lack a
    /// scope; `None`: a standard one.
    pub forbidden: Option<&'static str>,
    /// How it refuses a bad request, or one that names nothing.
    pub refusals: Refusals,
}

/// How an operation refuses a bad request, or one that names nothing: which of the router's
/// refusal statuses the spec documents for it, and the bodies it documents where the standard
/// [`Rejection`] does not fit them.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Refusals {
    /// The body for its bad requests (`400`, else `422`); `None`: the standard one.
    pub bad_request: Option<ErrorShape>,
    /// The body for its `404`; `None`: the standard one.
    pub not_found: Option<ErrorShape>,
    /// Of the statuses the router refuses a request with (`400`, `404`, `413`, `415`, and
    /// `422`, which it sends for a bad request where `400` is not documented), those the spec
    /// documents for it (all of them, under `4XX` or `default`). Where the fitting one is not
    /// documented, the router answers with a documented one that still says what happened
    /// (see [`Rejection::documented`]).
    pub documented: &'static [u16],
}

impl Refusals {
    /// Refusals in the standard bodies, of which the spec documents the statuses `documented`.
    pub const fn new(documented: &'static [u16]) -> Self {
        Refusals {
            bad_request: None,
            not_found: None,
            documented,
        }
    }

    /// The same, with the body documented for bad requests.
    pub const fn bad_request(self, shape: ErrorShape) -> Self {
        Refusals {
            bad_request: Some(shape),
            ..self
        }
    }

    /// The same, with the body documented for `404`.
    pub const fn not_found(self, shape: ErrorShape) -> Self {
        Refusals {
            not_found: Some(shape),
            ..self
        }
    }

    /// The status it answers a bad request with, if it documents one: `400`, else `422`.
    fn bad_request_status(&self) -> Option<u16> {
        [400, 422].into_iter().find(|s| self.documented.contains(s))
    }

    /// `rejection` in a status the operation documents (`in_path`: its problems are all in
    /// the path), in the body it documents for that status; other refusals (`413`, `415`)
    /// stay standard.
    pub fn answer(&self, rejection: Rejection, in_path: bool) -> Refused {
        let rejection = rejection.documented(self, in_path);
        let shape = match rejection.status {
            400 | 422 => self.bad_request,
            404 => self.not_found,
            _ => None,
        };
        match shape {
            Some(shape) => Refused::Documented(shape.answer(&rejection)),
            None => Refused::Rejection(rejection),
        }
    }
}

/// A documented error body, and which of its fields take which part of a [`Rejection`].
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct ErrorShape {
    /// The documented body, as JSON that fits its schema.
    pub template: &'static str,
    /// Top-level fields of `template` that are replaced by a part of the rejection.
    pub fields: &'static [(&'static str, Part)],
}

/// One part of a [`Rejection`], as a documented error body's field takes it.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The status code, a number.
    Code,
    /// The status's reason phrase (`Bad Request`).
    Reason,
    /// [`Rejection::kind`].
    Kind,
    /// [`Rejection::message`].
    Message,
    /// [`Rejection::details`] as objects.
    Details,
    /// [`Rejection::details`] as texts (`field: message`).
    DetailTexts,
}

impl ErrorShape {
    /// The documented body with `rejection` written into it, sent with its status.
    pub fn answer(&self, rejection: &Rejection) -> Response {
        let mut body: Value = serde_json::from_str(self.template).unwrap_or(Value::Null);
        if let Some(m) = body.as_object_mut() {
            for (field, part) in self.fields {
                m.insert(field.to_string(), rejection.part(*part));
            }
        }
        let status = StatusCode::from_u16(rejection.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, axum::Json(body)).into_response()
    }
}

/// One scheme of an alternative, and the scopes its credential must grant.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Requirement<Scheme: 'static> {
    /// The scheme.
    pub scheme: Scheme,
    /// The scopes; all of them must be granted.
    pub scopes: &'static [&'static str],
}

impl<Scheme: Copy> Requirement<Scheme> {
    /// `scheme`, with no scopes.
    pub const fn new(scheme: Scheme) -> Self {
        Requirement {
            scheme,
            scopes: &[],
        }
    }

    /// The same scheme, with `scopes` to grant.
    pub const fn scopes(self, scopes: &'static [&'static str]) -> Self {
        Requirement { scopes, ..self }
    }
}

/// Credentials that were accepted but lack a scope the operation requires: `403` with the
/// operation's documented body, or a standard one.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forbidden(pub Option<&'static str>);

impl IntoResponse for Forbidden {
    fn into_response(self) -> Response {
        let body = self
            .0
            .and_then(|text| serde_json::from_str::<Value>(text).ok())
            .unwrap_or_else(|| {
                serde_json::json!({
                    "status": 403,
                    "type": "insufficient_scope",
                    "message": "The credentials do not grant the scopes this operation requires."
                })
            });
        (StatusCode::FORBIDDEN, axum::Json(body)).into_response()
    }
}

/// The request body an operation reads.
#[doc(hidden)]
pub struct BodyRules {
    /// The media types it accepts, each with how it is decoded.
    pub accepted: &'static [(&'static str, Encoding)],
    /// Whether a request without a body is refused.
    pub required: bool,
}

/// What an operation's method gets of the principal the authenticator found (`None` when
/// no alternative of credentials was sent, for an operation that also accepts none).
#[doc(hidden)]
pub trait PrincipalRule {
    /// The method's principal argument for a principal of type `P`.
    type Principal<P>;
    /// That argument, or `401` when the operation needs a principal and there is none.
    fn principal<P>(found: Option<P>) -> Result<Self::Principal<P>, Unauthorized>;
}

/// The operation takes no credentials: its method gets no principal.
#[doc(hidden)]
pub struct NoPrincipal;

/// The operation takes credentials but also accepts none: its method gets an `Option`.
#[doc(hidden)]
pub struct OptionalPrincipal;

/// The operation needs credentials: its method gets the principal.
#[doc(hidden)]
pub struct RequiredPrincipal;

impl PrincipalRule for NoPrincipal {
    type Principal<P> = ();
    fn principal<P>(_: Option<P>) -> Result<(), Unauthorized> {
        Ok(())
    }
}

impl PrincipalRule for OptionalPrincipal {
    type Principal<P> = Option<P>;
    fn principal<P>(found: Option<P>) -> Result<Option<P>, Unauthorized> {
        Ok(found)
    }
}

impl PrincipalRule for RequiredPrincipal {
    type Principal<P> = P;
    fn principal<P>(found: Option<P>) -> Result<P, Unauthorized> {
        found.ok_or(Unauthorized::Missing)
    }
}

/// Reads the parameters and body of a request to `op` and checks them: the request `build`
/// makes of them, or the answer that refuses it.
///
/// Not an `async fn`: the future holds only what reading the body needs, not the request's
/// head as well (every byte of a request's future is allocated and copied per request).
#[doc(hidden)]
pub fn read<'a, Scheme, P, T: 'a>(
    op: &'a Operation<Scheme, P>,
    config: &'a Config,
    mut parts: Parts,
    body: Body,
    build: fn(&mut Input) -> Option<T>,
) -> impl Future<Output = Result<T, Refused>> + 'a {
    let path = match op.path_params {
        true => path_params(&mut parts),
        false => Ok(Vec::new()),
    };
    let mut input = Input::new(parts, path);
    async move {
        let body = match &op.body {
            Some(rules) => input.read_body(body, rules, config).await,
            None => Ok(()),
        };
        body.map_err(|rejection| (rejection, false))
            .and_then(|()| input.finish(build))
            .map_err(|(rejection, in_path)| op.refusals.answer(rejection, in_path))
    }
}

/// The path parameters the router matched, by name, in path order. axum's `Path` extractor
/// reads them from the request's extensions without waiting, so its future is polled once,
/// here: awaited, it would make every request's future hold the request twice (each byte of
/// that future is allocated and copied per request).
fn path_params(parts: &mut Parts) -> Result<Vec<(String, String)>, FieldError> {
    let extract = Path::<Vec<(String, String)>>::from_request_parts(parts, &());
    let mut cx = Context::from_waker(Waker::noop());
    let message = match pin!(extract).poll(&mut cx) {
        Poll::Ready(Ok(Path(path))) => return Ok(path),
        Poll::Ready(Err(e)) => e.body_text(),
        Poll::Pending => "the path parameters could not be read".to_string(),
    };
    Err(FieldError::new("path", "invalid_value", message))
}

/// A body of the generated mock: JSON the generator checked against the type `T` reads.
#[doc(hidden)]
pub fn sample<T: DeserializeOwned>(json: &'static str) -> T {
    match serde_json::from_str(json) {
        Ok(body) => body,
        // The generator built or checked this value for this type; failing here is a bug in
        // that check, not in the request.
        Err(e) => panic!("a sample body of the mock does not fit its type ({e}): {json}"),
    }
}

/// A documented status: a code the spec wrote, which is always valid (`500` otherwise).
fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A response with status `code`, no body.
#[doc(hidden)]
pub fn empty(code: u16) -> Response {
    status(code).into_response()
}

/// A response with status `code` and `body` serialized as JSON, sent as `media_type`.
#[doc(hidden)]
pub fn json<T: Serialize>(code: u16, media_type: &'static str, body: T) -> Response {
    if media_type == "application/json" {
        // What `axum::Json` sends anyway.
        return (status(code), axum::Json(body)).into_response();
    }
    let content_type = [(header::CONTENT_TYPE, media_type)];
    (status(code), content_type, axum::Json(body)).into_response()
}

/// A response with status `code` and a text or binary `body` sent as is, as `media_type`.
#[doc(hidden)]
pub fn raw(code: u16, media_type: &'static str, body: impl IntoResponse) -> Response {
    (status(code), [(header::CONTENT_TYPE, media_type)], body).into_response()
}

/// How a parameter's text is read before validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// As is.
    String,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
}

/// Checks a JSON value at a path, adding what is wrong to the errors: a generated `check_*`
/// function, or [`any`].
#[doc(hidden)]
pub type Check = fn(&Value, &At<'_>, &mut Vec<FieldError>);

/// The check of a value that can be anything.
#[doc(hidden)]
pub fn any(_: &Value, _: &At<'_>, _: &mut Vec<FieldError>) {}

/// The parameters and body of one request, and the problems found so far.
#[derive(Debug, Default)]
pub struct Input {
    path: Vec<(String, String)>,
    query: Vec<(String, String)>,
    /// The request as it arrived: its headers are read by the parameters that live there.
    raw: RawRequest,
    body: Option<Payload>,
    errors: Vec<FieldError>,
    /// A JSON body that turned out not to be well-formed when it was read: this refuses the
    /// request whatever else was found. Boxed: `Input` moves through every handler's future.
    malformed: Option<Box<Rejection>>,
    /// How many of `errors` are the path parameters'.
    path_errors: usize,
}

/// A request body as read by [`Input::read_body`]: a JSON body is kept as bytes until its
/// type is known, the others are values already.
#[derive(Debug)]
enum Payload {
    Json(Bytes),
    Value(Value),
    /// The parts of a form (urlencoded pairs are parts without a file name), in order.
    Form(Vec<(String, File)>),
    /// A multipart body, until its boundary is read from the headers.
    Multipart(Bytes),
}

impl Input {
    /// The request's parameters: the path's (or the reason they could not be read), the
    /// query's, and the headers, with the rest of the request, kept as its raw form.
    pub(crate) fn new(parts: Parts, path: Result<Vec<(String, String)>, FieldError>) -> Self {
        let mut input = Input::default();
        match path {
            Ok(path) => input.path = path,
            Err(e) => {
                input.errors.push(e);
                input.path_errors = 1;
            }
        }
        if let Some(q) = parts.uri.query() {
            input.query = form_urlencoded::parse(q.as_bytes()).into_owned().collect();
        }
        input.raw = RawRequest {
            method: parts.method,
            uri: parts.uri,
            version: parts.version,
            headers: parts.headers,
            extensions: parts.extensions,
        };
        input
    }

    /// Reads the body, checking in order: the size limit (`413`), presence (an empty body is
    /// none, or a `400` when it is required), the media type against the accepted ones (`415`),
    /// and syntax (`400`). A problem with the body refuses the request at once, except that the
    /// syntax of a JSON body is checked as it is decoded, and a syntax error refuses the request
    /// in [`Input::finish`], with the same answer.
    pub(crate) async fn read_body(
        &mut self,
        body: Body,
        rules: &BodyRules,
        config: &Config,
    ) -> Result<(), Rejection> {
        let bytes = Limited::new(body, config.body_limit)
            .collect()
            .await
            .map(Collected::to_bytes);
        let headers = &self.raw.headers;
        self.body = match read_body(headers, bytes, rules.accepted, rules.required)? {
            // Boxed: the parser's state is kilobytes, which every request's future would
            // otherwise hold.
            Some(Payload::Multipart(bytes)) => Some(Payload::Form(
                Box::pin(form::multipart(headers, bytes, config)).await?,
            )),
            Some(Payload::Form(parts)) if parts.len() > config.form_parts => {
                return Err(form::too_many_parts(config))
            }
            other => other,
        };
        Ok(())
    }

    /// The request as it arrived, taken out; the generated request builders call it last.
    pub fn raw(&mut self) -> RawRequest {
        std::mem::take(&mut self.raw)
    }

    /// A path parameter, read as `kind`, checked and decoded.
    pub fn path<T: DeserializeOwned>(&mut self, name: &str, kind: Kind, check: Check) -> Option<T> {
        let before = self.errors.len();
        let raw = take_first(&mut self.path, name);
        let value = self
            .scalar(name, raw, kind, true)
            .and_then(|value| self.decode(name, name, value, check));
        self.path_errors += self.errors.len() - before;
        value
    }

    /// A query parameter (the first value when repeated), read as `kind`, checked and decoded.
    pub fn query<T: DeserializeOwned>(
        &mut self,
        name: &str,
        kind: Kind,
        required: bool,
        check: Check,
    ) -> Option<T> {
        let raw = take_first(&mut self.query, name);
        let value = self.scalar(name, raw, kind, required)?;
        self.decode(name, name, value, check)
    }

    /// An array query parameter: repeated keys when `explode`, else one comma-separated value;
    /// each item read as `kind`, then the array checked and decoded.
    pub fn query_array<T: DeserializeOwned>(
        &mut self,
        name: &str,
        kind: Kind,
        explode: bool,
        required: bool,
        check: Check,
    ) -> Option<T> {
        let raws: Vec<String> = self
            .query
            .iter_mut()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| std::mem::take(v))
            .collect();
        if raws.is_empty() {
            if required {
                self.errors.push(missing(name));
            }
            return None;
        }
        let items: Vec<String> = if explode {
            raws
        } else {
            raws[0].split(',').map(str::to_string).collect()
        };
        let values: Option<Vec<Value>> = items
            .into_iter()
            .map(|raw| self.scalar(name, Some(raw), kind, true))
            .collect();
        self.decode(name, name, Value::Array(values?), check)
    }

    /// A header parameter, read as `kind`, checked and decoded.
    pub fn header<T: DeserializeOwned>(
        &mut self,
        name: &str,
        kind: Kind,
        required: bool,
        check: Check,
    ) -> Option<T> {
        let raw = match self.raw.headers.get(name).map(|v| v.to_str()) {
            Some(Ok(v)) => Some(v.to_string()),
            Some(Err(_)) => {
                let e = FieldError::new(name, "invalid_value", "header is not visible ASCII");
                self.errors.push(e);
                return None;
            }
            None => None,
        };
        let value = self.scalar(name, raw, kind, required)?;
        self.decode(name, name, value, check)
    }

    /// A cookie parameter, read as `kind`, checked and decoded.
    pub fn cookie<T: DeserializeOwned>(
        &mut self,
        name: &str,
        kind: Kind,
        required: bool,
        check: Check,
    ) -> Option<T> {
        let raw = api_key_cookie(&self.raw.headers, name).map(Credential::into_inner);
        let value = self.scalar(name, raw, kind, required)?;
        self.decode(name, name, value, check)
    }

    /// The body read by [`read`], checked and decoded; `None` when there is none.
    pub fn body<T: DeserializeOwned>(&mut self, check: Check) -> Option<T> {
        let value = match self.body.take()? {
            Payload::Value(value) => value,
            Payload::Form(_) | Payload::Multipart(_) => return None,
            Payload::Json(bytes) => match serde_json::from_slice(&bytes) {
                Ok(value) => value,
                Err(e) => {
                    self.malformed = Some(Box::new(Rejection::malformed_body(e.to_string())));
                    return None;
                }
            },
        };
        self.decode("", "body", value, check)
    }

    /// Like [`Input::body`], for a body type whose checks ask nothing that a strict decode
    /// does not (every value of the JSON type serde expects, no `null` anywhere, objects for
    /// structs; no constraints, enums or unions), which the generator decides per type.
    ///
    /// A JSON body is first decoded straight into `T` under those rules; when that succeeds,
    /// `check` would have found nothing and `serde_json` would have made the same `T` through
    /// a value, so both are skipped. Otherwise (and for bodies of other media types) this is
    /// [`Input::body`], which stays the one authority on what is wrong.
    pub fn typed_body<T>(&mut self, check: Check) -> Option<T>
    where
        T: DeserializeOwned + PartialEq + fmt::Debug,
    {
        if let Some(Payload::Json(bytes)) = &self.body {
            if let Some(fast) = strict::from_slice::<T>(bytes) {
                #[cfg(debug_assertions)]
                self.assert_slow_path_agrees(&fast, check);
                self.body = None;
                return self.errors.is_empty().then_some(fast);
            }
        }
        self.body(check)
    }

    /// In debug builds (every test, the conformance run), each body the fast path accepts is
    /// also taken through the slow path, which must accept it and make the same value.
    #[cfg(debug_assertions)]
    fn assert_slow_path_agrees<T>(&self, fast: &T, check: Check)
    where
        T: DeserializeOwned + PartialEq + fmt::Debug,
    {
        let mut slow = Input {
            body: match &self.body {
                Some(Payload::Json(bytes)) => Some(Payload::Json(bytes.clone())),
                _ => None,
            },
            ..Input::default()
        };
        let value = slow.body::<T>(check);
        assert!(
            slow.errors.is_empty() && slow.malformed.is_none(),
            "the fast path accepted a body the checks refuse: {:?} {:?}",
            slow.errors,
            slow.malformed
        );
        assert_eq!(
            value.as_ref(),
            Some(fast),
            "the two paths decode differently"
        );
    }

    fn scalar(
        &mut self,
        name: &str,
        raw: Option<String>,
        kind: Kind,
        required: bool,
    ) -> Option<Value> {
        let Some(raw) = raw else {
            if required {
                self.errors.push(missing(name));
            }
            return None;
        };
        let value = match kind {
            Kind::String => Some(Value::String(raw)),
            Kind::Integer => raw.parse::<i64>().ok().map(Value::from),
            Kind::Number => raw
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number),
            Kind::Boolean => raw.parse::<bool>().ok().map(Value::Bool),
        };
        if value.is_none() {
            let message = format!("expected {}", kind_name(kind));
            self.errors
                .push(FieldError::new(name, "invalid_type", message));
        }
        value
    }

    /// Checks `value` at `at`, then converts it into its Rust type, recording a problem at
    /// `field` if serde disagrees. Once a problem is recorded the request is refused anyway,
    /// so nothing more is decoded (serde would only repeat what the checks said).
    fn decode<T: DeserializeOwned>(
        &mut self,
        at: &str,
        field: &str,
        value: Value,
        check: Check,
    ) -> Option<T> {
        check(&value, &At::Root(at), &mut self.errors);
        if !self.errors.is_empty() {
            return None;
        }
        match serde_json::from_value(value) {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors
                    .push(FieldError::new(field, "invalid_value", e.to_string()));
                None
            }
        }
    }

    /// The request `build` makes of the input, or why not: a body that is not well-formed, or
    /// every problem found; with whether the problems are all in the path (for
    /// [`Refusals::answer`]).
    pub fn finish<T>(mut self, build: fn(&mut Input) -> Option<T>) -> Result<T, (Rejection, bool)> {
        let request = build(&mut self);
        if let Some(Payload::Json(bytes)) = self.body.take() {
            // `build` left the body alone; its syntax is checked all the same.
            if let Err(e) = serde_json::from_slice::<Value>(&bytes) {
                self.malformed = Some(Box::new(Rejection::malformed_body(e.to_string())));
            }
        }
        if let Some(rejection) = self.malformed {
            return Err((*rejection, false));
        }
        let in_path = self.path_errors > 0 && self.path_errors == self.errors.len();
        match request {
            Some(r) if self.errors.is_empty() => Ok(r),
            _ => Err((Rejection::validation(self.errors), in_path)),
        }
    }
}

/// The value of the first pair named `name`, taken out (each parameter is read once).
fn take_first(pairs: &mut [(String, String)], name: &str) -> Option<String> {
    pairs
        .iter_mut()
        .find(|(k, _)| k == name)
        .map(|(_, v)| std::mem::take(v))
}

fn missing(name: &str) -> FieldError {
    FieldError::new(name, "missing_value", "a required value is missing")
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::String => "a string",
        Kind::Integer => "an integer",
        Kind::Number => "a number",
        Kind::Boolean => "true or false",
    }
}

/// How a request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// JSON (`application/json`, `+json`).
    Json,
    /// `application/x-www-form-urlencoded`, read as an object of strings.
    Form,
    /// `application/x-www-form-urlencoded`, read as the fields of a form type.
    FormFields,
    /// `multipart/form-data`, read as the fields of a form type.
    Multipart,
    /// UTF-8 text, read as a string.
    Text,
    /// Bytes, read as an array of numbers (what serde makes a `Vec<u8>` from).
    Binary,
}

/// The body of a request, for validation and decoding: the bytes of a JSON body, a JSON value
/// made of any other.
///
/// Checks, in order: the size limit (`413`), presence (an empty body is `None`, or a `400` when
/// `required`), the media type against `accepted` (`415`), and the syntax of a body that is
/// not JSON (`400`; JSON is parsed once its type is known, by [`Input::body`] or
/// [`Input::typed_body`]).
fn read_body(
    headers: &HeaderMap,
    body: Result<Bytes, BoxError>,
    accepted: &[(&str, Encoding)],
    required: bool,
) -> Result<Option<Payload>, Rejection> {
    let bytes = match body {
        Ok(b) => b,
        Err(e) if over_limit(&e) => return Err(Rejection::payload_too_large()),
        Err(e) => {
            let message = format!("Failed to buffer the request body: {e}");
            return Err(Rejection::malformed_body(message));
        }
    };
    if bytes.is_empty() {
        if required {
            return Err(Rejection::validation(vec![missing("body")]));
        }
        return Ok(None);
    }
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim());
    let encoding = accepted
        .iter()
        .find(|(m, _)| media_type.is_some_and(|t| m.eq_ignore_ascii_case(t)))
        .map(|(_, e)| *e);
    let Some(encoding) = encoding else {
        let names: Vec<&str> = accepted.iter().map(|(m, _)| *m).collect();
        let got = media_type.map(str::to_ascii_lowercase);
        let got = got.as_deref();
        return Err(Rejection::unsupported_media_type(got, &names));
    };
    decode_body(bytes, encoding).map(Some)
}

/// Whether reading a body failed on the limit [`Config::body_limit`] (the error may be nested
/// in the body's own error type).
fn over_limit(e: &BoxError) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&**e);
    while let Some(e) = cause {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = e.source();
    }
    false
}

fn decode_body(bytes: Bytes, encoding: Encoding) -> Result<Payload, Rejection> {
    let value = match encoding {
        Encoding::Json => return Ok(Payload::Json(bytes)),
        // Parsed with its boundary once read (`Input::read_body`).
        Encoding::Multipart => return Ok(Payload::Multipart(bytes)),
        Encoding::Form => form_value(&bytes),
        Encoding::FormFields => return Ok(Payload::Form(form::urlencoded(&bytes))),
        Encoding::Text => std::str::from_utf8(&bytes)
            .map(|s| Value::String(s.to_string()))
            .map_err(|e| Rejection::malformed_body(e.to_string()))?,
        Encoding::Binary => Value::Array(bytes.iter().map(|b| Value::from(*b)).collect()),
    };
    Ok(Payload::Value(value))
}

/// A form body (`application/x-www-form-urlencoded`) as a JSON object of strings.
pub fn form_value(bytes: &[u8]) -> Value {
    let map: Map<String, Value> = form_urlencoded::parse(bytes)
        .into_owned()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    Value::Object(map)
}

/// A regular expression from the spec, compiled on first use.
///
/// The dialect is ECMA-262's, which OpenAPI and JSON Schema name, with the `u` (unicode) flag:
/// JSON Schema asks for Unicode support, and Ajv and most other validators compile patterns as
/// `new RegExp(pattern, "u")`. So `.` matches a code point, `\p{L}` works, escapes are strict,
/// and `\d` and `\w` stay ASCII. A pattern is not anchored: it may match anywhere in the value.
///
/// A pattern that does not compile (the generator warns about it) fails every value: a check
/// that cannot run must not pass.
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Result<regress::Regex, String>>,
}

impl Pattern {
    /// A pattern as written in the spec.
    pub const fn new(source: &'static str) -> Self {
        Pattern {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// Whether `s` contains a match. A pattern that does not compile matches nothing.
    pub fn is_match(&self, s: &str) -> bool {
        self.find(s) == Ok(true)
    }

    /// Whether `s` contains a match, or why the pattern does not compile.
    fn find(&self, s: &str) -> Result<bool, &str> {
        let compiled = self.compiled.get_or_init(|| compile(self.source));
        match compiled {
            Ok(re) => Ok(re.find(s).is_some()),
            Err(e) => Err(e),
        }
    }
}

/// Compiles `source` as `new RegExp(source, "u")` would. The generator's warning
/// (`lower::schema::pattern_error`) compiles with the same flags, so it warns about exactly
/// the patterns that fail here.
fn compile(source: &str) -> Result<regress::Regex, String> {
    regress::Regex::with_flags(source, "u").map_err(|e| e.to_string())
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

/// The constraints of one schema, as generated statics.
#[derive(Debug)]
pub struct Rules {
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `pattern`.
    pub pattern: Option<Pattern>,
    /// `minimum` and whether it is exclusive.
    pub minimum: Option<(f64, bool)>,
    /// `maximum` and whether it is exclusive.
    pub maximum: Option<(f64, bool)>,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// `uniqueItems: true`.
    pub unique_items: bool,
    /// `format` (those [`crate::format`] checks).
    pub format: Option<&'static str>,
}

impl Rules {
    /// No constraints; generated statics start here and add theirs with the methods below
    /// (`Rules::NONE.min_length(3).pattern("^[a-z]+$")`).
    pub const NONE: Rules = Rules {
        min_length: None,
        max_length: None,
        pattern: None,
        minimum: None,
        maximum: None,
        min_items: None,
        max_items: None,
        unique_items: false,
        format: None,
    };

    /// With `minLength`.
    pub const fn min_length(mut self, n: u64) -> Self {
        self.min_length = Some(n);
        self
    }

    /// With `maxLength`.
    pub const fn max_length(mut self, n: u64) -> Self {
        self.max_length = Some(n);
        self
    }

    /// With `pattern`.
    pub const fn pattern(mut self, source: &'static str) -> Self {
        // `NONE` has no pattern to drop, and a const fn cannot run a destructor anyway.
        std::mem::forget(self.pattern.replace(Pattern::new(source)));
        self
    }

    /// With `minimum`, exclusive or not.
    pub const fn minimum(mut self, n: f64, exclusive: bool) -> Self {
        self.minimum = Some((n, exclusive));
        self
    }

    /// With `maximum`, exclusive or not.
    pub const fn maximum(mut self, n: f64, exclusive: bool) -> Self {
        self.maximum = Some((n, exclusive));
        self
    }

    /// With `minItems`.
    pub const fn min_items(mut self, n: u64) -> Self {
        self.min_items = Some(n);
        self
    }

    /// With `maxItems`.
    pub const fn max_items(mut self, n: u64) -> Self {
        self.max_items = Some(n);
        self
    }

    /// With `uniqueItems: true`.
    pub const fn unique_items(mut self) -> Self {
        self.unique_items = true;
        self
    }

    /// With `format` (those [`crate::format`] checks).
    pub const fn format(mut self, format: &'static str) -> Self {
        self.format = Some(format);
        self
    }
}

/// Where a value sits in a request (`addresses[2].street`): built up as the checks descend,
/// and written out only when a problem is recorded, so a valid request allocates no paths.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum At<'a> {
    /// A parameter by name, or the body (`""`).
    Root(&'a str),
    /// A member of an object.
    Member(&'a At<'a>, &'a str),
    /// An item of an array.
    Item(&'a At<'a>, usize),
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Root(name) => f.write_str(name),
            At::Member(At::Root(""), name) => f.write_str(name),
            At::Member(parent, name) => write!(f, "{parent}.{name}"),
            At::Item(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// `at.name`: the path of an object member.
pub fn member<'a>(at: &'a At<'a>, name: &'a str) -> At<'a> {
    At::Member(at, name)
}

/// One declared member of an object, for [`members`]: its name, whether it may be `null`, and
/// the [`Check`] of its value.
#[doc(hidden)]
pub type Member = (&'static str, bool, Check);

/// Checks each member of the object `o` at `at` that `members` declares and `o` has, in order:
/// not `null` unless it may be, then its check.
#[doc(hidden)]
pub fn members(
    o: &Map<String, Value>,
    at: &At<'_>,
    errors: &mut Vec<FieldError>,
    members: &[Member],
) {
    for &(name, nullable, check) in members {
        if let Some(v) = o.get(name) {
            let at = member(at, name);
            if present(v, &at, nullable, errors) {
                check(v, &at, errors);
            }
        }
    }
}

/// Checks that `o` has no member but the `known` ones (`additionalProperties: false`).
#[doc(hidden)]
pub fn no_other_members(
    o: &Map<String, Value>,
    at: &At<'_>,
    known: &[&str],
    errors: &mut Vec<FieldError>,
) {
    for name in o.keys().filter(|k| !known.contains(&k.as_str())) {
        let at = member(at, name).to_string();
        errors.push(FieldError::new(
            &at,
            "unexpected_member",
            "is not allowed here",
        ));
    }
}

/// Checks that `v` is an array, then each item with `check`.
#[doc(hidden)]
pub fn items(v: &Value, at: &At<'_>, errors: &mut Vec<FieldError>, check: Check) {
    if let Some(items) = array(v, at, errors) {
        for (i, v) in items.iter().enumerate() {
            check(v, &item(at, i), errors);
        }
    }
}

/// Checks that `v` is an object, then each member's value with `check` (a map's values).
#[doc(hidden)]
pub fn values(v: &Value, at: &At<'_>, errors: &mut Vec<FieldError>, check: Check) {
    if let Some(o) = object(v, at, &[], errors) {
        for (k, v) in o {
            check(v, &member(at, k), errors);
        }
    }
}

/// `at[i]`: the path of an array item.
pub fn item<'a>(at: &'a At<'a>, i: usize) -> At<'a> {
    At::Item(at, i)
}

fn wrong_type(errors: &mut Vec<FieldError>, at: &At<'_>, expected: &str) {
    let message = format!("expected {expected}");
    errors.push(FieldError::new(&at.to_string(), "invalid_type", message));
}

/// Checks that `v` is a string.
pub fn string<'a>(v: &'a Value, at: &At<'_>, errors: &mut Vec<FieldError>) -> Option<&'a str> {
    let s = v.as_str();
    if s.is_none() {
        wrong_type(errors, at, "a string");
    }
    s
}

/// Checks that `v` is a string (a [`Check`]).
#[doc(hidden)]
pub fn check_string(v: &Value, at: &At<'_>, errors: &mut Vec<FieldError>) {
    string(v, at, errors);
}

/// Checks that `v` is a 32-bit integer (a [`Check`]).
#[doc(hidden)]
pub fn check_i32(v: &Value, at: &At<'_>, errors: &mut Vec<FieldError>) {
    integer(v, at, true, errors);
}

/// Checks that `v` is a 64-bit integer (a [`Check`]).
#[doc(hidden)]
pub fn check_i64(v: &Value, at: &At<'_>, errors: &mut Vec<FieldError>) {
    integer(v, at, false, errors);
}

/// Checks that `v` is a boolean.
pub fn boolean(v: &Value, at: &At<'_>, errors: &mut Vec<FieldError>) {
    if !v.is_boolean() {
        wrong_type(errors, at, "a boolean");
    }
}

/// Checks that `v` is a whole number that fits in 32 or 64 bits.
pub fn integer(v: &Value, at: &At<'_>, bits32: bool, errors: &mut Vec<FieldError>) {
    let fits = match v.as_i64() {
        Some(n) if bits32 => i32::try_from(n).is_ok(),
        Some(_) => true,
        None => false,
    };
    if !fits {
        let what = if bits32 {
            "a 32-bit integer"
        } else {
            "a 64-bit integer"
        };
        wrong_type(errors, at, what);
    }
}

/// Checks that `v` is a number.
pub fn number(v: &Value, at: &At<'_>, errors: &mut Vec<FieldError>) {
    if !v.is_number() {
        wrong_type(errors, at, "a number");
    }
}

/// Checks that `v` is an array.
pub fn array<'a>(v: &'a Value, at: &At<'_>, errors: &mut Vec<FieldError>) -> Option<&'a [Value]> {
    let a = v.as_array().map(Vec::as_slice);
    if a.is_none() {
        wrong_type(errors, at, "an array");
    }
    a
}

/// Checks that `v` is an object that has every `required` member.
pub fn object<'a>(
    v: &'a Value,
    at: &At<'_>,
    required: &[&str],
    errors: &mut Vec<FieldError>,
) -> Option<&'a Map<String, Value>> {
    let Some(o) = v.as_object() else {
        wrong_type(errors, at, "an object");
        return None;
    };
    for name in required {
        if !o.contains_key(*name) {
            errors.push(missing(&member(at, name).to_string()));
        }
    }
    Some(o)
}

/// Checks that `v` is `null` only where the spec allows it; returns whether to check further.
pub fn present(v: &Value, at: &At<'_>, nullable: bool, errors: &mut Vec<FieldError>) -> bool {
    if !v.is_null() {
        return true;
    }
    if !nullable {
        errors.push(FieldError::new(
            &at.to_string(),
            "invalid_type",
            "null is not allowed",
        ));
    }
    false
}

/// Checks that `v` is one of the string `values`.
pub fn one_of(v: &Value, at: &At<'_>, values: &[&str], errors: &mut Vec<FieldError>) {
    if let Some(s) = string(v, at, errors) {
        if !values.contains(&s) {
            let message = format!("expected one of {}", values.join(", "));
            errors.push(FieldError::new(&at.to_string(), "invalid_value", message));
        }
    }
}

/// Checks that `check` accepts `v` without errors (one alternative of a union).
pub fn accepts(v: &Value, check: impl Fn(&Value, &mut Vec<FieldError>)) -> bool {
    let mut errors = Vec::new();
    check(v, &mut errors);
    errors.is_empty()
}

/// Records that no alternative of a union accepted the value.
pub fn no_alternative(at: &At<'_>, errors: &mut Vec<FieldError>) {
    let message = "matches none of the allowed schemas";
    errors.push(FieldError::new(&at.to_string(), "invalid_value", message));
}

/// Checks the `rules` that apply to `v`'s JSON type.
pub fn rules(v: &Value, at: &At<'_>, rules: &Rules, errors: &mut Vec<FieldError>) {
    match v {
        Value::String(s) => string_rules(s, at, rules, errors),
        Value::Number(n) => {
            if let Some(x) = n.as_f64() {
                number_rules(x, at, rules, errors);
            }
        }
        Value::Array(a) => {
            let n = a.len() as u64;
            if rules.min_items.is_some_and(|min| n < min) {
                errors.push(FieldError::new(
                    &at.to_string(),
                    "too_few_items",
                    "too few items",
                ));
            }
            if rules.max_items.is_some_and(|max| n > max) {
                errors.push(FieldError::new(
                    &at.to_string(),
                    "too_many_items",
                    "too many items",
                ));
            }
            if rules.unique_items && !crate::unique::all_distinct(a) {
                errors.push(FieldError::new(
                    &at.to_string(),
                    "duplicate_items",
                    "items must be unique",
                ));
            }
        }
        _ => {}
    }
}

fn string_rules(s: &str, at: &At<'_>, rules: &Rules, errors: &mut Vec<FieldError>) {
    let n = s.chars().count() as u64;
    if let Some(min) = rules.min_length.filter(|&min| n < min) {
        let message = format!("must be at least {min} characters long");
        errors.push(FieldError::new(&at.to_string(), "too_short", message));
    }
    if let Some(max) = rules.max_length.filter(|&max| n > max) {
        let message = format!("must be at most {max} characters long");
        errors.push(FieldError::new(&at.to_string(), "too_long", message));
    }
    if let Some(p) = &rules.pattern {
        pattern_rule(s, at, p, errors);
    }
    if let Some(format) = rules.format.filter(|f| !crate::format::conforms(f, s)) {
        let message = match format {
            "email" => "must be an email address".to_string(),
            _ => format!("must be a valid {format}"),
        };
        errors.push(FieldError::new(&at.to_string(), "invalid_format", message));
    }
}

fn pattern_rule(s: &str, at: &At<'_>, p: &Pattern, errors: &mut Vec<FieldError>) {
    let (kind, message) = match p.find(s) {
        Ok(true) => return,
        Ok(false) => ("pattern_mismatch", format!("must match {}", p.source)),
        // The spec's fault, not the client's; but a value the spec constrains in a way that
        // cannot be checked is not accepted unchecked.
        Err(e) => (
            "uncompilable_pattern",
            format!(
                "cannot be checked: the spec's pattern {} does not compile as ECMA-262 with flag u ({e})",
                p.source
            ),
        ),
    };
    errors.push(FieldError::new(&at.to_string(), kind, message));
}

fn number_rules(x: f64, at: &At<'_>, rules: &Rules, errors: &mut Vec<FieldError>) {
    let low = rules
        .minimum
        .is_some_and(|(min, excl)| if excl { x <= min } else { x < min });
    let high = rules
        .maximum
        .is_some_and(|(max, excl)| if excl { x >= max } else { x > max });
    if low || high {
        errors.push(FieldError::new(
            &at.to_string(),
            "out_of_range",
            "the number is out of range",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_path_parameter_names_its_route() {
        let t = "/carts/{cartId}/items/{itemId}";
        assert_eq!(empty_parameter(t, "/carts//items/7"), Some("cartId"));
        assert_eq!(empty_parameter(t, "/carts/1/items/"), Some("itemId"));
        // Every parameter given: axum routes it, the fallback never sees it.
        assert_eq!(empty_parameter(t, "/carts/1/items/7"), None);
        assert_eq!(empty_parameter(t, "/carts//other/7"), None);
        // An empty parameter may have lost its slash too.
        assert_eq!(empty_parameter(t, "/carts/items/7"), Some("cartId"));
        assert_eq!(empty_parameter(t, "/carts/items/"), Some("cartId"));
        assert_eq!(empty_parameter(t, "/carts/items"), Some("cartId"));
        assert_eq!(empty_parameter(t, "/carts//items/7/x"), None);
        assert_eq!(empty_parameter(t, "/carts/1/other/7"), None);
        // A segment that only holds a parameter beside text must match as written.
        assert_eq!(empty_parameter("/notes|{noteId}/x", "/notes|/x"), None);
    }

    #[test]
    fn bearer_tokens_are_found_and_redacted() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer abc"),
        );
        let token = bearer(&h).unwrap();
        assert_eq!(token.expose(), "abc");
        assert_eq!(format!("{token:?}"), "<redacted>");
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), None);
    }

    #[test]
    fn rules_report_each_violation() {
        static TENANT: Rules = Rules::NONE
            .min_length(3)
            .max_length(16)
            .pattern("^[a-z][a-z0-9]+$");
        let mut errors = Vec::new();
        rules(
            &Value::from("ab"),
            &At::Root("tenant"),
            &TENANT,
            &mut errors,
        );
        rules(
            &Value::from("Abc"),
            &At::Root("tenant"),
            &TENANT,
            &mut errors,
        );
        rules(
            &Value::from("abc"),
            &At::Root("tenant"),
            &TENANT,
            &mut errors,
        );
        let kinds: Vec<_> = errors.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, ["too_short", "pattern_mismatch"]);
    }

    #[test]
    fn patterns_are_ecma_262() {
        // Look-ahead and back-references, which the `regex` crate refused.
        let digit_needed = Pattern::new(r"^(?=.*\d)[a-z\d]+$");
        assert!(digit_needed.is_match("abc1"));
        assert!(!digit_needed.is_match("abc"));
        let doubled = Pattern::new(r"^(\w)\1$");
        assert!(doubled.is_match("aa"));
        assert!(!doubled.is_match("ab"));
        // Not anchored: a match anywhere counts.
        assert!(Pattern::new("[a-z]+").is_match("123abc456"));
    }

    #[test]
    fn digits_and_word_characters_are_ascii() {
        let digits = Pattern::new(r"^\d+$");
        assert!(digits.is_match("0123456789"));
        // ARABIC-INDIC DIGITs one, two, three: `\d` is `[0-9]` in ECMA-262, even with `u`.
        assert!(!digits.is_match("\u{661}\u{662}\u{663}"));
        assert!(!Pattern::new(r"^\w+$").is_match("café"));
    }

    #[test]
    fn patterns_see_code_points() {
        // The `u` flag: property classes, and `.` is one code point, not one UTF-16 unit.
        assert!(Pattern::new(r"^\p{L}+$").is_match("Zoë"));
        assert!(Pattern::new("^.$").is_match("\u{1F600}"));
    }

    #[test]
    fn an_uncompilable_pattern_rejects_every_value() {
        // An inline flag group (PCRE, Java, Python) and a needless escape (invalid with `u`).
        for source in ["(?i)^[a-z]+$", r"^[a-z]+\_[0-9]+$"] {
            let with_pattern = Rules::NONE.pattern(source);
            for value in ["", "abc", "ABC", "a_1"] {
                let mut errors = Vec::new();
                rules(
                    &Value::from(value),
                    &At::Root("code"),
                    &with_pattern,
                    &mut errors,
                );
                let kinds: Vec<_> = errors.iter().map(|e| e.kind).collect();
                assert_eq!(kinds, ["uncompilable_pattern"], "{source} on {value:?}");
                assert!(errors[0].message.contains(source), "{}", errors[0].message);
            }
            assert!(!Pattern::new(source).is_match("abc"));
        }
    }

    #[test]
    fn paths_are_written_out_only_for_problems() {
        let body = At::Root("");
        let addresses = member(&body, "addresses");
        let second = item(&addresses, 1);
        let street = member(&second, "street");
        assert_eq!(street.to_string(), "addresses[1].street");
        let mut errors = Vec::new();
        check_string(&Value::from(3), &street, &mut errors);
        assert_eq!(errors[0].field, "addresses[1].street");
        check_string(&Value::from(3), &body, &mut errors);
        assert_eq!(errors[1].field, "body");
    }

    #[test]
    fn query_parameters_are_typed() {
        let request = axum::http::Request::builder()
            .uri("/?n=12&b=maybe&t=a,b")
            .body(());
        let (parts, ()) = request.unwrap().into_parts();
        let mut input = Input::new(parts, Ok(Vec::new()));
        assert_eq!(input.query("n", Kind::Integer, true, any), Some(12));
        assert_eq!(
            input.query_array("t", Kind::String, false, true, any),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(input.query::<bool>("b", Kind::Boolean, true, any), None);
        assert_eq!(
            input.query::<String>("missing", Kind::String, false, any),
            None
        );
        let (err, in_path) = input.finish(|_| Some(())).unwrap_err();
        assert!(!in_path);
        assert_eq!(err.status, 400);
        assert_eq!(err.details.len(), 1);
        assert_eq!(err.details[0].field, "b");
    }
}
