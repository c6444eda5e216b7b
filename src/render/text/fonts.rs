//! The fonts (D12): the bundled open-licence families, a configured fonts directory and font
//! files a scene names, in one shared font system. The host's own fonts are never read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use cosmic_text::{fontdb, Fallback, FontSystem};
use unicode_script::Script;

/// The family text is set in when a layer names none, and the fallback for unknown names.
pub const DEFAULT_FAMILY: &str = "DejaVu Sans";

/// Colour emoji; picked explicitly for emoji runs (see [`super::spans`]) because the default
/// sans has monochrome emoji of its own that the fallback would otherwise keep.
pub const EMOJI_FAMILY: &str = "Noto Color Emoji";

/// Han, kana and Hangul.
const CJK_FAMILY: &str = "Droid Sans Fallback";

/// §13's caption font ids and the bundled family each one names.
pub const CAPTION_FONTS: [(&str, &str); 9] = [
    ("montserrat", "Montserrat"),
    ("roboto", "Roboto"),
    ("poppins", "Poppins"),
    ("inter", "Inter"),
    ("bebas-neue", "Bebas Neue"),
    ("rock-salt", "Rock Salt"),
    ("oswald", "Oswald"),
    ("space-grotesk", "Space Grotesk"),
    ("dm-sans", "DM Sans"),
];

macro_rules! bundled {
    ($($file:literal),* $(,)?) => {
        [$(include_bytes!(concat!("../fonts/", $file)).as_slice()),*]
    };
}

/// Every font file shipped in the binary (licences beside them in `src/render/fonts/`).
static BUNDLED: [&[u8]; 25] = bundled![
    "Montserrat-Bold.ttf",
    "Montserrat-Regular.ttf",
    "Roboto-Bold.ttf",
    "Roboto-Regular.ttf",
    "Poppins-Bold.ttf",
    "Poppins-Regular.ttf",
    "Inter-Bold.ttf",
    "Inter-Regular.ttf",
    "BebasNeue-Regular.ttf",
    "RockSalt-Regular.ttf",
    "Oswald-Bold.ttf",
    "Oswald-Regular.ttf",
    "SpaceGrotesk-Bold.ttf",
    "SpaceGrotesk-Regular.ttf",
    "DMSans-Bold.ttf",
    "DMSans-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoSansHebrew-Bold.ttf",
    "NotoSansHebrew-Regular.ttf",
    "NotoSansDevanagari-Bold.ttf",
    "NotoSansDevanagari-Regular.ttf",
    "NotoSansThai-Bold.ttf",
    "NotoSansThai-Regular.ttf",
    "DroidSansFallback.ttf",
];

static EMOJI: &[u8] = include_bytes!("../fonts/NotoColorEmoji.ttf");

/// The largest font file read from a fonts directory; real fonts, CJK included, are far
/// smaller.
pub const MAX_FONT_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("cannot read the fonts directory {}: {source}", path.display())]
    Directory {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{name} is not a font file cosmic-text can read (TrueType or OpenType)")]
    NotAFont { name: String },
}

/// Fallback lists naming only bundled families: cosmic-text's own lists name the host's
/// usual families, most of which are not here.
struct BundledFallback;

impl Fallback for BundledFallback {
    fn common_fallback(&self) -> &[&'static str] {
        &[
            DEFAULT_FAMILY,
            CJK_FAMILY,
            EMOJI_FAMILY,
            "Noto Sans Arabic",
            "Noto Sans Hebrew",
            "Noto Sans Devanagari",
            "Noto Sans Thai",
        ]
    }

    fn forbidden_fallback(&self) -> &[&'static str] {
        &[]
    }

    fn script_fallback(&self, script: Script, _locale: &str) -> &[&'static str] {
        match script {
            Script::Arabic => &["Noto Sans Arabic"],
            Script::Hebrew => &["Noto Sans Hebrew"],
            Script::Devanagari => &["Noto Sans Devanagari"],
            Script::Thai => &["Noto Sans Thai"],
            Script::Han
            | Script::Hiragana
            | Script::Katakana
            | Script::Hangul
            | Script::Bopomofo => &[CJK_FAMILY],
            _ => &[],
        }
    }
}

struct Fonts {
    system: FontSystem,
    /// Font files registered at run time, by content hash: the family each one holds, so a
    /// file used by many jobs is parsed and stored once.
    registered: HashMap<[u8; 32], String>,
}

