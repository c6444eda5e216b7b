//! Colours as varg programs write them: CSS names and hex (`#fff`, `#ff8800`, `#ff880080`),
//! and ffmpeg's `name@alpha` form (`black@0.7`).

/// Parses a colour into straight RGBA, or `None` when it is not one.
pub fn parse_color(text: &str) -> Option<[u8; 4]> {
    let text = text.trim();
    let (base, alpha) = match text.split_once('@') {
        Some((base, alpha)) => {
            let alpha: f32 = alpha.trim().parse().ok()?;
            if !(0.0..=1.0).contains(&alpha) {
                return None;
            }
            (base, Some(alpha))
        }
        None => (text, None),
    };
    // ffmpeg also writes hex as 0xRRGGBB.
    let normalised;
    let base = match base.strip_prefix("0x") {
        Some(hex) => {
            normalised = format!("#{hex}");
            normalised.as_str()
        }
        None => base,
    };
    let color = csscolorparser::parse(base).ok()?;
    let mut rgba = color.to_rgba8();
    if let Some(alpha) = alpha {
        rgba[3] = (alpha * 255.0).round() as u8;
    }
    Some(rgba)
}

#[cfg(test)]
mod tests {
    use super::parse_color;

    #[test]
    fn reads_names_hex_and_ffmpeg_alpha() {
        assert_eq!(parse_color("white"), Some([255, 255, 255, 255]));
        assert_eq!(parse_color("#f00"), Some([255, 0, 0, 255]));
        assert_eq!(parse_color("#00ff0080"), Some([0, 255, 0, 128]));
        assert_eq!(parse_color("black@0.5"), Some([0, 0, 0, 128]));
        assert_eq!(parse_color("0x336699"), Some([0x33, 0x66, 0x99, 255]));
        assert_eq!(parse_color("not a colour"), None);
        assert_eq!(parse_color("red@2"), None);
    }
}
