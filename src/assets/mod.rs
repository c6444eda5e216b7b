//! Asset resolution: every generation or source file a scene needs, made or fetched once and
//! kept in the content-addressed cache.

mod cache;
pub mod decode;
mod error;
mod fetch;
pub mod gateway;
pub mod outbound;
pub mod placeholder;
mod resolve;
pub mod scenery;
pub mod sniff;
mod source;
pub mod srt;

pub use error::{AssetError, AssetErrorKind};
pub use gateway::{GatewayKey, Patience};
pub use outbound::OutboundPolicy;
pub use resolve::{
    asset_position, encode_png, resolve_assets, AssetContext, Generation, ResolvedAsset,
};
pub use source::confine;
