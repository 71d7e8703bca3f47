//! The README's example of typed response headers, compiled and run against a recording
//! server: the crate generated from `tests/fixtures/calls.yaml` declares its paging headers.

mod client_support;

// README: "Using the client", the response headers.
use fixture_calls::client::{Client, Error, ListAddressesError};

/// The size of the first page of a tenant's addresses, the total, and the next page's cursor.
async fn first_page(
    client: &Client,
    tenant: &str,
) -> Result<(usize, i64, Option<String>), Error<ListAddressesError>> {
    let page = client
        .list_addresses(tenant)
        .page_size(50)
        .header("X-Request-Id", "first-page")
        .send_with_response()
        .await?;
    let total = page.headers.x_total_count;
    let next = page.headers.x_next_cursor.clone();
    Ok((page.into_inner().len(), total, next))
}

#[tokio::test]
async fn the_paging_example_reads_typed_headers() {
    use fixture_calls::client::{Credentials, Token};
    let server = client_support::Recorder::start().await;
    let credentials = Credentials::new();
    credentials.set_token("BearerAuth", Token::new("t"));
    let client = Client::with_base_url(&server.base_url, credentials).unwrap();
    server.push(
        client_support::Reply::json(200, serde_json::json!([{"id": "a-1"}]))
            .with_header("x-total-count", "51")
            .with_header("x-next-cursor", "p2"),
    );
    let got = first_page(&client, "acme").await.unwrap();
    assert_eq!(got, (1, 51, Some("p2".to_string())));
    let sent = server.take().remove(0);
    assert_eq!(sent.path, "/acme/addresses");
    assert_eq!(sent.query.as_deref(), Some("pageSize=50"));
    assert_eq!(sent.header("x-request-id"), Some("first-page"));
}
