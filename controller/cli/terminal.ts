// Everything the CLI prints goes through here. Reasons, actors, labels, alert names and server messages
// are text from outside: an ESC sequence could rewrite the screen, a CR or LF fake a line, U+202E
// reverse what follows. Formatters escape each value (textTable, one line per detail); these writers are
// the last guard: every line is escaped whole, only the line breaks between lines are kept.
import { escapeControl } from '../core/display-text.js';

/** `text` with every control and bidi character escaped except the line breaks that separate its lines. */
export function terminalText(text: string): string {
  return text
    .split('\n')
    .map((line) => escapeControl(line))
    .join('\n');
}

// C1 controls and bidi/line controls survive JSON.stringify raw; \u escapes keep the JSON valid.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** Pretty JSON in which every control and bidi character is a \u escape (JSON.stringify leaves some raw). */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(JSON_UNSAFE, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

export function writeOut(text: string): void {
  process.stdout.write(terminalText(text));
}

export function writeErr(text: string): void {
  process.stderr.write(terminalText(text));
}
