import { useEffect, useState } from 'react';

/** The chosen image as the browser decodes it; the object URL is released when the file changes. */
export function ScanPreview({ file }: { file: File }) {
  const [url, setUrl] = useState<string | null>(null);
  const [undecodable, setUndecodable] = useState(false);

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
        url !== null && <img src={url} alt={`Preview of ${file.name}`} onError={() => setUndecodable(true)} />
      )}
      <figcaption>{file.name}</figcaption>
    </figure>
  );
}
