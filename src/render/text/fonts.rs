//! The bundled fonts (D12): loaded once into one shared font system, never from the host.

use std::sync::{LazyLock, Mutex};

use cosmic_text::{fontdb, FontSystem};

/// The family every text layer uses until `fontFamily` is wired through the scene.
pub const DEFAULT_FAMILY: &str = "DejaVu Sans";

static FONT_SYSTEM: LazyLock<Mutex<FontSystem>> = LazyLock::new(|| {
    let mut db = fontdb::Database::new();
    db.load_font_data(dejavu::sans::bold().to_vec());
    db.load_font_data(dejavu::sans::regular().to_vec());
    db.set_sans_serif_family(DEFAULT_FAMILY);
    db.set_serif_family(DEFAULT_FAMILY);
    db.set_monospace_family(DEFAULT_FAMILY);
    // A fixed locale keeps shaping and fallback identical on every host.
    Mutex::new(FontSystem::new_with_locale_and_db("en-US".into(), db))
});

/// Runs `f` with exclusive use of the shared font system. Layout happens once per text layer,
/// so one lock for the process is no bottleneck.
pub fn with_font_system<R>(f: impl FnOnce(&mut FontSystem) -> R) -> R {
    // A panic while laying out text leaves the font database itself intact.
    let mut guard = FONT_SYSTEM.lock().unwrap_or_else(|e| e.into_inner());
    f(&mut guard)
}
