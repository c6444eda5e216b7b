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
    /// Log lines as readable text or as one JSON object per line (for a log collector).
    #[arg(long, env = "VARG_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
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
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The TSX program.
    pub file: PathBuf,
    /// Output MP4 (default: the file's name with .mp4, in the current directory).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
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
