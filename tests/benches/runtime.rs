//! Runtime overhead of the generated crate, for `cargo xtask bench` (run in release):
//!
//! ```text
//! runtime [--rounds N] [--secs S] [--connections C] [--server-threads T] [--json PATH]
//! ```
//!
//! - **Server**: requests/s of the generated axum router serving the reference implementation,
//!   against a hand-written minimal axum app that does the same work (bearer token check against
//!   the same service, serde decode/encode of the same model types, the same statuses), on
//!   `GET /customer/{tenant}/me` and `POST /customer/{tenant}/me/addresses`. The load comes from
//!   a small HTTP/1.1 keep-alive generator in this process (C connections per app on
//!   127.0.0.1, each sending its next request when the last answer is read), bounded by time
//!   and count. Slices of [`SLICE`] alternate between the two apps, so both see the same
//!   machine; per round the median slice of each. Every round gets fresh services, servers and
//!   connections.
//! - **Client**: time per call of the generated client against raw reqwest making the same
//!   request (same headers, same decode into the same model type) to the same local server,
//!   one call at a time, in batches of [`BATCH`] calls that alternate between the two; per
//!   round the median batch of each side.
//!
//! Servers run on their own multi-threaded runtime; the load generator and clients on a
//! current-thread runtime on the main thread, so on a small machine they compete for the same
//! cores, equally for both sides. Prints progress to stderr and, with `--json`, writes the
//! samples and medians there.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use customer_managed::client::{Client, Credentials, Token};
use customer_managed::models;
use customer_managed::server::{
    AddAddressRequest, AddAddressResponse, Api, Authenticator, GetCustomerProfileRequest,
    GetCustomerProfileResponse, SecurityScheme,
};
use oasgen_runtime::server::Credential;
use oasgen_tests::{Principal, ReferenceService};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

const TENANT: &str = "bench";
const TOKEN: &str = "bench-seed-token-0123456789";
/// Upper bound of requests per load run, besides its time limit.
const MAX_REQUESTS: u64 = 5_000_000;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

struct Options {
    rounds: usize,
    secs: f64,
    connections: usize,
    server_threads: usize,
    json: Option<String>,
}

fn main() {
    let opts = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("runtime bench: {e}");
            eprintln!("usage: runtime [--rounds N] [--secs S] [--connections C] [--server-threads T] [--json PATH]");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&opts) {
        eprintln!("runtime bench: {e}");
        std::process::exit(1);
    }
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        rounds: 5,
        secs: 2.0,
        connections: 16,
        server_threads: 2,
        json: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--rounds" => o.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--secs" => o.secs = value()?.parse().map_err(|e| format!("--secs: {e}"))?,
            "--connections" => {
                o.connections = value()?
                    .parse()
                    .map_err(|e| format!("--connections: {e}"))?
            }
            "--server-threads" => {
                o.server_threads = value()?
                    .parse()
                    .map_err(|e| format!("--server-threads: {e}"))?
            }
            "--json" => o.json = Some(value()?),
            // `cargo bench` passes this to every bench target.
            "--bench" => {}
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if o.rounds == 0
        || o.connections == 0
        || o.server_threads == 0
        || o.secs.is_nan()
        || o.secs <= 0.0
    {
        return Err("--rounds, --secs, --connections and --server-threads must be positive".into());
    }
    Ok(o)
}

fn run(o: &Options) -> Result<(), BoxError> {
    let servers = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(o.server_threads)
        .enable_all()
        .build()?;
    let local = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let server = local.block_on(server_bench(servers.handle(), o))?;
    let client = local.block_on(client_bench(servers.handle(), o))?;
    let report = json!({
        "config": {
            "rounds": o.rounds,
            "secs": o.secs,
            "connections": o.connections,
            "server_threads": o.server_threads,
            "load_threads": 1,
        },
        "server": server,
        "client": client,
    });
    if let Some(path) = &o.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The two servers.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum App {
    Generated,
    HandWritten,
}

impl App {
    fn name(self) -> &'static str {
        match self {
            App::Generated => "generated",
            App::HandWritten => "hand-written",
        }
    }
}

