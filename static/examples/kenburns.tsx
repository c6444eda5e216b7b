// Ken Burns: slow zooms and crops over stills, one shot per line of the list.
const SHOTS = [
  { prompt: "old lighthouse on a rocky coast", zoom: "in" },
  { prompt: "fishing village with colourful houses", zoom: "out" },
  { prompt: "stormy waves breaking on the pier", zoom: "in" },
];

export default (
  <Render width={1280} height={720}>
    {SHOTS.map((shot, i) => (
      <Clip key={shot.prompt} duration={3} transition={{ name: "crossfade", duration: 0.7 }}>
        <Image prompt={shot.prompt} zoom={shot.zoom} cropPosition={i % 2 ? "top" : "center"} />
        <Title position="bottom">{`${i + 1}. ${shot.prompt}`}</Title>
      </Clip>
    ))}
  </Render>
);
