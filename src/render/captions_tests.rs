//! Pixel tests of `<Captions>` (§13, D9) and of the fonts (D12).

use super::captions::CaptionPlan;
use super::tests::{clip, render, scene};
use super::text::{
    register_font, render_text_in, resolve_family, shape, with_font_system, LineAlign, TextStyle,
};
use crate::scene::{
    Align, Anchor, CaptionSource, CaptionStyle, CaptionTrack, Layer, TextKind, TextLayer,
    TextPosition, Word,
};

const W: u32 = 640;
const H: u32 = 360;

fn word(text: &str, start: f64, end: f64) -> Word {
    Word {
        text: text.into(),
        start,
        end,
    }
}

fn track(style: CaptionStyle, words: Vec<Word>, per_line: Option<u32>) -> CaptionTrack {
    CaptionTrack {
        from: CaptionSource::Speech { asset: 0 },
        anchor: Anchor::Render { offset: 0.0 },
        start: 0.0,
        words,
        style,
        position: Align::End,
        color: None,
        active_color: None,
        font_size: Some(48.0),
        words_per_line: per_line,
        font: "montserrat".into(),
        with_audio: false,
        source: None,
    }
}

/// A black frame with the captions of `plan` at `t`.
fn frame(plan: &mut CaptionPlan, t: f64) -> Vec<u8> {
    let mut data: Vec<u8> = [0, 0, 0, 255].repeat((W * H) as usize);
    plan.draw(t, &mut data);
    data
}

fn pixels_in(data: &[u8], (x0, y0, x1, y1): (i64, i64, i64, i64)) -> Vec<[u8; 3]> {
    let mut out = Vec::new();
    for y in y0.max(0)..y1.min(i64::from(H)) {
        for x in x0.max(0)..x1.min(i64::from(W)) {
            let i = (y as usize * W as usize + x as usize) * 4;
            out.push([data[i], data[i + 1], data[i + 2]]);
        }
    }
    out
}

fn whole() -> (i64, i64, i64, i64) {
    (0, 0, i64::from(W), i64::from(H))
}

fn is_yellow(p: &[u8; 3]) -> bool {
    p[0] > 200 && p[1] > 200 && p[2] < 60
}

fn is_white(p: &[u8; 3]) -> bool {
    p[0] > 200 && p[1] > 200 && p[2] > 200
}

fn inked(data: &[u8]) -> usize {
    pixels_in(data, whole())
        .iter()
        .filter(|p| p.iter().any(|&c| c > 40))
        .count()
}

#[test]
fn a_caption_shows_only_during_its_words() {
    let words = vec![word("hello", 1.0, 1.5), word("world", 1.5, 2.0)];
    let mut plan = CaptionPlan::new(&track(CaptionStyle::Tiktok, words, None), W, H).unwrap();
    assert_eq!(inked(&frame(&mut plan, 0.5)), 0);
    assert!(inked(&frame(&mut plan, 1.2)) > 300);
    assert!(inked(&frame(&mut plan, 1.7)) > 300);
    assert_eq!(inked(&frame(&mut plan, 2.5)), 0);
    // Near the bottom (position bottom), inside the frame.
    let boxes = plan.word_boxes(1.2);
    assert_eq!(boxes.len(), 1);
    assert!(boxes[0].3 <= i64::from(H) && boxes[0].1 > i64::from(H) / 2);
}

#[test]
fn tiktok_colours_the_spoken_word_only() {
    let words = vec![
        word("one", 0.0, 0.5),
        word("two", 0.5, 1.0),
        word("three", 1.0, 1.5),
    ];
    let mut plan = CaptionPlan::new(&track(CaptionStyle::Tiktok, words, Some(3)), W, H).unwrap();
    for (t, spoken) in [(0.2, 0), (0.7, 1), (1.2, 2)] {
        let data = frame(&mut plan, t);
        let boxes = plan.word_boxes(t);
        assert_eq!(boxes.len(), 3);
        for (i, b) in boxes.iter().enumerate() {
            let px = pixels_in(&data, *b);
            let (yellow, white) = (
                px.iter().filter(|p| is_yellow(p)).count(),
                px.iter().filter(|p| is_white(p)).count(),
            );
            if i == spoken {
                assert!(
                    yellow > 50 && white == 0,
                    "t {t} word {i}: {yellow} {white}"
                );
            } else {
                assert!(
                    white > 50 && yellow == 0,
                    "t {t} word {i}: {yellow} {white}"
                );
            }
        }
    }
}