fn service() -> Arc<ReferenceService> {
    Arc::new(ReferenceService::new().with_seed_token(TOKEN))
}

/// A running server; dropping the sender stops it.
struct Running {
    addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start(rt: &tokio::runtime::Handle, app: App) -> Result<Running, BoxError> {
    let listener = std::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let router = match app {
        App::Generated => customer_managed::server::router(service()),
        App::HandWritten => hand_written(service()),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    rt.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
        let shutdown = async move {
            let _ = stopped.await;
        };
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await;
    });
    Ok(Running { addr, _stop: stop })
}

/// The minimal app a person would write by hand for the same two operations: axum extractors,
/// a bearer check through the same service, serde for the bodies, the same statuses.
fn hand_written(service: Arc<ReferenceService>) -> axum::Router {
    axum::Router::new()
        .route("/customer/{tenant}/me", axum::routing::get(me))
        .route("/customer/{tenant}/me/addresses", axum::routing::post(add))
        .with_state(service)
}

#[derive(serde::Deserialize)]
struct MeQuery {
    expand: Option<String>,
}

async fn principal(
    service: &ReferenceService,
    headers: &HeaderMap,
    schemes: &[SecurityScheme],
) -> Option<Principal> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let token = value.strip_prefix("Bearer ")?;
    let credential = Credential::new(token);
    for scheme in schemes {
        if let Some(p) = service.authenticate(*scheme, &credential).await {
            return Some(p);
        }
    }
    None
}

async fn me(
    State(service): State<Arc<ReferenceService>>,
    Path(tenant): Path<String>,
    Query(query): Query<MeQuery>,
    headers: HeaderMap,
) -> Response {
    let schemes = [
        SecurityScheme::CustomerAccessToken,
        SecurityScheme::AnonymousAccessToken,
    ];
    let Some(p) = principal(&service, &headers, &schemes).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let request = GetCustomerProfileRequest {
        tenant,
        expand: query.expand,
        raw: Default::default(),
    };
    match service.get_customer_profile(p, request).await {
        GetCustomerProfileResponse::Ok(body) => Json(body).into_response(),
        GetCustomerProfileResponse::BadRequest(body) => {
            (StatusCode::BAD_REQUEST, Json(body)).into_response()
        }
        GetCustomerProfileResponse::Unauthorized(body) => {
            (StatusCode::UNAUTHORIZED, Json(body)).into_response()
        }
        GetCustomerProfileResponse::Forbidden(body) => {
            (StatusCode::FORBIDDEN, Json(body)).into_response()
        }
    }
}

async fn add(
    State(service): State<Arc<ReferenceService>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Json(body): Json<models::Address>,
) -> Response {
    let schemes = [SecurityScheme::CustomerAccessToken];
    let Some(p) = principal(&service, &headers, &schemes).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    match service
        .add_address(
            p,
            AddAddressRequest {
                tenant,
                body,
                raw: Default::default(),
            },
        )
        .await
    {
        AddAddressResponse::Created(body) => (StatusCode::CREATED, Json(body)).into_response(),
        AddAddressResponse::BadRequest(body) => {
            (StatusCode::BAD_REQUEST, Json(body)).into_response()
        }
        AddAddressResponse::Unauthorized(body) => {
            (StatusCode::UNAUTHORIZED, Json(body)).into_response()
        }
        AddAddressResponse::Forbidden(body) => (StatusCode::FORBIDDEN, Json(body)).into_response(),
    }
}

