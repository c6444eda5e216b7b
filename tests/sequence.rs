//! Slider, Swipe and Packshot through the real binary: a preview render draws them all (no
//! "not drawn" warning), to an MP4 of the right length, and a still shows the blinking CTA
//! where §18 puts it.

mod common;

use std::process::Command;

use common::*;

const PROGRAM: &str = r##"
export default (
  <Render width={320} height={180} fps={10}>
    <Clip>
      <Slider direction="horizontal">
        <Image prompt="a messy room" />
        <Image prompt="the same room, tidy" />
      </Slider>
    </Clip>
    <Clip>
      <Swipe direction="up" interval={1.5}>
        <Image prompt="red sneakers" />
        <Image prompt="blue sneakers" />
      </Swipe>
    </Clip>
    <Clip>
      <Packshot
        duration={2}
        background="#102030"
        title="Sneakers"
        titlePosition="top"
        cta="Shop now"
        blinkCta
      />
    </Clip>
  </Render>
);
"##;

#[test]
fn slider_swipe_and_packshot_render_in_preview_without_undrawn_warnings() {
    let data = temp_dir("sequence");
    let file = data.join("sequence.tsx");
    std::fs::write(&file, PROGRAM).expect("write program");

    let out_path = data.join("out.mp4");
    let stderr = render_cli(&file, &out_path, &data, &["--preview"]);
    assert!(
        !stderr.contains("not drawn"),
        "undrawn components: {stderr}"
    );
    // Slider 2 items: 3·2 − 0.5 = 5.5 s; Swipe: 1.5·2 − 0.5 = 2.5 s; Packshot 2 s.
    assert_valid_mp4(&out_path, 320, 180, "10/1", 100);

    // 0.2 s into the packshot (8 s) the button is at its peak, centred on row 0.78·H = 140.
    let png = data.join("cta.png");
    let out = run(Command::new(BIN)
        .arg("frame")
        .arg(&file)
        .arg("--at")
        .arg("8.2")
        .arg("-o")
        .arg(&png)
        .arg("--data-dir")
        .arg(&data));
    assert!(
        out.status.success(),
        "frame: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let img = image::open(&png).expect("png").to_rgb8();
    let button = img.get_pixel(70, 140).0;
    assert!(
        button[0] > 200 && button[2] < 60,
        "the orange CTA button: {button:?}"
    );
    let background = img.get_pixel(5, 5).0;
    assert!(
        background
            .iter()
            .zip([0x10, 0x20, 0x30])
            .all(|(a, b)| a.abs_diff(b) <= 3),
        "packshot background: {background:?}"
    );
    let _ = std::fs::remove_dir_all(&data);
}
