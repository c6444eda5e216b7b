//! Command-line interface. Flags win over `VARG_*` environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "varg-render",
    version,
    about = "Render varg TSX videos: a server, or one file at a time"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP render server.
    Serve(ServeArgs),
    /// Render one TSX file to an MP4, without a server.
    Render(RenderArgs),
    /// Draw the one frame at a time as a PNG.
    Frame(FrameArgs),
    /// Check a TSX file and print the scene it means.
    Check(CheckArgs),
    /// Evaluates a program read from standard input (the sandboxed child of a render).
    #[command(name = "__eval", hide = true)]
    Eval,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Listen address.
    #[arg(long, env = "VARG_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    #[command(flatten)]
    pub data: DataArgs,
    /// Base of output and file URLs (default: http://<bind>).
    #[arg(long, env = "VARG_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Concurrent renders (default: number of cores).
    #[arg(long, env = "VARG_WORKERS")]
    pub workers: Option<usize>,
    /// Bearer key of the default tenant (default: generated once, kept in the data directory).
    #[arg(long, env = "VARG_SERVICE_KEY", hide_env_values = true)]
    pub service_key: Option<String>,
    /// Extra tenants: `NAME KEY [WEBHOOK_SECRET]` per line, or one TOML table per tenant.
    #[arg(long, env = "VARG_KEYS_FILE")]
    pub keys_file: Option<PathBuf>,
    /// Webhook signing secret of the default tenant (default: generated once, kept in the
    /// data directory).
    #[arg(long, env = "VARG_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Log lines as readable text or as one JSON object per line (for a log collector).
    #[arg(long, env = "VARG_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// Per-tenant limits (a keys-file tenant may override them) and webhook retries.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Jobs one tenant may have rendering at once; more wait as `queued` (0: no limit).
    #[arg(long, env = "VARG_MAX_JOBS_PER_TENANT", default_value_t = 5)]
    pub max_jobs_per_tenant: usize,
    /// Submissions one tenant may make in any 60 seconds; more get 429 (0: no limit).
    #[arg(long, env = "VARG_SUBMITS_PER_MINUTE", default_value_t = 60)]
    pub submits_per_minute: u32,
    /// Wait before a failed webhook delivery's first retry; each later one waits twice as long.
    #[arg(long, env = "VARG_WEBHOOK_RETRY_BASE_MS", default_value_t = 30_000)]
    pub webhook_retry_base_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct DataArgs {
    /// Job store, outputs and asset cache.
    #[arg(long, env = "VARG_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// `:`-separated directories that `src` paths may read.
    #[arg(long, env = "VARG_ASSET_DIRS", default_value = "")]
    pub asset_dirs: String,
    #[command(flatten)]
    pub network: NetworkArgs,
    #[command(flatten)]
    pub storage: StorageArgs,
}

/// Where generations and `src` downloads may go.
#[derive(Debug, Args)]
pub struct NetworkArgs {
    /// `,`-separated hosts, IPs or CIDRs that outbound requests may reach even though they are
    /// loopback, private or link-local.
    #[arg(long, env = "VARG_ALLOW_HOSTS", default_value = "")]
    pub allow_hosts: String,
    /// The AI generation gateway.
    #[arg(long, env = "VARG_GATEWAY_URL", default_value = crate::config::DEFAULT_GATEWAY_URL)]
    pub gateway_url: String,
    /// Server-wide gateway key (a request's `gatewayApiKey` wins); makes strict the default mode.
    #[arg(long, env = "VARG_GATEWAY_KEY", hide_env_values = true)]
    pub gateway_key: Option<String>,
}

/// Where outputs, thumbnails and the asset cache are kept.
#[derive(Debug, Args)]
pub struct StorageArgs {
    /// `file` (under the data directory) or `s3`.
    #[arg(long, env = "VARG_STORAGE", value_enum, default_value_t = StorageKind::File)]
    pub storage: StorageKind,
    #[arg(long, env = "VARG_S3_BUCKET")]
    pub s3_bucket: Option<String>,
    /// An S3-compatible endpoint (default: AWS).
    #[arg(long, env = "VARG_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    #[arg(long, env = "VARG_S3_REGION")]
    pub s3_region: Option<String>,
    /// Keys are stored under this prefix.
    #[arg(long, env = "VARG_S3_PREFIX", default_value = "")]
    pub s3_prefix: String,
    /// Public base URL of the bucket; without it, URLs are presigned.
    #[arg(long, env = "VARG_S3_PUBLIC_URL")]
    pub s3_public_url: Option<String>,
    /// How long presigned URLs work: seconds, or a number with s, m, h or d (at most 7d).
    #[arg(long, env = "VARG_S3_URL_TTL", default_value = "7d")]
    pub s3_url_ttl: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StorageKind {
    File,
    S3,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The TSX program.
    pub file: PathBuf,
    /// Output MP4 (default: the file's name with .mp4, in the current directory); with
    /// `--frames`, a directory for the PNGs (default: the file's name with `-frames`).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// One PNG per clip, taken at its middle, instead of a video (`output: "frames"`).
    #[arg(long)]
    pub frames: bool,
    /// Every generation becomes a local placeholder (the default without a gateway key).
    #[arg(long, conflicts_with = "strict")]
    pub preview: bool,
    /// Real generation through the gateway.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Debug, Args)]
pub struct FrameArgs {
    pub file: PathBuf,
    /// Time in seconds.
    #[arg(long)]
    pub at: f64,
    #[arg(short, long)]
    pub output: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    pub file: PathBuf,
    /// Print the resolved scene as one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub data: DataArgs,
}