fn address() -> models::Address {
    models::Address {
        contact_name: Some("John Doe".into()),
        street: Some("Platz der Republik".into()),
        street_number: Some("1".into()),
        zip_code: Some("11011".into()),
        city: Some("Berlin".into()),
        country: Some("DE".into()),
        tags: Some(vec!["BILLING".into(), "SHIPPING".into()]),
        is_default: Some(false),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Server throughput.

/// One measured endpoint: its raw request and the status it must answer with.
struct Endpoint {
    name: &'static str,
    request: Vec<u8>,
    status: u16,
}

fn endpoints() -> Vec<Endpoint> {
    let body = serde_json::to_vec(&address()).expect("an address serializes");
    let get = format!(
        "GET /customer/{TENANT}/me HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer {TOKEN}\r\naccept: application/json\r\n\r\n"
    );
    let mut post = format!(
        "POST /customer/{TENANT}/me/addresses HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer {TOKEN}\r\ncontent-type: application/json\r\naccept: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    post.extend_from_slice(&body);
    vec![
        Endpoint {
            name: "GET /customer/{tenant}/me",
            request: get.into_bytes(),
            status: 200,
        },
        Endpoint {
            name: "POST /customer/{tenant}/me/addresses",
            request: post,
            status: 201,
        },
    ]
}

/// Length of one load slice; slices of the two apps alternate.
const SLICE: Duration = Duration::from_millis(100);

async fn server_bench(
    rt: &tokio::runtime::Handle,
    o: &Options,
) -> Result<serde_json::Value, BoxError> {
    let mut results = Vec::new();
    let secs = Duration::from_secs_f64(o.secs);
    for ep in endpoints() {
        // Per round: the median slice of each app.
        let mut samples: [Vec<f64>; 2] = Default::default();
        // Round 0 warms up; each round gets fresh services, servers and connections.
        for round in 0..=o.rounds {
            let apps = [App::Generated, App::HandWritten];
            let mut servers = Vec::new();
            let mut conns = Vec::new();
            for app in apps {
                let server = start(rt, app).await?;
                let mut c = Vec::new();
                for _ in 0..o.connections {
                    c.push(Conn::connect(server.addr).await?);
                }
                servers.push(server);
                conns.push(c);
            }
            if round == 0 {
                check_same_answers(&ep, &mut conns).await?;
            }
            let mut slices: [Vec<f64>; 2] = Default::default();
            let started = Instant::now();
            let mut i = 0usize;
            while started.elapsed() < secs * 2 {
                let order = if i.is_multiple_of(2) { [0, 1] } else { [1, 0] };
                for side in order {
                    let taken = std::mem::take(&mut conns[side]);
                    let (back, count, took) = load(taken, &ep, SLICE).await?;
                    conns[side] = back;
                    slices[side].push(count as f64 / took.as_secs_f64());
                }
                i += 1;
            }
            drop(servers);
            if round > 0 {
                let (g, h) = (median(&slices[0]), median(&slices[1]));
                eprintln!(
                    "  server {:<40} round {round} generated {g:>8.0} req/s, hand-written {h:>8.0} req/s ({} slices of {} ms each)",
                    ep.name,
                    slices[0].len(),
                    SLICE.as_millis()
                );
                samples[0].push(g);
                samples[1].push(h);
            }
        }
        let generated = median(&samples[0]);
        let hand = median(&samples[1]);
        results.push(json!({
            "endpoint": ep.name,
            "generated_rps": samples[0],
            "handwritten_rps": samples[1],
            "generated_median": generated,
            "handwritten_median": hand,
            "ratio": generated / hand,
        }));
    }
    Ok(json!(results))
}

/// Both apps must give the expected status, and the same body where it is deterministic,
/// before their speed is compared.
async fn check_same_answers(ep: &Endpoint, conns: &mut [Vec<Conn>]) -> Result<(), BoxError> {
    let mut answers = Vec::new();
    for (c, app) in conns.iter_mut().zip([App::Generated, App::HandWritten]) {
        let conn = c.first_mut().ok_or("no connections")?;
        let (status, body) = conn.exchange(&ep.request).await?;
        if status != ep.status {
            return Err(format!(
                "{} answered {} with {status}: {}",
                app.name(),
                ep.name,
                String::from_utf8_lossy(&body)
            )
            .into());
        }
        answers.push(serde_json::from_slice::<serde_json::Value>(&body)?);
    }
    if ep.status == 200 && answers[0] != answers[1] {
        return Err(format!("the two apps answer {} differently", ep.name).into());
    }
    Ok(())
}

/// Drives every connection of `conns` for `duration` (or until [`MAX_REQUESTS`] in all),
/// each sending its next request when the last answer is read; returns the connections, the
/// requests answered and the time taken.
async fn load(
    conns: Vec<Conn>,
    ep: &Endpoint,
    duration: Duration,
) -> Result<(Vec<Conn>, u64, Duration), BoxError> {
    let start = Instant::now();
    let deadline = start + duration;
    let budget = MAX_REQUESTS / conns.len().max(1) as u64;
    let tasks: Vec<_> = conns
        .into_iter()
        .map(|mut conn| {
            let request = ep.request.clone();
            let status = ep.status;
            tokio::spawn(async move {
                let mut n = 0u64;
                while n < budget && Instant::now() < deadline {
                    let (got, _) = conn.exchange(&request).await?;
                    if got != status {
                        return Err(BoxError::from(format!("status {got}, expected {status}")));
                    }
                    n += 1;
                }
                Ok((conn, n))
            })
        })
        .collect();
    let mut total = 0;
    let mut back = Vec::new();
    for t in tasks {
        let (conn, n) = t.await??;
        total += n;
        back.push(conn);
    }
    Ok((back, total, start.elapsed()))
}

/// One HTTP/1.1 keep-alive connection that sends a request and reads one answer at a time.
/// It understands exactly what the two apps send: a status line, headers and a
/// `content-length` body.
struct Conn {
    stream: tokio::net::TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn connect(addr: SocketAddr) -> Result<Conn, BoxError> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            buf: Vec::with_capacity(4096),
        })
    }

    async fn exchange(&mut self, request: &[u8]) -> Result<(u16, Vec<u8>), BoxError> {
        let mut sent = 0;
        while sent < request.len() {
            self.stream.writable().await?;
            match self.stream.try_write(&request[sent..]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e.into()),
            }
        }
        loop {
            if let Some((status, head, len)) = parse_head(&self.buf)? {
                if self.buf.len() >= head + len {
                    let body = self.buf[head..head + len].to_vec();
                    self.buf.drain(..head + len);
                    return Ok((status, body));
                }
            }
            self.read_more().await?;
        }
    }

    async fn read_more(&mut self) -> Result<(), BoxError> {
        let mut chunk = [0u8; 8192];
        loop {
            self.stream.readable().await?;
            match self.stream.try_read(&mut chunk) {
                Ok(0) => return Err("the server closed the connection".into()),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// `(status, head length, body length)` once the head is complete.
fn parse_head(buf: &[u8]) -> Result<Option<(u16, usize, usize)>, BoxError> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = std::str::from_utf8(&buf[..end])?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or("no status line")?;
    let mut len = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.eq_ignore_ascii_case("content-length") {
            len = Some(value.trim().parse::<usize>()?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err("chunked answers are not supported by this load generator".into());
        }
    }
    Ok(Some((status, end + 4, len.unwrap_or(0))))
}

// ---------------------------------------------------------------------------------------------
// Client overhead.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Generated,
    Raw,
}

struct Clients {
    generated: Client,
    raw: reqwest::Client,
    base: String,
}

impl Clients {
    fn new(base: String) -> Result<Clients, BoxError> {
        let credentials = Credentials::new();
        credentials.set_token("CustomerAccessToken", Token::new(TOKEN));
        let generated = Client::with_base_url(&base, credentials)?;
        // The generated client's defaults: the same timeouts and User-Agent.
        let defaults = customer_managed::client::Config::default();
        let raw = reqwest::Client::builder()
            .timeout(defaults.timeout)
            .connect_timeout(defaults.connect_timeout)
            .user_agent(concat!("customer-managed/", "0.0.1"))
            .build()?;
        Ok(Clients {
            generated,
            raw,
            base,
        })
    }

    async fn call(&self, side: Side, post: bool) -> Result<(), BoxError> {
        match (side, post) {
            (Side::Generated, false) => {
                let c = self.generated.get_customer_profile(TENANT).await?;
                std::hint::black_box(c);
            }
            (Side::Generated, true) => {
                let id = self.generated.add_address(TENANT, &address()).await?;
                std::hint::black_box(id);
            }
            (Side::Raw, false) => {
                let url = format!("{}/customer/{TENANT}/me", self.base);
                let resp = self.raw.get(url).bearer_auth(TOKEN).send().await?;
                if resp.status() != reqwest::StatusCode::OK {
                    return Err(format!("status {}", resp.status()).into());
                }
                let bytes = resp.bytes().await?;
                let c: models::Customer = serde_json::from_slice(&bytes)?;
                std::hint::black_box(c);
            }
            (Side::Raw, true) => {
                let url = format!("{}/customer/{TENANT}/me/addresses", self.base);
                let body = serde_json::to_vec(&address())?;
                let resp = self
                    .raw
                    .post(url)
                    .bearer_auth(TOKEN)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body)
                    .send()
                    .await?;
                if resp.status() != reqwest::StatusCode::CREATED {
                    return Err(format!("status {}", resp.status()).into());
                }
                let bytes = resp.bytes().await?;
                let id: models::IdResponse = serde_json::from_slice(&bytes)?;
                std::hint::black_box(id);
            }
        }
        Ok(())
    }

    /// Mean microseconds per call over `calls` calls.
    async fn batch(&self, side: Side, post: bool, calls: u32) -> Result<f64, BoxError> {
        let start = Instant::now();
        for _ in 0..calls {
            self.call(side, post).await?;
        }
        Ok(start.elapsed().as_secs_f64() * 1e6 / f64::from(calls))
    }
}

