//! Scenery for preview placeholders: the words of a prompt pick a palette and a composition
//! (a sunset gets a low sun over dark hills, an ocean gets waves, a forest pines, night a moon
//! and stars, snow white peaks and falling flakes, neon a glowing grid), so a preview already
//! looks like what the prompt asks for. The prompt's hash varies the details, so two prompts
//! with the same words still differ. `t` (seconds) moves what moves, for video placeholders.

use image::RgbaImage;

use super::placeholder::{hsl, Dice};

/// No scenery pixel is brighter than this in every channel, so white caption text stays the
/// only pure white in a placeholder.
const MAX_CHANNEL: f32 = 230.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Motif {
    Sun,
    Moon,
    Stars,
    Nebula,
    Planet,
    Clouds,
    Mountains,
    Dunes,
    Skyline,
    Pines,
    Waves,
    NeonGrid,
    Flames,
    Snowfall,
    Rain,
    Petals,
}

struct Theme {
    keywords: &'static [&'static str],
    /// Lighting themes (night, sunset, ...) colour the whole picture whatever else is named.
    lighting: bool,
    sky: [[u8; 3]; 2],
    /// Hills, water, sand, buildings: the near colour.
    ground: [u8; 3],
    accent: [u8; 3],
    motifs: &'static [Motif],
}

const THEMES: &[Theme] = &[
    Theme {
        keywords: &[
            "sunset", "sunrise", "dusk", "dawn", "golden", "twilight", "evening",
        ],
        lighting: true,
        sky: [[0x2b, 0x10, 0x55], [0xff, 0x8a, 0x5c]],
        ground: [0x3a, 0x12, 0x3f],
        accent: [0xff, 0xd2, 0x7f],
        motifs: &[Motif::Sun, Motif::Mountains],
    },
    Theme {
        keywords: &[
            "night",
            "moon",
            "midnight",
            "starry",
            "stars",
            "nocturnal",
            "lantern",
            "lanterns",
        ],
        lighting: true,
        sky: [[0x04, 0x08, 0x1c], [0x1c, 0x2b, 0x5a]],
        ground: [0x0a, 0x10, 0x26],
        accent: [0xf4, 0xf1, 0xc9],
        motifs: &[Motif::Stars, Motif::Moon],
    },
    Theme {
        keywords: &[
            "neon",
            "cyberpunk",
            "synthwave",
            "vaporwave",
            "arcade",
            "club",
            "disco",
            "glow",
            "glowing",
        ],
        lighting: true,
        sky: [[0x0d, 0x02, 0x21], [0x3a, 0x0b, 0x5f]],
        ground: [0x08, 0x01, 0x14],
        accent: [0xff, 0x2a, 0xd4],
        motifs: &[Motif::NeonGrid],
    },
    Theme {
        keywords: &[
            "space",
            "galaxy",
            "planet",
            "cosmic",
            "nebula",
            "astronaut",
            "universe",
            "orbit",
            "mars",
        ],
        lighting: true,
        sky: [[0x00, 0x00, 0x06], [0x10, 0x0c, 0x30]],
        ground: [0x05, 0x05, 0x10],
        accent: [0xd9, 0x8c, 0x5f],
        motifs: &[Motif::Nebula, Motif::Stars, Motif::Planet],
    },
    Theme {
        keywords: &[
            "fire", "flame", "flames", "lava", "volcano", "campfire", "burning", "ember", "embers",
        ],
        lighting: true,
        sky: [[0x1a, 0x05, 0x00], [0x8c, 0x1c, 0x00]],
        ground: [0x20, 0x06, 0x00],
        accent: [0xff, 0xb0, 0x20],
        motifs: &[Motif::Flames],
    },
    Theme {
        keywords: &[
            "ocean",
            "sea",
            "beach",
            "wave",
            "waves",
            "surf",
            "harbour",
            "harbor",
            "coast",
            "lake",
            "underwater",
            "water",
            "boat",
            "boats",
            "island",
            "river",
        ],
        lighting: false,
        sky: [[0x7f, 0xc4, 0xec], [0xd8, 0xf0, 0xfb]],
        ground: [0x0b, 0x4f, 0x8a],
        accent: [0xff, 0xf1, 0xb0],
        motifs: &[Motif::Waves],
    },
    Theme {
        keywords: &[
            "forest", "tree", "trees", "woods", "jungle", "pine", "pines", "garden", "park",
            "leaves", "nature", "terraces",
        ],
        lighting: false,
        sky: [[0xa8, 0xd8, 0xb0], [0xe4, 0xf2, 0xd4]],
        ground: [0x1f, 0x4d, 0x2b],
        accent: [0xf6, 0xe7, 0x9c],
        motifs: &[Motif::Pines],
    },
    Theme {
        keywords: &[
            "snow",
            "snowy",
            "winter",
            "ice",
            "icy",
            "frozen",
            "frost",
            "blizzard",
            "arctic",
            "christmas",
        ],
        lighting: false,
        sky: [[0x9d, 0xb8, 0xdc], [0xee, 0xf3, 0xfa]],
        ground: [0x5f, 0x78, 0x9c],
        accent: [0xff, 0xff, 0xff],
        motifs: &[Motif::Mountains, Motif::Snowfall],
    },
    Theme {
        keywords: &["desert", "sand", "dune", "dunes", "sahara", "canyon"],
        lighting: false,
        sky: [[0xf0, 0xb8, 0x7a], [0xfb, 0xe3, 0xb8]],
        ground: [0xc9, 0x7b, 0x3c],
        accent: [0xff, 0xf0, 0xc0],
        motifs: &[Motif::Sun, Motif::Dunes],
    },
    Theme {
        keywords: &[
            "city",
            "skyline",
            "street",
            "urban",
            "downtown",
            "building",
            "buildings",
            "skyscraper",
            "skyscrapers",
            "tokyo",
            "york",
            "market",
        ],
        lighting: false,
        sky: [[0x5d, 0x78, 0xa8], [0xf0, 0xc2, 0x8b]],
        ground: [0x22, 0x26, 0x36],
        accent: [0xff, 0xd8, 0x6b],
        motifs: &[Motif::Skyline],
    },
    Theme {
        keywords: &[
            "mountain",
            "mountains",
            "peak",
            "peaks",
            "alps",
            "hiking",
            "valley",
            "cliff",
            "cliffs",
        ],
        lighting: false,
        sky: [[0x6f, 0xa8, 0xdc], [0xdc, 0xd0, 0xf0]],
        ground: [0x35, 0x3f, 0x5c],
        accent: [0xff, 0xf4, 0xd6],
        motifs: &[Motif::Mountains, Motif::Clouds],
    },
    Theme {
        keywords: &[
            "rain",
            "rainy",
            "storm",
            "stormy",
            "thunder",
            "thunderstorm",
            "gloomy",
        ],
        lighting: false,
        sky: [[0x36, 0x42, 0x4c], [0x86, 0x96, 0xa2]],
        ground: [0x28, 0x30, 0x36],
        accent: [0xc8, 0xd4, 0xdc],
        motifs: &[Motif::Clouds, Motif::Rain],
    },
    Theme {
        keywords: &[
            "flower", "flowers", "spring", "blossom", "blossoms", "cherry", "bloom", "petals",
            "rose", "roses", "tulip", "tulips",
        ],
        lighting: false,
        sky: [[0xff, 0xcf, 0xe2], [0xff, 0xef, 0xf4]],
        ground: [0x6a, 0xa8, 0x5c],
        accent: [0xff, 0x6f, 0xa8],
        motifs: &[Motif::Dunes, Motif::Petals],
    },
    Theme {
        keywords: &[
            "sky", "clouds", "cloud", "cloudy", "flying", "bird", "birds", "aerial", "heaven",
        ],
        lighting: false,
        sky: [[0x4f, 0x9a, 0xe8], [0xc6, 0xe4, 0xfb]],
        ground: [0x4c, 0x7a, 0x4c],
        accent: [0xff, 0xff, 0xff],
        motifs: &[Motif::Clouds],
    },
];

