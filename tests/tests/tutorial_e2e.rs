//! End to end over loopback HTTP: the generated client walks the Customer Management tutorial
//! (seeds 002) in order against the reference server, asserting each result.

use customer_managed::client::{
    Client, Credentials, DeleteCustomerProfileResponse, Error, GetAddressError, LoginError,
    SignupError, Token, UpdateCustomerProfileBody, ValidateTokenError,
};
use customer_managed::models;
use oasgen_tests::{MailKind, ReferenceService};
use std::sync::Arc;

const TENANT: &str = "tutorial";
const ANON: &str = "AnonymousAccessToken";
const CUSTOMER: &str = "CustomerAccessToken";

fn signup_body() -> models::CustomerSignup {
    let text =
        include_str!("../fixtures/seed-samples/CustomerSignup--tutorial-signup-request.json");
    serde_json::from_str(text).expect("the tutorial's sign-up sample is a CustomerSignup")
}

fn address(street_number: &str) -> models::Address {
    models::Address {
        contact_name: Some("John Doe".into()),
        street: Some("Platz der Republik".into()),
        street_number: Some(street_number.into()),
        zip_code: Some("11011".into()),
        city: Some("Berlin".into()),
        country: Some("DE".into()),
        tags: Some(vec!["BILLING".into(), "SHIPPING".into()]),
        ..Default::default()
    }
}

