/**
 * Arrow-key movement in a wrapped grid of cards, from their positions (so it follows the real layout at any
 * width). Left/right go to the previous/next card; up/down to the nearest card in the row above/below.
 */
export function moveInGrid(boxes: { top: number; left: number }[], index: number, key: string): number {
  if (boxes.length === 0) return -1;
  if (index < 0) return 0;
  if (key === "ArrowRight") return Math.min(boxes.length - 1, index + 1);
  if (key === "ArrowLeft") return Math.max(0, index - 1);
  const here = boxes[index]!;
  const down = key === "ArrowDown";
  let best = index;
  let bestRowTop = down ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  let bestDx = Number.POSITIVE_INFINITY;
  boxes.forEach((b, i) => {
    const inDirection = down ? b.top > here.top : b.top < here.top;
    if (!inDirection) return;
    const closerRow = down ? b.top < bestRowTop : b.top > bestRowTop;
    const dx = Math.abs(b.left - here.left);
    if (closerRow || (b.top === bestRowTop && dx < bestDx)) {
      best = i;
      bestRowTop = b.top;
      bestDx = dx;
    }
  });
  return best;
}