/// Colour words tint the palette toward their hue.
const COLOURS: &[(&str, f64)] = &[
    ("red", 0.0),
    ("crimson", 350.0),
    ("orange", 28.0),
    ("amber", 40.0),
    ("yellow", 52.0),
    ("gold", 45.0),
    ("green", 120.0),
    ("emerald", 145.0),
    ("teal", 175.0),
    ("turquoise", 170.0),
    ("cyan", 185.0),
    ("blue", 215.0),
    ("navy", 230.0),
    ("purple", 275.0),
    ("violet", 270.0),
    ("magenta", 305.0),
    ("pink", 330.0),
];

/// Paints scenery for `prompt` into `img`; `false` (and nothing painted) when no word of the
/// prompt names a scene, so the caller draws its abstract background instead.
pub fn paint(img: &mut RgbaImage, prompt: &str, t: f64) -> bool {
    let words: Vec<String> = prompt
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut matched: Vec<&Theme> = Vec::new();
    for word in &words {
        if let Some(theme) = THEMES
            .iter()
            .find(|th| th.keywords.contains(&word.as_str()))
        {
            if !matched.iter().any(|m| std::ptr::eq(*m, theme)) {
                matched.push(theme);
            }
        }
    }
    let Some(&first) = matched.first() else {
        return false;
    };
    let palette = matched
        .iter()
        .copied()
        .find(|th| th.lighting)
        .unwrap_or(first);
    let tint = words
        .iter()
        .find_map(|w| COLOURS.iter().find(|(name, _)| name == w).map(|(_, h)| *h));
    let mut motifs: Vec<Motif> = Vec::new();
    for theme in &matched {
        for &m in theme.motifs {
            if !motifs.contains(&m) {
                motifs.push(m);
            }
        }
    }
    // A clear sky has no stars in daylight, and one light in the sky is enough.
    if motifs.contains(&Motif::Moon) {
        motifs.retain(|m| *m != Motif::Sun);
    }
    if !palette.lighting || palette.motifs.contains(&Motif::Sun) {
        motifs.retain(|m| *m != Motif::Stars || palette.lighting);
    }

    let mut canvas = Canvas::new(img.width(), img.height());
    let mut dice = Dice::new(prompt);
    let colours = Palette::new(palette, first, tint);
    let horizon = canvas.h * dice.f(0.56, 0.7);
    canvas.sky(&colours, &mut dice);
    // Back to front: lights and sky things, far land, near land and water, weather.
    let order = [
        Motif::Nebula,
        Motif::Stars,
        Motif::Planet,
        Motif::Sun,
        Motif::Moon,
        Motif::Clouds,
        Motif::Mountains,
        Motif::Dunes,
        Motif::Skyline,
        Motif::Pines,
        Motif::Waves,
        Motif::NeonGrid,
        Motif::Flames,
        Motif::Rain,
        Motif::Snowfall,
        Motif::Petals,
    ];
    let night = palette.lighting && palette.sky[0].iter().map(|&c| u32::from(c)).sum::<u32>() < 120;
    for motif in order.into_iter().filter(|m| motifs.contains(m)) {
        let mut d = Dice(dice.next());
        let scene = Scene {
            horizon,
            night,
            snowy: matched.iter().any(|m| m.motifs.contains(&Motif::Snowfall)),
            t,
        };
        canvas.draw(motif, &scene, &colours, &mut d);
    }
    canvas.finish(img);
    true
}

