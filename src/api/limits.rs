//! The per-tenant submission rate limit (api.md "Limits": 60 a minute by default).
//!
//! A sliding log: each tenant's submission times within the last window, at most `limit` of
//! them. It means exactly what the contract says ("N in any 60 seconds", so the N+1st inside a
//! minute is refused) and makes the `X-RateLimit-*` numbers exact. A GCRA/token bucket (e.g.
//! the `governor` crate) would refill continuously, letting a 61st submission through a few
//! seconds after a burst of 60, and would need its state translated back into these headers.
//! The log costs `limit` instants per tenant, and tenants are the configured few.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};

pub const WINDOW: Duration = Duration::from_secs(60);

/// Submissions per tenant per `WINDOW`; 0 is no limit.
#[derive(Debug, Default)]
pub struct RateLimiter {
    default: u32,
    overrides: HashMap<String, u32>,
    log: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Where a tenant stands, for the headers (and whether this submission may go ahead).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the oldest counted submission leaves the window, freeing a place.
    pub reset_secs: u64,
}

impl RateLimiter {
    pub fn new(default: u32, overrides: HashMap<String, u32>) -> Self {
        RateLimiter {
            default,
            overrides,
            log: Mutex::new(HashMap::new()),
        }
    }

    fn limit_of(&self, tenant: &str) -> u32 {
        self.overrides.get(tenant).copied().unwrap_or(self.default)
    }

    /// Counts a submission of `tenant` if it is within the limit. `None`: no limit applies.
    pub fn take(&self, tenant: &str) -> Option<Quota> {
        self.take_at(tenant, Instant::now(), true)
    }

    /// Where `tenant` stands, counting nothing (for answers that made no job).
    pub fn peek(&self, tenant: &str) -> Option<Quota> {
        self.take_at(tenant, Instant::now(), false)
    }

    fn take_at(&self, tenant: &str, now: Instant, count: bool) -> Option<Quota> {
        let limit = self.limit_of(tenant);
        if limit == 0 {
            return None;
        }
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        let times = log.entry(tenant.to_string()).or_default();
        while times
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
        {
            times.pop_front();
        }
        let allowed = times.len() < limit as usize;
        if allowed && count {
            times.push_back(now);
        }
        let used = u32::try_from(times.len()).unwrap_or(u32::MAX);
        let reset = times.front().map_or(Duration::ZERO, |oldest| {
            WINDOW.saturating_sub(now.saturating_duration_since(*oldest))
        });
        Some(Quota {
            allowed,
            limit,
            remaining: limit.saturating_sub(used),
            // Rounded up: a client that waits this long is let through.
            reset_secs: reset.as_millis().div_ceil(1000) as u64,
        })
    }
}

impl Quota {
    /// `X-RateLimit-Limit/Remaining/Reset`, and `Retry-After` on a refusal.
    pub fn apply(&self, headers: &mut HeaderMap) {
        let mut set = |name: &'static str, value: u64| {
            headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
        };
        set("x-ratelimit-limit", u64::from(self.limit));
        set("x-ratelimit-remaining", u64::from(self.remaining));
        set("x-ratelimit-reset", self.reset_secs);
        if !self.allowed {
            headers.insert(RETRY_AFTER, HeaderValue::from(self.reset_secs.max(1)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_refuses_the_one_over_the_limit_until_the_oldest_leaves_the_window() {
        let limiter = RateLimiter::new(3, HashMap::from([("big".to_string(), 5)]));
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let remaining: Vec<u32> = (0..3)
            .map(|i| {
                limiter
                    .take_at("a", at(i), true)
                    .expect("limited")
                    .remaining
            })
            .collect();
        assert_eq!(remaining, vec![2, 1, 0]);
        let refused = limiter.take_at("a", at(10), true).expect("limited");
        assert!(!refused.allowed);
        assert_eq!(refused.reset_secs, 50, "the first one leaves at 60 s");
        // Refusals are not counted: the first place frees at 60 s, the second at 61 s.
        assert!(limiter.take_at("a", at(60), true).expect("limited").allowed);
        assert!(!limiter.take_at("a", at(60), true).expect("limited").allowed);
        assert!(limiter.take_at("a", at(61), true).expect("limited").allowed);
        // Tenants are counted apart, each with its own limit; 0 is no limit.
        assert_eq!(
            limiter.take_at("big", at(0), true).map(|q| q.limit),
            Some(5)
        );
        assert!(RateLimiter::new(0, HashMap::new()).take("a").is_none());
        let peeked = limiter.take_at("b", at(0), false).expect("limited");
        assert_eq!((peeked.remaining, peeked.reset_secs), (3, 0));
    }

    #[test]
    fn headers_carry_the_numbers_and_retry_after_only_on_refusal() {
        let mut headers = HeaderMap::new();
        let quota = Quota {
            allowed: false,
            limit: 3,
            remaining: 0,
            reset_secs: 0,
        };
        quota.apply(&mut headers);
        let get = |n: &str| {
            headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        assert_eq!(get("x-ratelimit-limit").as_deref(), Some("3"));
        assert_eq!(get("x-ratelimit-remaining").as_deref(), Some("0"));
        assert_eq!(get("retry-after").as_deref(), Some("1"));
        let mut headers = HeaderMap::new();
        Quota {
            allowed: true,
            ..quota
        }
        .apply(&mut headers);
        assert!(headers.get("retry-after").is_none());
    }
}
