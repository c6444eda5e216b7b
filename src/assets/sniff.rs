//! What a file is, told by its first bytes (never by its name or a server's `Content-Type`),
//! so a web page saved as `photo.png` fails as "not an image" instead of deep in a decoder.

use crate::scene::AssetKind;

/// A recognised file type: its media type and the extension it is stored under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub media_type: &'static str,
    pub ext: &'static str,
    pub class: Class,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Image,
    Video,
    Audio,
    Other,
}

impl Class {
    fn noun(self) -> &'static str {
        match self {
            Class::Image => "an image",
            Class::Video => "a video",
            Class::Audio => "audio",
            Class::Other => "a media file",
        }
    }
}

/// The type of `bytes`, or `None` when it is none the renderer reads.
pub fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    let s = |media_type, ext, class| {
        Some(Sniffed {
            media_type,
            ext,
            class,
        })
    };
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return s("image/png", "png", Class::Image);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return s("image/jpeg", "jpg", Class::Image);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = &bytes[8..12];
        return if brand.starts_with(b"M4A") || brand.starts_with(b"M4B") {
            s("audio/mp4", "m4a", Class::Audio)
        } else if brand == b"qt  " {
            s("video/quicktime", "mov", Class::Video)
        } else {
            s("video/mp4", "mp4", Class::Video)
        };
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WAVE" {
        return s("audio/wav", "wav", Class::Audio);
    }
    if bytes.starts_with(b"ID3")
        || (bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE6 == 0xE2)
    {
        return s("audio/mpeg", "mp3", Class::Audio);
    }
    if bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xF6 == 0xF0 {
        return s("audio/aac", "aac", Class::Audio);
    }
    if bytes.starts_with(b"OggS") {
        return s("audio/ogg", "ogg", Class::Audio);
    }
    if bytes.starts_with(b"fLaC") {
        return s("audio/flac", "flac", Class::Audio);
    }
    None
}

/// What the file looks like when it is not what was expected, for the error message.
fn describe(bytes: &[u8]) -> String {
    if let Some(found) = sniff(bytes) {
        return format!("{} ({})", found.class.noun(), found.media_type);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    let head = head.trim_start();
    if bytes.is_empty() {
        "an empty file".into()
    } else if head.starts_with("<!doctype html") || head.starts_with("<html") {
        "an HTML page".into()
    } else if head.starts_with("<svg") || (head.starts_with("<?xml") && head.contains("<svg")) {
        "an SVG drawing, which is not supported (use PNG or JPEG)".into()
    } else if head.starts_with('{') || head.starts_with('[') {
        "JSON text".into()
    } else if bytes.starts_with(b"GIF8") {
        "a GIF, which is not supported (use PNG or JPEG)".into()
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        "a WebP image, which is not supported (use PNG or JPEG)".into()
    } else if std::str::from_utf8(&bytes[..bytes.len().min(512)]).is_ok() {
        "plain text".into()
    } else {
        "a file of an unknown type".into()
    }
}

/// Checks that `bytes` is the kind of media an asset of `kind` needs.
pub fn expect_kind(bytes: &[u8], kind: AssetKind) -> Result<Sniffed, String> {
    let wanted = match kind {
        AssetKind::Image => Class::Image,
        AssetKind::Video => Class::Video,
        AssetKind::Speech | AssetKind::Music => Class::Audio,
    };
    match sniff(bytes) {
        Some(found) if found.class == wanted => Ok(found),
        _ => Err(format!(
            "it is {}, not {}",
            describe(bytes),
            match wanted {
                Class::Image => "a PNG or JPEG image",
                Class::Video => "an MP4 video",
                _ => "an audio file (WAV, MP3, AAC, M4A, Ogg or FLAC)",
            }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_types() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....").map(|s| s.ext), Some("png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]).map(|s| s.ext), Some("jpg"));
        assert_eq!(
            sniff(b"\0\0\0\x20ftypisom\0\0\0\0").map(|s| s.class),
            Some(Class::Video)
        );
        assert_eq!(
            sniff(b"\0\0\0\x20ftypM4A \0\0\0\0").map(|s| s.class),
            Some(Class::Audio)
        );
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt ").map(|s| s.ext), Some("wav"));
        assert_eq!(sniff(b"ID3\x04\0").map(|s| s.ext), Some("mp3"));
        assert_eq!(sniff(b"<html>").map(|s| s.ext), None);
    }

    #[test]
    fn a_web_page_is_not_an_image() {
        let err = expect_kind(
            b"<!DOCTYPE html><html><body>hi</body></html>",
            AssetKind::Image,
        )
        .expect_err("not an image");
        assert!(err.contains("HTML page"), "{err}");
        assert!(err.contains("PNG or JPEG"), "{err}");
        let err = expect_kind(b"RIFF\0\0\0\0WAVEfmt ", AssetKind::Image).expect_err("audio");
        assert!(err.contains("audio"), "{err}");
        assert!(expect_kind(b"RIFF\0\0\0\0WAVEfmt ", AssetKind::Speech).is_ok());
    }
}