/// The colours one picture uses.
struct Palette {
    sky_top: [f32; 3],
    sky_bottom: [f32; 3],
    ground: [f32; 3],
    accent: [f32; 3],
}

impl Palette {
    fn new(light: &Theme, subject: &Theme, tint: Option<f64>) -> Self {
        let f = |c: [u8; 3]| c.map(f32::from);
        // The subject's ground under the lighting's sky, darkened to match it.
        let sky_level = light.sky[1].iter().map(|&c| f32::from(c)).sum::<f32>() / (3.0 * 255.0);
        let ground = if std::ptr::eq(light, subject) {
            f(light.ground)
        } else {
            mix(f(subject.ground), f(light.ground), 0.55 - 0.3 * sky_level)
        };
        let mut palette = Palette {
            sky_top: f(light.sky[0]),
            sky_bottom: f(light.sky[1]),
            ground,
            accent: f(light.accent),
        };
        if let Some(hue) = tint {
            let target = hsl(hue, 0.65, 0.5).map(f32::from);
            for c in [
                &mut palette.sky_top,
                &mut palette.sky_bottom,
                &mut palette.ground,
            ] {
                let level = (c[0] + c[1] + c[2]) / (3.0 * 255.0);
                let toward = target.map(|v| v * (0.4 + level));
                *c = mix(*c, toward, 0.4);
            }
        }
        palette
    }
}

struct Scene {
    horizon: f32,
    night: bool,
    snowy: bool,
    t: f64,
}

fn mix(a: [f32; 3], b: [f32; 3], k: f32) -> [f32; 3] {
    [0, 1, 2].map(|i| a[i] + (b[i] - a[i]) * k)
}

fn smooth(x: f32) -> f32 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

impl Dice {
    fn f(&mut self, lo: f32, hi: f32) -> f32 {
        self.range(f64::from(lo), f64::from(hi)) as f32
    }
}

/// Straight RGB in floats while painting.
struct Canvas {
    width: u32,
    height: u32,
    w: f32,
    h: f32,
    px: Vec<[f32; 3]>,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Self {
        Canvas {
            width,
            height,
            w: width as f32,
            h: height as f32,
            px: vec![[0.0; 3]; width as usize * height as usize],
        }
    }

    fn side(&self) -> f32 {
        self.w.min(self.h)
    }

    /// Blends `colour` over pixel (x, y) with coverage `a`.
    fn blend(&mut self, x: u32, y: u32, colour: [f32; 3], a: f32) {
        if a <= 0.0 || x >= self.width || y >= self.height {
            return;
        }
        let p = &mut self.px[(y * self.width + x) as usize];
        *p = mix(*p, colour, a.min(1.0));
    }