/// The rightmost column holding a pixel of the sung colour.
fn sung_edge(data: &[u8]) -> i64 {
    let mut edge = -1;
    for y in 0..H as usize {
        for x in 0..W as usize {
            let i = (y * W as usize + x) * 4;
            if is_yellow(&[data[i], data[i + 1], data[i + 2]]) {
                edge = edge.max(x as i64);
            }
        }
    }
    edge
}

#[test]
fn karaoke_fill_moves_right_over_the_word() {
    let words = vec![word("karaoke", 0.0, 1.0)];
    let mut plan = CaptionPlan::new(&track(CaptionStyle::Karaoke, words, None), W, H).unwrap();
    let edges: Vec<i64> = [0.2, 0.5, 0.8]
        .iter()
        .map(|&t| sung_edge(&frame(&mut plan, t)))
        .collect();
    assert!(
        edges[0] > 0 && edges[0] < edges[1] && edges[1] < edges[2],
        "{edges:?}"
    );
    // Not yet sung text is white, to the right of the edge.
    let data = frame(&mut plan, 0.5);
    let b = plan.word_boxes(0.5)[0];
    let right = pixels_in(&data, (edges[1] + 2, b.1, b.2, b.3));
    assert!(right.iter().filter(|p| is_white(p)).count() > 30);
}

/// Width of the inked columns.
fn ink_width(data: &[u8]) -> i64 {
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for y in 0..H as usize {
        for x in 0..W as usize {
            if data[(y * W as usize + x) * 4] > 40 {
                lo = lo.min(x as i64);
                hi = hi.max(x as i64);
            }
        }
    }
    hi - lo
}

#[test]
fn bounce_pops_each_word_in() {
    let words = vec![word("pop", 1.0, 2.0)];
    let mut plan = CaptionPlan::new(&track(CaptionStyle::Bounce, words, None), W, H).unwrap();
    let early = ink_width(&frame(&mut plan, 1.01));
    let settled = ink_width(&frame(&mut plan, 1.2));
    assert!(early as f64 > settled as f64 * 1.1, "{early} vs {settled}");
    // A later word of a line is not shown before it starts.
    let words = vec![word("first", 0.0, 0.5), word("second", 0.5, 1.0)];
    let mut plan = CaptionPlan::new(&track(CaptionStyle::Bounce, words, Some(2)), W, H).unwrap();
    let one = inked(&frame(&mut plan, 0.3));
    let two = inked(&frame(&mut plan, 0.8));
    assert!(one > 100 && two > one + 100, "{one} {two}");
}

#[test]
fn typewriter_types_characters_out() {
    let words = vec![word("typewriter", 0.0, 1.0)];
    let mut plan = CaptionPlan::new(&track(CaptionStyle::Typewriter, words, None), W, H).unwrap();
    let counts: Vec<usize> = [0.05, 0.45, 0.95]
        .iter()
        .map(|&t| inked(&frame(&mut plan, t)))
        .collect();
    assert!(
        counts[0] > 0 && counts[0] < counts[1] && counts[1] < counts[2],
        "{counts:?}"
    );
}

#[test]
fn captions_are_drawn_over_the_frame_by_the_compositor() {
    let mut s = scene(vec![clip(0.0, 2.0, None, Vec::new())], 0);
    s.captions.push(track(
        CaptionStyle::Tiktok,
        vec![word("Hi", 0.5, 1.0)],
        None,
    ));
    let before = render(&s, Vec::new(), 2);
    let during = render(&s, Vec::new(), 7);
    let white = |img: &image::RgbaImage| img.pixels().filter(|p| p[0] > 200 && p[1] > 200).count();
    assert_eq!(white(&before), 0);
    assert!(white(&during) > 50);
}

#[test]
fn text_wraps_inside_the_frame() {
    let long: Vec<Word> = (0..12)
        .map(|i| word("wonderful", f64::from(i) * 0.1, f64::from(i) * 0.1 + 0.1))
        .collect();
    let mut plan = CaptionPlan::new(&track(CaptionStyle::Tiktok, long, Some(12)), W, H).unwrap();
    let boxes = plan.word_boxes(0.05);
    for b in boxes {
        assert!(
            b.0 >= 0 && b.2 <= i64::from(W) && b.1 >= 0 && b.3 <= i64::from(H),
            "{b:?}"
        );
    }
}

