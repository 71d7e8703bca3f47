//! Form bodies (`tests/fixtures/forms.yaml`): what the generated client sends (a multipart body
//! parsed by a real multipart parser, the exact bytes of urlencoded bodies), what the generated
//! router makes of forms (decoded, refused with `400`, `413` past its limits), and the two
//! together. It also holds the README's form example.

// README: "Form bodies".
use fixture_forms::client::{Client, Error, UploadMediaError};
use fixture_forms::form::File;
use fixture_forms::models::{Media, UploadMediaBody, UploadMediaBodyKind};

/// Uploads a PNG under a title, as `multipart/form-data`: the title and kind as text parts,
/// the file as a part named `photo.png`, of type `image/png` (the spec's `encoding` says so).
async fn upload_png(
    client: &Client,
    title: &str,
    png: Vec<u8>,
) -> Result<Media, Error<UploadMediaError>> {
    let body = UploadMediaBody {
        title: title.into(),
        kind: UploadMediaBodyKind::Image,
        file: File::new(png).with_file_name("photo.png"),
        tags: Some(vec!["holiday".into()]),
        priority: None,
        public: None,
        attachments: None,
        metadata: None,
        dimensions: None,
    };
    client.upload_media("photos", &body).await
}

use fixture_forms::client::Credentials;
use fixture_forms::models::{
    Metadata, SearchBody, TokenRequestForm, TokenRequestGrantType, UploadMediaBodyDimensions,
};
use fixture_forms::server::{self, Api, Authenticator, SecurityScheme};
use oasgen_runtime::server::Config;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// One part as a multipart parser reads it.
#[derive(Debug, PartialEq)]
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

fn part(name: &str, file_name: Option<&str>, content_type: Option<&str>, bytes: &[u8]) -> Part {
    Part {
        name: name.into(),
        file_name: file_name.map(Into::into),
        content_type: content_type.map(Into::into),
        bytes: bytes.to_vec(),
    }
}

/// What the recording server got: the `Content-Type`, the raw body and, for a multipart body,
/// its parts.
#[derive(Debug, Default)]
struct Received {
    content_type: String,
    body: Vec<u8>,
    parts: Vec<Part>,
}

/// Serves `router`; its base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

