//! A scene's fonts (D12), settled before drawing: `fontPath` files are read from the asset
//! directories and registered, and a `fontFamily` nothing provides becomes a job warning.

use crate::assets::{confine, AssetError};
use crate::config::RenderSettings;
use crate::scene::{Layer, Scene, TextLayer};

use super::fonts::{register_font, resolve_family, DEFAULT_FAMILY, MAX_FONT_BYTES};

/// Reads and registers every `fontPath` (which then names its family in `font_family`), and
/// warns once per `fontFamily` that is neither bundled nor configured.
///
/// A `fontPath` that is missing, outside the asset directories, too large or not a font fails
/// the job: the program asked for that exact file, and quietly drawing another face would
/// hide the mistake. An unknown family name only warns (D12).
pub async fn prepare_fonts(scene: &mut Scene, settings: &RenderSettings) -> Result<(), AssetError> {
    let mut warnings = Vec::new();
    for layer in text_layers(scene) {
        if let Some(path) = layer.font_path.clone() {
            let family = load_font_path(&path, settings)
                .await
                .map_err(|e| e.at(layer.source))?;
            layer.font_family = Some(family);
            continue;
        }
        let Some(name) = layer.font_family.as_deref() else {
            continue;
        };
        if resolve_family(name).is_none() {
            let line = format!(
                "fontFamily \"{name}\" is not a bundled or configured font; using {DEFAULT_FAMILY}"
            );
            if !warnings.contains(&line) {
                warnings.push(line);
            }
        }
    }
    scene.warnings.extend(warnings);
    Ok(())
}

fn text_layers(scene: &mut Scene) -> impl Iterator<Item = &mut TextLayer> {
    scene
        .clips
        .iter_mut()
        .flat_map(|c| c.layers.iter_mut())
        .chain(scene.overlays.iter_mut())
        .filter_map(|layer| match layer {
            Layer::Text(text) => Some(text),
            _ => None,
        })
}

/// The family of the font file at `path` inside the asset directories, registered.
async fn load_font_path(path: &str, settings: &RenderSettings) -> Result<String, AssetError> {
    let real = confine(path, &settings.asset_dirs)?;
    let name = path.to_string();
    let read = tokio::task::spawn_blocking(move || -> Result<String, String> {
        let meta = std::fs::metadata(&real).map_err(|e| e.to_string())?;
        if meta.len() > MAX_FONT_BYTES {
            return Err(format!(
                "it is larger than {} MiB",
                MAX_FONT_BYTES / (1024 * 1024)
            ));
        }
        let bytes = std::fs::read(&real).map_err(|e| e.to_string())?;
        register_font(bytes, &name).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| AssetError::invalid_source(format!("reading fontPath \"{path}\" failed: {e}")))?;
    read.map_err(|why| AssetError::invalid_source(format!("fontPath \"{path}\": {why}")))
}