    fn add(&mut self, x: u32, y: u32, colour: [f32; 3], a: f32) {
        if a <= 0.0 || x >= self.width || y >= self.height {
            return;
        }
        let p = &mut self.px[(y * self.width + x) as usize];
        for (v, c) in p.iter_mut().zip(colour) {
            *v += c * a;
        }
    }

    /// An anti-aliased disc; `glow` > 0 adds a soft halo that many radii wide.
    fn disc(&mut self, cx: f32, cy: f32, r: f32, colour: [f32; 3], alpha: f32, glow: f32) {
        let reach = r * (1.0 + glow) + 1.0;
        let (x0, x1) = (
            (cx - reach).floor().max(0.0) as u32,
            (cx + reach).ceil().max(0.0) as u32,
        );
        let (y0, y1) = (
            (cy - reach).floor().max(0.0) as u32,
            (cy + reach).ceil().max(0.0) as u32,
        );
        for y in y0..y1.min(self.height) {
            for x in x0..x1.min(self.width) {
                let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
                let cover = (r - d + 0.5).clamp(0.0, 1.0);
                self.blend(x, y, colour, cover * alpha);
                if glow > 0.0 && d > r {
                    let k = 1.0 - (d - r) / (r * glow);
                    self.add(x, y, colour, 0.35 * alpha * smooth(k) * smooth(k));
                }
            }
        }
    }

    /// Fills every column below the curve `top(x)` with `colour(x, y, depth)`; the edge is
    /// anti-aliased.
    fn fill_below(
        &mut self,
        top: impl Fn(f32) -> f32,
        colour: impl Fn(f32, f32, f32) -> [f32; 3],
        alpha: f32,
    ) {
        for x in 0..self.width {
            let fx = x as f32 + 0.5;
            let edge = top(fx);
            let start = edge.floor().max(0.0) as u32;
            for y in start..self.height {
                let fy = y as f32 + 0.5;
                let cover = (fy - edge + 0.5).clamp(0.0, 1.0);
                let c = colour(fx, fy, (fy - edge).max(0.0));
                self.blend(x, y, c, cover * alpha);
            }
        }
    }

    fn sky(&mut self, p: &Palette, dice: &mut Dice) {
        // A slight tilt so skies of different prompts do not line up exactly.
        let tilt = dice.f(-0.12, 0.12);
        for y in 0..self.height {
            for x in 0..self.width {
                let v = (y as f32 + 0.5) / self.h + tilt * ((x as f32 + 0.5) / self.w - 0.5);
                self.px[(y * self.width + x) as usize] = mix(p.sky_top, p.sky_bottom, smooth(v));
            }
        }
    }

