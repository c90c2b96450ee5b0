// A quick client-side check before anything is uploaded. The API stays the judge of what decodes: a file that
// passes here can still be refused there, and the page then shows the API's own message.

const imageExtensions = /\.(jpe?g|png|webp|gif|bmp|tiff?|avif)$/i;

export interface ChosenFile {
  name: string;
  type: string;
  size: number;
}

/** Why `file` cannot be an MRI image, in one sentence, or null when it may be one. */
export function rejectNonImage(file: ChosenFile): string | null {
  const looksLikeImage = file.type === '' ? imageExtensions.test(file.name) : file.type.startsWith('image/');
  if (!looksLikeImage) {
    return `“${file.name}” is not an image. Choose a JPEG or PNG of a brain MRI slice.`;
  }
  if (file.size === 0) return `“${file.name}” is empty. Choose a JPEG or PNG of a brain MRI slice.`;
  return null;
}
