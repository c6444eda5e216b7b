//! What a delivery carries besides the body: its signature, and when a failed one is tried
//! again.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Tries per delivery, the first included (api.md: 8 tries over about an hour).
pub const MAX_TRIES: u32 = 8;

/// `X-Varg-Signature`: `v1=` and the hex HMAC-SHA256 of `"<timestamp>.<body>"` under the
/// tenant's secret. The timestamp is signed with the body so a captured delivery cannot be
/// replayed later under a fresh timestamp.
pub fn signature(secret: &str, timestamp: u64, body: &[u8]) -> String {
    let mut message = timestamp.to_string().into_bytes();
    message.push(b'.');
    message.extend_from_slice(body);
    format!("v1={}", hmac_sha256_hex(secret.as_bytes(), &message))
}

fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC accepts keys of any length (longer ones are hashed first), so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// The wait after failed try number `tries` (1-based) before the next one: `base`, doubling
/// each time, plus up to a tenth more (`jitter` in 0..1), so receivers that were down do not
/// get every pending delivery at the same instant. With the default 30 s base the seven waits
/// add up to a little over an hour. `None` once the tries are used up.
pub fn retry_delay(base: Duration, tries: u32, jitter: f64) -> Option<Duration> {
    if tries == 0 || tries >= MAX_TRIES {
        return None;
    }
    let wait = base.saturating_mul(1 << (tries - 1));
    Some(wait + wait.mul_f64(jitter.clamp(0.0, 1.0) / 10.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn the_signature_covers_timestamp_dot_body() {
        let body = br#"{"job_id":"x","status":"completed"}"#;
        let mut message = b"1700000000.".to_vec();
        message.extend_from_slice(body);
        assert_eq!(
            signature("whsec", 1_700_000_000, body),
            format!("v1={}", hmac_sha256_hex(b"whsec", &message))
        );
        assert_ne!(
            signature("whsec", 1_700_000_001, body),
            signature("whsec", 1_700_000_000, body)
        );
    }

    #[test]
    fn eight_tries_over_about_an_hour() {
        let base = Duration::from_secs(30);
        let waits: Vec<Duration> = (1..MAX_TRIES)
            .map(|n| retry_delay(base, n, 0.0).expect("a wait"))
            .collect();
        assert_eq!(waits.len(), 7, "seven waits between eight tries");
        assert_eq!(waits[0], Duration::from_secs(30));
        assert_eq!(waits[6], Duration::from_secs(30 * 64));
        assert!(waits.windows(2).all(|w| w[1] == w[0] * 2));
        let total: Duration = waits.iter().sum();
        assert!(
            (Duration::from_secs(55 * 60)..=Duration::from_secs(70 * 60)).contains(&total),
            "{total:?}"
        );
        assert_eq!(retry_delay(base, MAX_TRIES, 0.0), None);
        assert_eq!(retry_delay(base, 0, 0.0), None);
        let jittered = retry_delay(base, 1, 1.0).expect("a wait");
        assert_eq!(jittered, Duration::from_secs(33));
    }
}
