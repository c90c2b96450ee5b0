/** `@mri/model/onnx`: a saved model as an ONNX file (no tfjs, no backend loaded). */
export { exportOnnx, ONNX_INPUT, ONNX_OPSET, ONNX_OUTPUT, onnxOf } from './write.js';
