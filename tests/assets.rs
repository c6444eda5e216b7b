//! Assets through the real binary: preview placeholders (deterministic, prompt-steered), `src`
//! files and URLs under the outbound rules and limits, and the asset cache.

mod common;

use image::RgbaImage;
use varg_render::assets::placeholder::placeholder_image;

/// Ten prompts of the contact sheet in docs/placeholders.png.
const TEN_PROMPTS: [&str; 10] = [
    "sunset over the mountains",
    "ocean waves on a rocky coast",
    "a misty pine forest",
    "city skyline at night",
    "a snowy cabin in winter",
    "neon cyberpunk street",
    "desert dunes in the afternoon",
    "a galaxy seen from space",
    "cherry blossoms in spring",
    "a cat wearing a tiny hat",
];

/// Writes docs/placeholders.png: the ten prompts' placeholders at 16:9, five by two.
/// `cargo test --test assets -- --ignored contact_sheet`
#[test]
#[ignore]
fn contact_sheet() {
    let (w, h) = (384u32, 216u32);
    let mut sheet = RgbaImage::from_pixel(w * 5 + 60, h * 2 + 30, image::Rgba([24, 24, 28, 255]));
    for (i, prompt) in TEN_PROMPTS.iter().enumerate() {
        let tile = placeholder_image(prompt, "IMAGE", w, h);
        let (x, y) = ((i as u32 % 5) * (w + 12) + 6, (i as u32 / 5) * (h + 12) + 6);
        image::imageops::overlay(&mut sheet, &tile, i64::from(x), i64::from(y));
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/placeholders.png");
    sheet.save(&path).expect("write the contact sheet");
}
