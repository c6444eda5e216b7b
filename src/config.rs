//! Server configuration: flags win over `VARG_*` environment variables (clap reads both).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::assets::outbound;
use crate::assets::{GatewayKey, OutboundPolicy, Patience};
use crate::cli::{DataArgs, StorageKind};
use crate::scene::SceneLimits;
use crate::script::EvalLimits;
use crate::storage::{S3Settings, Storage};

pub mod keys;

/// `VARG_GATEWAY_URL`'s default.
pub const DEFAULT_GATEWAY_URL: &str = "https://api.varg.ai/v1";

/// Everything a render needs to know about its surroundings, for the server and the CLI alike.
#[derive(Debug, Clone)]
pub struct RenderSettings {
    /// Directories `src` paths may read from (never outside them).
    pub asset_dirs: Vec<PathBuf>,
    pub eval: EvalLimits,
    pub scene: SceneLimits,
    /// Base URL of the generation gateway, without a trailing slash.
    pub gateway_url: String,
    /// The server-wide gateway key; a job's own key wins.
    pub gateway_key: Option<GatewayKey>,
    pub gateway_patience: Patience,
    /// What outbound requests may reach.
    pub outbound: OutboundPolicy,
    /// The one HTTP client for `src` downloads and the gateway; it enforces `outbound`.
    pub http: reqwest::Client,
}

impl RenderSettings {
    /// Settings with no gateway key and the default outbound rules.
    pub fn new(asset_dirs: Vec<PathBuf>) -> anyhow::Result<Self> {
        Self::with_network(
            asset_dirs,
            OutboundPolicy::default(),
            DEFAULT_GATEWAY_URL,
            None,
        )
    }

    pub fn with_network(
        asset_dirs: Vec<PathBuf>,
        outbound: OutboundPolicy,
        gateway_url: &str,
        gateway_key: Option<GatewayKey>,
    ) -> anyhow::Result<Self> {
        let exe = std::env::current_exe()
            .map_err(|e| anyhow::anyhow!("cannot find this program's own path: {e}"))?;
        let http = outbound::client(Arc::new(outbound.clone())).map_err(anyhow::Error::msg)?;
        Ok(RenderSettings {
            asset_dirs,
            eval: EvalLimits::new(exe),
            scene: SceneLimits::default(),
            gateway_url: gateway_url.trim().trim_end_matches('/').to_string(),
            gateway_key,
            gateway_patience: Patience::default(),
            outbound,
            http,
        })
    }

    /// The settings the flags and `VARG_*` variables describe, with `extra_dirs` (the CLI's
    /// file folder) added to the asset directories.
    pub fn from_args(data: &DataArgs, extra_dirs: Vec<PathBuf>) -> anyhow::Result<Self> {
        let mut dirs = split_dirs(&data.asset_dirs);
        dirs.extend(extra_dirs);
        let net = &data.network;
        let outbound = OutboundPolicy::parse(&net.allow_hosts).map_err(anyhow::Error::msg)?;
        let gateway_url = net.gateway_url.trim();
        let parsed = reqwest::Url::parse(gateway_url)
            .with_context(|| format!("VARG_GATEWAY_URL \"{gateway_url}\" is not a URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            anyhow::bail!("VARG_GATEWAY_URL must be an http or https URL, not \"{gateway_url}\"");
        }
        let key = net.gateway_key.as_deref().and_then(GatewayKey::new);
        load_fonts_dir()?;
        Self::with_network(dirs, outbound, gateway_url, key)
    }
}

/// The environment variable naming a directory of extra fonts (D12).
pub const FONTS_DIR_VAR: &str = "VARG_FONTS_DIR";

/// Loads the `.ttf`/`.otf` files of `VARG_FONTS_DIR`, when set, beside the bundled fonts.
/// Loading the same files again (a second start-up in one process) adds nothing.
fn load_fonts_dir() -> anyhow::Result<()> {
    let Some(dir) = std::env::var_os(FONTS_DIR_VAR).filter(|d| !d.is_empty()) else {
        return Ok(());
    };
    let dir = PathBuf::from(dir);
    let families = crate::render::text::load_fonts_dir(&dir)
        .with_context(|| format!("{FONTS_DIR_VAR} {}", dir.display()))?;
    tracing::info!(dir = %dir.display(), ?families, "fonts loaded");
    Ok(())
}

/// The output store the flags and `VARG_*` variables choose: a directory (`local_root`, its
/// files served under `{public_url}/files`) or an S3 bucket.
pub fn open_storage(
    data: &DataArgs,
    local_root: &Path,
    public_url: &str,
) -> anyhow::Result<Storage> {
    let args = &data.storage;
    match args.storage {
        StorageKind::File => Ok(Storage::local(local_root, public_url)?),
        StorageKind::S3 => {
            let bucket = args
                .s3_bucket
                .clone()
                .filter(|b| !b.trim().is_empty())
                .context("VARG_STORAGE=s3 needs VARG_S3_BUCKET")?;
            let settings = S3Settings {
                bucket,
                endpoint: args.s3_endpoint.clone(),
                region: args.s3_region.clone(),
                prefix: args.s3_prefix.clone(),
                public_url: args.s3_public_url.clone(),
                url_ttl: parse_duration(&args.s3_url_ttl)
                    .context("VARG_S3_URL_TTL must be seconds, or a number with s, m, h or d")?,
            };
            Ok(Storage::s3(&settings)?)
        }
    }
}

/// `90`, `90s`, `15m`, `12h`, `7d`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&text[..i], c.to_ascii_lowercase()),
        _ => (text, 's'),
    };
    let n: u64 = number.trim().parse().ok()?;
    let seconds = match unit {
        's' => n,
        'm' => n.checked_mul(60)?,
        'h' => n.checked_mul(3600)?,
        'd' => n.checked_mul(86_400)?,
        _ => return None,
    };
    (seconds > 0).then(|| Duration::from_secs(seconds))
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    /// Base of every URL the server hands out, without a trailing slash.
    pub public_url: String,
    pub workers: usize,
    /// `None`: generate one on first start and keep it in the data directory.
    pub service_key: Option<String>,
    pub render: RenderSettings,
    /// Requests are refused above this many bytes (413).
    pub max_body_bytes: usize,
    pub sse_keepalive: Duration,
}

/// Splits a `:`-separated directory list (`VARG_ASSET_DIRS`).
pub fn split_dirs(list: &str) -> Vec<PathBuf> {
    list.split(':')
        .filter(|s| !s.trim().is_empty())
        .map(PathBuf::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("7d"), Some(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("0"), None);
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("3w"), None);
    }
}
