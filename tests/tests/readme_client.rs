//! The README's client example, compiled and run: it signs a customer in on the in-process
//! reference service. Every ```` ```rust ```` block of README.md appears verbatim in this file,
//! `readme_client_credentials.rs`, `readme_server.rs`, `server_scopes.rs`, `forms.rs` or
//! `streams.rs`
//! (`readme_blocks_are_compiled` checks),
//! so the README shows code that builds.

// README: "Using the client".
use customer_managed::client::{Client, Credentials, Error, LoginError, Token};
use customer_managed::models::{Customer, PasswordAuthentication};

/// Signs a customer in and fetches their profile; `Ok(None)` if the password is wrong.
async fn sign_in(
    base_url: &str,
    tenant: &str,
    email: &str,
    password: &str,
) -> Result<Option<Customer>, Box<dyn std::error::Error>> {
    // The client takes the token each operation accepts from this store, shared by its clones.
    let credentials = Credentials::new();
    let client = Client::with_base_url(base_url, credentials.clone())?;

    // An anonymous token: this operation needs no credentials.
    let anonymous = client.anonymous_login(tenant, "storefront").await?;
    let token = anonymous.access_token.ok_or("no anonymous token")?;
    credentials.set_token("AnonymousAccessToken", Token::new(token));

    // Logging in needs the anonymous token. A status the spec documents as an error comes back
    // as `Error::Api`, with the body typed per operation and status (`LoginError`).
    let body = PasswordAuthentication {
        email: email.into(),
        password: password.into(),
    };
    let login = match client.login(tenant, &body).await {
        Ok(login) => login,
        Err(Error::Api(error)) => match error.body {
            LoginError::Unauthorized(_) => return Ok(None),
            LoginError::BadRequest(message) => {
                return Err(format!("{}: {:?}", error.status, message.message).into())
            }
        },
        Err(other) => return Err(other.into()),
    };
    let token = login.access_token.ok_or("no customer token")?;
    credentials.set_token("CustomerAccessToken", Token::new(token));

    // Every operation that accepts the customer token now sends it. `expand` is optional: a
    // setter of the request.
    let profile = client
        .get_customer_profile(tenant)
        .expand("addresses")
        .await?;
    Ok(Some(profile))
}

/// The ```` ```rust ```` blocks of the README.
fn readme_blocks() -> Vec<String> {
    // Read when the test runs: README.md is outside this package, so cargo would track the
    // compiling checkout's copy, not the one a shared test binary runs in.
    let readme = std::fs::read_to_string(oasgen_tests::repo().join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line) {
            (None, "```rust") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn readme_blocks_are_compiled() {
    let sources = [
        include_str!("readme_client.rs"),
        include_str!("readme_client_credentials.rs"),
        include_str!("readme_paging.rs"),
        include_str!("readme_server.rs"),
        include_str!("server_scopes.rs"),
        include_str!("readme_production.rs"),
        include_str!("forms.rs"),
        include_str!("streams.rs"),
    ];
    let blocks = readme_blocks();
    assert!(blocks.len() >= 2, "the README lost its examples");
    for block in blocks {
        assert!(
            sources.iter().any(|s| s.contains(&block)),
            "this README block is in none of tests/tests/readme_client.rs, \
             readme_client_credentials.rs, readme_paging.rs, readme_server.rs, server_scopes.rs, \
             readme_production.rs, forms.rs and streams.rs, so nothing compiles it:
{block}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_example_signs_in() {
    use oasgen_tests::{MailKind, ReferenceService};
    use std::sync::Arc;

    const TENANT: &str = "readme";
    let service = Arc::new(ReferenceService::new());
    let base = oasgen_tests::spawn(service.clone()).await.unwrap();

    // A customer signs up and activates the account, as in the tutorial.
    let credentials = Credentials::new();
    let client = Client::with_base_url(&base, credentials.clone()).unwrap();
    let anonymous = client.anonymous_login(TENANT, "storefront").await.unwrap();
    let token = Token::new(anonymous.access_token.unwrap());
    credentials.set_token("AnonymousAccessToken", token);
    let signup: customer_managed::models::CustomerSignup = serde_json::from_str(include_str!(
        "../fixtures/seed-samples/CustomerSignup--tutorial-signup-request.json"
    ))
    .unwrap();
    client.signup(TENANT, &signup).await.unwrap();
    let mail = service.last_mail(&signup.email, MailKind::OptIn).unwrap();
    client.confirm_opt_in(TENANT, &mail.token).await.unwrap();

    let profile = sign_in(&base, TENANT, &signup.email, &signup.password)
        .await
        .unwrap()
        .expect("the right password signs in");
    assert_eq!(profile.first_name.as_deref(), Some("John"));
    let wrong = sign_in(&base, TENANT, &signup.email, "not the password").await;
    assert!(wrong.unwrap().is_none(), "a wrong password is Ok(None)");
}
