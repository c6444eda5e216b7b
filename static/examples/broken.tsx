// This program has a mistake: Render it to see the error shown under the line it names.
export default (
  <Render width={1280} height={720}>
    <Clip duration={3} transition={{ name: "spin" }}>
      <Image prompt="a spinning top on a wooden table" />
    </Clip>
    <Clip duration={3}>
      <Image prompt="a spinning top, fallen over" />
    </Clip>
  </Render>
);
