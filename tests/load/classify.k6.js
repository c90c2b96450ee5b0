// Load test for POST /classify, for users who have k6 (https://k6.io): 20 virtual users POST a real MRI JPEG.
//   k6 run tests/load/classify.k6.js
//   k6 run -e URL=http://127.0.0.1:8000 -e IMAGE=sample/brain-mri/Testing/glioma/Tr-gl_0104.jpg -e VUS=20 -e DURATION=30s tests/load/classify.k6.js
// Without k6, `pnpm bench:serve` (autocannon) measures the same thing side by side with the reference.
import { check } from 'k6';
import http from 'k6/http';

const URL = __ENV.URL || 'http://127.0.0.1:8000';
const IMAGE = __ENV.IMAGE || '../../sample/brain-mri/Testing/glioma/Tr-gl_0104.jpg';
const image = open(IMAGE, 'b');

export const options = {
  vus: Number(__ENV.VUS || 20),
  duration: __ENV.DURATION || '30s',
  thresholds: {
    http_req_failed: ['rate==0'],
    http_req_duration: ['p(99)<250'],
  },
};

export default function () {
  const response = http.post(`${URL}/classify`, { file: http.file(image, 'mri.jpg', 'image/jpeg') });
  check(response, {
    'status is 200': (r) => r.status === 200,
    'four classes': (r) => r.json('predictions').length === 4,
  });
}
