//! Transport policy (timeouts, retries, User-Agent) and the request loop that generated
//! methods call.

use crate::auth::{Chosen, Credentials, FlowKind, Scheme, SchemeKind, Security};
use crate::error::{from_reqwest, DecodeError, Error, ResponseParts};
use crate::form::{File, Form, Parts};
use crate::oauth2::{self, ClientCredentials};
use crate::response::ExtraHeaders;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, COOKIE, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::marker::PhantomData;
use std::time::{Duration, SystemTime};

/// When and how often a failed request is sent again.
///
/// Only idempotent methods (everything but `POST` and `PATCH`) are retried, and only on a
/// connection error or a status in [`RetryPolicy::statuses`]. A `Retry-After` header (seconds
/// or an HTTP date) replaces the backoff when it asks for no more than
/// [`RetryPolicy::max_retry_after`]; a longer wait is not retried.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt; `0` turns retrying off.
    pub max_retries: u32,
    /// Wait before the first retry; doubled for each further one. Each wait is drawn at random
    /// from the upper half of that (between half and all of it), so that clients that failed
    /// together do not retry together.
    pub initial_backoff: Duration,
    /// Upper bound of the backoff (before the random draw).
    pub max_backoff: Duration,
    /// The longest `Retry-After` that is honoured.
    pub max_retry_after: Duration,
    /// Statuses that are retried.
    pub statuses: Vec<StatusCode>,
}

impl RetryPolicy {
    /// No retries.
    pub fn off() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The wait before retry number `retry + 1`, with "equal jitter": the exponential backoff
    /// `d` (capped) scaled into `[d/2, d]` by `unit`, a random number in `[0, 1)`. Half of it is
    /// kept so that a retry never comes at once; the other half spreads the retries of
    /// clients that failed at the same moment. `unit` is an argument so that tests can fix it.
    fn backoff(&self, retry: u32, unit: f64) -> Duration {
        let factor = 2u32.saturating_pow(retry);
        let full = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let half = full / 2;
        // A factor in [0, 1] cannot overflow or go negative, so `mul_f64` cannot panic.
        half + (full - half).mul_f64(unit.clamp(0.0, 1.0))
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
            statuses: vec![
                StatusCode::TOO_MANY_REQUESTS,
                StatusCode::BAD_GATEWAY,
                StatusCode::SERVICE_UNAVAILABLE,
                StatusCode::GATEWAY_TIMEOUT,
            ],
        }
    }
}

/// Settings of a generated client.
#[derive(Debug, Clone)]
pub struct Config {
    /// Limit for a whole request, from connecting to the end of the body.
    pub timeout: Duration,
    /// Limit for connecting.
    pub connect_timeout: Duration,
    /// Retries.
    pub retry: RetryPolicy,
    /// Refresh the token and retry once when the server answers `401`.
    pub refresh_on_unauthorized: bool,
    /// `User-Agent`; by default the generated crate's name and version.
    pub user_agent: Option<String>,
    /// A preconfigured reqwest client (proxies, TLS roots); it then owns the timeouts and
    /// User-Agent, and the fields above that configure those are ignored. The generated crate
    /// re-exports reqwest (`client::reqwest`), so building one needs no dependency of its own.
    pub http: Option<reqwest::Client>,
    /// The longest response body read, in bytes (16 MiB by default). The body is read as it
    /// arrives and reading stops at the limit, so a broken or hostile server cannot exhaust
    /// memory; a longer body fails the call with [`Error::BodyTooLarge`].
    pub max_response_body: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            refresh_on_unauthorized: true,
            user_agent: None,
            http: None,
            max_response_body: 16 * 1024 * 1024,
        }
    }
}

/// The state a generated client wraps: base URL, HTTP client, credentials and policy.
#[derive(Debug, Clone)]
pub struct ClientCore {
    base_url: Url,
    http: reqwest::Client,
    credentials: Credentials,
    retry: RetryPolicy,
    refresh_on_unauthorized: bool,
    max_response_body: u64,
}

