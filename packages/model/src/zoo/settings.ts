export interface ZooSettings {
  readonly inputSize: number;
  readonly numClasses: number;
  /** Dropout before the classifier head; each architecture has its own default. */
  readonly dropout?: number;
  /** Base width of the compact network (channels of its first block). */
  readonly width?: number;
}