    fn draw(&mut self, motif: Motif, s: &Scene, p: &Palette, d: &mut Dice) {
        let (w, h, side) = (self.w, self.h, self.side());
        let t = s.t as f32;
        match motif {
            Motif::Sun => {
                let r = side * d.f(0.09, 0.14);
                let cx = w * d.f(0.22, 0.78);
                // High enough to clear the hills in front of it.
                let cy = s.horizon - h * d.f(0.16, 0.24) - t * side * 0.004;
                self.disc(cx, cy, r, p.accent, 1.0, 2.5);
            }
            Motif::Moon => {
                let r = side * d.f(0.06, 0.09);
                let (cx, cy) = (w * d.f(0.15, 0.85), h * d.f(0.14, 0.3));
                self.disc(cx, cy, r, p.accent, 1.0, 2.0);
                // The shadowed part of a crescent takes the sky's colour back.
                let shade = mix(p.sky_top, p.sky_bottom, cy / h);
                self.disc(cx + r * 0.45, cy - r * 0.2, r * 0.85, shade, 0.93, 0.0);
            }
            Motif::Stars => {
                let count = ((w * h) / 2600.0).min(900.0) as u32;
                for i in 0..count {
                    let (x, y) = (d.f(0.0, w), d.f(0.0, s.horizon * 1.02));
                    let r = d.f(0.5, 1.6) * (side / 720.0).max(0.6);
                    let twinkle = 0.6 + 0.4 * ((t * 3.0 + i as f32).sin() * 0.5 + 0.5);
                    self.disc(x, y, r, [255.0, 250.0, 235.0], d.f(0.5, 1.0) * twinkle, 1.5);
                }
            }
            Motif::Nebula => {
                for i in 0..4 {
                    let hue = if i % 2 == 0 {
                        d.f(260.0, 320.0)
                    } else {
                        d.f(170.0, 210.0)
                    };
                    let c = hsl(f64::from(hue), 0.7, 0.45).map(f32::from);
                    let (cx, cy, r) = (d.f(0.0, w), d.f(0.0, h), side * d.f(0.25, 0.5));
                    self.glow_blob(cx, cy, r, c, 0.45);
                }
            }
            Motif::Planet => {
                let r = side * d.f(0.12, 0.2);
                let (cx, cy) = (w * d.f(0.6, 0.85), h * d.f(0.3, 0.55));
                self.planet(cx, cy, r, p.accent);
            }
            Motif::Clouds => {
                let colour = if s.night {
                    [60.0, 70.0, 96.0]
                } else {
                    mix([236.0, 240.0, 246.0], p.sky_bottom, 0.3)
                };
                for _ in 0..d.f(3.0, 6.0) as u32 {
                    let (cx, cy) = (d.f(0.0, w) + t * side * 0.02, d.f(0.08, 0.42) * h);
                    let r = side * d.f(0.05, 0.09);
                    for k in 0..5 {
                        let dx = (k as f32 - 2.0) * r * 0.8;
                        let rr = r * (1.0 - (k as f32 - 2.0).abs() * 0.18);
                        self.disc(cx + dx, cy - rr * 0.3, rr, colour, 0.75, 0.6);
                    }
                }
            }
            Motif::Mountains => {
                for layer in 0..3 {
                    let depth = layer as f32 / 2.0;
                    let base = s.horizon + side * 0.02 * layer as f32;
                    let amp = h * d.f(0.16, 0.26) * (1.0 - 0.25 * depth);
                    let (f1, f2, ph1, ph2) =
                        (d.f(1.5, 3.5), d.f(4.0, 9.0), d.f(0.0, 6.3), d.f(0.0, 6.3));
                    let far = mix(p.sky_bottom, p.ground, 0.35);
                    let colour = mix(far, p.ground, depth);
                    let snowy = s.snowy;
                    let ridge = move |x: f32| {
                        let u = x / w;
                        // 1 - |sin| has sharp tops and round valleys: peaks, not waves.
                        let peak = (1.0 - (u * f1 + ph1).sin().abs()) * 0.75
                            + (u * f2 + ph2).sin() * 0.2
                            + (u * 41.0 + ph1).sin() * 0.03;
                        base - amp * peak.max(0.05)
                    };
                    self.fill_below(
                        ridge,
                        move |_, _, below| {
                            if snowy && below < amp * 0.35 {
                                mix(colour, [232.0, 238.0, 246.0], 0.8)
                            } else {
                                colour
                            }
                        },
                        1.0,
                    );
                }
            }
            Motif::Dunes => {
                for layer in 0..3 {
                    let depth = layer as f32 / 2.0;
                    let base = s.horizon + (h - s.horizon) * 0.3 * layer as f32;
                    let (f, ph, amp) = (d.f(1.0, 2.5), d.f(0.0, 6.3), h * d.f(0.04, 0.09));
                    let colour = mix(mix(p.sky_bottom, p.ground, 0.5), p.ground, depth);
                    self.fill_below(
                        move |x| base - amp * ((x / w) * f * std::f32::consts::TAU + ph).sin(),
                        move |_, _, below| mix(colour, [40.0, 20.0, 10.0], (below / h).min(0.3)),
                        1.0,
                    );
                }
            }
            Motif::Skyline => {
                let mut x = -d.f(0.0, w * 0.05);
                while x < w {
                    let bw = w * d.f(0.04, 0.1);
                    let bh = h * d.f(0.14, 0.42);
                    let top = s.horizon - bh;
                    let shade = d.f(0.75, 1.1);
                    let body = p.ground.map(|c| c * shade);
                    let lit = if s.night { 0.55 } else { 0.2 };
                    self.rect(x, top, bw, h - top, body);
                    let win = (side / 90.0).max(2.0);
                    let mut wy = top + win * 1.5;
                    while wy < s.horizon - win {
                        let mut wx = x + win;
                        while wx < x + bw - win * 1.5 {
                            if d.f(0.0, 1.0) < lit {
                                self.rect(wx, wy, win, win * 1.3, p.accent);
                            }
                            wx += win * 2.2;
                        }
                        wy += win * 2.6;
                    }
                    x += bw + w * d.f(0.0, 0.015);
                }
                let ground = p.ground.map(|c| c * 0.6);
                self.rect(0.0, s.horizon, w, h - s.horizon, ground);
            }
            Motif::Pines => {
                let rows = [
                    (s.horizon, 0.6, 0.55),
                    (s.horizon + (h - s.horizon) * 0.45, 1.0, 1.0),
                ];
                self.rect(
                    0.0,
                    s.horizon,
                    w,
                    h - s.horizon,
                    mix(p.ground, p.sky_bottom, 0.2),
                );
                for (row, (base, scale, dark)) in rows.into_iter().enumerate() {
                    let colour = mix(
                        mix(p.ground, p.sky_bottom, 0.45),
                        p.ground.map(|c| c * 0.7),
                        dark,
                    );
                    let mut x = -d.f(0.0, w * 0.04);
                    while x < w + side * 0.1 {
                        let th = side * d.f(0.18, 0.32) * scale;
                        let tw = th * d.f(0.42, 0.55);
                        let sway = (t * 1.5 + x * 0.01).sin() * tw * 0.02 * row as f32;
                        self.pine(x + sway, base + side * 0.02, tw, th, colour);
                        x += tw * d.f(0.45, 0.8);
                    }
                }
            }
            Motif::Waves => {
                let water = p.ground;
                let deep = water.map(|c| c * 0.45);
                let (horizon, night) = (s.horizon, s.night);
                let (f, ph) = (d.f(18.0, 30.0), d.f(0.0, 6.3));
                let crest = if night {
                    [120.0, 140.0, 170.0]
                } else {
                    [225.0, 236.0, 242.0]
                };
                for y in (horizon.max(0.0) as u32)..self.height {
                    let depth = (y as f32 - horizon) / (h - horizon).max(1.0);
                    let base = mix(water, deep, depth);
                    for x in 0..self.width {
                        let u = x as f32 / w;
                        let phase = u * f * (1.0 - 0.6 * depth) + depth * 40.0 + ph + t * 2.0;
                        let wave = phase.sin() * 0.5 + (phase * 2.3 + 1.7).sin() * 0.5;
                        let band = ((y as f32 * 0.18 / (0.3 + depth)).sin() * 0.5 + 0.5) * wave;
                        let highlight = smooth((band - 0.55) * 4.0) * (0.25 + 0.5 * depth);
                        self.px[(y * self.width + x) as usize] = mix(base, crest, highlight);
                    }
                }
            }
            Motif::NeonGrid => {
                let glow_a = p.accent;
                let glow_b = [40.0, 230.0, 255.0];
                let (horizon, vx) = (s.horizon, w * 0.5);
                self.rect(0.0, horizon, w, h - horizon, p.ground);
                let lines = 14;
                let speed = (t * 0.5).fract();
                for y in (horizon.max(0.0) as u32)..self.height {
                    let fy = y as f32 + 0.5;
                    let depth = (fy - horizon) / (h - horizon).max(1.0);
                    // Horizontal lines spaced in perspective, drifting toward the viewer.
                    let z = depth.sqrt() * lines as f32 + speed;
                    let dz = (z - z.round()).abs() / (0.5 / (1.0 + depth * 8.0)).max(0.02);
                    let horiz = (1.0 - dz).clamp(0.0, 1.0);
                    for x in 0..self.width {
                        let fx = x as f32 + 0.5;
                        let slope = (fx - vx) / (fy - horizon).max(0.5);
                        let col = slope * 3.0;
                        let dv = (col - col.round()).abs() * (fy - horizon).max(0.5) / 3.0;
                        let vert = (1.0 - dv / (1.0 + depth)).clamp(0.0, 1.0);
                        let line = horiz.max(vert);
                        if line > 0.0 {
                            self.add(x, y, glow_a, line * 0.9);
                        }
                    }
                }
                // The glowing horizon band.
                let band = side * 0.05;
                for y in ((horizon - band).max(0.0) as u32)..((horizon + band * 0.3).min(h) as u32)
                {
                    let k = 1.0 - ((y as f32 - horizon).abs() / band);
                    for x in 0..self.width {
                        self.add(x, y, glow_b, 0.5 * smooth(k));
                    }
                }
            }
            Motif::Flames => {
                let (f1, f2, ph) = (d.f(9.0, 15.0), d.f(23.0, 37.0), d.f(0.0, 6.3));
                let base = h;
                let top = move |x: f32| {
                    let u = x / w;
                    let flick =
                        (u * f1 + ph + t * 4.0).sin() * 0.5 + (u * f2 - t * 6.0).sin() * 0.5;
                    base - h * (0.35 + 0.2 * flick.abs())
                };
                let colour = move |_: f32, y: f32, below: f32| {
                    let k = (below / (base - y + below).max(1.0)).clamp(0.0, 1.0);
                    mix([255.0, 90.0, 10.0], [255.0, 220.0, 90.0], k)
                };
                self.fill_below(top, colour, 0.9);
                for _ in 0..60 {
                    let (x, y) = (d.f(0.0, w), d.f(0.2, 0.7) * h - t * side * 0.05);
                    self.disc(x, y, d.f(1.0, 2.5), [255.0, 170.0, 60.0], 0.8, 2.0);
                }
            }
            Motif::Rain => {
                let streak = [200.0, 210.0, 220.0];
                let len = side * 0.04;
                for _ in 0..((w * h) / 3000.0).min(700.0) as u32 {
                    let x0 = d.f(0.0, w);
                    let y0 = (d.f(0.0, h) + t * h * 0.8) % h;
                    for k in 0..len as u32 {
                        let k = k as f32;
                        self.blend((x0 - k * 0.3) as u32, (y0 + k) as u32, streak, 0.35);
                    }
                }
            }
            Motif::Snowfall => {
                for _ in 0..((w * h) / 2500.0).min(900.0) as u32 {
                    let r = d.f(0.8, 2.8) * (side / 720.0).max(0.6);
                    let x = d.f(0.0, w) + (t * 1.3 + r).sin() * side * 0.01;
                    let y = (d.f(0.0, h) + t * side * 0.05 * r) % h;
                    self.disc(x, y, r, [236.0, 242.0, 250.0], 0.9, 0.0);
                }
            }
            Motif::Petals => {
                for _ in 0..((w * h) / 1800.0).min(900.0) as u32 {
                    let r = side * d.f(0.007, 0.02);
                    let x = d.f(0.0, w) + (t + r).sin() * side * 0.02;
                    let y = (d.f(0.0, h) + t * side * 0.03) % h;
                    let c = mix(p.accent, [255.0, 235.0, 240.0], d.f(0.0, 0.6));
                    self.disc(x, y, r, c, 0.85, 0.0);
                }
            }
        }
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, colour: [f32; 3]) {
        let x0 = x.max(0.0) as u32;
        let y0 = y.max(0.0) as u32;
        let x1 = (x + w).min(self.w).max(0.0) as u32;
        let y1 = (y + h).min(self.h).max(0.0) as u32;
        for yy in y0..y1 {
            for xx in x0..x1 {
                self.px[(yy * self.width + xx) as usize] = colour;
            }
        }
    }

