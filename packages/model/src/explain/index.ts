export { type Explainer, explainedLayerIndex, type GradCam, loadExplainer } from './grad-cam.js';
export { type HeatmapImage, heatmapPng, infernoColour } from './heatmap-png.js';
