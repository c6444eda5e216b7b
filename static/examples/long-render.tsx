// A deliberately long render (40 s of 1080p): press Render, then try Cancel.
const SCENES = Array.from({ length: 10 }, (_, i) => `scene ${i + 1} of a long documentary`);

export default (
  <Render width={1920} height={1080}>
    {SCENES.map((scene) => (
      <Clip key={scene} duration={4} transition={{ name: "fade", duration: 0.5 }}>
        <Image prompt={scene} zoom="in" />
        <Title position="bottom">{scene}</Title>
      </Clip>
    ))}
  </Render>
);
