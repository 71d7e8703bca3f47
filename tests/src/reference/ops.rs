//! The 26 operations, as the Customer Management tutorial describes them.

use super::{
    error, fault, is_email, wrong_tenant, CustomerRecord, MailKind, Principal, ReferenceService,
    Store, TokenKind, ANONYMOUS_TTL, CUSTOMER_TTL, REFRESH_TTL,
};
use customer_managed::models;
use customer_managed::server::*;
use std::time::Duration;

fn secs(d: Duration) -> i32 {
    i32::try_from(d.as_secs()).unwrap_or(i32::MAX)
}

fn scope(tenant: &str) -> String {
    format!("tenant={tenant}")
}

/// The customer behind a principal, if it is a customer of this tenant.
fn customer<'s>(s: &'s mut Store, p: &Principal) -> Option<(&'s mut CustomerRecord, String)> {
    match p {
        Principal::Customer { customer_id, .. } => {
            let id = customer_id.clone();
            s.customers.get_mut(&id).map(|c| (c, id))
        }
        Principal::Anonymous { .. } => None,
    }
}

fn anonymous_session(p: &Principal) -> Option<&str> {
    match p {
        Principal::Anonymous { session_id, .. } => Some(session_id),
        Principal::Customer { .. } => None,
    }
}

fn anonymous_token(s: &mut Store, tenant: &str, session_id: &str) -> models::AnonymousToken {
    let (access, refresh) = s.issue(TokenKind::Anonymous, tenant, session_id);
    models::AnonymousToken {
        token_type: Some("Bearer".into()),
        access_token: Some(access),
        expires_in: Some(secs(ANONYMOUS_TTL)),
        refresh_token: Some(refresh),
        refresh_token_expires_in: Some(secs(REFRESH_TTL)),
        session_id: Some(session_id.to_string()),
        scope: Some(scope(tenant)),
    }
}

fn customer_token(s: &mut Store, tenant: &str, id: &str, session: &str) -> models::CustomerToken {
    let (access, refresh) = s.issue(TokenKind::Customer(id.to_string()), tenant, session);
    models::CustomerToken {
        saas_token: Some(saas_token(s, id)),
        access_token: Some(access),
        expires_in: Some(secs(CUSTOMER_TTL)),
        refresh_token: Some(refresh),
        refresh_token_expires_in: Some(secs(REFRESH_TTL)),
    }
}