    /// A pine: three stacked triangles on a short trunk, base at (cx, base).
    fn pine(&mut self, cx: f32, base: f32, tw: f32, th: f32, colour: [f32; 3]) {
        let trunk = [
            colour[0] * 0.6 + 20.0,
            colour[1] * 0.5 + 10.0,
            colour[2] * 0.5,
        ];
        self.rect(cx - tw * 0.05, base - th * 0.15, tw * 0.1, th * 0.15, trunk);
        for tier in 0..3 {
            let k = tier as f32;
            let bottom = base - th * (0.12 + 0.25 * k);
            let top = bottom - th * 0.45;
            let half = tw * 0.5 * (1.0 - 0.22 * k);
            let (y0, y1) = (top.max(0.0) as u32, bottom.max(0.0).min(self.h) as u32);
            for y in y0..y1 {
                let fy = y as f32 + 0.5;
                let span = half * (fy - top) / (bottom - top);
                let (x0, x1) = (
                    (cx - span - 1.0).max(0.0) as u32,
                    (cx + span + 1.0).max(0.0) as u32,
                );
                for x in x0..x1.min(self.width) {
                    let cover = (span - (x as f32 + 0.5 - cx).abs() + 0.5).clamp(0.0, 1.0);
                    self.blend(x, y, colour, cover);
                }
            }
        }
    }

