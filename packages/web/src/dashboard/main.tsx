import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { DashboardApp } from './DashboardApp.js';
import '../styles.css';
import './dashboard.css';

const container = document.getElementById('root');
if (container === null) throw new Error('dashboard.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <DashboardApp />
  </StrictMode>,
);
