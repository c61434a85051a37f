import './chat.css';
import './transcript.css';
import './overlays.css';
import { ChatApp } from './app';

const root = document.getElementById('app') ?? document.body;
new ChatApp(root).start();
