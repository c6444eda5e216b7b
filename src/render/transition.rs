//! How two overlapping clips are blended while one hands over to the next (§4.5, D4).
//!
//! Every ffmpeg `xfade` name is its own effect, following `vf_xfade.c`'s formulas (whose
//! `progress` runs 1 → 0; ours runs 0 → 1, so the effects use `q = 1 − p` where they quote
//! ffmpeg). gl-transition names are CPU versions of their shaders where one exists here, and
//! otherwise the closest effect. [`NAMES`] is the single name → effect table.
//!
//! Names that share an effect (everything else is distinct):
//! * `fade`, `crossfade` → cross-dissolve (the spec's recommendation for `crossfade`)
//! * `fadeblack`, `fadecolor` → through black (`fadecolor`'s default colour is black)
//! * `fadegrays`, `fadegrayscale` → through grey
//! * `rotatescalefade`, `rotate_scale_fade` → one shader, two spellings
//! * `hrwind`, `wind` → ffmpeg's `*wind` is a port of the gl `wind` shader
//! * `slidedown`, `directional` → the gl `directional` shader (direction (0, 1)) is a slide
//! * `glitchdisplace`, `glitch` → varg's `glitch` is the displacement glitch

mod blend;
mod gl_burn;
mod gl_geom;
mod gl_mask;
mod gl_tiles;
mod gl_warp;
mod shape;
mod slide;
mod util;
mod warp;
mod wipe;

use std::cell::RefCell;

use super::pixels;
use slide::Motion;
use util::Frames;
use wipe::{Corner, Dir};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransitionKind {
    /// Cross-dissolve: the outgoing frame fades while the incoming one appears.
    Dissolve,
    /// Outgoing clip fades to black, then the incoming one fades in from black.
    FadeBlack,
    /// As `FadeBlack`, through white.
    FadeWhite,
    FadeGrays,
    FadeFast,
    FadeSlow,
    /// ffmpeg `dissolve`: per-pixel noise threshold.
    NoiseDissolve,
    Distance,
    Wipe(Dir),
    WipeCorner(Corner),
    Shift(Dir, Motion),
    Smooth(Dir),
    Diag(Corner),
    Slice(Dir),
    Wind(Dir),
    CircleCrop,
    RectCrop,
    CircleOpen,
    CircleClose,
    /// Barn doors: (horizontal, open).
    Doors(bool, bool),
    Radial,
    Pixelize,
    HBlur,
    /// ffmpeg `squeezeh` (rows) / `squeezev` (columns).
    Squeeze(bool),
    ZoomIn,
    // gl-transitions
    Angular,
    Bounce,
    BowTie(bool),
    Burn,
    Circle,
    ColorDistance,
    ColorPhase,
    CrossHatch,
    CrossWarp,
    CrossZoom,
    Cube,
    DirectionalWarp,
    DirectionalWipe,
    Doorway,
    Dreamy,
    DreamyZoom,
    FilmBurn,
    FlyEye,
    GlitchDisplace,
    GlitchMemories,
    GlSqueeze,
    GridFlip,
    Hexagonalize,
    Heart,
    Kaleidoscope,
    LinearBlur,
    LuminanceMelt,
    Morph,
    PageCurl,
    Mosaic,
    MultiplyBlend,
    Perlin,
    Pinwheel,
    PolkaDots,
    /// gl `leftright` (false) / `topbottom` (true).
    PushBack(bool),
    RandomSquares,
    Ripple,
    RotateScaleFade,
    SimpleZoom,
    SquaresWire,
    Swirl,
    UndulatingBurnout,
    Waterdrop,
    WindowBlinds,
    WindowSlice,
    ZoomInCircles,
}

use Corner::*;
use Dir::*;
use TransitionKind as K;

