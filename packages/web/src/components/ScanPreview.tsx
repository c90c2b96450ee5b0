import { useEffect, useId, useState } from 'react';
import { displayClassName } from '../class-names.js';
import type { Explanation } from '../classify-response.js';

function HeatmapControls({
  explanation,
  opacity,
  onOpacity,
}: {
  explanation: Explanation;
  opacity: number;
  onOpacity: (value: number) => void;
}) {
  const id = useId();
  return (
    <div className="heatmap-controls">
      <label htmlFor={id}>Heat map opacity</label>
      <input
        id={id}
        type="range"
        min={0}
        max={100}
        step={5}
        value={opacity}
        onChange={(event) => onOpacity(Number(event.target.value))}
      />
      <output htmlFor={id}>{opacity} %</output>
      <p className="heatmap-note">
        Warm colours mark the areas that most raised the model's score for{' '}
        <strong>{displayClassName(explanation.class)}</strong> (Grad-CAM on its last convolutional layer):
        they show where the model looked, not where a tumour is, and a confident heat map can still be wrong.
      </p>
    </div>
  );
}

/**
 * The chosen image as the browser decodes it, and over it the Grad-CAM heat map when the answer has one. The model
 * saw the image stretched to a square, so the heat map is stretched over the image's own box to line up.
 */
export function ScanPreview({ file, explanation }: { file: File; explanation?: Explanation | null }) {
  const [url, setUrl] = useState<string | null>(null);
  const [undecodable, setUndecodable] = useState(false);
  const [aspect, setAspect] = useState(1);
  const [opacity, setOpacity] = useState(60);

  useEffect(() => {
    const objectUrl = URL.createObjectURL(file);
    setUrl(objectUrl);
    setUndecodable(false);
    return () => URL.revokeObjectURL(objectUrl);
  }, [file]);

  return (
    <figure className="preview">
      {undecodable ? (
        <div className="preview__missing">This browser cannot display the file.</div>
      ) : (
        url !== null && (
          <div className="scan" style={{ aspectRatio: String(aspect) }}>
            <img
              src={url}
              alt={`Preview of ${file.name}`}
              onError={() => setUndecodable(true)}
              onLoad={(event) => {
                const { naturalWidth, naturalHeight } = event.currentTarget;
                if (naturalWidth > 0 && naturalHeight > 0) setAspect(naturalWidth / naturalHeight);
              }}
            />
            {explanation && (
              <img
                className="scan__heatmap"
                src={explanation.heatmap}
                alt={`Grad-CAM heat map for ${displayClassName(explanation.class)}, laid over the scan`}
                style={{ opacity: opacity / 100 }}
              />
            )}
          </div>
        )
      )}
      <figcaption>{file.name}</figcaption>
      {explanation && !undecodable && (
        <HeatmapControls explanation={explanation} opacity={opacity} onOpacity={setOpacity} />
      )}
    </figure>
  );
}
