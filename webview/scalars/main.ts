// First import: the clock for `firstPaint` starts when the bundle starts to run.
import { scriptStart } from './startTime';
import 'uplot/dist/uPlot.min.css';
import './scalars.css';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import { ScalarsApp } from './app';

void scriptStart;
const root = document.getElementById('app') ?? document.body;
new ScalarsApp(root).start();