fn style() -> TextStyle {
    TextStyle {
        size: 40.0,
        line_height: 48.0,
        color: [255, 255, 255, 255],
        outline: None,
        max_width: None,
        align: LineAlign::Left,
        bold: true,
    }
}

#[test]
fn families_match_ids_and_names_case_insensitively() {
    assert_eq!(resolve_family("bebas-neue").as_deref(), Some("Bebas Neue"));
    assert_eq!(resolve_family("BEBAS NEUE").as_deref(), Some("Bebas Neue"));
    assert_eq!(resolve_family("dm sans").as_deref(), Some("DM Sans"));
    assert_eq!(
        resolve_family("noto sans thai").as_deref(),
        Some("Noto Sans Thai")
    );
    assert_eq!(resolve_family("Comic Nope"), None);
}

#[test]
fn a_bebas_neue_title_differs_from_the_default() {
    let bebas = render_text_in("HELLO", &style(), Some("Bebas Neue"));
    let plain = render_text_in("HELLO", &style(), None);
    // Bebas Neue is a condensed face: the same caps are much narrower.
    assert!(
        bebas.box_width < plain.box_width * 0.8,
        "{} vs {}",
        bebas.box_width,
        plain.box_width
    );
}

/// The families and glyph ids `text` is set in.
fn fonts_used(text: &str) -> Vec<(String, u16)> {
    let shaped = shape(text, &style(), None);
    with_font_system(|fs| {
        shaped
            .layout
            .glyphs
            .iter()
            .map(|g| {
                let family = fs
                    .db()
                    .face(g.key.font_id)
                    .and_then(|f| f.families.first())
                    .map_or(String::new(), |(n, _)| n.clone());
                (family, g.key.glyph_id)
            })
            .collect()
    })
}

#[test]
fn every_script_falls_back_to_a_covering_font() {
    for (text, family) in [
        ("你好", "Droid Sans Fallback"),
        ("こんにちは", "Droid Sans Fallback"),
        ("مرحبا", "Noto Sans Arabic"),
        ("שלום", "Noto Sans Hebrew"),
        ("नमस्ते", "Noto Sans Devanagari"),
        ("สวัสดี", "Noto Sans Thai"),
        ("😀", "Noto Color Emoji"),
    ] {
        let used = fonts_used(text);
        assert!(!used.is_empty(), "{text}");
        for (f, glyph) in &used {
            assert_eq!(f, family, "{text}");
            // Glyph 0 is .notdef, the box drawn for a character no font has.
            assert_ne!(*glyph, 0, "{text}");
        }
        let ink = render_text_in(text, &style(), None);
        assert!(
            ink.sprite.data.chunks_exact(4).filter(|p| p[3] > 0).count() > 50,
            "{text}"
        );
    }
    // A code point no font has shapes to .notdef: what the checks above rule out.
    assert!(fonts_used("\u{0378}").iter().all(|(_, g)| *g == 0));
}

#[test]
fn arabic_letters_join() {
    // Initial, medial and final forms are other glyphs than the isolated letters.
    let joined: Vec<u16> = fonts_used("ببب").into_iter().map(|(_, g)| g).collect();
    let alone = fonts_used("ب")[0].1;
    assert_eq!(joined.len(), 3);
    assert!(joined.iter().all(|&g| g != alone), "{joined:?} vs {alone}");
}

#[test]
fn emoji_are_drawn_in_colour() {
    let block = render_text_in("😀", &style(), None);
    let coloured = block
        .sprite
        .data
        .chunks_exact(4)
        .filter(|p| p[3] > 200 && (i32::from(p[0]) - i32::from(p[2])).abs() > 60)
        .count();
    assert!(coloured > 50, "{coloured}");
}

fn text_layer(family: Option<&str>, path: Option<&str>) -> TextLayer {
    TextLayer {
        kind: TextKind::Title,
        text: "Fonts".into(),
        position: TextPosition {
            horizontal: Align::Center,
            vertical: Align::Center,
        },
        color: [255, 255, 255, 255],
        outline: None,
        outline_color: [0, 0, 0, 255],
        background: None,
        font_family: family.map(str::to_string),
        font_path: path.map(str::to_string),
        start: 0.0,
        end: 1.0,
        given_window: (None, None),
        source: None,
    }
}

fn prepare(s: &mut crate::scene::Scene, dirs: Vec<std::path::PathBuf>) -> Result<(), String> {
    let settings = crate::config::RenderSettings::new(dirs).map_err(|e| e.to_string())?;
    tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| e.to_string())?
        .block_on(super::text::prepare_fonts(s, &settings))
        .map_err(|e| e.to_string())
}

