/** What the service remembers about one prediction: enough to watch for drift, nothing that identifies a patient. */
export interface PredictionRecord {
  /** ISO 8601. */
  readonly time: string;
  readonly modelVersion: string;
  readonly predicted: string;
  readonly confidence: number;
  /** Mean and std of the preprocessed (normalised) tensor the model saw; the upload's size in bytes. */
  readonly image: { readonly mean: number; readonly std: number; readonly bytes: number };
}

/** The last `capacity` records, in memory, for /drift. */
export class RecentWindow {
  private readonly items: PredictionRecord[] = [];
  private next = 0;

  constructor(readonly capacity: number) {}

  add(record: PredictionRecord): void {
    if (this.items.length < this.capacity) this.items.push(record);
    else this.items[this.next] = record;
    this.next = (this.next + 1) % this.capacity;
  }

  records(): readonly PredictionRecord[] {
    return this.items;
  }
}
