/** Repeatable randomness for the generators: the same seed gives the same sequence. */
export class Seeded {
  private state: number;

  constructor(seed: number) {
    this.state = seed;
  }

  protected random(): number {
    this.state = (this.state * 1103515245 + 12345) % 2147483648;
    return this.state / 2147483648;
  }

  protected pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  protected maybe(probability = 0.5): boolean {
    return this.random() < probability;
  }
}