/// A server that records each request (multipart bodies parsed with `multer`) and answers
/// `201` with a `Media` body.
async fn recorder() -> (String, Arc<Mutex<Vec<Received>>>) {
    let log: Arc<Mutex<Vec<Received>>> = Arc::default();
    let record = log.clone();
    let handler = move |request: axum::extract::Request| {
        let record = record.clone();
        async move {
            let content_type = request.headers()[axum::http::header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .to_string();
            let body = axum::body::to_bytes(request.into_body(), 1 << 20)
                .await
                .unwrap();
            let mut parts = Vec::new();
            if let Ok(boundary) = multer::parse_boundary(&content_type) {
                let stream = axum::body::Body::from(body.clone()).into_data_stream();
                let mut multipart = multer::Multipart::new(stream, boundary);
                while let Some(field) = multipart.next_field().await.unwrap() {
                    parts.push(Part {
                        name: field.name().unwrap().to_string(),
                        file_name: field.file_name().map(str::to_string),
                        content_type: field.content_type().map(|m| m.to_string()),
                        bytes: field.bytes().await.unwrap().to_vec(),
                    });
                }
            }
            record.lock().unwrap().push(Received {
                content_type,
                body: body.to_vec(),
                parts,
            });
            (
                axum::http::StatusCode::CREATED,
                axum::Json(json!({"id": "m1", "title": "Cat"})),
            )
        }
    };
    let router = axum::Router::new().fallback(handler);
    (serve(router).await, log)
}

fn client(base: &str) -> Client {
    Client::with_base_url(base, Credentials::new()).unwrap()
}

fn upload() -> UploadMediaBody {
    UploadMediaBody {
        title: "Cat".into(),
        kind: UploadMediaBodyKind::Image,
        priority: Some(2),
        public: Some(true),
        tags: Some(vec!["pets".into(), "black & white".into()]),
        file: File::new(vec![0x89, b'P', b'N', b'G', 0, 255]).with_file_name("cat.png"),
        attachments: Some(vec![
            File::new("a")
                .with_file_name("a.txt")
                .with_content_type("text/plain"),
            File::new(vec![1, 2, 3]),
        ]),
        metadata: Some(Metadata {
            author: Some("Ann".into()),
            source: None,
        }),
        dimensions: Some(UploadMediaBodyDimensions {
            width: Some(4),
            height: Some(3),
        }),
    }
}

#[tokio::test]
async fn the_client_sends_a_multipart_body_a_parser_reads_field_by_field() {
    let (base, log) = recorder().await;
    let media = client(&base).upload_media("lib", &upload()).await.unwrap();
    assert_eq!(media.id, "m1");
    let log = log.lock().unwrap();
    let got = &log[0];
    // The builder set the boundary; the parser found it.
    assert!(
        got.content_type
            .starts_with("multipart/form-data; boundary="),
        "{}",
        got.content_type
    );
    let expected = vec![
        part("title", None, None, b"Cat"),
        part("kind", None, None, b"image"),
        part("priority", None, None, b"2"),
        part("public", None, None, b"true"),
        part("tags", None, None, b"pets"),
        part("tags", None, None, b"black & white"),
        // The spec's `encoding` names the file's media type.
        part(
            "file",
            Some("cat.png"),
            Some("image/png"),
            &[0x89, b'P', b'N', b'G', 0, 255],
        ),
        part("attachments", Some("a.txt"), Some("text/plain"), b"a"),
        part("attachments", None, None, &[1, 2, 3]),
        part(
            "metadata",
            None,
            Some("application/json"),
            br#"{"author":"Ann"}"#,
        ),
        part(
            "dimensions",
            None,
            Some("application/json"),
            br#"{"width":4,"height":3}"#,
        ),
    ];
    assert_eq!(got.parts, expected);
}

#[tokio::test]
async fn the_client_sends_urlencoded_bodies_byte_for_byte() {
    let (base, log) = recorder().await;
    let token = TokenRequestForm {
        grant_type: TokenRequestGrantType::ClientCredentials,
        client_id: "app 1".into(),
        client_secret: "s&cret=".into(),
        scope: Some(vec!["read".into(), "write".into()]),
    };
    // `requestToken` answers 200 with a token; the recorder's 201 is undocumented.
    let _ = client(&base).request_token(&token).await;
    let search = SearchBody {
        q: "red shoes".into(),
        ids: Some(vec![1, 2]),
        min_score: None,
    };
    let _ = client(&base).search(&search).await;
    let log = log.lock().unwrap();
    assert_eq!(log[0].content_type, "application/x-www-form-urlencoded");
    // `scope` has `explode: false`: one comma-joined value.
    assert_eq!(
        String::from_utf8_lossy(&log[0].body),
        "grant_type=client_credentials&client_id=app+1&client_secret=s%26cret%3D&scope=read%2Cwrite"
    );
    // Arrays explode by default: a key per item; `None` sends nothing.
    assert_eq!(
        String::from_utf8_lossy(&log[1].body),
        "q=red+shoes&ids=1&ids=2"
    );
}

/// A service that keeps the forms it was given.
#[derive(Default)]
struct Service {
    uploads: Mutex<Vec<(String, UploadMediaBody)>>,
    tokens: Mutex<Vec<TokenRequestForm>>,
    searches: Mutex<Vec<SearchBody>>,
}

impl Authenticator for Service {
    type Principal = ();
    async fn authenticate(
        &self,
        scheme: SecurityScheme,
        _: &oasgen_runtime::server::Credential,
    ) -> Option<()> {
        match scheme {}
    }
}

impl Api for Service {
    async fn upload_media(&self, r: server::UploadMediaRequest) -> server::UploadMediaResponse {
        let media = Media {
            id: "m1".into(),
            title: r.body.title.clone(),
            size: Some(r.body.file.bytes.len() as i64),
        };
        self.uploads.lock().unwrap().push((r.folder, r.body));
        server::UploadMediaResponse::Created(media)
    }

    async fn request_token(&self, r: server::RequestTokenRequest) -> server::RequestTokenResponse {
        self.tokens.lock().unwrap().push(r.body);
        server::RequestTokenResponse::Ok(fixture_forms::models::RequestTokenResponse {
            access_token: "t".into(),
        })
    }

    async fn refresh_token(&self, _: server::RefreshTokenRequest) -> server::RefreshTokenResponse {
        server::RefreshTokenResponse::NoContent
    }

    async fn search(&self, r: server::SearchRequest) -> server::SearchResponse {
        self.searches.lock().unwrap().push(r.body);
        server::SearchResponse::NoContent
    }

    async fn raw_upload(&self, _: server::RawUploadRequest) -> server::RawUploadResponse {
        server::RawUploadResponse::NoContent
    }
}

/// The generated router over a fresh `Service`, with `config`.
async fn serve_api(config: Config) -> (String, Arc<Service>) {
    let service = Arc::new(Service::default());
    let router = server::router_with(service.clone(), config);
    (serve(router).await, service)
}

#[tokio::test]
async fn the_generated_client_and_server_agree_on_forms() {
    let (base, service) = serve_api(Config::default()).await;
    let client = client(&base);
    let media = client.upload_media("lib", &upload()).await.unwrap();
    assert_eq!(media.size, Some(6));
    let token = TokenRequestForm {
        grant_type: TokenRequestGrantType::RefreshToken,
        client_id: "app".into(),
        client_secret: "s,e=c&r".into(),
        scope: Some(vec!["a".into(), "b".into()]),
    };
    assert_eq!(
        client.request_token(&token).await.unwrap().access_token,
        "t"
    );
    let search = SearchBody {
        q: "x".into(),
        ids: Some(vec![7, 8]),
        min_score: Some(0.5),
    };
    client.search(&search).await.unwrap();
    // What the client sent is what the server decoded, field for field; the file went out
    // with the media type the spec's `encoding` names.
    let mut sent = upload();
    sent.file = sent.file.with_content_type("image/png");
    assert_eq!(
        *service.uploads.lock().unwrap(),
        [("lib".to_string(), sent)]
    );
    assert_eq!(*service.tokens.lock().unwrap(), [token]);
    assert_eq!(*service.searches.lock().unwrap(), [search]);
}

/// Sends a multipart body of `parts` (name, file name, bytes) to `/media/lib`; the status and
/// JSON body of the answer.
async fn post_multipart(base: &str, parts: &[(&str, Option<&str>, &[u8])]) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new();
    for (name, file_name, bytes) in parts {
        let mut part = reqwest::multipart::Part::bytes(bytes.to_vec());
        if let Some(f) = file_name {
            part = part.file_name(f.to_string());
        }
        form = form.part(name.to_string(), part);
    }
    let response = reqwest::Client::new()
        .post(format!("{base}/media/lib"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The `field` and `type` of each detail of a rejection.
fn details(body: &Value) -> Vec<(String, String)> {
    body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let text = |k: &str| d[k].as_str().unwrap().to_string();
            (text("field"), text("type"))
        })
        .collect()
}

#[tokio::test]
async fn the_router_refuses_bad_forms_with_400() {
    let (base, service) = serve_api(Config::default()).await;
    let minimal: &[(&str, Option<&str>, &[u8])] = &[
        ("title", None, b"Cat"),
        ("kind", None, b"image"),
        ("file", Some("c.png"), b"PNG"),
    ];
    let (status, _) = post_multipart(&base, minimal).await;
    assert_eq!(status, 201);
    let (folder, got) = service.uploads.lock().unwrap().pop().unwrap();
    assert_eq!(folder, "lib");
    assert_eq!(got.file, File::new("PNG").with_file_name("c.png"));
    assert_eq!((got.tags, got.priority, got.metadata), (None, None, None));

    // A required file missing, a bound broken, an enum value unknown, a text array too long,
    // a JSON part that is not JSON: every problem listed.
    let bad: &[(&str, Option<&str>, &[u8])] = &[
        ("title", None, b"Cat"),
        ("kind", None, b"video"),
        ("priority", None, b"9"),
        ("tags", None, b"a"),
        ("tags", None, b"b"),
        ("tags", None, b"c"),
        ("tags", None, b"d"),
        ("metadata", None, b"{not json"),
    ];
    let (status, body) = post_multipart(&base, bad).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["type"], "validation_failure");
    let mut got = details(&body);
    got.sort();
    let want = [
        ("body.file", "missing_value"),
        ("body.kind", "invalid_value"),
        ("body.metadata", "invalid_value"),
        ("body.priority", "out_of_range"),
        ("body.tags", "too_many_items"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, want, "{body}");

    // Not multipart at all: a body without a boundary.
    let response = reqwest::Client::new()
        .post(format!("{base}/media/lib"))
        .header("content-type", "multipart/form-data")
        .body("title=Cat")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        details(&body),
        [("body".to_string(), "malformed_form".to_string())]
    );

    // A urlencoded number that is not one.
    let response = reqwest::Client::new()
        .post(format!("{base}/search"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("q=x&ids=1&ids=two")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        details(&body),
        [("body.ids".to_string(), "invalid_type".to_string())]
    );
    assert!(service.searches.lock().unwrap().is_empty());
}

#[tokio::test]
async fn the_router_answers_413_past_its_form_limits() {
    let config = Config {
        form_parts: 3,
        part_limit: 8,
        ..Config::default()
    };
    let (base, service) = serve_api(config).await;
    let four: &[(&str, Option<&str>, &[u8])] = &[
        ("title", None, b"Cat"),
        ("kind", None, b"image"),
        ("file", Some("c.png"), b"PNG"),
        ("tags", None, b"x"),
    ];
    let (status, body) = post_multipart(&base, four).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["type"], "payload_too_large");
    let large: &[(&str, Option<&str>, &[u8])] = &[
        ("title", None, b"Cat"),
        ("file", Some("c.png"), b"a part of more than eight bytes"),
    ];
    let (status, body) = post_multipart(&base, large).await;
    assert_eq!(status, 413, "{body}");
    // Urlencoded forms count their pairs as parts.
    let response = reqwest::Client::new()
        .post(format!("{base}/search"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("q=x&ids=1&ids=2&ids=3")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    // The whole body past `body_limit`, as for JSON.
    let (base, _) = serve_api(Config {
        body_limit: 64,
        ..Config::default()
    })
    .await;
    let (status, _) = post_multipart(&base, &[("file", Some("f"), &[0u8; 100])]).await;
    assert_eq!(status, 413);
    assert!(service.uploads.lock().unwrap().is_empty());
}

#[tokio::test]
async fn the_readme_example_uploads_through_the_generated_router() {
    let (base, service) = serve_api(Config::default()).await;
    let media = upload_png(&client(&base), "Beach", vec![0x89, b'P', b'N', b'G'])
        .await
        .unwrap();
    assert_eq!((media.title.as_str(), media.size), ("Beach", Some(4)));
    let (folder, form) = service.uploads.lock().unwrap().pop().unwrap();
    assert_eq!(folder, "photos");
    let file = File::new(vec![0x89, b'P', b'N', b'G'])
        .with_file_name("photo.png")
        .with_content_type("image/png");
    assert_eq!(
        (form.file, form.tags),
        (file, Some(vec!["holiday".to_string()]))
    );
}

#[tokio::test]
async fn the_mock_accepts_forms() {
    let mock = Arc::new(fixture_forms::mock::Mock::new());
    let base = serve(server::router(mock)).await;
    let client = client(&base);
    let media = client.upload_media("lib", &upload()).await.unwrap();
    assert!(!media.id.is_empty());
    let token = TokenRequestForm {
        grant_type: TokenRequestGrantType::ClientCredentials,
        client_id: "app".into(),
        client_secret: "s".into(),
        scope: None,
    };
    client.request_token(&token).await.unwrap();
    // The mock sits behind the same checks: a form without its required fields is refused.
    let (status, _) = post_multipart(&base, &[("title", None, b"Cat")]).await;
    assert_eq!(status, 400);
}
