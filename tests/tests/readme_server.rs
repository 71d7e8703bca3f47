//! The README's server example, compiled and run: the README shows the `Api` impl up to its
//! first comment; the other operations are completed here, and the shop is served and called
//! with the generated client.

// README: "Implementing the server".
use customer_managed::models::{AnonymousToken, Customer, ErrorMessage};
use customer_managed::server::{
    router, AnonymousLoginRequest, AnonymousLoginResponse, Api, Authenticator,
    GetCustomerProfileRequest, GetCustomerProfileResponse, SecurityScheme,
};
use oasgen_runtime::server::Credential;
use std::sync::Arc;

/// A storefront backend with one customer and fixed tokens.
struct Shop;

impl Authenticator for Shop {
    /// Who holds the token: a customer id, or `guest`.
    type Principal = String;

    async fn authenticate(&self, scheme: SecurityScheme, token: &Credential) -> Option<String> {
        match (scheme, token.expose()) {
            (SecurityScheme::AnonymousAccessToken, "anonymous-token") => Some("guest".into()),
            (SecurityScheme::CustomerAccessToken, "customer-token") => Some("c-1".into()),
            // The router answers 401 when no scheme the operation accepts yields a principal.
            _ => None,
        }
    }
}

/// Serves the shop, e.g. on `TcpListener::bind("127.0.0.1:8080").await?`.
async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router(Arc::new(Shop))).await
}

impl Api for Shop {
    async fn anonymous_login(&self, request: AnonymousLoginRequest) -> AnonymousLoginResponse {
        AnonymousLoginResponse::Ok(AnonymousToken {
            access_token: Some("anonymous-token".into()),
            scope: Some(format!("tenant={}", request.tenant)),
            ..Default::default()
        })
    }

    async fn get_customer_profile(
        &self,
        customer: String,
        _request: GetCustomerProfileRequest,
    ) -> GetCustomerProfileResponse {
        if customer == "guest" {
            return GetCustomerProfileResponse::Forbidden(ErrorMessage {
                message: Some("log in first".into()),
                ..Default::default()
            });
        }
        GetCustomerProfileResponse::Ok(Customer {
            id: Some(customer),
            ..Default::default()
        })
    }

