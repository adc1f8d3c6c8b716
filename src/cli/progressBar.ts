/** A one-line progress bar on stderr (plain lines when stderr is not a terminal). */
export function progressBar(label: string, total: number | undefined) {
  const tty = process.stderr.isTTY;
  let done = 0;
  let lastDraw = 0;
  const draw = (force = false) => {
    const now = Date.now();
    if (!force && now - lastDraw < (tty ? 100 : 2_000)) return;
    lastDraw = now;
    const fraction = total ? Math.min(1, done / total) : 0;
    const width = 30;
    const bar = total ? `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${(fraction * 100).toFixed(1)}% ` : '';
    const line = `${label} ${bar}${done}${total ? `/${total}` : ''} events`;
    if (tty) process.stderr.write(`\r${line}`);
    else process.stderr.write(`${line}\n`);
  };
  return {
    advance(count: number) {
      done += count;
      draw();
    },
    finish() {
      draw(true);
      if (tty) process.stderr.write('\n');
    },
  };
}
