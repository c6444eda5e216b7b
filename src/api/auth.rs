//! Bearer-key authentication: each key is one tenant.

use std::collections::HashMap;
use std::future::{ready, Ready};

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

use super::error::ApiError;
use super::AppState;

/// Service keys and the tenant each one belongs to.
#[derive(Debug, Clone, Default)]
pub struct Tenants {
    by_key: HashMap<String, String>,
}

impl Tenants {
    pub fn add(&mut self, key: impl Into<String>, tenant: impl Into<String>) {
        self.by_key.insert(key.into(), tenant.into());
    }

    fn tenant_of(&self, key: &str) -> Option<&str> {
        self.by_key.get(key).map(String::as_str)
    }
}

/// The authenticated caller of an `/api/*` route.
pub struct Tenant(pub String);

impl FromRequest for Tenant {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Tenant, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("the server is misconfigured", "no app state"))?;
    let key = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, key) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
        })
        .ok_or_else(ApiError::unauthorized)?;
    state
        .tenants
        .tenant_of(key)
        .map(|t| Tenant(t.to_string()))
        .ok_or_else(ApiError::unauthorized)
}
