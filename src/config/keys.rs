//! `VARG_KEYS_FILE`: extra tenants, each with its own bearer key and, optionally, its own
//! webhook secret and limits.
//!
//! Two forms, told apart by the first meaningful line:
//!
//! ```text
//! # one tenant per line: NAME KEY [WEBHOOK_SECRET]
//! acme   vr_acme_key   whsec_acme
//! globex vr_globex_key
//! ```
//!
//! ```toml
//! [acme]
//! key = "vr_acme_key"
//! webhook_secret = "whsec_acme"
//! max_jobs = 2                # concurrent jobs (default VARG_MAX_JOBS_PER_TENANT)
//! submits_per_minute = 120    # default VARG_SUBMITS_PER_MINUTE
//! ```
//!
//! Errors name the line or tenant but never echo a key or secret.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use thiserror::Error;

/// The tenant that `VARG_SERVICE_KEY` (or the generated key) belongs to.
pub const DEFAULT_TENANT: &str = "default";

/// One tenant as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantConfig {
    pub name: String,
    pub key: String,
    pub webhook_secret: Option<String>,
    /// Overrides of the server-wide limits; `None` keeps the server's.
    pub max_jobs: Option<usize>,
    pub submits_per_minute: Option<u32>,
}

impl TenantConfig {
    pub fn new(name: &str, key: &str, webhook_secret: Option<String>) -> Self {
        TenantConfig {
            name: name.to_string(),
            key: key.to_string(),
            webhook_secret,
            max_jobs: None,
            submits_per_minute: None,
        }
    }
}

#[derive(Debug, Error, PartialEq)]
pub enum KeysFileError {
    #[error("cannot read the keys file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("keys file line {line}: expected `NAME KEY [WEBHOOK_SECRET]`")]
    Line { line: usize },
    #[error("the keys file is not valid TOML: {0}")]
    Toml(String),
    #[error("tenant \"{0}\" in the keys file has no `key`")]
    NoKey(String),
    #[error(
        "tenant name \"{0}\" is not allowed: use 1-64 letters, digits, `-`, `_` or `.`, \
         and not \"{DEFAULT_TENANT}\" (that is VARG_SERVICE_KEY's tenant)"
    )]
    BadName(String),
    #[error("tenant \"{0}\" appears twice in the keys file")]
    DuplicateName(String),
    #[error("tenant \"{0}\" reuses a key that another tenant already has")]
    DuplicateKey(String),
    #[error("the keys file defines no tenant")]
    Empty,
}

/// Reads and checks the keys file at `path`.
pub fn load(path: &Path) -> Result<Vec<TenantConfig>, KeysFileError> {
    let text = std::fs::read_to_string(path).map_err(|e| KeysFileError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    parse(&text)
}

pub fn parse(text: &str) -> Result<Vec<TenantConfig>, KeysFileError> {
    let is_toml = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.starts_with('['));
    let tenants = if is_toml {
        parse_toml(text)?
    } else {
        parse_lines(text)?
    };
    check(&tenants)?;
    Ok(tenants)
}

fn parse_lines(text: &str) -> Result<Vec<TenantConfig>, KeysFileError> {
    let mut tenants = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields[..] {
            [name, key] => tenants.push(TenantConfig::new(name, key, None)),
            [name, key, secret] => {
                tenants.push(TenantConfig::new(name, key, Some(secret.to_string())))
            }
            _ => return Err(KeysFileError::Line { line: index + 1 }),
        }
    }
    Ok(tenants)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlTenant {
    key: Option<String>,
    webhook_secret: Option<String>,
    max_jobs: Option<usize>,
    submits_per_minute: Option<u32>,
}

fn parse_toml(text: &str) -> Result<Vec<TenantConfig>, KeysFileError> {
    // toml's messages quote the offending line, which may hold a key: keep only the reason.
    let tables: BTreeMap<String, TomlTenant> = toml::from_str(text).map_err(|e| {
        let span = e.span().map(|s| s.start).unwrap_or(0);
        let line = text[..span.min(text.len())].lines().count().max(1);
        KeysFileError::Toml(format!("{} (line {line})", e.message()))
    })?;
    tables
        .into_iter()
        .map(|(name, t)| {
            let key = t.key.ok_or_else(|| KeysFileError::NoKey(name.clone()))?;
            Ok(TenantConfig {
                name,
                key,
                webhook_secret: t.webhook_secret,
                max_jobs: t.max_jobs,
                submits_per_minute: t.submits_per_minute,
            })
        })
        .collect()
}

fn check(tenants: &[TenantConfig]) -> Result<(), KeysFileError> {
    if tenants.is_empty() {
        return Err(KeysFileError::Empty);
    }
    let (mut names, mut keys) = (HashSet::new(), HashSet::new());
    for t in tenants {
        let valid = (1..=64).contains(&t.name.len())
            && t.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && t.name != DEFAULT_TENANT;
        if !valid {
            return Err(KeysFileError::BadName(t.name.clone()));
        }
        if t.key.trim().is_empty() {
            return Err(KeysFileError::NoKey(t.name.clone()));
        }
        if !names.insert(t.name.as_str()) {
            return Err(KeysFileError::DuplicateName(t.name.clone()));
        }
        if !keys.insert(t.key.as_str()) {
            return Err(KeysFileError::DuplicateKey(t.name.clone()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_form_takes_an_optional_secret_and_skips_comments() {
        let tenants = parse("# tenants\n\nacme k1 s1\n  globex   k2  \n").expect("parse");
        assert_eq!(
            tenants,
            vec![
                TenantConfig::new("acme", "k1", Some("s1".into())),
                TenantConfig::new("globex", "k2", None),
            ]
        );
        assert_eq!(parse("acme\n"), Err(KeysFileError::Line { line: 1 }));
        assert_eq!(
            parse("a k1\nb k1\n"),
            Err(KeysFileError::DuplicateKey("b".into()))
        );
        assert_eq!(
            parse("a k1\na k2\n"),
            Err(KeysFileError::DuplicateName("a".into()))
        );
        assert_eq!(
            parse("default k1\n"),
            Err(KeysFileError::BadName("default".into()))
        );
        assert_eq!(parse("a/b k1\n"), Err(KeysFileError::BadName("a/b".into())));
        assert_eq!(parse("# nothing\n"), Err(KeysFileError::Empty));
    }

    #[test]
    fn the_toml_form_has_one_table_per_tenant_with_limits() {
        let text = "# tenants\n[acme]\nkey = \"k1\"\nwebhook_secret = \"s1\"\nmax_jobs = 2\n\n\
                    [globex]\nkey = \"k2\"\nsubmits_per_minute = 7\n";
        let tenants = parse(text).expect("parse");
        assert_eq!(tenants.len(), 2);
        assert_eq!(tenants[0].name, "acme");
        assert_eq!(tenants[0].webhook_secret.as_deref(), Some("s1"));
        assert_eq!(tenants[0].max_jobs, Some(2));
        assert_eq!(tenants[1].submits_per_minute, Some(7));
        assert_eq!(
            parse("[acme]\nwebhook_secret = \"s\"\n"),
            Err(KeysFileError::NoKey("acme".into()))
        );
        // A typo must not silently drop a setting; the message never quotes the secret line.
        let err = parse("[acme]\nkey = \"k\"\nwebhok_secret = \"hidden-7\"\n").expect_err("typo");
        assert!(matches!(err, KeysFileError::Toml(_)), "{err}");
        assert!(!err.to_string().contains("hidden-7"), "{err}");
    }
}
