//! Streamed responses end to end, through the generated router and client of the golden crate
//! of `tests/fixtures/streams.yaml`: server-sent events reach the client one by one while the
//! handler's stream is still open, each one's data typed; text events and bytes come from the
//! mock; an error status is typed as `send` types it; a byte stream longer than the client's
//! body limit is read whole as a stream, where the buffered form refuses it. The README's
//! streaming examples are the first two blocks (`readme_client.rs` checks).

// README: "Streamed responses", the client.
use fixture_streams::client::{Client, Error, SendChatMessageError};
use fixture_streams::models::{ChatEventKind, SendChatMessageBody};

/// Prints the agent's answer as it arrives, delta by delta, until its `done` event; returns it.
async fn print_answer(client: &Client, chat: &str) -> Result<String, Error<SendChatMessageError>> {
    let body = SendChatMessageBody {
        text: "Where is my order?".into(),
    };
    let mut events = client.send_chat_message(chat, &body).send_stream().await?;
    let mut answer = String::new();
    while let Some(event) = events.next().await {
        let data = event?.data;
        if data.kind == ChatEventKind::Done {
            break;
        }
        let delta = data.text.unwrap_or_default();
        print!("{delta}");
        answer.push_str(&delta);
    }
    Ok(answer)
}

/// Writes a document to `out` chunk by chunk, however much larger than
/// `Config::max_response_body` it is; returns its length.
async fn save_document(
    client: &Client,
    id: &str,
    out: &mut impl std::io::Write,
) -> Result<usize, Box<dyn std::error::Error>> {
    let mut document = client.download_document(id).send_stream().await?;
    let mut length = 0;
    while let Some(chunk) = document.next().await {
        let chunk = chunk?;
        out.write_all(&chunk)?;
        length += chunk.len();
    }
    Ok(length)
}

// README: "Streamed responses", the server.
use fixture_streams::models::ChatEvent;
use fixture_streams::server::{Event, EventStream, SendChatMessageResponse};
use std::time::Duration;
use tokio::sync::mpsc;

/// Answers with the events a producer task sends on `answer`, each as it comes, and a comment
/// line every 15 seconds while none does (so that proxies keep the connection open).
fn stream_answer(answer: mpsc::UnboundedReceiver<Event<ChatEvent>>) -> SendChatMessageResponse {
    let events = futures_util::stream::unfold(answer, |mut answer| async move {
        answer.recv().await.map(|event| (event, answer))
    });
    let events = EventStream::from_events(events).keep_alive(Duration::from_secs(15));
    SendChatMessageResponse::OkStream(events)
}

use fixture_streams::client::Config;
use fixture_streams::client::Credentials;
use fixture_streams::mock::Mock;
use fixture_streams::models::{ChatEventKind::Delta, Problem};
use fixture_streams::server::{
    router, Api, Authenticator, ByteStream, DownloadDocumentRequest, DownloadDocumentResponse,
    DownloadExportRequest, DownloadExportResponse, SecurityScheme, SendChatMessageRequest,
    WatchImportRequest, WatchImportResponse,
};
use oasgen_runtime::server::Credential;
use std::sync::{Arc, Mutex};

/// A chat whose answer the test writes event by event through a channel; a document of
/// `DOCUMENT_CHUNKS` chunks of `CHUNK` bytes.
struct Chat {
    answer: Mutex<Option<mpsc::UnboundedReceiver<Event<ChatEvent>>>>,
}

const CHUNK: usize = 16 * 1024;
const DOCUMENT_CHUNKS: usize = 40;

impl Authenticator for Chat {
    type Principal = ();

    async fn authenticate(&self, scheme: SecurityScheme, _: &Credential) -> Option<()> {
        match scheme {}
    }
}

impl Api for Chat {
    async fn send_chat_message(&self, request: SendChatMessageRequest) -> SendChatMessageResponse {
        match request.chat_id.as_str() {
            "missing" => SendChatMessageResponse::NotFound(Problem {
                message: "no such chat".into(),
            }),
            // The buffered variant: event-stream text written whole, one event broken.
            "written" => SendChatMessageResponse::Ok(
                "data: {\"kind\":\"delta\",\"text\":\"a\"}\n\n\
                 data: {\"kind\":\n\n\
                 : a comment\r\ndata: {\"kind\":\"done\"}\r\n\r\n"
                    .into(),
            ),
            _ => stream_answer(self.answer.lock().unwrap().take().expect("one chat")),
        }
    }

