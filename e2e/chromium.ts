/**
 * Debian's Chromium as the journeys, screenshots and benchmarks launch it. Never a downloaded browser; the
 * background-networking flags keep it from calling out of this closed network.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
