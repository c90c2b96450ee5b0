import { type ChangeEvent, type DragEvent, useState } from 'react';

/**
 * A native file input (keyboard and screen-reader operable as it is) inside its label, which is dressed as the
 * drop target: the input covers the label invisibly, so a click anywhere opens the picker.
 */
export function DropZone({ onFile }: { onFile: (file: File) => void }) {
  const [dragging, setDragging] = useState(false);

  function onChange(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (file !== undefined) onFile(file);
    // Cleared so that choosing the same file again classifies it again.
    event.target.value = '';
  }

  function onDragOver(event: DragEvent<HTMLElement>) {
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  }

  function onDrop(event: DragEvent<HTMLElement>) {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file !== undefined) onFile(file);
  }

  return (
    <label
      className={`drop-zone${dragging ? ' drop-zone--dragging' : ''}`}
      onDragOver={onDragOver}
      onDragEnter={onDragOver}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <input className="drop-zone__input" type="file" accept="image/*" onChange={onChange} />
      <span className="drop-zone__action">Choose an MRI image</span>
      <span className="drop-zone__hint">or drop it here · JPEG or PNG, one axial slice</span>
    </label>
  );
}