    async fn watch_import(&self, _: WatchImportRequest) -> WatchImportResponse {
        unreachable!("served by the mock")
    }

    async fn download_document(&self, _: DownloadDocumentRequest) -> DownloadDocumentResponse {
        let chunks = (0..DOCUMENT_CHUNKS).map(|i| Ok::<_, std::io::Error>(vec![i as u8; CHUNK]));
        DownloadDocumentResponse::OkStream {
            body: ByteStream::new(futures_util::stream::iter(chunks)),
            x_checksum: None,
        }
    }

    async fn download_export(&self, _: DownloadExportRequest) -> DownloadExportResponse {
        unreachable!("served by the mock")
    }
}

/// Serves `app`; its base URL.
async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

fn delta(text: &str) -> ChatEvent {
    ChatEvent {
        kind: ChatEventKind::Delta,
        text: Some(text.into()),
    }
}

fn message() -> SendChatMessageBody {
    SendChatMessageBody { text: "hi".into() }
}

#[tokio::test]
async fn each_event_arrives_while_the_handler_still_streams() {
    let (tx, rx) = mpsc::unbounded_channel();
    let chat = Chat {
        answer: Mutex::new(Some(rx)),
    };
    let base = serve(router(Arc::new(chat))).await;
    let client = Client::with_base_url(&base, Credentials::new()).unwrap();

    tx.send(Event::new(delta("Hel")).id("1")).unwrap();
    let body = message();
    let mut events = client
        .send_chat_message("c1", &body)
        .send_stream()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    // The first event is read while the handler's stream is open: the test holds its end.
    let first = events.next().await.unwrap().unwrap();
    assert_eq!(first.data, delta("Hel"));
    assert_eq!(first.id.as_deref(), Some("1"));
    assert_eq!(first.event, None);

    tx.send(Event::new(delta("lo")).event("delta\r\nx"))
        .unwrap();
    let done = ChatEvent {
        kind: ChatEventKind::Done,
        text: None,
    };
    let retry = Duration::from_millis(2500);
    tx.send(Event::new(done.clone()).event("done").retry(retry))
        .unwrap();
    let second = events.next().await.unwrap().unwrap();
    assert_eq!(second.data, delta("lo"));
    // Line breaks the format cannot carry are dropped, not sent as a second field.
    assert_eq!(second.event.as_deref(), Some("deltax"));
    // The last event ID holds until another is set.
    assert_eq!(second.id.as_deref(), Some("1"));
    let third = events.next().await.unwrap().unwrap();
    assert_eq!((third.data, third.event.as_deref()), (done, Some("done")));
    assert_eq!((third.retry, events.retry()), (Some(retry), Some(retry)));
    assert_eq!(events.last_event_id(), Some("1"));
    drop(tx);
    assert!(
        events.next().await.is_none(),
        "the stream ends with the handler's"
    );
}

#[tokio::test]
async fn the_buffered_forms_stay_and_a_bad_event_is_one_error() {
    let chat = Chat {
        answer: Mutex::new(None),
    };
    let base = serve(router(Arc::new(chat))).await;
    let client = Client::with_base_url(&base, Credentials::new()).unwrap();
    let body = message();

    // `send` returns the whole stream as text, as it did before streams were typed.
    let text = client.send_chat_message("written", &body).await.unwrap();
    assert!(text.starts_with("data: {\"kind\":\"delta\",\"text\":\"a\"}\n\n"));

    let mut events = client
        .send_chat_message("written", &body)
        .send_stream()
        .await
        .unwrap();
    assert_eq!(events.next().await.unwrap().unwrap().data, delta("a"));
    let Some(Err(Error::Decode(e))) = events.next().await else {
        panic!("the broken event is a decode error");
    };
    assert_eq!(e.raw(), "{\"kind\":");
    // The stream goes on after it; CRLF line ends and comments are read as the standard says.
    let last = events.next().await.unwrap().unwrap();
    assert_eq!(last.data.kind, ChatEventKind::Done);
    assert!(events.next().await.is_none());

    // An error status is read whole and typed, as `send` types it.
    let err = client
        .send_chat_message("missing", &body)
        .send_stream()
        .await
        .unwrap_err();
    let Some(SendChatMessageError::NotFound(problem)) = err.api_error() else {
        panic!("{err}");
    };
    assert_eq!(problem.message, "no such chat");
}