/// A request as a generated method builds it, before credentials are added. `E` is the
/// operation's error type, so that its methods' `?` need no annotation.
#[doc(hidden)]
pub struct Prepared<E> {
    pub method: Method,
    /// The path template as the spec writes it (`/customer/{tenant}/me`), for the span.
    pub template: &'static str,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Option<Body>,
    error: PhantomData<fn() -> E>,
}

/// A request body as a generated method sets it. It is kept as data, not as a reqwest body,
/// because a retried request is built again from it.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub enum Body {
    /// Bytes of a media type (JSON, urlencoded, text, binary).
    Bytes(&'static str, Vec<u8>),
    /// The parts of a `multipart/form-data` body; the multipart builder sets the boundary.
    Multipart(Vec<(&'static str, File)>),
}

impl<E> Prepared<E> {
    /// Appends a query parameter in the `form` style: repeated keys when `explode`, else one
    /// comma-joined value. `None` appends nothing.
    pub fn query<T: Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
        explode: bool,
    ) -> Result<(), Error<E>> {
        query(&mut self.url, name, value, explode)
    }

    /// Sets a header parameter in the `simple` style (comma-joined). `None` sets nothing.
    pub fn header<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error<E>> {
        header(&mut self.headers, name, value)
    }

    /// Sets a header parameter that holds a credential (`Authorization` declared as a
    /// parameter): as [`Prepared::header`], marked sensitive so that it is never logged.
    pub fn secret_header<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error<E>> {
        header(&mut self.headers, name, value)?;
        if let Some(v) = self.headers.get_mut(name) {
            v.set_sensitive(true);
        }
        Ok(())
    }

    /// Appends the extra headers the caller added to this call.
    pub fn extra(&mut self, extra: ExtraHeaders) -> Result<(), Error<E>> {
        extra.apply(&mut self.headers)
    }

    /// Sets a cookie parameter. `None` sets nothing.
    pub fn cookie<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), Error<E>> {
        cookie(&mut self.headers, name, value)
    }

    /// Sends `value` as a JSON body of type `content_type`.
    pub fn json<T: Serialize + ?Sized>(
        &mut self,
        content_type: &'static str,
        value: &T,
    ) -> Result<(), Error<E>> {
        let (content_type, bytes) = json_body(content_type, value)?;
        self.body = Some(Body::Bytes(content_type, bytes));
        Ok(())
    }

    /// Sends `value` as a form-encoded body of type `content_type`.
    pub fn form<T: Serialize + ?Sized>(
        &mut self,
        content_type: &'static str,
        value: &T,
    ) -> Result<(), Error<E>> {
        let (content_type, bytes) = form_body(content_type, value)?;
        self.body = Some(Body::Bytes(content_type, bytes));
        Ok(())
    }

    /// Sends the fields of `form` urlencoded (`application/x-www-form-urlencoded`), as
    /// `content_type`: one `name=value` pair per part, in field order.
    pub fn form_fields<F: Form + ?Sized>(
        &mut self,
        content_type: &'static str,
        form: &F,
    ) -> Result<(), Error<E>> {
        let parts = Parts::of(form).map_err(Error::InvalidRequest)?;
        let mut text = form_urlencoded::Serializer::new(String::new());
        for (name, part) in &parts {
            text.append_pair(name, &String::from_utf8_lossy(&part.bytes));
        }
        self.body = Some(Body::Bytes(content_type, text.finish().into_bytes()));
        Ok(())
    }

    /// Sends the fields of `form` as a `multipart/form-data` body, one part per value.
    pub fn multipart<F: Form + ?Sized>(&mut self, form: &F) -> Result<(), Error<E>> {
        let parts = Parts::of(form).map_err(Error::InvalidRequest)?;
        self.body = Some(Body::Multipart(parts));
        Ok(())
    }

    /// Sends `value` as is, as a body of type `content_type`.
    pub fn raw(&mut self, content_type: &'static str, value: impl AsRef<[u8]>) {
        let (content_type, bytes) = raw_body(content_type, value);
        self.body = Some(Body::Bytes(content_type, bytes));
    }
}