/// A JWT-shaped token; the reference service never reads it back.
fn saas_token(s: &mut Store, id: &str) -> String {
    format!("eyJhbGciOiJIUzI1NiJ9.{}.{}", hex(id), s.token(43))
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn new_customer(tenant: &str, id: &str, email: &str, password: &str) -> CustomerRecord {
    CustomerRecord {
        tenant: tenant.to_string(),
        login_email: email.to_ascii_lowercase(),
        password: password.to_string(),
        initial_password: true,
        active: false,
        profile: models::Customer {
            id: Some(id.to_string()),
            customer_number: Some(id.to_string()),
            contact_email: Some(email.to_string()),
            accounts: Some(vec![models::CustomerAccount {
                id: Some(email.to_ascii_lowercase()),
            }]),
            metadata: Some(models::DefaultDtoMetadata {
                mixins: None,
                version: Some(1),
            }),
            ..Default::default()
        },
        addresses: Vec::new(),
    }
}

/// Applies the fields present in `u` to the profile.
fn apply_update(c: &mut models::Customer, u: models::CustomerUpdateDto) {
    macro_rules! set {
        ($($f:ident),*) => { $( if u.$f.is_some() { c.$f = u.$f; } )* };
    }
    set!(
        title,
        first_name,
        middle_name,
        last_name,
        contact_phone,
        company
    );
    set!(
        preferred_language,
        preferred_currency,
        preferred_site,
        b2b,
        mixins,
        contact_email
    );
    if c.b2b.is_some() {
        c.business_model = Some("B2B".into());
    }
    let version = c.metadata.as_ref().and_then(|m| m.version).unwrap_or(0);
    c.metadata = Some(models::DefaultDtoMetadata {
        mixins: u.metadata.and_then(|m| m.mixins),
        version: Some(version.saturating_add(1)),
    });
}

/// Applies the fields present in `u` to the address (never its id).
fn apply_address(a: &mut models::Address, u: models::Address) {
    macro_rules! set {
        ($($f:ident),*) => { $( if u.$f.is_some() { a.$f = u.$f; } )* };
    }
    set!(
        contact_name,
        company_name,
        street,
        street_number,
        street_appendix,
        extra_line1
    );
    set!(
        extra_line2,
        extra_line3,
        extra_line4,
        zip_code,
        city,
        country,
        state,
        contact_phone
    );
    set!(tags, metadata, mixins, is_default);
}

fn add_address(c: &mut CustomerRecord, mut a: models::Address, id: String) {
    a.id = Some(id.clone());
    let default = a.is_default == Some(true) || c.addresses.is_empty();
    a.is_default = Some(default);
    if default {
        make_default(c, &id);
    }
    c.addresses.push(a);
}

fn make_default(c: &mut CustomerRecord, id: &str) {
    for a in &mut c.addresses {
        a.is_default = Some(a.id.as_deref() == Some(id));
    }
}

fn split_tags(tags: &str) -> Vec<String> {
    tags.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn not_found() -> models::ErrorMessage {
    error(
        404,
        "not_found",
        "Address with the specified addressId doesn't exist.",
    )
}

fn forbidden(message: &str) -> models::ErrorMessage {
    error(403, "forbidden", message)
}

fn bad_request(message: &str) -> models::ErrorMessage {
    error(400, "bad_request", message)
}

impl Api for ReferenceService {
    async fn anonymous_login(&self, r: AnonymousLoginRequest) -> AnonymousLoginResponse {
        let mut s = self.lock();
        let session = s.session_id();
        AnonymousLoginResponse::Ok(anonymous_token(&mut s, &r.tenant, &session))
    }

    /// A valid refresh token (or the deprecated anonymous token) keeps its session; anything
    /// else starts a new session, since the spec documents no error for this operation.
    async fn refresh_anonymous_token(
        &self,
        r: RefreshAnonymousTokenRequest,
    ) -> RefreshAnonymousTokenResponse {
        let mut s = self.lock();
        let now = s.now();
        let from_refresh = r.refresh_token.as_deref().and_then(|t| s.refresh.get(t));
        let from_access = r.anonymous_token.as_deref().and_then(|t| s.access.get(t));
        let session = from_refresh
            .or(from_access)
            .filter(|t| matches!(t.kind, TokenKind::Anonymous))
            .filter(|t| t.expires_at > now && t.tenant == r.tenant)
            .map(|t| t.session_id.clone());
        let session = match session {
            Some(session) => session,
            None => s.session_id(),
        };
        if let Some(t) = &r.refresh_token {
            s.refresh.remove(t);
        }
        RefreshAnonymousTokenResponse::Ok(anonymous_token(&mut s, &r.tenant, &session))
    }

    async fn signup(&self, p: Principal, r: SignupRequest) -> SignupResponse {
        if !p.serves(&r.tenant) {
            return SignupResponse::Unauthorized(wrong_tenant());
        }
        let body = r.body;
        // Separate sign-up credentials take over where they are given.
        let login = body.signup.as_ref();
        let email = login.map(|l| l.email.clone()).filter(|e| !e.is_empty());
        let email = email.unwrap_or_else(|| body.email.clone());
        let password = login.map(|l| l.password.clone()).filter(|p| !p.is_empty());
        let password = password.unwrap_or_else(|| body.password.clone());
        if !is_email(&email) || password.is_empty() {
            return SignupResponse::BadRequest(bad_request(
                "A login email and password are required.",
            ));
        }
        let mut s = self.lock();
        let key = (r.tenant.clone(), email.to_ascii_lowercase());
        if s.logins.contains_key(&key) {
            let message = "A customer with this email address already exists.";
            return SignupResponse::Conflict(error(409, "conflict", message));
        }
        let id = s.next_id();
        let mut record = new_customer(&r.tenant, &id, &email, &password);
        record.profile.contact_email = Some(body.email.clone());
        if let Some(details) = body.customer_details {
            apply_update(&mut record.profile, details);
            if let Some(m) = record.profile.metadata.as_mut() {
                m.version = Some(1);
            }
        }
        if let Some(address) = body.customer_address {
            let address_id = s.token(10);
            add_address(&mut record, address, address_id);
        }
        s.customers.insert(id.clone(), record);
        s.logins.insert(key, id.clone());
        s.send(&email, MailKind::OptIn, &id, None);
        SignupResponse::Created(models::IdResponse { id: Some(id) })
    }

    async fn login(&self, p: Principal, r: LoginRequest) -> LoginResponse {
        if !p.serves(&r.tenant) {
            return LoginResponse::Unauthorized(wrong_tenant());
        }
        let mut s = self.lock();
        let key = (r.tenant.clone(), r.body.email.to_ascii_lowercase());
        let found = s.logins.get(&key).and_then(|id| {
            let c = s.customers.get(id)?;
            (c.password == r.body.password).then(|| (id.clone(), c.active, c.initial_password))
        });
        let Some((id, active, initial)) = found else {
            return LoginResponse::Unauthorized(fault("Invalid email or password"));
        };
        if !active {
            return LoginResponse::Unauthorized(fault("The customer account is not active"));
        }
        let session = match anonymous_session(&p) {
            Some(session) => session.to_string(),
            None => s.session_id(),
        };
        let t = customer_token(&mut s, &r.tenant, &id, &session);
        LoginResponse::Ok(models::CustomerLoginResponse {
            access_token: t.access_token,
            saas_token: t.saas_token,
            expires_in: t.expires_in,
            refresh_token: t.refresh_token,
            refresh_token_expires_in: t.refresh_token_expires_in,
            token_type: Some("Bearer".into()),
            session_id: Some(session),
            initial_password: Some(initial),
        })
    }

    /// Invalidates `accessToken` if it is one of the caller's tokens; logging out twice is fine.
    async fn logout(&self, p: Principal, r: LogoutRequest) -> LogoutResponse {
        if !p.serves(&r.tenant) {
            return LogoutResponse::Unauthorized(wrong_tenant());
        }
        let Principal::Customer { customer_id, .. } = &p else {
            return LogoutResponse::Unauthorized(fault("A customer token is required"));
        };
        let mut s = self.lock();
        let mine = s
            .access
            .get(&r.access_token)
            .is_some_and(|t| matches!(&t.kind, TokenKind::Customer(id) if id == customer_id));
        if mine {
            s.access.remove(&r.access_token);
        }
        LogoutResponse::NoContent
    }

    async fn refresh_customer_token(
        &self,
        p: Principal,
        r: RefreshCustomerTokenRequest,
    ) -> RefreshCustomerTokenResponse {
        if !p.serves(&r.tenant) {
            return RefreshCustomerTokenResponse::Unauthorized(wrong_tenant());
        }
        let mut s = self.lock();
        let now = s.now();
        let record = s
            .refresh
            .get(&r.refresh_token)
            .filter(|t| t.expires_at > now && t.tenant == r.tenant)
            .cloned();
        let Some(record) = record else {
            return RefreshCustomerTokenResponse::Unauthorized(fault("Invalid refresh token"));
        };
        let TokenKind::Customer(id) = &record.kind else {
            return RefreshCustomerTokenResponse::Unauthorized(fault(
                "Not a customer refresh token",
            ));
        };
        s.refresh.remove(&r.refresh_token);
        let t = customer_token(&mut s, &r.tenant, id, &record.session_id);
        if let Some(access) = &t.access_token {
            if let Some(rec) = s.access.get_mut(access) {
                rec.legal_entity_id = r.legal_entity_id.clone();
            }
        }
        RefreshCustomerTokenResponse::Ok(t)
    }

    async fn validate_token(&self, p: Principal, r: ValidateTokenRequest) -> ValidateTokenResponse {
        if !p.serves(&r.tenant) {
            return ValidateTokenResponse::Unauthorized(wrong_tenant());
        }
        let Principal::Customer {
            session_id,
            expires_at,
            legal_entity_id,
            ..
        } = &p
        else {
            return ValidateTokenResponse::Unauthorized(fault("A customer token is required"));
        };
        let mut s = self.lock();
        let now = s.now();
        let Some((c, _)) = customer(&mut s, &p) else {
            return ValidateTokenResponse::Unauthorized(fault("Unknown customer"));
        };
        ValidateTokenResponse::Ok(models::TokenValidationResponse {
            token_type: Some("Bearer".into()),
            expires_in: Some(secs(expires_at.saturating_duration_since(now))),
            scope: Some(format!(
                "customer.customer_read_own customer.customerprofile_edit {}",
                scope(&r.tenant)
            )),
            session_id: Some(session_id.clone()),
            email: Some(c.login_email.clone()),
            legal_entity_id: legal_entity_id.clone(),
        })
    }

    /// The mock identity provider accepts any authorization code: the customer is found or
    /// created (active) by the email in the body, or by the code.
    async fn social_login(&self, p: Principal, r: SocialLoginRequest) -> SocialLoginResponse {
        if !p.serves(&r.tenant) {
            return SocialLoginResponse::Unauthorized(wrong_tenant());
        }
        let mut s = self.lock();
        let email = r
            .body
            .as_ref()
            .and_then(|b| b.email.clone())
            .filter(|e| is_email(e))
            .unwrap_or_else(|| format!("social-{}@example.com", hex(&r.code)));
        let key = (r.tenant.clone(), email.to_ascii_lowercase());
        let id = match s.logins.get(&key) {
            Some(id) => id.clone(),
            None => {
                let id = s.next_id();
                let password = s.token(32);
                let mut record = new_customer(&r.tenant, &id, &email, &password);
                record.active = true;
                record.initial_password = false;
                s.customers.insert(id.clone(), record);
                s.logins.insert(key, id.clone());
                id
            }
        };
        let session = match r
            .session_id
            .clone()
            .or(anonymous_session(&p).map(str::to_string))
        {
            Some(session) => session,
            None => s.session_id(),
        };
        let t = customer_token(&mut s, &r.tenant, &id, &session);
        let social_access_token = Some(s.token(40));
        let social_id_token = Some(s.token(40));
        SocialLoginResponse::Ok(models::SocialLoginResponse {
            social_access_token,
            social_id_token,
            refresh_token: t.refresh_token,
            refresh_token_expires_in: Some(secs(REFRESH_TTL).to_string()),
            session_idle_time: Some(3600),
            token_type: Some("Bearer".into()),
            access_token: t.access_token,
            saas_token: t.saas_token,
            expires_in: Some(secs(CUSTOMER_TTL).to_string()),
            scope: Some(scope(&r.tenant)),
            customer_number: Some(id),
        })
    }

    async fn get_customer_profile(
        &self,
        p: Principal,
        r: GetCustomerProfileRequest,
    ) -> GetCustomerProfileResponse {
        if !p.serves(&r.tenant) {
            return GetCustomerProfileResponse::Unauthorized(wrong_tenant());
        }
        let mut s = self.lock();
        let Some((c, _)) = customer(&mut s, &p) else {
            let message = "An anonymous session has no customer profile.";
            return GetCustomerProfileResponse::Forbidden(forbidden(message));
        };
        let mut profile = c.profile.clone();
        let expand = r.expand.unwrap_or_default();
        if expand.split(',').any(|e| e.trim() == "addresses") {
            profile.addresses = Some(c.addresses.clone());
        }
        GetCustomerProfileResponse::Ok(profile)
    }

    async fn update_customer_profile(
        &self,
        p: Principal,
        r: UpdateCustomerProfileRequest,
    ) -> UpdateCustomerProfileResponse {
        if !p.serves(&r.tenant) {
            return UpdateCustomerProfileResponse::Unauthorized(wrong_tenant());
        }
        let mut s = self.lock();
        let Some((c, _)) = customer(&mut s, &p) else {
            return UpdateCustomerProfileResponse::Unauthorized(fault("Unknown customer"));
        };
        apply_update(&mut c.profile, r.body);
        UpdateCustomerProfileResponse::Ok
    }

    /// Without `token`, mails a confirmation token (`202`); with it, deletes the profile (`204`).
    async fn delete_customer_profile(
        &self,
        p: Principal,
        r: DeleteCustomerProfileRequest,
    ) -> DeleteCustomerProfileResponse {
        if !p.serves(&r.tenant) {
            return DeleteCustomerProfileResponse::Unauthorized(wrong_tenant());
        }
        let mut s = self.lock();
        let Some((c, id)) = customer(&mut s, &p) else {
            return DeleteCustomerProfileResponse::Unauthorized(fault("Unknown customer"));
        };
        let Some(token) = r.token else {
            let email = c.login_email.clone();
            s.send(&email, MailKind::ProfileDeletion, &id, None);
            return DeleteCustomerProfileResponse::Accepted;
        };
        match s.take_mail_token(&token, MailKind::ProfileDeletion) {
            Some((owner, _)) if owner == id => {
                s.customers.remove(&id);
                s.logins.retain(|_, v| *v != id);
                s.access
                    .retain(|_, t| !matches!(&t.kind, TokenKind::Customer(x) if *x == id));
                DeleteCustomerProfileResponse::NoContent
            }
            _ => DeleteCustomerProfileResponse::Forbidden(forbidden("Invalid deletion token.")),
        }
    }

    async fn assign_account(&self, p: Principal, r: AssignAccountRequest) -> AssignAccountResponse {
        if !p.serves(&r.tenant) {
            return AssignAccountResponse::Unauthorized(wrong_tenant());
        }
        let mut s = self.lock();
        let key = (r.tenant.clone(), r.body.email.to_ascii_lowercase());
        if s.logins.contains_key(&key) {
            let message = "The account is already assigned to a customer.";
            return AssignAccountResponse::Conflict(error(409, "conflict", message));
        }
        let Some((c, id)) = customer(&mut s, &p) else {
            return AssignAccountResponse::Unauthorized(fault("Unknown customer"));
        };
        let account = models::CustomerAccount {
            id: Some(key.1.clone()),
        };
        c.profile
            .accounts
            .get_or_insert_with(Vec::new)
            .push(account);
        s.logins.insert(key, id);
        AssignAccountResponse::Created
    }

    async fn add_address(&self, p: Principal, r: AddAddressRequest) -> AddAddressResponse {
        if !p.serves(&r.tenant) {
            return AddAddressResponse::Unauthorized(wrong_tenant());
        }
        let mut s = self.lock();
        let address_id = s.token(10);
        let Some((c, _)) = customer(&mut s, &p) else {
            return AddAddressResponse::Unauthorized(fault("Unknown customer"));
        };
        add_address(c, r.body, address_id.clone());
        AddAddressResponse::Created(models::IdResponse {
            id: Some(address_id),
        })
    }

    async fn list_addresses(&self, p: Principal, r: ListAddressesRequest) -> ListAddressesResponse {
        if !p.serves(&r.tenant) {
            return ListAddressesResponse::Unauthorized(wrong_tenant());
        }
        let mut s = self.lock();
        match customer(&mut s, &p) {
            Some((c, _)) => ListAddressesResponse::Ok(c.addresses.clone()),
            None => ListAddressesResponse::Unauthorized(fault("Unknown customer")),
        }
    }

    async fn get_address(&self, p: Principal, r: GetAddressRequest) -> GetAddressResponse {
        if !p.serves(&r.tenant) {
            return GetAddressResponse::Unauthorized(wrong_tenant());
        }
        let mut s = self.lock();
        let Some((c, _)) = customer(&mut s, &p) else {
            return GetAddressResponse::Unauthorized(fault("Unknown customer"));
        };
        match c
            .addresses
            .iter()
            .find(|a| a.id.as_deref() == Some(&r.address_id))
        {
            Some(a) => GetAddressResponse::Ok(a.clone()),
            None => GetAddressResponse::NotFound(not_found()),
        }
    }

    async fn delete_address(&self, p: Principal, r: DeleteAddressRequest) -> DeleteAddressResponse {
        if !p.serves(&r.tenant) {
            return DeleteAddressResponse::Unauthorized(wrong_tenant());
        }
        let mut s = self.lock();
        let Some((c, _)) = customer(&mut s, &p) else {
            return DeleteAddressResponse::Unauthorized(fault("Unknown customer"));
        };
        let before = c.addresses.len();
        c.addresses
            .retain(|a| a.id.as_deref() != Some(&r.address_id));
        if c.addresses.len() == before {
            return DeleteAddressResponse::NotFound(not_found());
        }
        DeleteAddressResponse::NoContent
    }

    async fn update_address(&self, p: Principal, r: UpdateAddressRequest) -> UpdateAddressResponse {
        if !p.serves(&r.tenant) {
            return UpdateAddressResponse::Unauthorized(wrong_tenant());
        }
        let mut s = self.lock();
        let Some((c, _)) = customer(&mut s, &p) else {
            return UpdateAddressResponse::Unauthorized(fault("Unknown customer"));
        };
        let Some(a) = c
            .addresses
            .iter_mut()
            .find(|a| a.id.as_deref() == Some(&r.address_id))
        else {
            return UpdateAddressResponse::NotFound(not_found());
        };
        let default = r.body.is_default == Some(true);
        apply_address(a, r.body);
        if default {
            make_default(c, &r.address_id);
        }
        UpdateAddressResponse::Ok
    }

    async fn add_address_tags(
        &self,
        p: Principal,
        r: AddAddressTagsRequest,
    ) -> AddAddressTagsResponse {
        if !p.serves(&r.tenant) {
            return AddAddressTagsResponse::Unauthorized(wrong_tenant());
        }
        let mut s = self.lock();
        let Some((c, _)) = customer(&mut s, &p) else {
            return AddAddressTagsResponse::Unauthorized(fault("Unknown customer"));
        };
        let Some(a) = c
            .addresses
            .iter_mut()
            .find(|a| a.id.as_deref() == Some(&r.address_id))
        else {
            return AddAddressTagsResponse::NotFound(not_found());
        };
        let tags = a.tags.get_or_insert_with(Vec::new);
        for t in split_tags(&r.tags) {
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        AddAddressTagsResponse::NoContent
    }

    async fn delete_address_tags(
        &self,
        p: Principal,
        r: DeleteAddressTagsRequest,
    ) -> DeleteAddressTagsResponse {
        if !p.serves(&r.tenant) {
            return DeleteAddressTagsResponse::Unauthorized(wrong_tenant());
        }
        let mut s = self.lock();
        let Some((c, _)) = customer(&mut s, &p) else {
            return DeleteAddressTagsResponse::Unauthorized(fault("Unknown customer"));
        };
        let Some(a) = c
            .addresses
            .iter_mut()
            .find(|a| a.id.as_deref() == Some(&r.address_id))
        else {
            return DeleteAddressTagsResponse::NotFound(not_found());
        };
        let remove = split_tags(&r.tags);
        if let Some(tags) = &mut a.tags {
            tags.retain(|t| !remove.contains(t));
        }
        DeleteAddressTagsResponse::NoContent
    }

    async fn confirm_opt_in(&self, p: Principal, r: ConfirmOptInRequest) -> ConfirmOptInResponse {
        if !p.serves(&r.tenant) {
            return ConfirmOptInResponse::Unauthorized(wrong_tenant());
        }
        let mut s = self.lock();
        let Some((id, _)) = s.take_mail_token(&r.token, MailKind::OptIn) else {
            return ConfirmOptInResponse::Unauthorized(fault("Invalid opt-in token"));
        };
        if let Some(c) = s.customers.get_mut(&id) {
            c.active = true;
        }
        let session = match anonymous_session(&p) {
            Some(session) => session.to_string(),
            None => s.session_id(),
        };
        ConfirmOptInResponse::Ok(customer_token(&mut s, &r.tenant, &id, &session))
    }

    /// Always `202`, so the answer does not tell which emails have accounts.
    async fn resend_activation_link(
        &self,
        p: Principal,
        r: ResendActivationLinkRequest,
    ) -> ResendActivationLinkResponse {
        if !p.serves(&r.tenant) {
            return ResendActivationLinkResponse::Unauthorized(wrong_tenant());
        }
        let mut s = self.lock();
        let key = (r.tenant.clone(), r.body.email.to_ascii_lowercase());
        let inactive = s
            .logins
            .get(&key)
            .filter(|id| s.customers.get(*id).is_some_and(|c| !c.active))
            .cloned();
        if let Some(id) = inactive {
            s.send(&r.body.email, MailKind::OptIn, &id, None);
        }
        ResendActivationLinkResponse::Accepted
    }

    async fn request_email_change(
        &self,
        p: Principal,
        r: RequestEmailChangeRequest,
    ) -> RequestEmailChangeResponse {
        if !p.serves(&r.tenant) {
            return RequestEmailChangeResponse::Unauthorized(wrong_tenant());
        }
        // The current credentials are checked first: without them nothing else is revealed.
        let body = r.body.unwrap_or_default();
        let new_email = body.new_email.clone().unwrap_or_default();
        let mut s = self.lock();
        let taken = s
            .logins
            .contains_key(&(r.tenant.clone(), new_email.to_ascii_lowercase()));
        let Some((c, id)) = customer(&mut s, &p) else {
            return RequestEmailChangeResponse::Unauthorized(fault("Unknown customer"));
        };
        let email_ok = body
            .email
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case(&c.login_email));
        if !email_ok || body.password.as_deref() != Some(c.password.as_str()) {
            return RequestEmailChangeResponse::Forbidden(forbidden("Email or password is wrong."));
        }
        if !is_email(&new_email) {
            return RequestEmailChangeResponse::BadRequest(bad_request(
                "newEmail must be an email address.",
            ));
        }
        if taken {
            return RequestEmailChangeResponse::BadRequest(bad_request(
                "newEmail is already in use.",
            ));
        }
        let change = Some((new_email.clone(), body.sync_contact_email.unwrap_or(false)));
        s.send(&new_email, MailKind::EmailChange, &id, change);
        RequestEmailChangeResponse::NoContent
    }

    async fn confirm_email_change(
        &self,
        p: Principal,
        r: ConfirmEmailChangeRequest,
    ) -> ConfirmEmailChangeResponse {
        if !p.serves(&r.tenant) {
            return ConfirmEmailChangeResponse::Unauthorized(wrong_tenant());
        }
        let token = r.body.and_then(|b| b.token).unwrap_or_default();
        let mut s = self.lock();
        let Some((id, Some((new_email, sync)))) = s.take_mail_token(&token, MailKind::EmailChange)
        else {
            return ConfirmEmailChangeResponse::Forbidden(forbidden("Invalid email change token."));
        };
        let new_key = (r.tenant.clone(), new_email.to_ascii_lowercase());
        if s.logins.contains_key(&new_key) {
            return ConfirmEmailChangeResponse::BadRequest(bad_request(
                "The email is already in use.",
            ));
        }
        let Some(c) = s.customers.get_mut(&id) else {
            return ConfirmEmailChangeResponse::BadRequest(bad_request("Unknown customer."));
        };
        let old = std::mem::replace(&mut c.login_email, new_email.to_ascii_lowercase());
        for account in c.profile.accounts.iter_mut().flatten() {
            if account.id.as_deref() == Some(old.as_str()) {
                account.id = Some(c.login_email.clone());
            }
        }
        if sync {
            c.profile.contact_email = Some(new_email.clone());
        }
        let tenant = c.tenant.clone();
        s.logins.remove(&(tenant.clone(), old));
        s.logins
            .insert((tenant, new_email.to_ascii_lowercase()), id);
        ConfirmEmailChangeResponse::NoContent
    }

    /// Always `204`, so the answer does not tell which emails have accounts.
    async fn request_password_reset(
        &self,
        p: Principal,
        r: RequestPasswordResetRequest,
    ) -> RequestPasswordResetResponse {
        if !p.serves(&r.tenant) {
            return RequestPasswordResetResponse::Unauthorized(wrong_tenant());
        }
        // Without an email there is no one to mail; like an unknown email, that is not an error.
        let Some(body) = r.body else {
            return RequestPasswordResetResponse::NoContent;
        };
        let mut s = self.lock();
        let key = (r.tenant.clone(), body.email.to_ascii_lowercase());
        if let Some(id) = s.logins.get(&key).cloned() {
            s.send(&body.email, MailKind::PasswordReset, &id, None);
        }
        RequestPasswordResetResponse::NoContent
    }

    async fn reset_password(&self, p: Principal, r: ResetPasswordRequest) -> ResetPasswordResponse {
        if !p.serves(&r.tenant) {
            return ResetPasswordResponse::Unauthorized(wrong_tenant());
        }
        let body = r.body.unwrap_or_default();
        let mut s = self.lock();
        let valid = s
            .mail_tokens
            .get(&body.token)
            .is_some_and(|(kind, _, _)| *kind == MailKind::PasswordReset);
        if !valid {
            return ResetPasswordResponse::Forbidden(forbidden("Invalid password reset token."));
        }
        if body.password.is_empty() {
            return ResetPasswordResponse::BadRequest(bad_request("The new password is empty."));
        }
        let Some((id, _)) = s.take_mail_token(&body.token, MailKind::PasswordReset) else {
            return ResetPasswordResponse::Forbidden(forbidden("Invalid password reset token."));
        };
        if let Some(c) = s.customers.get_mut(&id) {
            c.password = body.password;
            c.initial_password = false;
        }
        ResetPasswordResponse::NoContent
    }

    async fn change_password(
        &self,
        p: Principal,
        r: ChangePasswordRequest,
    ) -> ChangePasswordResponse {
        if !p.serves(&r.tenant) {
            return ChangePasswordResponse::Unauthorized(wrong_tenant());
        }
        let body = r.body.unwrap_or_default();
        let mut s = self.lock();
        let Some((c, _)) = customer(&mut s, &p) else {
            return ChangePasswordResponse::Unauthorized(fault("Unknown customer"));
        };
        if c.password != body.current_password {
            return ChangePasswordResponse::Forbidden(forbidden("The current password is wrong."));
        }
        if body.new_password.is_empty() {
            return ChangePasswordResponse::BadRequest(bad_request("The new password is empty."));
        }
        c.password = body.new_password;
        c.initial_password = false;
        ChangePasswordResponse::NoContent
    }
}