    fn glow_blob(&mut self, cx: f32, cy: f32, r: f32, colour: [f32; 3], alpha: f32) {
        let (x0, x1) = ((cx - r).max(0.0) as u32, (cx + r).max(0.0) as u32);
        let (y0, y1) = ((cy - r).max(0.0) as u32, (cy + r).max(0.0) as u32);
        for y in y0..y1.min(self.height) {
            for x in x0..x1.min(self.width) {
                let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt() / r;
                let k = smooth(1.0 - d);
                self.add(x, y, colour, alpha * k * k);
            }
        }
    }

    fn planet(&mut self, cx: f32, cy: f32, r: f32, colour: [f32; 3]) {
        let reach = r * 2.2;
        let (x0, x1) = ((cx - reach).max(0.0) as u32, (cx + reach).max(0.0) as u32);
        let (y0, y1) = ((cy - reach).max(0.0) as u32, (cy + reach).max(0.0) as u32);
        for y in y0..y1.min(self.height) {
            for x in x0..x1.min(self.width) {
                let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
                let d = (dx * dx + dy * dy).sqrt();
                // A tilted ring: an ellipse band, hidden behind the planet's upper half.
                let (rx, ry) = (dx * 0.94 + dy * 0.34, -dx * 0.34 + dy * 0.94);
                let e = ((rx / (r * 1.9)).powi(2) + (ry / (r * 0.45)).powi(2)).sqrt();
                let ring = (1.0 - ((e - 0.85).abs() / 0.08)).clamp(0.0, 1.0);
                let behind = ry < 0.0 && d < r;
                let front_ring = ring > 0.0 && !behind;
                if front_ring {
                    self.blend(x, y, [220.0, 200.0, 170.0], ring * 0.8);
                }
                let cover = (r - d + 0.5).clamp(0.0, 1.0);
                if cover > 0.0 && !front_ring {
                    let light = 1.0 - ((dx + dy) / (2.0 * r) + 0.5).clamp(0.0, 1.0) * 0.75;
                    self.blend(x, y, colour.map(|v| v * (0.3 + light)), cover);
                }
            }
        }
    }

