// Preact with htm: components are tagged templates, so no JSX build step.
// htm builds elements with Preact's h(); text is always set as text, never
// parsed as HTML.
import { h, render, Fragment } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
export { h, render, Fragment };
export { useState, useEffect, useMemo, useRef, useCallback } from 'preact/hooks';
