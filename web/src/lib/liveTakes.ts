/**
 * Which live events a scene page fetches a take for, and which answer it keeps. A take's second event can come
 * before the answer to the fetch its first one started: a small file is mirrored within milliseconds of its
 * capture, and `asset.mirrored` does not name the scene. So:
 * - a take announced for this scene counts as the scene's from that moment, not from when its fetch answers;
 * - of several fetches of one take, only the last one started may write: an earlier one can answer later, with
 *   an older state (a card left "pending" after its mirror finished).
 */
export class LiveTakeFetches {
  private readonly announced = new Set<string>();
  private readonly latest = new Map<string, number>();
  private tickets = 0;

  /** Whether an event about take `id` concerns the page: it names the scene, or the take is listed or announced. */
  concerns(id: string, namesScene: boolean, listed: boolean): boolean {
    if (namesScene) this.announced.add(id);
    return namesScene || listed || this.announced.has(id);
  }

  /** A ticket for a fetch of take `id` starting now. */
  start(id: string): number {
    const ticket = ++this.tickets;
    this.latest.set(id, ticket);
    return ticket;
  }

  /** True while no later fetch of take `id` has started: only then may this one's answer be shown. */
  isLatest(id: string, ticket: number): boolean {
    return this.latest.get(id) === ticket;
  }
}