#[tokio::test]
async fn the_mock_streams_its_example_events_and_bytes() {
    let base = serve(router(Arc::new(Mock::new()))).await;
    let client = Client::with_base_url(&base, Credentials::new()).unwrap();

    // The example, given as event-stream text, is the list of events.
    let mut steps = client.watch_import("i1").send_stream().await.unwrap();
    let mut data = Vec::new();
    while let Some(event) = steps.next().await {
        data.push(event.unwrap().data);
    }
    assert_eq!(data, ["parsed", "stored"]);
    let whole = client.watch_import("i1").await.unwrap();
    assert_eq!(whole, "data: parsed\n\ndata: stored\n\n");

    // The example, a list of JSON values, is one event each.
    let body = message();
    let mut chat = client
        .send_chat_message("c1", &body)
        .send_stream()
        .await
        .unwrap();
    let mut kinds = Vec::new();
    while let Some(event) = chat.next().await {
        kinds.push(event.unwrap().data.kind);
    }
    assert_eq!(kinds, [Delta, Delta, ChatEventKind::Done]);
    // The README's example reads the same answer.
    assert_eq!(print_answer(&client, "c1").await.unwrap(), "Hello, world");

    let mut document = client.download_document("d1").send_stream().await.unwrap();
    assert_eq!(document.headers()["content-type"], "application/pdf");
    let mut bytes = Vec::new();
    while let Some(chunk) = document.next().await {
        bytes.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(bytes, b"%PDF-1.4 sample");
    let whole = client.download_document("d1").await.unwrap();
    assert_eq!(whole, b"%PDF-1.4 sample");
}

#[tokio::test]
async fn a_byte_stream_longer_than_the_body_limit_is_read_as_a_stream() {
    let chat = Chat {
        answer: Mutex::new(None),
    };
    let base = serve(router(Arc::new(chat))).await;
    let limit = 64 * 1024;
    let config = Config {
        max_response_body: limit as u64,
        ..Config::default()
    };
    let client = Client::with_config(&base, Credentials::new(), config).unwrap();

    // Whole, the document is refused at the limit.
    let err = client.download_document("d1").await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err}");

    // The README's example writes it all.
    let mut out = Vec::new();
    let length = save_document(&client, "d1", &mut out).await.unwrap();
    assert_eq!((length, out.len()), (CHUNK * DOCUMENT_CHUNKS, length));

    // As a stream, every byte arrives, in order, and no chunk is kept.
    let mut document = client.download_document("d1").send_stream().await.unwrap();
    let mut total = 0;
    let mut expected = Vec::new();
    while let Some(chunk) = document.next().await {
        let chunk = chunk.unwrap();
        for (i, byte) in chunk.iter().enumerate() {
            let at = total + i;
            if at % CHUNK == 0 {
                expected.push(*byte);
            }
        }
        total += chunk.len();
    }
    assert_eq!(total, CHUNK * DOCUMENT_CHUNKS);
    assert!(total > limit);
    let order: Vec<u8> = (0..DOCUMENT_CHUNKS as u8).collect();
    assert_eq!(expected, order);
}

#[tokio::test]
async fn an_event_longer_than_the_body_limit_ends_the_stream() {
    let (tx, rx) = mpsc::unbounded_channel();
    let chat = Chat {
        answer: Mutex::new(Some(rx)),
    };
    let base = serve(router(Arc::new(chat))).await;
    let config = Config {
        max_response_body: 1024,
        ..Config::default()
    };
    let client = Client::with_config(&base, Credentials::new(), config).unwrap();
    tx.send(Event::new(delta("short"))).unwrap();
    tx.send(Event::new(delta(&"x".repeat(4096)))).unwrap();
    drop(tx);
    let body = message();
    let mut events = client
        .send_chat_message("c1", &body)
        .send_stream()
        .await
        .unwrap();
    assert_eq!(events.next().await.unwrap().unwrap().data, delta("short"));
    let Some(Err(Error::BodyTooLarge { limit, .. })) = events.next().await else {
        panic!("the long event is refused");
    };
    assert_eq!(limit, 1024);
    assert!(events.next().await.is_none());
}