static FONTS: LazyLock<Mutex<Fonts>> = LazyLock::new(|| {
    let mut db = fontdb::Database::new();
    db.load_font_data(dejavu::sans::bold().to_vec());
    db.load_font_data(dejavu::sans::regular().to_vec());
    for data in BUNDLED.iter().copied().chain([EMOJI]) {
        // Shared, not copied: the bytes live in the binary.
        db.load_font_source(fontdb::Source::Binary(Arc::new(data)));
    }
    db.set_sans_serif_family(DEFAULT_FAMILY);
    db.set_serif_family(DEFAULT_FAMILY);
    db.set_monospace_family(DEFAULT_FAMILY);
    // A fixed locale keeps shaping and fallback identical on every host.
    let system =
        FontSystem::new_with_locale_and_db_and_fallback("en-US".into(), db, BundledFallback);
    Mutex::new(Fonts {
        system,
        registered: HashMap::new(),
    })
});

fn lock() -> std::sync::MutexGuard<'static, Fonts> {
    // A panic while laying out text leaves the font database itself intact.
    FONTS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` with exclusive use of the shared font system. Layout happens once per text layer
/// or caption group, so one lock for the process is no bottleneck.
pub fn with_font_system<R>(f: impl FnOnce(&mut FontSystem) -> R) -> R {
    f(&mut lock().system)
}

/// Squashes case, spaces, hyphens and underscores so `bebas-neue`, `Bebas Neue` and
/// `BEBAS_NEUE` all name one family.
fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The loaded family `name` means (case-insensitive; §13 ids accepted), or `None` when no
/// bundled, configured or registered font has it.
pub fn resolve_family(name: &str) -> Option<String> {
    let wanted = normalise(name);
    if wanted.is_empty() {
        return None;
    }
    if let Some((_, family)) = CAPTION_FONTS.iter().find(|(id, _)| normalise(id) == wanted) {
        return Some((*family).to_string());
    }
    let fonts = lock();
    let found = fonts
        .system
        .db()
        .faces()
        .flat_map(|face| face.families.iter())
        .find(|(family, _)| normalise(family) == wanted)
        .map(|(family, _)| family.clone());
    found
}

/// The bundled family of a §13 caption font id (unknown ids were turned into montserrat
/// when the scene was built).
pub fn caption_family(id: &str) -> &'static str {
    CAPTION_FONTS
        .iter()
        .find(|(known, _)| normalise(known) == normalise(id))
        .map_or(CAPTION_FONTS[0].1, |(_, family)| family)
}

/// Adds a font file's faces to the shared system and returns the family of its first face.
/// The same bytes registered again are not stored twice.
pub fn register_font(bytes: Vec<u8>, name: &str) -> Result<String, FontError> {
    use sha2::Digest;
    let hash: [u8; 32] = sha2::Sha256::digest(&bytes).into();
    let mut fonts = lock();
    if let Some(family) = fonts.registered.get(&hash) {
        return Ok(family.clone());
    }
    let db = fonts.system.db_mut();
    let ids = db.load_font_source(fontdb::Source::Binary(Arc::new(bytes)));
    let family = ids
        .iter()
        .find_map(|id| db.face(*id))
        .and_then(|face| face.families.first())
        .map(|(family, _)| family.clone());
    match family {
        Some(family) => {
            fonts.registered.insert(hash, family.clone());
            Ok(family)
        }
        None => {
            for id in ids {
                db.remove_face(id);
            }
            Err(FontError::NotAFont {
                name: name.to_string(),
            })
        }
    }
}

/// Loads every `.ttf`, `.otf` and `.ttc` file directly inside `dir`; files that are no font
/// are skipped with a log line. Returns the families added.
pub fn load_fonts_dir(dir: &Path) -> Result<Vec<String>, FontError> {
    let unreadable = |source| FontError::Directory {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(unreadable)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "ttf" | "otf" | "ttc"))
        })
        .collect();
    paths.sort();
    let mut families = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        let bytes = match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() && meta.len() <= MAX_FONT_BYTES => std::fs::read(&path),
            Ok(_) => {
                tracing::warn!(file = %name, "font skipped: not a file or too large");
                continue;
            }
            Err(e) => Err(e),
        };
        match bytes
            .map_err(|e| e.to_string())
            .and_then(|b| register_font(b, &name).map_err(|e| e.to_string()))
        {
            Ok(family) => {
                if !families.contains(&family) {
                    families.push(family);
                }
            }
            Err(e) => tracing::warn!(file = %name, error = %e, "font skipped"),
        }
    }
    Ok(families)
}
