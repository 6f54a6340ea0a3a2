// Text from outside (reasons, actors, labels, alert names, error messages) on its way to a terminal, a
// markdown table, a log line or an error body. Two rules, used by every such output:
// - escape what a terminal or an editor would act on instead of showing: C0/C1 control characters (ESC
//   sequences, NUL, CR/LF that fake a new line, BEL, DEL) and the Unicode bidi and line controls that
//   reorder or split what is shown (U+202E "trojan source", U+2066..2069, U+200E/F, U+061C, U+2028/9);
// - cap what a client sent before echoing any of it, so a 100 KB key never becomes a 100 KB answer.

// Tab is kept where a caller asks (a table cell flattens it anyway); everything else is escaped.
// Matching control characters is the point of these two expressions.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
// eslint-disable-next-line no-control-regex
const CONTROL_AND_TAB = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.codePointAt(0) ?? 0;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control and bidi character shown as an escape (`\x1b`, `\n`, `\u202e`): one visible line. */
export function escapeControl(text: string, options: { readonly keepTab?: boolean } = {}): string {
  return text.replace(options.keepTab === true ? CONTROL : CONTROL_AND_TAB, escapeOne);
}

/** True when escapeControl would change `text`. */
export function hasControl(text: string): boolean {
  CONTROL_AND_TAB.lastIndex = 0;
  const found = CONTROL_AND_TAB.test(text);
  CONTROL_AND_TAB.lastIndex = 0;
  return found;
}

/** At most `max` characters of `text`; a longer one ends in `…` and says how long it was. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  // Never cut a surrogate pair in two.
  const end = /[\ud800-\udbff]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}… (${text.length} characters)`;
}

/** A client-sent name (a key, a field, a path) to quote in a message: capped, escaped, in quotes. */
export function quoteName(name: string, max = 64): string {
  return `"${escapeControl(capText(name, max)).replace(/"/g, '\\"')}"`;
}
