// How the model's class ids read to a person. Unknown ids (a future model) are shown as they are.
const displayNames: Record<string, string> = {
  glioma: 'Glioma',
  meningioma: 'Meningioma',
  notumor: 'No tumour',
  pituitary: 'Pituitary tumour',
};

export function displayClassName(classId: string): string {
  return displayNames[classId] ?? classId;
}

export function formatPercent(score: number): string {
  return `${(score * 100).toFixed(1)} %`;
}

export function formatMilliseconds(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}