/// How a call reads its response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// Whole, within the total timeout.
    Whole,
    /// As it arrives, without a total timeout.
    Stream,
}

/// The response of [`ClientCore::send_stream`]: the body still to be read, or read whole
/// (a status the caller does not stream).
#[doc(hidden)]
#[derive(Debug)]
pub enum Streamed {
    /// Head received; the body is read as it arrives.
    Open(crate::stream::Open),
    /// Read whole.
    Read(Raw),
}

/// A response as received, for a generated method to type.
#[doc(hidden)]
#[derive(Debug)]
pub struct Raw {
    pub method: Method,
    /// The request's path, without its query (which may hold a token).
    pub path: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl ClientCore {
    /// A core for `base_url`; `default_user_agent` names the generated crate.
    pub fn new(
        base_url: &str,
        credentials: Credentials,
        config: Config,
        default_user_agent: &str,
    ) -> Result<Self, Error> {
        let mut base_url = Url::parse(base_url)
            .map_err(|e| Error::InvalidRequest(format!("base URL `{base_url}`: {e}")))?;
        if base_url.cannot_be_a_base() {
            return Err(Error::InvalidRequest(format!(
                "base URL `{base_url}` cannot have a path"
            )));
        }
        base_url.set_query(None);
        base_url.set_fragment(None);
        let http = match config.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(config.timeout)
                .connect_timeout(config.connect_timeout)
                // The total timeout bounds a whole call; a streamed one has none, and this
                // bounds each wait for its next chunk instead (and the wait for its head).
                .read_timeout(config.timeout)
                .user_agent(config.user_agent.as_deref().unwrap_or(default_user_agent))
                .build()
                .map_err(Error::Transport)?,
        };
        Ok(ClientCore {
            base_url,
            http,
            credentials,
            retry: config.retry,
            refresh_on_unauthorized: config.refresh_on_unauthorized,
            max_response_body: config.max_response_body,
        })
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The credentials store (shared with clones).
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// A URL of the spec (a flow's token URL, say), resolved against the base URL when relative.
    /// The base URL counts as a directory: with `https://h/v1`, `oauth/token` is
    /// `https://h/v1/oauth/token` and `/oauth/token` is `https://h/oauth/token`.
    pub fn resolve_url(&self, url: &str) -> Result<Url, Error> {
        let mut base = self.base_url.clone();
        if !base.path().ends_with('/') {
            let directory = format!("{}/", base.path());
            base.set_path(&directory);
        }
        base.join(url)
            .map_err(|e| Error::InvalidRequest(format!("`{url}` is not a valid URL: {e}")))
    }

    /// Fetches the tokens of `scheme` with the OAuth2 client credentials grant: from the token
    /// URL of its `clientCredentials` flow (or the one `grant` sets), resolved against the base
    /// URL, with this client's HTTP settings. Tokens are cached in the credentials store until
    /// shortly before they expire, refreshed in single flight, and once after a `401`.
    ///
    /// Fails when neither the scheme nor `grant` names a token URL, or it is not a URL.
    pub fn set_client_credentials(
        &self,
        scheme: Scheme,
        grant: ClientCredentials,
    ) -> Result<(), Error> {
        let declared = scheme.token_url(FlowKind::ClientCredentials);
        let Some(url) = grant.token_url_override().or(declared) else {
            return Err(Error::InvalidRequest(format!(
                "the scheme `{}` declares no clientCredentials flow: name its token endpoint \
                 with `ClientCredentials::token_url`",
                scheme.name
            )));
        };
        let url = self.resolve_url(url)?;
        oauth2::install(
            &self.credentials,
            scheme.name,
            self.http.clone(),
            url,
            grant,
        );
        Ok(())
    }

    /// The base URL followed by `segments`, each percent-encoded as exactly one path segment.
    #[doc(hidden)]
    pub fn url<E>(&self, segments: &[&str]) -> Result<Url, Error<E>> {
        path_url(&self.base_url, segments)
    }

    /// A `method` request to the base URL followed by `segments` (see [`ClientCore::url`]),
    /// without parameters or body yet; `template` is the spec's path.
    #[doc(hidden)]
    pub fn request<E>(
        &self,
        method: Method,
        template: &'static str,
        segments: &[&str],
    ) -> Result<Prepared<E>, Error<E>> {
        Ok(Prepared {
            method,
            template,
            url: path_url(&self.base_url, segments)?,
            headers: HeaderMap::new(),
            body: None,
            error: PhantomData,
        })
    }

    /// A `GET` request (see [`ClientCore::request`]).
    #[doc(hidden)]
    pub fn get<E>(
        &self,
        template: &'static str,
        segments: &[&str],
    ) -> Result<Prepared<E>, Error<E>> {
        self.request(Method::GET, template, segments)
    }

    /// A `PUT` request (see [`ClientCore::request`]).
    #[doc(hidden)]
    pub fn put<E>(
        &self,
        template: &'static str,
        segments: &[&str],
    ) -> Result<Prepared<E>, Error<E>> {
        self.request(Method::PUT, template, segments)
    }

    /// A `POST` request (see [`ClientCore::request`]).
    #[doc(hidden)]
    pub fn post<E>(
        &self,
        template: &'static str,
        segments: &[&str],
    ) -> Result<Prepared<E>, Error<E>> {
        self.request(Method::POST, template, segments)
    }

    /// A `DELETE` request (see [`ClientCore::request`]).
    #[doc(hidden)]
    pub fn delete<E>(
        &self,
        template: &'static str,
        segments: &[&str],
    ) -> Result<Prepared<E>, Error<E>> {
        self.request(Method::DELETE, template, segments)
    }

    /// A `OPTIONS` request (see [`ClientCore::request`]).
    #[doc(hidden)]
    pub fn options<E>(
        &self,
        template: &'static str,
        segments: &[&str],
    ) -> Result<Prepared<E>, Error<E>> {
        self.request(Method::OPTIONS, template, segments)
    }

    /// A `HEAD` request (see [`ClientCore::request`]).
    #[doc(hidden)]
    pub fn head<E>(
        &self,
        template: &'static str,
        segments: &[&str],
    ) -> Result<Prepared<E>, Error<E>> {
        self.request(Method::HEAD, template, segments)
    }

    /// A `PATCH` request (see [`ClientCore::request`]).
    #[doc(hidden)]
    pub fn patch<E>(
        &self,
        template: &'static str,
        segments: &[&str],
    ) -> Result<Prepared<E>, Error<E>> {
        self.request(Method::PATCH, template, segments)
    }

    /// A `TRACE` request (see [`ClientCore::request`]).
    #[doc(hidden)]
    pub fn trace<E>(
        &self,
        template: &'static str,
        segments: &[&str],
    ) -> Result<Prepared<E>, Error<E>> {
        self.request(Method::TRACE, template, segments)
    }

    /// Sends `req` with credentials for `security`, applying the retry and 401 policies, and
    /// reads the response body up to [`Config::max_response_body`]. With feature `tracing`,
    /// the call is a span (`oasgen.call`: operation, method, path template, status).
    #[doc(hidden)]
    pub async fn send<E>(&self, req: Prepared<E>, security: &Security) -> Result<Raw, Error<E>> {
        let method = req.method.clone();
        let response = self.traced(req, security, Reading::Whole).await?;
        read(&method, response, self.max_response_body).await
    }

    /// Sends `req` as [`ClientCore::send`] does; when the status is one `streams` accepts, the
    /// body is left to be read as it arrives ([`Streamed::Open`]), else it is read whole. The
    /// request has no total timeout: `Config::timeout` bounds each read instead.
    #[doc(hidden)]
    pub async fn send_stream<E>(
        &self,
        req: Prepared<E>,
        security: &Security,
        streams: fn(u16) -> bool,
    ) -> Result<Streamed, Error<E>> {
        let method = req.method.clone();
        let response = self.traced(req, security, Reading::Stream).await?;
        let status = response.status();
        if !streams(status.as_u16()) {
            return read(&method, response, self.max_response_body)
                .await
                .map(Streamed::Read);
        }
        Ok(Streamed::Open(crate::stream::Open {
            method,
            path: response.url().path().to_string(),
            status,
            headers: response.headers().clone(),
            response,
            limit: self.max_response_body,
        }))
    }

    /// [`ClientCore::exchange`], in a span with feature `tracing`.
    async fn traced<E>(
        &self,
        req: Prepared<E>,
        security: &Security,
        reading: Reading,
    ) -> Result<reqwest::Response, Error<E>> {
        #[cfg(feature = "tracing")]
        {
            use tracing::Instrument;
            let span = tracing::info_span!(
                "oasgen.call",
                operation = security.operation,
                method = req.method.as_str(),
                path = req.template,
                status = tracing::field::Empty,
            );
            let result = self
                .exchange(req, security, reading)
                .instrument(span.clone())
                .await;
            let status = match &result {
                Ok(response) => Some(response.status()),
                Err(e) => e.status(),
            };
            if let Some(status) = status {
                span.record("status", status.as_u16());
            }
            result
        }
        #[cfg(not(feature = "tracing"))]
        self.exchange(req, security, reading).await
    }

    /// Sends `req` until a response is final (after retries and a 401 refresh); its body is
    /// not read yet.
    async fn exchange<E>(
        &self,
        req: Prepared<E>,
        security: &Security,
        reading: Reading,
    ) -> Result<reqwest::Response, Error<E>> {
        let idempotent = !matches!(req.method, Method::POST | Method::PATCH);
        let mut refreshed = false;
        let mut retries = 0;
        loop {
            let chosen = self.credentials.choose(security).await?;
            let mut request = self.build(&req, &chosen)?;
            if reading == Reading::Stream {
                // A stream may last as long as the server sends: no total timeout (the
                // client's read timeout still bounds each wait). `sleep` takes the longest
                // duration as "never".
                *request.timeout_mut() = Some(Duration::MAX);
            }
            let wait = match self.http.execute(request).await {
                Ok(resp) => {
                    let status = resp.status();
                    if status == StatusCode::UNAUTHORIZED
                        && self.refresh_on_unauthorized
                        && !refreshed
                        && !chosen.is_empty()
                    {
                        refreshed = true;
                        if self.credentials.refresh_rejected(&chosen).await? {
                            continue;
                        }
                    }
                    let retryable = idempotent && self.retry.statuses.contains(&status);
                    match self.retry_wait(retryable, retries, Some(resp.headers())) {
                        Some(wait) => wait,
                        None => return Ok(resp),
                    }
                }
                Err(e) => match self.retry_wait(idempotent && e.is_connect(), retries, None) {
                    Some(wait) => wait,
                    None => return Err(from_reqwest(e)),
                },
            };
            retries += 1;
            tokio::time::sleep(wait).await;
        }
    }

    /// How long to wait before retry number `retries + 1`, or `None` to stop.
    fn retry_wait(
        &self,
        retryable: bool,
        retries: u32,
        headers: Option<&HeaderMap>,
    ) -> Option<Duration> {
        if !retryable || retries >= self.retry.max_retries {
            return None;
        }
        match headers.and_then(retry_after) {
            Some(asked) if asked > self.retry.max_retry_after => None,
            Some(asked) => Some(asked),
            None => Some(self.retry.backoff(retries, fastrand::f64())),
        }
    }

    fn build<E>(&self, req: &Prepared<E>, chosen: &[Chosen]) -> Result<reqwest::Request, Error<E>> {
        let mut url = req.url.clone();
        let mut headers = req.headers.clone();
        for c in chosen {
            let secret = c.token.value.expose();
            let (name, value) = match c.scheme.kind {
                SchemeKind::Bearer => (AUTHORIZATION, format!("Bearer {secret}")),
                SchemeKind::Basic => (AUTHORIZATION, format!("Basic {secret}")),
                SchemeKind::Header(name) => (header_name(name)?, secret.to_string()),
                SchemeKind::Cookie(name) => (COOKIE, format!("{name}={secret}")),
                SchemeKind::Query(name) => {
                    url.query_pairs_mut().append_pair(name, secret);
                    continue;
                }
            };
            let mut value = HeaderValue::from_str(&value).map_err(|_| {
                Error::InvalidRequest(format!(
                    "the `{}` token is not a valid header value",
                    c.scheme.name
                ))
            })?;
            value.set_sensitive(true);
            headers.append(name, value);
        }
        let mut builder = self.http.request(req.method.clone(), url).headers(headers);
        match &req.body {
            Some(Body::Bytes(content_type, body)) => {
                builder = builder
                    .header(reqwest::header::CONTENT_TYPE, *content_type)
                    .body(body.clone());
            }
            Some(Body::Multipart(parts)) => builder = builder.multipart(multipart(parts)?),
            None => {}
        }
        builder.build().map_err(from_reqwest)
    }
}

/// A multipart form of `parts` (with a fresh boundary), for one attempt of a request.
fn multipart<E>(parts: &[(&'static str, File)]) -> Result<reqwest::multipart::Form, Error<E>> {
    let mut form = reqwest::multipart::Form::new();
    for (name, file) in parts {
        let mut part = reqwest::multipart::Part::bytes(file.bytes.clone());
        if let Some(file_name) = &file.file_name {
            part = part.file_name(file_name.clone());
        }
        if let Some(content_type) = &file.content_type {
            part = part.mime_str(content_type).map_err(|_| {
                Error::InvalidRequest(format!(
                    "form field `{name}`: `{content_type}` is not a media type"
                ))
            })?;
        }
        form = form.part(*name, part);
    }
    Ok(form)
}

/// Reads a response, its body chunk by chunk up to `limit` bytes.
async fn read<E>(
    method: &Method,
    mut resp: reqwest::Response,
    limit: u64,
) -> Result<Raw, Error<E>> {
    let status = resp.status();
    let path = resp.url().path().to_string();
    let too_large = || Error::BodyTooLarge { status, limit };
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let headers = std::mem::take(resp.headers_mut());
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(from_reqwest)? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(too_large());
        }
        if body.is_empty() {
            // Reuses the buffer when the body arrives in one piece.
            body = Vec::from(chunk);
        } else {
            body.extend_from_slice(&chunk);
        }
    }
    Ok(Raw {
        method: method.clone(),
        path,
        status,
        headers,
        body,
    })
}

/// `Retry-After` as a duration from now (delta-seconds or an HTTP date).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(text).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

fn header_name<E>(name: &str) -> Result<HeaderName, Error<E>> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::InvalidRequest(format!("`{name}` is not a valid header name")))
}

