import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { App } from './App.tsx';

const root = document.getElementById('app')!;
// The boot message is static HTML: render() adds beside it rather than replacing it.
root.textContent = '';
render(<App />, root);