#[test]
fn an_unknown_family_warns_once_and_renders_in_the_default() {
    let layers = vec![
        Layer::Text(text_layer(Some("Comic Nope"), None)),
        Layer::Text(text_layer(Some("Comic Nope"), None)),
        Layer::Text(text_layer(Some("oswald"), None)),
    ];
    let mut s = scene(vec![clip(0.0, 1.0, None, layers)], 0);
    prepare(&mut s, Vec::new()).unwrap();
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(s.warnings[0].contains("Comic Nope"));
    let img = render(&s, Vec::new(), 0);
    assert!(img.pixels().filter(|p| p[0] > 200).count() > 200);
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("varg-fonts-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn font_path_loads_a_font_from_the_asset_dirs() {
    let dir = temp_dir("path");
    let oswald = include_bytes!("fonts/Oswald-Bold.ttf");
    std::fs::write(dir.join("brand.ttf"), oswald).unwrap();
    std::fs::write(dir.join("broken.ttf"), b"not a font at all").unwrap();

    let mut s = scene(
        vec![clip(
            0.0,
            1.0,
            None,
            vec![Layer::Text(text_layer(None, Some("brand.ttf")))],
        )],
        0,
    );
    prepare(&mut s, vec![dir.clone()]).unwrap();
    let Layer::Text(layer) = &s.clips[0].layers[0] else {
        unreachable!()
    };
    assert_eq!(layer.font_family.as_deref(), Some("Oswald"));
    assert!(s.warnings.is_empty());

    for bad in ["broken.ttf", "missing.ttf", "../../etc/passwd"] {
        let mut s = scene(
            vec![clip(
                0.0,
                1.0,
                None,
                vec![Layer::Text(text_layer(None, Some(bad)))],
            )],
            0,
        );
        let err = prepare(&mut s, vec![dir.clone()]).unwrap_err();
        assert!(
            err.contains(bad) || err.contains("not a font"),
            "{bad}: {err}"
        );
    }
    assert!(register_font(b"junk".to_vec(), "junk").is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_fonts_directory_adds_its_families() {
    let dir = temp_dir("dir");
    std::fs::write(
        dir.join("a.ttf"),
        include_bytes!("fonts/RockSalt-Regular.ttf"),
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), b"ignored").unwrap();
    std::fs::write(dir.join("bad.otf"), b"skipped with a log line").unwrap();
    let families = super::text::load_fonts_dir(&dir).unwrap();
    assert_eq!(families, vec!["Rock Salt".to_string()]);
    assert!(super::text::load_fonts_dir(&dir.join("nope")).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn hostile_cues_stay_bounded() {
    // A huge size and every word on one "line": clamped to the frame, not a gigantic sprite.
    let words: Vec<Word> = (0..5000)
        .map(|i| word("enormous", f64::from(i) * 0.01, f64::from(i) * 0.01 + 0.01))
        .collect();
    let mut t = track(CaptionStyle::Bounce, words, Some(5000));
    t.font_size = Some(1.0e9);
    let mut plan = CaptionPlan::new(&t, W, H).unwrap();
    assert!(inked(&frame(&mut plan, 10.0)) > 1000);
    let boxes = plan.word_boxes(10.0);
    let drawn = boxes.iter().filter(|b| b.0 < b.2).count();
    assert!((1..50).contains(&drawn), "{drawn}");
}

#[test]
fn position_puts_the_cue_at_the_top_middle_or_bottom() {
    let centre_y = |position: Align| {
        let mut t = track(CaptionStyle::Tiktok, vec![word("where", 0.0, 1.0)], None);
        t.position = position;
        let mut plan = CaptionPlan::new(&t, W, H).unwrap();
        let b = plan.word_boxes(0.5)[0];
        (b.1 + b.3) / 2
    };
    let (top, middle, bottom) = (
        centre_y(Align::Start),
        centre_y(Align::Center),
        centre_y(Align::End),
    );
    let h = i64::from(H);
    assert!(top < h / 3, "{top} {middle} {bottom}");
    assert!((middle - h / 2).abs() < 10, "{middle}");
    // Tiktok's MarginV is a quarter of the height (480 of 1920) above the bottom edge.
    assert!(bottom > h / 2 + 30 && bottom < h - h / 4, "{bottom}");
}