fn login_body(email: &str, password: &str) -> models::PasswordAuthentication {
    models::PasswordAuthentication {
        email: email.into(),
        password: password.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generated_client_walks_the_tutorial() {
    let service = Arc::new(ReferenceService::new());
    let base = oasgen_tests::spawn(service.clone()).await.unwrap();
    let creds = Credentials::new();
    let client = Client::with_base_url(&base, creds.clone()).unwrap();
    let mut steps = 0;

    // 1. Requesting an anonymous token.
    let anon = client.anonymous_login(TENANT, "storefront").await.unwrap();
    let session = anon.session_id.clone().unwrap();
    assert_eq!(anon.token_type.as_deref(), Some("Bearer"));
    assert_eq!(anon.expires_in, Some(3599));
    assert_eq!(anon.scope.as_deref(), Some("tenant=tutorial"));
    steps += 1;

    // 2. Refreshing an anonymous token keeps the session.
    let refreshed = client
        .refresh_anonymous_token(TENANT, "storefront")
        .refresh_token(anon.refresh_token.as_deref().expect("a refresh token"))
        .await
        .unwrap();
    assert_eq!(refreshed.session_id.as_deref(), Some(session.as_str()));
    assert_ne!(refreshed.access_token, anon.access_token);
    creds.set_token(ANON, Token::new(refreshed.access_token.clone().unwrap()));
    steps += 1;

    // 3. Creating a new customer; the same email again is a conflict.
    let body = signup_body();
    let created = client.signup(TENANT, &body).await.unwrap();
    let customer_id = created.id.unwrap();
    match client.signup(TENANT, &body).await {
        Err(Error::Api(parts)) => {
            assert_eq!(parts.status.as_u16(), 409);
            assert!(matches!(parts.body, SignupError::Conflict(_)));
        }
        other => panic!("duplicate sign-up: {other:?}"),
    }
    steps += 1;

    // 4. Activating the account: double opt-in with the token from the outbox.
    let mail = service.last_mail(&body.email, MailKind::OptIn).unwrap();
    let optin = client.confirm_opt_in(TENANT, &mail.token).await.unwrap();
    assert!(optin.access_token.is_some());
    steps += 1;

    // 5. Logging in a customer: the initial password is reported.
    let login = client
        .login(TENANT, &login_body("example@customer.com", "password123"))
        .await
        .unwrap();
    assert_eq!(login.initial_password, Some(true));
    assert_eq!(login.session_id.as_deref(), Some(session.as_str()));
    assert_eq!(login.expires_in, Some(2_591_999));
    let access = login.access_token.clone().unwrap();
    creds.set_token(CUSTOMER, Token::new(access.clone()));
    match client
        .login(TENANT, &login_body("example@customer.com", "wrong"))
        .await
    {
        Err(Error::Api(parts)) => assert!(matches!(parts.body, LoginError::Unauthorized(_))),
        other => panic!("wrong password: {other:?}"),
    }
    steps += 1;

    // 6. Refreshing a customer token; a refresh token works once.
    let refresh = login.refresh_token.clone().unwrap();
    let renewed = client
        .refresh_customer_token(TENANT, &refresh)
        .legal_entity_id("53ac81fd0cce8b26b36f3492")
        .await
        .unwrap();
    let renewed_access = renewed.access_token.clone().unwrap();
    let again = client.refresh_customer_token(TENANT, &refresh).await;
    assert_eq!(again.unwrap_err().status().map(|s| s.as_u16()), Some(401));
    creds.set_token(CUSTOMER, Token::new(renewed_access.clone()));
    steps += 1;

    // 7. Validating a token.
    let info = client.validate_token(TENANT).await.unwrap();
    assert_eq!(info.email.as_deref(), Some("example@customer.com"));
    assert_eq!(info.session_id.as_deref(), Some(session.as_str()));
    assert_eq!(
        info.legal_entity_id.as_deref(),
        Some("53ac81fd0cce8b26b36f3492")
    );
    assert!(info.scope.unwrap().contains("tenant=tutorial"));
    steps += 1;

    // 8. Social login (the mock identity provider accepts any code).
    let social_body = models::SocialLoginRequest {
        email: Some("social@customer.com".into()),
        ..Default::default()
    };
    let social = client
        .social_login(TENANT, "code-1", "https://shop/cb")
        .session_id(&session)
        .body(&social_body)
        .await
        .unwrap();
    assert!(social.access_token.is_some());
    assert_eq!(social.expires_in.as_deref(), Some("2591999"));
    steps += 1;

    // 9. Retrieving the profile, with addresses expanded.
    let profile = client
        .get_customer_profile(TENANT)
        .expand("addresses,mixin:*")
        .await
        .unwrap();
    assert_eq!(profile.id.as_deref(), Some(customer_id.as_str()));
    assert_eq!(profile.first_name.as_deref(), Some("John"));
    assert_eq!(profile.business_model.as_deref(), Some("B2B"));
    assert_eq!(profile.addresses.as_ref().map(Vec::len), Some(1));
    steps += 1;

    // 10. Updating the profile (merge patch).
    let update = models::CustomerUpdateDto {
        preferred_currency: Some("EUR".into()),
        preferred_site: Some("DE".into()),
        ..Default::default()
    };
    client
        .update_customer_profile(
            TENANT,
            &UpdateCustomerProfileBody::ApplicationMergePatchJson(update),
        )
        .await
        .unwrap();
    let profile = client.get_customer_profile(TENANT).await.unwrap();
    assert_eq!(profile.preferred_currency.as_deref(), Some("EUR"));
    assert_eq!(profile.first_name.as_deref(), Some("John"));
    assert_eq!(profile.metadata.and_then(|m| m.version), Some(2));
    assert_eq!(profile.addresses, None);
    steps += 1;

    // 11. Addresses: add, list, get, update, tags, delete.
    let added = client.add_address(TENANT, &address("1")).await.unwrap();
    let address_id = added.id.unwrap();
    let all = client.list_addresses(TENANT).await.unwrap();
    assert_eq!(all.len(), 2);
    let got = client.get_address(TENANT, &address_id).await.unwrap();
    assert_eq!(got.street_number.as_deref(), Some("1"));
    assert_eq!(got.is_default, Some(false));
    let mut changed = address("2");
    changed.street_appendix = Some("Platz".into());
    changed.is_default = Some(true);
    client
        .update_address(TENANT, &address_id, &changed)
        .await
        .unwrap();
    let all = client.list_addresses(TENANT).await.unwrap();
    let defaults: Vec<_> = all.iter().filter(|a| a.is_default == Some(true)).collect();
    assert_eq!(defaults.len(), 1);
    assert_eq!(defaults[0].id.as_deref(), Some(address_id.as_str()));
    assert_eq!(defaults[0].street_number.as_deref(), Some("2"));
    client
        .add_address_tags(TENANT, &address_id, "BILLING,SHIPPING,CUSTOM")
        .await
        .unwrap();
    let got = client.get_address(TENANT, &address_id).await.unwrap();
    assert_eq!(got.tags.unwrap(), ["BILLING", "SHIPPING", "CUSTOM"]);
    client
        .delete_address_tags(TENANT, &address_id, "SHIPPING")
        .await
        .unwrap();
    let got = client.get_address(TENANT, &address_id).await.unwrap();
    assert_eq!(got.tags.unwrap(), ["BILLING", "CUSTOM"]);
    client.delete_address(TENANT, &address_id).await.unwrap();
    match client.get_address(TENANT, &address_id).await {
        Err(Error::Api(parts)) => assert!(matches!(parts.body, GetAddressError::NotFound(_))),
        other => panic!("deleted address: {other:?}"),
    }
    steps += 1;

    // 12. Password reset with the token from the outbox.
    let reset = models::PasswordResetRequestDto {
        email: "example@customer.com".into(),
        site: Some("main".into()),
    };
    client
        .request_password_reset(TENANT)
        .body(&reset)
        .await
        .unwrap();
    let mail = service
        .last_mail("example@customer.com", MailKind::PasswordReset)
        .unwrap();
    let update = models::PasswordUpdate {
        token: mail.token.clone(),
        password: "P@ssw0rd123".into(),
    };
    client.reset_password(TENANT).body(&update).await.unwrap();
    let reused = client.reset_password(TENANT).body(&update).await;
    assert_eq!(reused.unwrap_err().status().map(|s| s.as_u16()), Some(403));
    let login = client
        .login(TENANT, &login_body("example@customer.com", "P@ssw0rd123"))
        .await
        .unwrap();
    assert_eq!(login.initial_password, Some(false));
    steps += 1;

    // 13. Changing the password; the wrong current password is refused.
    let change = models::PasswordChangeDto {
        current_password: "P@ssw0rd123".into(),
        new_password: "N3wPassword".into(),
    };
    client.change_password(TENANT).body(&change).await.unwrap();
    let again = client.change_password(TENANT).body(&change).await;
    assert_eq!(again.unwrap_err().status().map(|s| s.as_u16()), Some(403));
    steps += 1;

    // 14. Email change: request, then confirm with the token sent to the new address.
    let request = models::ChangeEmailRequestDto {
        email: Some("example@customer.com".into()),
        password: Some("N3wPassword".into()),
        new_email: Some("example@emporix.com".into()),
        sync_contact_email: Some(true),
    };
    client
        .request_email_change(TENANT)
        .body(&request)
        .await
        .unwrap();
    let mail = service
        .last_mail("example@emporix.com", MailKind::EmailChange)
        .unwrap();
    let confirm = models::UpdateEmail {
        token: Some(mail.token.clone()),
    };
    client
        .confirm_email_change(TENANT)
        .body(&confirm)
        .await
        .unwrap();
    let info = client.validate_token(TENANT).await.unwrap();
    assert_eq!(info.email.as_deref(), Some("example@emporix.com"));
    let profile = client.get_customer_profile(TENANT).await.unwrap();
    assert_eq!(
        profile.contact_email.as_deref(),
        Some("example@emporix.com")
    );
    let login = client
        .login(TENANT, &login_body("example@emporix.com", "N3wPassword"))
        .await
        .unwrap();
    let last_access = login.access_token.unwrap();
    steps += 1;

    // 15. Logging out invalidates the token.
    client.logout(TENANT, &renewed_access).await.unwrap();
    match client.validate_token(TENANT).await {
        Err(Error::Api(parts)) => {
            assert_eq!(parts.status.as_u16(), 401);
            assert!(matches!(parts.body, ValidateTokenError::Unauthorized(_)));
        }
        other => panic!("validate after logout: {other:?}"),
    }
    creds.set_token(CUSTOMER, Token::new(last_access));
    steps += 1;

    // 16. Deleting the profile: confirmation mail (202), then deletion with its token (204).
    let first = client.delete_customer_profile(TENANT).await.unwrap();
    assert_eq!(first, DeleteCustomerProfileResponse::Accepted);
    let mail = service
        .last_mail("example@emporix.com", MailKind::ProfileDeletion)
        .unwrap();
    let second = client
        .delete_customer_profile(TENANT)
        .token(&mail.token)
        .await
        .unwrap();
    assert_eq!(second, DeleteCustomerProfileResponse::NoContent);
    let gone = client
        .login(TENANT, &login_body("example@emporix.com", "N3wPassword"))
        .await;
    assert_eq!(gone.unwrap_err().status().map(|s| s.as_u16()), Some(401));
    steps += 1;

    assert_eq!(steps, 16);
    println!("tutorial: {steps} steps passed");
}
