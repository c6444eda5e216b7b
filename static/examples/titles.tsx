// Title cards: colours, outlines and positions, joined by dissolves and fades to black.
export default (
  <Render width={1280} height={720} fps={30}>
    <Clip duration={2.5} transition={{ name: "fade", duration: 0.6 }}>
      <Image prompt="deep blue night sky full of stars" zoom="in" />
      <Title position="center" color="#ffffff" outline={4} outlineColor="#1b1f3b">
        varg-render
      </Title>
    </Clip>
    <Clip duration={2.5} transition={{ name: "fadeblack", duration: 0.8 }}>
      <Image prompt="warm sunrise over a calm sea" zoom="out" />
      <Title position="top" color="#ffe9a8">Write a video as TSX</Title>
      <Title position="bottom" color="#ffffff" start={0.8}>…render it on your own machine</Title>
    </Clip>
    <Clip duration={2.5}>
      <Image prompt="green forest seen from above" />
      <Title position="bottom" color="#b8ffcf" outline={3} outlineColor="#0b2a17">
        No GPU, no ffmpeg, one binary
      </Title>
    </Clip>
  </Render>
);