/// Every name the scene accepts (`scene::transition::{XFADE_NAMES, GL_NAMES}`), lower case.
pub const NAMES: &[(&str, TransitionKind)] = &[
    // ffmpeg xfade
    ("fade", K::Dissolve),
    ("fadeblack", K::FadeBlack),
    ("fadewhite", K::FadeWhite),
    ("fadegrays", K::FadeGrays),
    ("fadefast", K::FadeFast),
    ("fadeslow", K::FadeSlow),
    ("dissolve", K::NoiseDissolve),
    ("distance", K::Distance),
    ("wipeleft", K::Wipe(Left)),
    ("wiperight", K::Wipe(Right)),
    ("wipeup", K::Wipe(Up)),
    ("wipedown", K::Wipe(Down)),
    ("wipetl", K::WipeCorner(TopLeft)),
    ("wipetr", K::WipeCorner(TopRight)),
    ("wipebl", K::WipeCorner(BottomLeft)),
    ("wipebr", K::WipeCorner(BottomRight)),
    ("slideleft", K::Shift(Left, Motion::Slide)),
    ("slideright", K::Shift(Right, Motion::Slide)),
    ("slideup", K::Shift(Up, Motion::Slide)),
    ("slidedown", K::Shift(Down, Motion::Slide)),
    ("smoothleft", K::Smooth(Left)),
    ("smoothright", K::Smooth(Right)),
    ("smoothup", K::Smooth(Up)),
    ("smoothdown", K::Smooth(Down)),
    ("circlecrop", K::CircleCrop),
    ("rectcrop", K::RectCrop),
    ("circleopen", K::CircleOpen),
    ("circleclose", K::CircleClose),
    ("vertopen", K::Doors(false, true)),
    ("vertclose", K::Doors(false, false)),
    ("horzopen", K::Doors(true, true)),
    ("horzclose", K::Doors(true, false)),
    ("radial", K::Radial),
    ("pixelize", K::Pixelize),
    ("diagtl", K::Diag(TopLeft)),
    ("diagtr", K::Diag(TopRight)),
    ("diagbl", K::Diag(BottomLeft)),
    ("diagbr", K::Diag(BottomRight)),
    ("hlslice", K::Slice(Left)),
    ("hrslice", K::Slice(Right)),
    ("vuslice", K::Slice(Up)),
    ("vdslice", K::Slice(Down)),
    ("hblur", K::HBlur),
    ("squeezeh", K::Squeeze(true)),
    ("squeezev", K::Squeeze(false)),
    ("zoomin", K::ZoomIn),
    ("hlwind", K::Wind(Left)),
    ("hrwind", K::Wind(Right)),
    ("vuwind", K::Wind(Up)),
    ("vdwind", K::Wind(Down)),
    ("coverleft", K::Shift(Left, Motion::Cover)),
    ("coverright", K::Shift(Right, Motion::Cover)),
    ("coverup", K::Shift(Up, Motion::Cover)),
    ("coverdown", K::Shift(Down, Motion::Cover)),
    ("revealleft", K::Shift(Left, Motion::Reveal)),
    ("revealright", K::Shift(Right, Motion::Reveal)),
    ("revealup", K::Shift(Up, Motion::Reveal)),
    ("revealdown", K::Shift(Down, Motion::Reveal)),
    // gl-transitions
    ("crossfade", K::Dissolve),
    ("cube", K::Cube),
    ("directionalwipe", K::DirectionalWipe),
    ("dreamy", K::Dreamy),
    ("dreamyzoom", K::DreamyZoom),
    ("squareswire", K::SquaresWire),
    ("glitch", K::GlitchDisplace),
    ("glitchdisplace", K::GlitchDisplace),
    ("glitchmemories", K::GlitchMemories),
    ("doorway", K::Doorway),
    ("swirl", K::Swirl),
    ("burn", K::Burn),
    ("filmburn", K::FilmBurn),
    ("angular", K::Angular),
    ("bounce", K::Bounce),
    ("bowtiehorizontal", K::BowTie(false)),
    ("bowtievertical", K::BowTie(true)),
    ("circle", K::Circle),
    ("colorphase", K::ColorPhase),
    ("crosshatch", K::CrossHatch),
    ("crosswarp", K::CrossWarp),
    ("crosszoom", K::CrossZoom),
    ("directional", K::Shift(Down, Motion::Slide)),
    ("directionalwarp", K::DirectionalWarp),
    ("fadecolor", K::FadeBlack),
    ("fadegrayscale", K::FadeGrays),
    ("flyeye", K::FlyEye),
    ("gridflip", K::GridFlip),
    ("heart", K::Heart),
    ("hexagonalize", K::Hexagonalize),
    ("invertedpagecurl", K::PageCurl),
    ("kaleidoscope", K::Kaleidoscope),
    ("leftright", K::PushBack(false)),
    ("topbottom", K::PushBack(true)),
    ("linearblur", K::LinearBlur),
    ("luminance_melt", K::LuminanceMelt),
    ("morph", K::Morph),
    ("mosaic", K::Mosaic),
    ("perlin", K::Perlin),
    ("pinwheel", K::Pinwheel),
    ("polkadotscurtain", K::PolkaDots),
    ("randomsquares", K::RandomSquares),
    ("ripple", K::Ripple),
    ("rotatescalefade", K::RotateScaleFade),
    ("rotate_scale_fade", K::RotateScaleFade),
    ("simplezoom", K::SimpleZoom),
    ("squeeze", K::GlSqueeze),
    ("wind", K::Wind(Right)),
    ("windowblinds", K::WindowBlinds),
    ("windowslice", K::WindowSlice),
    ("waterdrop", K::Waterdrop),
    ("zoomincircles", K::ZoomInCircles),
    ("undulatingburnout", K::UndulatingBurnout),
    ("colordistance", K::ColorDistance),
    ("multiply_blend", K::MultiplyBlend),
];

