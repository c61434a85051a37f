import './dataset.css';
import { DatasetApp } from './app';

const root = document.getElementById('app') ?? document.body;
new DatasetApp(root).start();
