/** @jsxImportSource preact */
import { render } from 'preact';
import { App } from './App';
import './mobile.css';

render(<App />, document.getElementById('app')!);