/// Calls per batch; batches of the two sides alternate, so both see the same machine.
const BATCH: u32 = 50;

async fn client_bench(
    rt: &tokio::runtime::Handle,
    o: &Options,
) -> Result<serde_json::Value, BoxError> {
    let mut results = Vec::new();
    let secs = Duration::from_secs_f64(o.secs);
    for (name, post) in [
        ("GET /customer/{tenant}/me", false),
        ("POST /customer/{tenant}/me/addresses", true),
    ] {
        // Per round: the median batch of each side.
        let mut samples: [Vec<f64>; 2] = Default::default();
        // Each round gets a fresh server (and so a fresh address list) and fresh clients.
        for round in 0..=o.rounds {
            let server = start(rt, App::HandWritten).await?;
            let clients = Clients::new(format!("http://{}", server.addr))?;
            let mut batches: [Vec<f64>; 2] = Default::default();
            let started = Instant::now();
            let mut i = 0usize;
            while started.elapsed() < secs && i < 100_000 {
                let order = if i.is_multiple_of(2) {
                    [Side::Generated, Side::Raw]
                } else {
                    [Side::Raw, Side::Generated]
                };
                for side in order {
                    let us = clients.batch(side, post, BATCH).await?;
                    batches[(side == Side::Raw) as usize].push(us);
                }
                i += 1;
            }
            // Round 0 warms up connections, allocators and caches.
            if round > 0 {
                let (g, r) = (median(&batches[0]), median(&batches[1]));
                eprintln!(
                    "  client {name:<40} round {round} generated {g:>8.1} us/call, raw reqwest {r:>8.1} us/call ({} batches of {BATCH} each)",
                    batches[0].len()
                );
                samples[0].push(g);
                samples[1].push(r);
            }
        }
        let generated = median(&samples[0]);
        let raw = median(&samples[1]);
        results.push(json!({
            "endpoint": name,
            "generated_us": samples[0],
            "raw_us": samples[1],
            "generated_median": generated,
            "raw_median": raw,
            "ratio": generated / raw,
        }));
    }
    Ok(json!(results))
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}
