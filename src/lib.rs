//! varg-render: a self-hosted render server for varg TSX videos.
//!
//! The modules follow one job's data: request (`api`) → job (`jobs`) → script → scene →
//! assets → frames (`render`) → encoder (`encode`) → store (`storage`) → events (`jobs`).

pub mod api;
pub mod assets;
pub mod audio;
pub mod cli;
pub mod commands;
pub mod config;
pub mod encode;
pub mod jobs;
pub mod media;
pub mod metrics;
pub mod pipeline;
pub mod render;
pub mod scene;
pub mod script;
pub mod server;
pub mod storage;
pub mod webhooks;
