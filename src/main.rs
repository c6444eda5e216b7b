use std::process::ExitCode;

use clap::Parser;
use varg_render::cli::{Cli, Command, LogFormat};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Eval = cli.command {
        // The sandboxed child: no logging, no runtime, nothing but the evaluation.
        return varg_render::script::child_main();
    }
    // The server logs what it does; the one-shot commands have a progress bar and a summary
    // line, so only problems are logged unless VARG_LOG asks for more.
    let (format, default_level) = match &cli.command {
        Command::Serve(args) => (args.log_format, "info"),
        _ => (LogFormat::Text, "warn"),
    };
    init_logging(format, default_level);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => varg_render::server::serve(args)
                .await
                .map(|_| ExitCode::SUCCESS),
            Command::Render(args) => varg_render::commands::render(args).await,
            Command::Frame(args) => varg_render::commands::frame(args).await,
            Command::Check(args) => varg_render::commands::check(args).await,
            Command::Eval => Ok(ExitCode::SUCCESS),
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat, default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("VARG_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        // One object per line with the event's fields at the top level and the job span's
        // fields (job_id, attempt) alongside, so a collector can filter by job.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}