impl TransitionKind {
    /// The effect for a (scene-validated) name; anything unknown dissolves.
    pub fn from_name(name: &str) -> Self {
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or(TransitionKind::Dissolve, |&(_, kind)| kind)
    }

    /// For the three pure weightings: (outgoing, incoming, constant colour) at `progress`.
    fn weights(self, progress: f64) -> (f64, f64, f64) {
        let p = progress.clamp(0.0, 1.0);
        match self {
            TransitionKind::FadeBlack | TransitionKind::FadeWhite => {
                if p < 0.5 {
                    (1.0 - 2.0 * p, 0.0, 2.0 * p)
                } else {
                    (0.0, 2.0 * p - 1.0, 2.0 - 2.0 * p)
                }
            }
            _ => (1.0 - p, p, 0.0),
        }
    }
}

thread_local! {
    /// A copy of the outgoing frame, so effects can sample it anywhere while they overwrite
    /// the frame in place; kept per render thread so steady-state frames allocate nothing.
    static OUTGOING: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Blends `incoming` into `outgoing` in place (both opaque `width`×`height` RGBA frames).
/// Progress 0 leaves the outgoing frame, 1 gives the incoming one, as ffmpeg passes the
/// inputs through on either side of the transition.
pub fn apply(
    kind: TransitionKind,
    progress: f64,
    outgoing: &mut [u8],
    incoming: &[u8],
    width: u32,
    height: u32,
) {
    let (w, h) = (width as usize, height as usize);
    let len = pixels::byte_len(width, height);
    if progress <= 0.0 || len == 0 {
        return;
    }
    if progress >= 1.0 || outgoing.len() != len || incoming.len() != len {
        // Mismatched buffers cannot happen from the compositor; a cut is the safe answer.
        let n = outgoing.len().min(incoming.len());
        outgoing[..n].copy_from_slice(&incoming[..n]);
        return;
    }
    let p = progress as f32;
    match kind {
        K::Dissolve | K::FadeBlack | K::FadeWhite => fade(kind, progress, outgoing, incoming),
        K::LinearBlur => warp::linear_blur(outgoing, incoming, w, h, p),
        _ => OUTGOING.with(|copy| {
            let mut copy = copy.borrow_mut();
            copy.clear();
            copy.extend_from_slice(outgoing);
            let frames = Frames::new(&copy, incoming, w, h);
            spatial(kind, &frames, outgoing, p);
        }),
    }
}

fn fade(kind: TransitionKind, progress: f64, outgoing: &mut [u8], incoming: &[u8]) {
    let (wa, wb, wc) = kind.weights(progress);
    // Rounded so the three integer weights still sum to exactly 256.
    let wa = (wa * 256.0).round() as u16;
    let wc = ((wc * 256.0).round() as u16).min(256 - wa);
    let wb = if wb > 0.0 { 256 - wa - wc } else { 0 };
    let wc = 256 - wa - wb;
    let constant = if kind == K::FadeWhite { 255 } else { 0 };
    pixels::mix(outgoing, incoming, wa, wb, wc, constant);
}

fn spatial(kind: TransitionKind, f: &Frames, out: &mut [u8], p: f32) {
    match kind {
        K::Dissolve | K::FadeBlack | K::FadeWhite | K::LinearBlur => {}
        K::FadeGrays => blend::fadegrays(f, out, p),
        K::FadeFast => blend::fade_by_difference(f, out, p, true),
        K::FadeSlow => blend::fade_by_difference(f, out, p, false),
        K::NoiseDissolve => blend::noise_dissolve(f, out, p),
        K::Distance => blend::distance(f, out, p),
        K::Wipe(d) => wipe::wipe(f, out, p, d),
        K::WipeCorner(c) => wipe::wipe_corner(f, out, p, c),
        K::Shift(d, m) => slide::shift(f, out, p, d, m),
        K::Smooth(d) => wipe::smooth(f, out, p, d),
        K::Diag(c) => wipe::diag(f, out, p, c),
        K::Slice(d) => wipe::slice(f, out, p, d),
        K::Wind(d) => wipe::wind(f, out, p, d),
        K::CircleCrop => shape::crop(f, out, p, true),
        K::RectCrop => shape::crop(f, out, p, false),
        K::CircleOpen => shape::iris(f, out, p, true),
        K::CircleClose => shape::iris(f, out, p, false),
        K::Doors(horizontal, open) => shape::doors(f, out, p, horizontal, open),
        K::Radial => shape::radial(f, out, p),
        K::Pixelize => warp::pixelize(f, out, p),
        K::HBlur => warp::hblur(f, out, p),
        K::Squeeze(rows) => slide::squeeze(f, out, p, rows),
        K::ZoomIn => warp::zoomin(f, out, p),
        K::Angular => gl_mask::angular(f, out, p),
        K::Bounce => slide::bounce(f, out, p),
        K::BowTie(vertical) => gl_mask::bowtie(f, out, p, vertical),
        K::Burn => blend::burn(f, out, p),
        K::Circle => gl_mask::circle(f, out, p),
        K::ColorDistance => blend::colordistance(f, out, p),
        K::ColorPhase => blend::colorphase(f, out, p),
        K::CrossHatch => gl_mask::crosshatch(f, out, p),
        K::CrossWarp => gl_warp::cross_warp(f, out, p),
        K::CrossZoom => gl_warp::cross_zoom(f, out, p),
        K::Cube => gl_geom::cube(f, out, p),
        K::DirectionalWarp => gl_warp::directional_warp(f, out, p),
        K::DirectionalWipe => gl_mask::directional_wipe(f, out, p),
        K::Doorway => gl_geom::doorway(f, out, p),
        K::Dreamy => gl_warp::dreamy(f, out, p),
        K::DreamyZoom => gl_burn::dreamy_zoom(f, out, p),
        K::FilmBurn => gl_burn::film_burn(f, out, p),
        K::GridFlip => gl_tiles::grid_flip(f, out, p),
        K::Hexagonalize => gl_tiles::hexagonalize(f, out, p),
        K::LuminanceMelt => gl_burn::luminance_melt(f, out, p),
        K::UndulatingBurnout => gl_burn::undulating_burnout(f, out, p),
        K::FlyEye => gl_warp::fly_eye(f, out, p),
        K::GlitchDisplace => gl_geom::glitch_displace(f, out, p),
        K::GlitchMemories => gl_geom::glitch_memories(f, out, p),
        K::GlSqueeze => slide::gl_squeeze(f, out, p),
        K::Heart => gl_mask::heart(f, out, p),
        K::Kaleidoscope => gl_warp::kaleidoscope(f, out, p),
        K::Morph => gl_warp::morph(f, out, p),
        K::PageCurl => gl_geom::page_curl(f, out, p),
        K::Mosaic => gl_geom::mosaic(f, out, p),
        K::MultiplyBlend => blend::multiply(f, out, p),
        K::Perlin => gl_mask::perlin(f, out, p),
        K::Pinwheel => gl_mask::pinwheel(f, out, p),
        K::PolkaDots => gl_mask::polka_dots(f, out, p),
        K::PushBack(vertical) => slide::push_back(f, out, p, vertical),
        K::RandomSquares => gl_mask::random_squares(f, out, p),
        K::Ripple => gl_warp::ripple(f, out, p),
        K::RotateScaleFade => gl_warp::rotate_scale_fade(f, out, p),
        K::SimpleZoom => gl_warp::simple_zoom(f, out, p),
        K::SquaresWire => gl_mask::squares_wire(f, out, p),
        K::Swirl => gl_warp::swirl(f, out, p),
        K::Waterdrop => gl_warp::waterdrop(f, out, p),
        K::WindowBlinds => gl_mask::window_blinds(f, out, p),
        K::WindowSlice => gl_mask::window_slice(f, out, p),
        K::ZoomInCircles => gl_warp::zoom_in_circles(f, out, p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_kinds() {
        assert_eq!(TransitionKind::from_name("fade"), TransitionKind::Dissolve);
        assert_eq!(
            TransitionKind::from_name("crossfade"),
            TransitionKind::Dissolve
        );
        assert_eq!(
            TransitionKind::from_name("fadeblack"),
            TransitionKind::FadeBlack
        );
        assert_eq!(
            TransitionKind::from_name("fadewhite"),
            TransitionKind::FadeWhite
        );
        assert_eq!(TransitionKind::from_name("CUBE"), TransitionKind::Cube);
        assert_eq!(
            TransitionKind::from_name("no-such-name"),
            TransitionKind::Dissolve,
            "names the scene did not validate fall back to a dissolve"
        );
    }

    fn run(kind: TransitionKind, p: f64) -> Vec<u8> {
        let mut a = vec![200, 40, 40, 255];
        apply(kind, p, &mut a, &[40, 40, 200, 255], 1, 1);
        a
    }

    #[test]
    fn dissolve_midpoint_is_the_average() {
        assert_eq!(run(TransitionKind::Dissolve, 0.5), vec![120, 40, 120, 255]);
        assert_eq!(run(TransitionKind::Dissolve, 0.0), vec![200, 40, 40, 255]);
        assert_eq!(run(TransitionKind::Dissolve, 1.0), vec![40, 40, 200, 255]);
    }

    #[test]
    fn fadeblack_passes_through_black() {
        let mid = run(TransitionKind::FadeBlack, 0.5);
        assert_eq!(&mid[..3], &[0, 0, 0]);
        assert_eq!(mid[3], 255);
        assert_eq!(run(TransitionKind::FadeBlack, 1.0), vec![40, 40, 200, 255]);
        let quarter = run(TransitionKind::FadeBlack, 0.25);
        assert_eq!(&quarter[..3], &[100, 20, 20]);
    }

    #[test]
    fn fadewhite_passes_through_white() {
        assert_eq!(
            run(TransitionKind::FadeWhite, 0.5),
            vec![255, 255, 255, 255]
        );
    }
}