    // ... and the other 24 operations: one method each, taking its request type and
    // returning its response enum, which admits only the statuses the spec documents.
    async fn refresh_anonymous_token(
        &self,
        _: s::RefreshAnonymousTokenRequest,
    ) -> s::RefreshAnonymousTokenResponse {
        s::RefreshAnonymousTokenResponse::BadRequest(not_here())
    }
    async fn signup(&self, _: String, _: s::SignupRequest) -> s::SignupResponse {
        s::SignupResponse::BadRequest(not_here())
    }
    async fn login(&self, _: String, _: s::LoginRequest) -> s::LoginResponse {
        s::LoginResponse::BadRequest(not_here())
    }
    async fn logout(&self, _: String, _: s::LogoutRequest) -> s::LogoutResponse {
        s::LogoutResponse::BadRequest(not_here())
    }
    async fn refresh_customer_token(
        &self,
        _: String,
        _: s::RefreshCustomerTokenRequest,
    ) -> s::RefreshCustomerTokenResponse {
        s::RefreshCustomerTokenResponse::BadRequest(not_here())
    }
    async fn validate_token(
        &self,
        _: String,
        _: s::ValidateTokenRequest,
    ) -> s::ValidateTokenResponse {
        s::ValidateTokenResponse::BadRequest(not_here())
    }
    async fn social_login(&self, _: String, _: s::SocialLoginRequest) -> s::SocialLoginResponse {
        s::SocialLoginResponse::BadRequest(not_here())
    }
    async fn delete_customer_profile(
        &self,
        _: String,
        _: s::DeleteCustomerProfileRequest,
    ) -> s::DeleteCustomerProfileResponse {
        s::DeleteCustomerProfileResponse::BadRequest(not_here())
    }
    async fn update_customer_profile(
        &self,
        _: String,
        _: s::UpdateCustomerProfileRequest,
    ) -> s::UpdateCustomerProfileResponse {
        s::UpdateCustomerProfileResponse::BadRequest(not_here())
    }
    async fn assign_account(
        &self,
        _: String,
        _: s::AssignAccountRequest,
    ) -> s::AssignAccountResponse {
        s::AssignAccountResponse::BadRequest(not_here())
    }
    async fn list_addresses(
        &self,
        _: String,
        _: s::ListAddressesRequest,
    ) -> s::ListAddressesResponse {
        s::ListAddressesResponse::BadRequest(not_here())
    }
    async fn add_address(&self, _: String, _: s::AddAddressRequest) -> s::AddAddressResponse {
        s::AddAddressResponse::BadRequest(not_here())
    }
    async fn get_address(&self, _: String, _: s::GetAddressRequest) -> s::GetAddressResponse {
        s::GetAddressResponse::BadRequest(not_here())
    }
    async fn delete_address(
        &self,
        _: String,
        _: s::DeleteAddressRequest,
    ) -> s::DeleteAddressResponse {
        s::DeleteAddressResponse::BadRequest(not_here())
    }
    async fn update_address(
        &self,
        _: String,
        _: s::UpdateAddressRequest,
    ) -> s::UpdateAddressResponse {
        s::UpdateAddressResponse::BadRequest(not_here())
    }
    async fn add_address_tags(
        &self,
        _: String,
        _: s::AddAddressTagsRequest,
    ) -> s::AddAddressTagsResponse {
        s::AddAddressTagsResponse::BadRequest(not_here())
    }
    async fn delete_address_tags(
        &self,
        _: String,
        _: s::DeleteAddressTagsRequest,
    ) -> s::DeleteAddressTagsResponse {
        s::DeleteAddressTagsResponse::BadRequest(not_here())
    }
    async fn confirm_opt_in(
        &self,
        _: String,
        _: s::ConfirmOptInRequest,
    ) -> s::ConfirmOptInResponse {
        s::ConfirmOptInResponse::BadRequest(not_here())
    }
    async fn resend_activation_link(
        &self,
        _: String,
        _: s::ResendActivationLinkRequest,
    ) -> s::ResendActivationLinkResponse {
        s::ResendActivationLinkResponse::BadRequest(not_here())
    }
    async fn request_email_change(
        &self,
        _: String,
        _: s::RequestEmailChangeRequest,
    ) -> s::RequestEmailChangeResponse {
        s::RequestEmailChangeResponse::BadRequest(not_here())
    }
    async fn confirm_email_change(
        &self,
        _: String,
        _: s::ConfirmEmailChangeRequest,
    ) -> s::ConfirmEmailChangeResponse {
        s::ConfirmEmailChangeResponse::BadRequest(not_here())
    }
    async fn request_password_reset(
        &self,
        _: String,
        _: s::RequestPasswordResetRequest,
    ) -> s::RequestPasswordResetResponse {
        s::RequestPasswordResetResponse::BadRequest(not_here())
    }
    async fn reset_password(
        &self,
        _: String,
        _: s::ResetPasswordRequest,
    ) -> s::ResetPasswordResponse {
        s::ResetPasswordResponse::BadRequest(not_here())
    }
    async fn change_password(
        &self,
        _: String,
        _: s::ChangePasswordRequest,
    ) -> s::ChangePasswordResponse {
        s::ChangePasswordResponse::BadRequest(not_here())
    }
}

use customer_managed::server as s;

fn not_here() -> ErrorMessage {
    ErrorMessage {
        message: Some("not part of the README example".into()),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_example_serves() {
    use customer_managed::client::{Client, Credentials, Token};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(serve(listener));

    let credentials = Credentials::new();
    let client = Client::with_base_url(&base, credentials.clone()).unwrap();
    let anonymous = client.anonymous_login("shop", "storefront").await.unwrap();
    assert_eq!(anonymous.scope.as_deref(), Some("tenant=shop"));

    credentials.set_token("AnonymousAccessToken", Token::new("anonymous-token"));
    let refused = client.get_customer_profile("shop").await.unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(403));
    credentials.set_token("CustomerAccessToken", Token::new("customer-token"));
    let profile = client.get_customer_profile("shop").await.unwrap();
    assert_eq!(profile.id.as_deref(), Some("c-1"));
    server.abort();
}
