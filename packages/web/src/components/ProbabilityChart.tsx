import { displayClassName, formatPercent } from '../class-names.js';
import type { Prediction } from '../classify-response.js';

/** One horizontal bar per class. The numbers are text, so the chart reads the same without sight. */
export function ProbabilityChart({ predictions }: { predictions: Prediction[] }) {
  const top = predictions[0]?.class;
  return (
    <figure className="chart">
      <figcaption id="chart-caption">Probability of each class</figcaption>
      <ul className="chart__rows" aria-labelledby="chart-caption">
        {predictions.map((prediction) => (
          <li
            key={prediction.class}
            className={`chart__row${prediction.class === top ? ' chart__row--top' : ''}`}
            data-class={prediction.class}
          >
            <span className="chart__label">{displayClassName(prediction.class)}</span>
            <span className="chart__track" aria-hidden="true">
              <span
                className="chart__bar"
                style={{ width: `${Math.max(0, Math.min(1, prediction.score)) * 100}%` }}
              />
            </span>
            <span className="chart__value">{formatPercent(prediction.score)}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
