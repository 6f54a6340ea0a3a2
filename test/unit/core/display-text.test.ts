// escapeControl / capText / quoteName: what every terminal, markdown and error-body output relies on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capText, escapeControl, hasControl, quoteName } from '../../../controller/core/display-text.js';

describe('escapeControl', () => {
  it.each([
    ['ESC sequence', 'a\u001b[2Jb', 'a\\x1b[2Jb'],
    ['NUL, BEL, DEL', '\u0000\u0007\u007f', '\\x00\\x07\\x7f'],
    ['CR/LF and tab', 'a\r\nb\tc', 'a\\r\\nb\\tc'],
    ['C1 (NEL, CSI)', '\u0085\u009b', '\\x85\\x9b'],
    ['bidi override and isolates', '\u202eabc\u2066\u2069', '\\u202eabc\\u2066\\u2069'],
    ['marks and separators', '\u200e\u200f\u061c\u2028\u2029', '\\u200e\\u200f\\u061c\\u2028\\u2029'],
    ['printable text, accents and emoji unchanged', 'héllo wörld ✓ 😀 | `x`', 'héllo wörld ✓ 😀 | `x`'],
  ])('%s', (_name, input, expected) => {
    expect(escapeControl(input)).toBe(expected);
    expect(hasControl(input)).toBe(input !== expected);
  });

  it('keeps tabs when asked', () => {
    expect(escapeControl('a\tb\nc', { keepTab: true })).toBe('a\tb\\nc');
  });

  it('never leaves a control or bidi character, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        // eslint-disable-next-line no-control-regex -- finding control characters is the test
        expect(escapeControl(text)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u);
      }),
    );
  });
});

describe('capText and quoteName', () => {
  it('caps and says how long the text was', () => {
    expect(capText('abc', 3)).toBe('abc');
    expect(capText('abcdef', 3)).toBe('abc… (6 characters)');
  });

  it('never cuts a surrogate pair', () => {
    expect(capText('ab😀cd', 3)).toBe('ab… (6 characters)');
  });

  it('quotes a client-sent name capped and escaped', () => {
    expect(quoteName(`${'k'.repeat(100)}`, 4)).toBe('"kkkk… (100 characters)"');
    expect(quoteName('a"b\u001b')).toBe('"a\\"b\\x1b"');
  });
});