    /// Vignette, the brightness cap, into the image.
    fn finish(&self, img: &mut RgbaImage) {
        let (cx, cy) = (self.w / 2.0, self.h / 2.0);
        let reach = (cx * cx + cy * cy).sqrt();
        for (x, y, px) in img.enumerate_pixels_mut() {
            let c = self.px[(y * self.width + x) as usize];
            let r = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt() / reach;
            let v = 1.0 - 0.25 * r * r;
            px.0 = [
                (c[0] * v).round().clamp(0.0, MAX_CHANNEL) as u8,
                (c[1] * v).round().clamp(0.0, MAX_CHANNEL) as u8,
                (c[2] * v).round().clamp(0.0, MAX_CHANNEL) as u8,
                255,
            ];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean(img: &RgbaImage, rows: std::ops::Range<u32>) -> [f64; 3] {
        let mut sum = [0f64; 3];
        let mut n = 0f64;
        for y in rows {
            for x in 0..img.width() {
                let p = img.get_pixel(x, y);
                for i in 0..3 {
                    sum[i] += f64::from(p[i]);
                }
                n += 1.0;
            }
        }
        sum.map(|s| s / n)
    }

    fn painted(prompt: &str) -> RgbaImage {
        let mut img = RgbaImage::new(320, 180);
        assert!(paint(&mut img, prompt, 0.0), "{prompt} names a scene");
        img
    }

    #[test]
    fn words_steer_the_palette() {
        let night = mean(&painted("a quiet night in the hills"), 0..60);
        let snowy = painted("a snowy field");
        let snow = mean(&snowy, 0..60);
        let sunset = mean(&painted("sunset"), 60..120);
        let ocean = mean(&painted("ocean"), 130..180);
        let forest = mean(&painted("a forest"), 130..180);
        let brightness = |c: [f64; 3]| c.iter().sum::<f64>() / 3.0;
        assert!(brightness(night) < 60.0, "night sky is dark: {night:?}");
        assert!(
            brightness(snow) > 160.0 && snow[2] > snow[0],
            "a cold, bright sky: {snow:?}"
        );
        let white = snowy
            .pixels()
            .filter(|p| p[0] > 210 && p[1] > 210 && p[2] > 210)
            .count();
        assert!(white > 300, "snow caps and flakes: {white}");
        assert!(sunset[0] > sunset[2] + 30.0, "sunset is warm: {sunset:?}");
        assert!(ocean[2] > ocean[0] + 40.0, "ocean water is blue: {ocean:?}");
        assert!(forest[1] > forest[2], "forest floor is green: {forest:?}");
        let neon = painted("neon city");
        let magenta = neon
            .pixels()
            .filter(|p| p[0] > 150 && p[2] > 120 && p[1] < 100)
            .count();
        assert!(magenta > 200, "neon has glowing magenta lines: {magenta}");
    }

    #[test]
    fn unknown_words_paint_nothing_and_text_stays_the_only_white() {
        let mut img = RgbaImage::new(64, 64);
        assert!(!paint(&mut img, "a cat in a box", 0.0));
        let snow = painted("snow storm with white light");
        assert!(snow
            .pixels()
            .all(|p| p[0] <= 230 && p[1] <= 230 && p[2] <= 230));
    }

    /// Release-build timing of whole placeholder images (scenery and caption) at 1080p:
    /// `cargo test --release --lib bench_placeholder -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn bench_placeholder_images() {
        for prompt in [
            "sunset over the mountains",
            "ocean waves on a rocky coast",
            "a misty pine forest",
            "city skyline at night",
            "neon cyberpunk street",
            "a cat wearing a tiny hat",
        ] {
            let mut runs: Vec<f64> = (0..7)
                .map(|_| {
                    let started = std::time::Instant::now();
                    let img =
                        super::super::placeholder::placeholder_image(prompt, "IMAGE", 1920, 1080);
                    std::hint::black_box(img);
                    started.elapsed().as_secs_f64() * 1000.0
                })
                .collect();
            runs.sort_by(f64::total_cmp);
            println!("{prompt:32} median {:6.1} ms", runs[runs.len() / 2]);
        }
    }

    #[test]
    fn deterministic_and_moving() {
        assert_eq!(
            painted("ocean waves at sunset").as_raw(),
            painted("ocean waves at sunset").as_raw()
        );
        let mut later = RgbaImage::new(320, 180);
        paint(&mut later, "ocean waves at sunset", 0.5);
        assert_ne!(later.as_raw(), painted("ocean waves at sunset").as_raw());
    }
}
