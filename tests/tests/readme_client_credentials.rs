//! The README's client-credentials example, compiled and run against a local token endpoint
//! and cart service (`readme_client.rs` checks that the README block is in this file).

// README: "A backend client with client credentials".
use fixture_oauth2::client::{security, Client, ClientCredentials, Credentials, Error, ErrorCode};
use fixture_oauth2::models::Cart;

/// A client of the cart service that fetches its own tokens. `token_url` replaces the one the
/// spec declares for `OAuth2` (`https://api.example.com/oauth/token`), for a staging tenant, say.
fn cart_client(
    base_url: &str,
    client_id: &str,
    client_secret: &str,
    token_url: Option<&str>,
) -> Result<Client, Error> {
    let client = Client::with_base_url(base_url, Credentials::new())?;
    // Sent as HTTP Basic (`client_secret_basic`), asking for no scopes: the authorization
    // server grants the client's assigned ones, and one token serves every operation.
    let mut grant = ClientCredentials::new(client_id, client_secret);
    if let Some(url) = token_url {
        grant = grant.token_url(url);
    }
    client.set_client_credentials(security::O_AUTH2, grant)?;
    Ok(client)
}

/// Reads a cart; `Ok(None)` if the token endpoint does not know the client.
async fn read_cart(client: &Client, id: &str) -> Result<Option<Cart>, Box<dyn std::error::Error>> {
    match client.get_cart(id).await {
        Ok(cart) => Ok(Some(cart)),
        // A refusal of the token endpoint carries RFC 6749's error code (and status and
        // description); nothing was sent to the cart service.
        Err(e) if e.token_error().and_then(|t| t.code()) == Some(&ErrorCode::InvalidClient) => {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// A token endpoint that knows one client, and a cart service that takes its token.
async fn serve() -> String {
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::routing::{get, post};

    // Base64 of `backend:secret` (both already form-urlencoded).
    const BASIC: &str = "Basic YmFja2VuZDpzZWNyZXQ=";
    async fn token(headers: HeaderMap, body: String) -> Response {
        let known = headers.get("authorization").is_some_and(|v| v == BASIC);
        if !known || body != "grant_type=client_credentials" {
            let refusal = serde_json::json!({"error": "invalid_client"});
            return (StatusCode::UNAUTHORIZED, axum::Json(refusal)).into_response();
        }
        let token = serde_json::json!({
            "access_token": "t-1", "token_type": "Bearer", "expires_in": 3600
        });
        axum::Json(token).into_response()
    }
    async fn cart(headers: HeaderMap) -> Response {
        match headers
            .get("authorization")
            .is_some_and(|v| v == "Bearer t-1")
        {
            true => axum::Json(serde_json::json!({"id": "c-1"})).into_response(),
            false => StatusCode::UNAUTHORIZED.into_response(),
        }
    }
    let app = axum::Router::new()
        .route("/oauth/token", post(token))
        .route("/carts/{id}", get(cart));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn the_client_credentials_example_reads_a_cart() {
    let base = serve().await;
    let token_url = format!("{base}/oauth/token");

    let client = cart_client(&base, "backend", "secret", Some(&token_url)).unwrap();
    let cart = read_cart(&client, "c-1").await.unwrap();
    assert_eq!(cart.unwrap().id.as_deref(), Some("c-1"));

    let stranger = cart_client(&base, "backend", "wrong", Some(&token_url)).unwrap();
    assert!(read_cart(&stranger, "c-1").await.unwrap().is_none());
}