/// `base` followed by `segments`, each percent-encoded as one path segment.
fn path_url<E>(base: &Url, segments: &[&str]) -> Result<Url, Error<E>> {
    // URL parsers treat `.` and `..` (even percent-encoded) as navigation, so such a value
    // cannot be sent as a segment without changing the path.
    if let Some(bad) = segments.iter().find(|s| matches!(**s, "." | "..")) {
        return Err(Error::InvalidRequest(format!(
            "a path parameter cannot be `{bad}`"
        )));
    }
    let mut url = base.clone();
    url.path_segments_mut()
        .map_err(|()| Error::InvalidRequest(format!("base URL `{base}` cannot have a path")))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

/// A parameter value as the strings that go on the wire: scalars as text, arrays as one value
/// per item, objects as alternating keys and values. `None` gives nothing.
fn param_values<T: Serialize + ?Sized, E>(name: &str, value: &T) -> Result<Vec<String>, Error<E>> {
    let json = serde_json::to_value(value)
        .map_err(|e| Error::InvalidRequest(format!("parameter `{name}`: {e}")))?;
    Ok(crate::form::texts(&json))
}

/// Appends a query parameter in the `form` style: repeated keys when `explode`, else one
/// comma-joined value. `None` appends nothing.
fn query<T: Serialize + ?Sized, E>(
    url: &mut Url,
    name: &str,
    value: &T,
    explode: bool,
) -> Result<(), Error<E>> {
    let values = param_values(name, value)?;
    if values.is_empty() {
        return Ok(());
    }
    let mut pairs = url.query_pairs_mut();
    if explode {
        for v in &values {
            pairs.append_pair(name, v);
        }
    } else {
        pairs.append_pair(name, &values.join(","));
    }
    Ok(())
}

/// Sets a header parameter in the `simple` style (comma-joined). `None` sets nothing.
fn header<T: Serialize + ?Sized, E>(
    headers: &mut HeaderMap,
    name: &'static str,
    value: &T,
) -> Result<(), Error<E>> {
    let values = param_values(name, value)?;
    if values.is_empty() {
        return Ok(());
    }
    let value = HeaderValue::from_str(&values.join(",")).map_err(|_| {
        Error::InvalidRequest(format!(
            "header `{name}` has characters a header cannot carry"
        ))
    })?;
    headers.insert(header_name::<E>(name)?, value);
    Ok(())
}

/// Sets a cookie parameter. `None` sets nothing.
fn cookie<T: Serialize + ?Sized, E>(
    headers: &mut HeaderMap,
    name: &str,
    value: &T,
) -> Result<(), Error<E>> {
    let values = param_values(name, value)?;
    if values.is_empty() {
        return Ok(());
    }
    let pair = format!("{name}={}", values.join(","));
    let value = HeaderValue::from_str(&pair).map_err(|_| {
        Error::InvalidRequest(format!(
            "cookie `{name}` has characters a header cannot carry"
        ))
    })?;
    headers.append(COOKIE, value);
    Ok(())
}

/// A path parameter that is not a string, as text (arrays comma-joined: the `simple` style).
#[doc(hidden)]
pub fn path_value<T: Serialize + ?Sized>(value: &T) -> String {
    param_values::<T, ()>("path", value)
        .map(|v| v.join(","))
        .unwrap_or_default()
}

/// A JSON body.
fn json_body<T: Serialize + ?Sized, E>(
    content_type: &'static str,
    value: &T,
) -> Result<(&'static str, Vec<u8>), Error<E>> {
    let bytes = serde_json::to_vec(value)
        .map_err(|e| Error::InvalidRequest(format!("the body does not serialize: {e}")))?;
    Ok((content_type, bytes))
}

/// A form-encoded body (`application/x-www-form-urlencoded`).
fn form_body<T: Serialize + ?Sized, E>(
    content_type: &'static str,
    value: &T,
) -> Result<(&'static str, Vec<u8>), Error<E>> {
    let text = serde_urlencoded::to_string(value)
        .map_err(|e| Error::InvalidRequest(format!("the body does not form-encode: {e}")))?;
    Ok((content_type, text.into_bytes()))
}

/// A text or binary body, sent as is.
fn raw_body(content_type: &'static str, value: impl AsRef<[u8]>) -> (&'static str, Vec<u8>) {
    (content_type, value.as_ref().to_vec())
}

/// Decodes JSON, or names the JSON path where decoding failed (`.` for the value itself).
pub(crate) fn json_at<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, (String, serde_json::Error)> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de)
        .map_err(|e| (e.path().to_string(), e.into_inner()))
        // Characters after the value are refused, as `serde_json::from_slice` does.
        .and_then(|value| de.end().map(|()| value).map_err(|e| (".".into(), e)))
}

