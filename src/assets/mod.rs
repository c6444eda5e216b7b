//! Asset resolution: every generation or source file a scene needs, made or fetched once.

pub mod decode;
pub mod placeholder;
mod resolve;

pub use resolve::{
    confine, encode_png, resolve_assets, AssetContext, AssetError, Generation, ResolvedAsset,
};
