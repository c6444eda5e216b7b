//! Server configuration: flags win over `VARG_*` environment variables (clap reads both).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::scene::SceneLimits;
use crate::script::EvalLimits;

/// Everything a render needs to know about its surroundings, for the server and the CLI alike.
#[derive(Debug, Clone)]
pub struct RenderSettings {
    /// Directories `src` paths may read from (never outside them).
    pub asset_dirs: Vec<PathBuf>,
    pub eval: EvalLimits,
    pub scene: SceneLimits,
}

impl RenderSettings {
    pub fn new(asset_dirs: Vec<PathBuf>) -> anyhow::Result<Self> {
        let exe = std::env::current_exe()
            .map_err(|e| anyhow::anyhow!("cannot find this program's own path: {e}"))?;
        Ok(RenderSettings {
            asset_dirs,
            eval: EvalLimits::new(exe),
            scene: SceneLimits::default(),
        })
    }
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