impl Raw {
    /// The body as text, lossily.
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Decodes a JSON body, or fails with [`Error::Decode`] keeping the raw text and naming
    /// the JSON path where decoding failed.
    pub fn json<T: DeserializeOwned, E>(&self) -> Result<T, Error<E>> {
        json_at(&self.body).map_err(|(json_path, source)| {
            Error::Decode(Box::new(DecodeError {
                method: self.method.clone(),
                path: self.path.clone(),
                status: self.status,
                headers: self.headers.clone(),
                raw: self.text(),
                json_path,
                source,
            }))
        })
    }

    /// A documented error response whose JSON body `variant` wraps (decoded first, as
    /// [`Raw::json`] does).
    pub fn api_error_json<T: DeserializeOwned, E, S>(
        self,
        variant: impl FnOnce(T) -> E,
    ) -> Result<S, Error<E>> {
        let body = self.json::<T, E>()?;
        Err(self.api_error(variant(body)))
    }

    /// A documented error response.
    pub fn api_error<E>(self, body: E) -> Error<E> {
        let raw = self.text();
        Error::Api(Box::new(ResponseParts {
            method: self.method,
            path: self.path,
            status: self.status,
            headers: self.headers,
            body,
            raw,
        }))
    }

    /// An undocumented status.
    pub fn unexpected<E>(self) -> Error<E> {
        let raw = self.text();
        Error::UnexpectedStatus(Box::new(ResponseParts {
            method: self.method,
            path: self.path,
            status: self.status,
            headers: self.headers,
            body: (),
            raw,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_stay_one_segment() {
        let base = Url::parse("http://h/api/").unwrap();
        let url = path_url::<()>(&base, &["me", "a/../b?x#y", "%2F"]).unwrap();
        assert_eq!(url.as_str(), "http://h/api/me/a%2F..%2Fb%3Fx%23y/%252F");
        assert!(path_url::<()>(&base, &[".."]).is_err());
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(60));
        h.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(55) && d <= Duration::from_secs(60),
            "{d:?}"
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy::default();
        // The top of the jitter range is the plain exponential backoff.
        assert_eq!(p.backoff(0, 1.0), Duration::from_millis(200));
        assert_eq!(p.backoff(1, 1.0), Duration::from_millis(400));
        assert_eq!(p.backoff(10, 1.0), Duration::from_secs(5));
        assert_eq!(p.backoff(u32::MAX, 1.0), Duration::from_secs(5));
    }

    #[test]
    fn backoff_jitter_keeps_the_upper_half() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(0, 0.0), Duration::from_millis(100));
        assert_eq!(p.backoff(1, 0.5), Duration::from_millis(300));
        assert_eq!(p.backoff(10, 0.0), Duration::from_millis(2500));
        // Draws from a seeded generator spread over the range and never leave it.
        let mut rng = fastrand::Rng::with_seed(14);
        let waits: Vec<Duration> = (0..1000).map(|_| p.backoff(2, rng.f64())).collect();
        let (low, high) = (Duration::from_millis(400), Duration::from_millis(800));
        assert!(waits.iter().all(|w| (low..=high).contains(w)), "{waits:?}");
        let distinct: std::collections::BTreeSet<_> = waits.iter().collect();
        assert!(distinct.len() > 900, "{} distinct waits", distinct.len());
    }

    #[test]
    fn retry_after_replaces_the_backoff_up_to_its_limit() {
        let core =
            ClientCore::new("http://h/", Credentials::new(), Config::default(), "t").unwrap();
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(
            core.retry_wait(true, 0, Some(&h)),
            Some(Duration::from_secs(7))
        );
        h.insert(RETRY_AFTER, HeaderValue::from_static("3600"));
        assert_eq!(core.retry_wait(true, 0, Some(&h)), None);
        // Without the header, the jittered backoff; past the limit or not retryable, none.
        let wait = core.retry_wait(true, 0, None).unwrap();
        let range = Duration::from_millis(100)..=Duration::from_millis(200);
        assert!(range.contains(&wait), "{wait:?}");
        assert_eq!(core.retry_wait(true, 2, None), None);
        assert_eq!(core.retry_wait(false, 0, None), None);
    }
}
